# Kind: official tutorial (datasets and dataloaders in a training loop)
# Pattern: TensorDataset and DataLoader(batch_size, shuffle=True), for batch, (X, y) in enumerate(dataloader), running loss averaged per epoch
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
X = torch.randn(40, 3)
y = (X.sum(dim=1) > 0).long()
dataset = TensorDataset(X, y)
dataloader = DataLoader(dataset, batch_size=8, shuffle=True)
print(len(dataset), len(dataloader))

model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 2))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.2)

for epoch in range(3):
    running_loss = 0.0
    for batch, (xb, yb) in enumerate(dataloader):
        pred = model(xb)
        loss = loss_fn(pred, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
    print(f"epoch {epoch + 1}: loss {running_loss / len(dataloader):.4f}")
