# Kind: Q&A answer (backward on several losses at once)
# Pattern: torch.autograd.backward([loss1, loss2], [w1, w2]) with explicit weights, compared with (loss1 + 2 * loss2).backward()
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
loss1 = (x ** 2).sum()
loss2 = x.prod()
torch.autograd.backward([loss1, loss2], [torch.tensor(1.0), torch.tensor(2.0)])
print(x.grad)

combined = x.grad.clone()
x.grad.zero_()
((x ** 2).sum() + 2 * x.prod()).backward()
print(torch.equal(combined, x.grad))
