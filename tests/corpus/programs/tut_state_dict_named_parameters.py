# Kind: official tutorial (what is a state_dict)
# Pattern: printing state_dict keys and sizes, named_parameters loop, optimizer param_groups, gradient norms per parameter
import torch
import torch.nn as nn
import torch.optim as optim


class TheModelClass(nn.Module):
    def __init__(self):
        super(TheModelClass, self).__init__()
        self.fc1 = nn.Linear(4, 6)
        self.fc2 = nn.Linear(6, 2)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


torch.manual_seed(0)
model = TheModelClass()
optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)

print("Model's state_dict:")
for param_tensor in model.state_dict():
    print(param_tensor, "\t", model.state_dict()[param_tensor].size())

print("Optimizer's lr:", optimizer.param_groups[0]["lr"])

loss = model(torch.randn(3, 4)).pow(2).mean()
loss.backward()
for name, param in model.named_parameters():
    if param.requires_grad:
        print(name, param.grad.norm().item())
total = sum(p.numel() for p in model.parameters() if p.requires_grad)
print("trainable parameters:", total)
