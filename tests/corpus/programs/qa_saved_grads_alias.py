# Kind: Q&A answer (why are all the gradients I saved the same)
# Pattern: appending w.grad to a list across iterations while zeroing it in place, versus appending w.grad.clone()
import torch

w = torch.tensor([1.0, -2.0], requires_grad=True)
kept, copies = [], []
for step in range(3):
    loss = ((step + 1) * w).pow(2).sum()
    loss.backward()
    kept.append(w.grad)
    copies.append(w.grad.clone())
    with torch.no_grad():
        w -= 0.1 * w.grad
    w.grad.zero_()

print(kept)
print(copies)
print(all(g is kept[0] for g in kept))
