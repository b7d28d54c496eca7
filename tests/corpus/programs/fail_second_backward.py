# Kind: forum question (fails on purpose: second backward without retain_graph)
# Pattern: a loss computed once outside the loop and backpropagated on every iteration; the second backward raises
import torch

w = torch.tensor([1.0, 2.0], requires_grad=True)
x = torch.tensor([0.5, -1.5])
loss = torch.sigmoid(w @ x) ** 2

for epoch in range(3):
    loss.backward()
    print(f"epoch {epoch}: grad {w.grad}")
    with torch.no_grad():
        w -= 0.1 * w.grad
