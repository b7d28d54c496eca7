# Kind: forum answer (counting how often a hook fires)
# Pattern: a closure with nonlocal counter used as a tensor hook, hook fires once per backward, handle removed afterwards
import torch


def make_counter():
    calls = 0

    def hook(grad):
        nonlocal calls
        calls += 1
        print(f"hook call {calls}: grad norm {grad.norm():.4f}")

    def count():
        return calls
    return hook, count


w = torch.tensor([0.5, -0.5, 2.0], requires_grad=True)
hook, count = make_counter()
handle = w.register_hook(hook)
for i in range(3):
    loss = (w * (i + 1)).pow(2).sum()
    loss.backward()
handle.remove()
(w * 2).sum().backward()
print("calls:", count())
print(w.grad)
