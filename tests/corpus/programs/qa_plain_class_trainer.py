# Kind: forum answer (organizing a training loop in a class)
# Pattern: a plain Trainer class with __init__, methods, a @staticmethod and a @classmethod constructor, holding a model and optimizer
import torch
import torch.nn as nn


class Trainer:
    def __init__(self, model, lr=0.1):
        self.model = model
        self.optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        self.losses = []

    @staticmethod
    def loss_fn(pred, target):
        return ((pred - target) ** 2).mean()

    @classmethod
    def for_inputs(cls, n_inputs, **kwargs):
        return cls(nn.Linear(n_inputs, 1), **kwargs)

    def step(self, x, y):
        self.optimizer.zero_grad()
        loss = self.loss_fn(self.model(x), y)
        loss.backward()
        self.optimizer.step()
        self.losses.append(loss.item())
        return loss

    def fit(self, x, y, epochs):
        for epoch in range(epochs):
            self.step(x, y)
        return self

    def __repr__(self):
        return f"Trainer(steps={len(self.losses)}, last_loss={self.losses[-1]:.4f})"


torch.manual_seed(0)
x = torch.randn(12, 2)
y = x @ torch.tensor([[1.5], [-0.5]])
trainer = Trainer.for_inputs(2, lr=0.2).fit(x, y, epochs=20)
print(trainer)
print(trainer.model.weight.grad)
