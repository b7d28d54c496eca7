"""Test set-up shared by every tier: no display is needed, and Qt must never pop up."""

import os

# Qt aborts the process without a display unless this is set before it is first imported.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
