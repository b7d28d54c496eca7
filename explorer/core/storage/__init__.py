"""State and files: the evented document, session files, atomic writes, DOT output."""
