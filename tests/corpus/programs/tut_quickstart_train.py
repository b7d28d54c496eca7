# Kind: official tutorial (quickstart: build the model, optimize the parameters)
# Pattern: NeuralNetwork(nn.Module) with Flatten and a Sequential stack, CrossEntropyLoss, SGD, train/test functions over batches
import torch
from torch import nn

device = "cuda" if torch.cuda.is_available() else "cpu"
print(f"Using {device} device")


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(6 * 6, 32),
            nn.ReLU(),
            nn.Linear(32, 32),
            nn.ReLU(),
            nn.Linear(32, 4)
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


torch.manual_seed(0)
model = NeuralNetwork().to(device)
print(model)

images = torch.randn(40, 1, 6, 6)
labels = torch.randint(0, 4, (40,))
batch_size = 8

loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-1)


def train(model, loss_fn, optimizer):
    size = len(images)
    model.train()
    for batch, start in enumerate(range(0, size, batch_size)):
        X, y = images[start:start + batch_size].to(device), labels[start:start + batch_size].to(device)

        pred = model(X)
        loss = loss_fn(pred, y)

        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

        if batch % 2 == 0:
            loss, current = loss.item(), (batch + 1) * len(X)
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")


def test(model, loss_fn):
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        pred = model(images)
        test_loss = loss_fn(pred, labels).item()
        correct = (pred.argmax(1) == labels).type(torch.float).sum().item()
    correct /= len(images)
    print(f"Test Error: \n Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")


epochs = 3
for t in range(epochs):
    print(f"Epoch {t+1}\n-------------------------------")
    train(model, loss_fn, optimizer)
    test(model, loss_fn)
print("Done!")
