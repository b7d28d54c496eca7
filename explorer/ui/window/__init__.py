"""The application shell: the main window and its facade for features, the app, the runner
(programs in the worker, off the UI thread), autosave, crash reports, themes and placement."""
