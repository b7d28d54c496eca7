# Kind: course notebook (linear regression with nn.Linear)
# Pattern: nn.Linear(1, 1) on noisy synthetic data, Adam, MSELoss, loss printed every few epochs, learned weight and bias
import torch
import torch.nn as nn

torch.manual_seed(42)
X = torch.linspace(0, 1, 30).reshape(-1, 1)
y = 3 * X + 2 + 0.1 * torch.randn(X.size())

model = nn.Linear(in_features=1, out_features=1)
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.05)

epochs = 150
for epoch in range(epochs):
    y_hat = model(X)
    loss = criterion(y_hat, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if (epoch + 1) % 30 == 0:
        print(f'Epoch [{epoch + 1}/{epochs}], Loss: {loss.item():.4f}')

[w, b] = model.parameters()
print(f"w = {w.item():.3f}, b = {b.item():.3f}")
