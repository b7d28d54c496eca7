# Kind: course notebook (inspecting objects cell by cell)
# Pattern: printing torch.__version__, a loss function, an optimizer, list(model.parameters()), grad_fn.next_functions and sizes, as notebook cells show them
import torch
import torch.nn as nn

print(torch.__version__)
torch.manual_seed(0)
model = nn.Linear(2, 1)
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
print(loss_fn)
print(optimizer)
print(list(model.parameters()))

x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
out = model(x)
loss = loss_fn(out, torch.ones(2, 1))
print(loss.grad_fn)
print(loss.grad_fn.next_functions)
print(out.size(), out.dim(), out.numel(), x.T.shape)
loss.backward()
optimizer.step()
print(dict(model.named_parameters())["weight"])
print(optimizer.state_dict()["param_groups"][0]["lr"])
