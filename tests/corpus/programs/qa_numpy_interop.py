# Kind: Q&A answer (moving between NumPy and PyTorch)
# Pattern: torch.from_numpy on a NumPy array, .detach().numpy() to read results back, np.allclose against a NumPy derivative
import numpy as np
import torch

xs = np.linspace(-1.0, 1.0, 5)
x = torch.from_numpy(xs).requires_grad_(True)
y = (x ** 3).sum()
y.backward()
grad = x.grad.detach().numpy()
print(grad)
print(np.allclose(grad, 3 * xs ** 2))
print(type(grad).__name__, grad.dtype)
