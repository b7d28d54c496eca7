"""Autograd Explorer: see the graph PyTorch's autograd builds, and step through backward."""

__version__ = "0.1.0"
