import sys

from explorer.cli import main

if __name__ == "__main__":  # a spawned worker imports this module too: it must not start the app
    sys.exit(main())
