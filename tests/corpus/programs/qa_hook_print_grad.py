# Kind: forum answer (inspecting intermediate gradients with hooks)
# Pattern: def print_grad(name) returning a hook closure, registered on intermediate tensors, prints gradients as backward reaches them
import torch


def print_grad(name):
    def hook(grad):
        print(f"grad of {name}: {grad}")
    return hook


x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
h = x * 2
h.register_hook(print_grad("h"))
y = h.pow(2)
y.register_hook(print_grad("y"))
z = y.mean()
z.backward()
print("x.grad:", x.grad)
