"""The view model: stepping, scenes, layout, folding, search, labels, narration, node docs,
the plots' calculus, diagnostics and themes. Everything the front-ends draw is computed here."""
