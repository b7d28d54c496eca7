# Kind: official docs (optimizer.step with a closure)
# Pattern: def closure() that zeroes grads, computes the loss, calls backward and returns it, passed to LBFGS.step and SGD.step
import torch

torch.manual_seed(0)
x = torch.linspace(-1, 1, 20).unsqueeze(1)
y = 0.7 * x - 0.2
model = torch.nn.Linear(1, 1)
optimizer = torch.optim.LBFGS(model.parameters(), lr=0.5, max_iter=5)


def closure():
    optimizer.zero_grad()
    loss = torch.nn.functional.mse_loss(model(x), y)
    loss.backward()
    return loss


for step in range(3):
    loss = optimizer.step(closure)
    print(step, f"{loss.item():.6f}")

sgd = torch.optim.SGD(model.parameters(), lr=0.1)
optimizer = sgd
print(f"{sgd.step(closure).item():.6f}")
print(model.weight, model.bias)
