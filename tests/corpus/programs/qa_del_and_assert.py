# Kind: forum answer (freeing the graph and checking gradients)
# Pattern: assert on gradients, del of intermediate results to free the graph, is None checks after del-ing .grad
import torch

x = torch.randn(3, requires_grad=True)
hidden = torch.tanh(x * 2)
loss = hidden.pow(2).sum()
loss.backward()
assert x.grad is not None, "backward did not reach x"
assert x.grad.shape == x.shape
print(x.grad)

del hidden, loss
x.grad = None
print(x.grad is None)

loss = (x.exp() - 1).abs().sum()
loss.backward()
assert torch.all(x.grad.abs() > 0)
print(x.grad)
