"""Windows on trusted code: Run as Trusted Python, and windows on ready-made traces."""
