# Kind: course notebook (physics-informed network)
# Pattern: u = net(x) with x.requires_grad, u_x and u_xx from torch.autograd.grad(create_graph=True), an ODE residual loss plus a boundary term, Adam steps
import torch
import torch.nn as nn

torch.manual_seed(0)
net = nn.Sequential(nn.Linear(1, 10), nn.Tanh(), nn.Linear(10, 1))
optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
x = torch.linspace(0, 1, 9).view(-1, 1).requires_grad_(True)
x0 = torch.zeros(1, 1)

for epoch in range(5):
    optimizer.zero_grad()
    u = net(x)
    u_x = torch.autograd.grad(u, x, grad_outputs=torch.ones_like(u), create_graph=True)[0]
    u_xx = torch.autograd.grad(u_x, x, grad_outputs=torch.ones_like(u_x), create_graph=True)[0]
    residual = u_xx + u
    loss = residual.pow(2).mean() + (net(x0) - 1.0).pow(2).mean()
    loss.backward()
    optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.6f}")
print(x.grad is None)
