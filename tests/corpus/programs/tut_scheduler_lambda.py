# Kind: official docs (learning rate schedulers)
# Pattern: LambdaLR with a warm-up lambda of the epoch, ExponentialLR, ReduceLROnPlateau stepped with the validation loss
import torch
from torch.optim.lr_scheduler import ExponentialLR, LambdaLR, ReduceLROnPlateau

torch.manual_seed(0)
w = torch.nn.Parameter(torch.randn(2))
optimizer = torch.optim.SGD([w], lr=0.5)
warmup = LambdaLR(optimizer, lr_lambda=lambda epoch: min(1.0, (epoch + 1) / 3))

for epoch in range(4):
    optimizer.zero_grad()
    loss = 0.5 * (w ** 2).sum()
    loss.backward()
    optimizer.step()
    warmup.step()
    print(epoch, f"{loss.item():.5f}", [round(lr, 5) for lr in warmup.get_last_lr()])

decay = ExponentialLR(optimizer, gamma=0.9)
for epoch in range(3):
    optimizer.zero_grad()
    (0.5 * (w ** 2).sum()).backward()
    optimizer.step()
    decay.step()
print("after decay:", round(optimizer.param_groups[0]["lr"], 5), w.data)

optimizer = torch.optim.Adam([w], lr=0.1)
plateau = ReduceLROnPlateau(optimizer, mode='min', factor=0.5, patience=1)
for epoch in range(5):
    optimizer.zero_grad()
    loss = ((w - 3) ** 2).sum()
    loss.backward()
    optimizer.step()
    val_loss = 1.0  # a validation loss that stops improving
    plateau.step(val_loss)
    print(epoch, optimizer.param_groups[0]["lr"])
