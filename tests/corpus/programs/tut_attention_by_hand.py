# Kind: official tutorial (attention written out by hand)
# Pattern: scaled dot-product attention with a causal mask from torch.triu and masked_fill(-inf), softmax, einsum, compared with F.scaled_dot_product_attention
import math

import torch
import torch.nn.functional as F

torch.manual_seed(0)
T, d = 4, 6
q = torch.randn(T, d, requires_grad=True)
k = torch.randn(T, d, requires_grad=True)
v = torch.randn(T, d, requires_grad=True)

scores = torch.einsum("id,jd->ij", q, k) / math.sqrt(d)
mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
scores = scores.masked_fill(mask, float("-inf"))
weights = F.softmax(scores, dim=-1)
out = weights @ v
print(weights)

reference = F.scaled_dot_product_attention(q.unsqueeze(0), k.unsqueeze(0), v.unsqueeze(0), is_causal=True)
print(torch.allclose(out, reference.squeeze(0), atol=1e-6))
out.pow(2).sum().backward()
print(q.grad[0], v.grad[-1])
