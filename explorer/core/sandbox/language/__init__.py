"""The code box language: a whitelisted subset of Python and PyTorch, run by our own evaluator."""
