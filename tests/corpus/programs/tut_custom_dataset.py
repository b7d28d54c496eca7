# Kind: official tutorial (writing a custom Dataset)
# Pattern: class SquaresDataset(Dataset) with __init__, __len__ and __getitem__, indexed by hand and batched by a DataLoader without shuffling
import torch
from torch.utils.data import DataLoader, Dataset


class SquaresDataset(Dataset):
    def __init__(self, n):
        self.x = torch.linspace(-1, 1, n).unsqueeze(1)
        self.y = self.x ** 2

    def __len__(self):
        return len(self.x)

    def __getitem__(self, idx):
        return self.x[idx], self.y[idx]


data = SquaresDataset(12)
print(len(data))
sample_x, sample_y = data[3]
print(sample_x, sample_y)

torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(1, 6), torch.nn.Tanh(), torch.nn.Linear(6, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
loader = DataLoader(data, batch_size=4)
for epoch in range(4):
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(xb), yb)
        loss.backward()
        optimizer.step()
    print(epoch, round(loss.item(), 5))
