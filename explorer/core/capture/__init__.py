"""Capturing autograd: the graph walk, the recorder of backward passes, the trace data,
saved tensors, module paths, and recording trusted code."""
