# Kind: forum answer (old-style code with Variable)
# Pattern: from torch.autograd import Variable, Variable(torch.ones(2, 2), requires_grad=True), out.backward(), x.grad and x.data
import torch
from torch.autograd import Variable

x = Variable(torch.ones(2, 2), requires_grad=True)
print(x)
y = x + 2
print(y)
z = y * y * 3
out = z.mean()
print(z, out)
out.backward()
print(x.grad)
print(x.data)
print(type(x))
