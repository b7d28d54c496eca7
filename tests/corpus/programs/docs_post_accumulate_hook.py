# Kind: official tutorial (optimizer step in backward)
# Pattern: register_post_accumulate_grad_hook on each parameter running an in-place SGD update and clearing .grad
import torch

torch.manual_seed(0)
model = torch.nn.Linear(3, 1)
lr = 0.1


def sgd_in_backward(param):
    with torch.no_grad():
        param.add_(param.grad, alpha=-lr)
    param.grad = None


for p in model.parameters():
    p.register_post_accumulate_grad_hook(sgd_in_backward)

x = torch.randn(8, 3)
target = x.sum(dim=1, keepdim=True)
for step in range(5):
    loss = torch.nn.functional.mse_loss(model(x), target)
    loss.backward()
    print(step, f"{loss.item():.4f}")

print(model.weight)
print(model.weight.grad)
