# Kind: official tutorial (neural networks: a small convolutional net)
# Pattern: Net(nn.Module) with Conv2d, F.max_pool2d, BatchNorm2d, Dropout, num_flat_features style flatten, one backward and a step
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):

    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 4, 3)
        self.bn1 = nn.BatchNorm2d(4)
        self.conv2 = nn.Conv2d(4, 6, 3)
        self.dropout = nn.Dropout(p=0.25)
        self.fc1 = nn.Linear(6 * 2 * 2, 10)
        self.fc2 = nn.Linear(10, 3)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), (2, 2))
        x = F.relu(self.conv2(x))
        x = torch.flatten(x, 1)
        x = self.dropout(F.relu(self.fc1(x)))
        x = self.fc2(x)
        return x


torch.manual_seed(0)
net = Net()
print(net)

params = list(net.parameters())
print(len(params))
print(params[0].size())

input = torch.randn(2, 1, 10, 10)
out = net(input)
print(out.shape)

target = torch.tensor([0, 2])
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(net.parameters(), lr=0.01)

optimizer.zero_grad()
loss = criterion(out, target)
print(loss.grad_fn.name())
loss.backward()
print('conv2.bias.grad after backward')
print(net.conv2.bias.grad)
optimizer.step()
