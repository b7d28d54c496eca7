# Kind: Q&A answer (is CrossEntropyLoss log_softmax plus NLLLoss)
# Pattern: three ways to the same loss and gradient: F.cross_entropy, F.nll_loss(F.log_softmax), and a hand-written formula
import torch
import torch.nn.functional as F

torch.manual_seed(0)
logits = torch.randn(4, 3, requires_grad=True)
labels = torch.tensor([2, 0, 1, 2])

l1 = F.cross_entropy(logits, labels)
g1, = torch.autograd.grad(l1, logits)

l2 = F.nll_loss(F.log_softmax(logits, dim=1), labels)
g2, = torch.autograd.grad(l2, logits)

l3 = -(logits.gather(1, labels.unsqueeze(1)).squeeze(1) - logits.logsumexp(dim=1)).mean()
l3.backward()

print(l1.item(), l2.item(), l3.item())
print(torch.allclose(g1, g2), torch.allclose(g1, logits.grad))
print(logits.grad)
print((F.softmax(logits, dim=1) - F.one_hot(labels, 3)) / 4)
