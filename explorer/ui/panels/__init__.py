"""The docks: editor, output, variables, inspector, step bar, narration, plots, timeline,
diagnostics."""
