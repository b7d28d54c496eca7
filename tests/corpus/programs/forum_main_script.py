# Kind: forum answer (a complete script posted as a question)
# Pattern: helper functions, a main() that builds data, model and optimizer, if __name__ == "__main__": main()
import torch
import torch.nn as nn


def make_data(n=32, seed=0):
    torch.manual_seed(seed)
    x = torch.rand(n, 1) * 4 - 2
    y = x.pow(2) + 0.05 * torch.randn(n, 1)
    return x, y


def build_model(hidden=8):
    return nn.Sequential(nn.Linear(1, hidden), nn.Tanh(), nn.Linear(hidden, 1))


def main():
    x, y = make_data()
    model = build_model()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for epoch in range(60):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        if epoch % 20 == 0:
            print(f"epoch {epoch:3d} | loss {loss.item():.5f}")
    print("final loss:", round(loss.item(), 5))


if __name__ == "__main__":
    main()
