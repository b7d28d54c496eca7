"""The code box: its language (checker, evaluator, allow-list, library), limits, and the
runner and worker process that run a program and hand back its trace."""
