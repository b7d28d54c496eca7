# Kind: forum answer (model.train() vs model.eval())
# Pattern: Dropout and BatchNorm1d behave differently in train and eval, evaluation under torch.no_grad(), training flag printed
import torch
import torch.nn as nn

torch.manual_seed(7)
model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 1))
x = torch.randn(6, 4)

model.train()
print(model.training, model[3].training)
train_out = model(x)
train_out.mean().backward()
print(model[0].weight.grad.abs().sum().item())

model.eval()
print(model.training)
with torch.no_grad():
    eval_out = model(x)
print(eval_out.requires_grad)
print(model[1].running_mean)
