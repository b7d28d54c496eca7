# Kind: forum answer (gradient reversal layer for domain adaptation)
# Pattern: GradReverse Function keeping a coefficient on ctx and returning grad_output.neg() * ctx.alpha, wrapped in a helper and an nn.Module
import torch
import torch.nn as nn
from torch.autograd import Function


class GradReverse(Function):
    @staticmethod
    def forward(ctx, x, alpha):
        ctx.alpha = alpha
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad_output):
        output = grad_output.neg() * ctx.alpha
        return output, None


def grad_reverse(x, alpha=1.0):
    return GradReverse.apply(x, alpha)


class DomainClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, features, alpha=1.0):
        return self.fc(grad_reverse(features, alpha))


torch.manual_seed(0)
extractor = nn.Linear(3, 4)
head = DomainClassifier()
x = torch.randn(5, 3)
domains = torch.tensor([0, 1, 0, 1, 1])
loss = nn.functional.cross_entropy(head(extractor(x), alpha=0.5), domains)
loss.backward()
print(loss.grad_fn.name())
print(extractor.bias.grad)
print(head.fc.bias.grad)
