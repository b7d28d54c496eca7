# Kind: official docs (nn.MultiheadAttention)
# Pattern: self-attention with nn.MultiheadAttention(batch_first=True), averaged attention weights printed, a loss on the output backpropagated into in_proj_weight
import torch
import torch.nn as nn

torch.manual_seed(0)
embed_dim, num_heads = 8, 2
multihead_attn = nn.MultiheadAttention(embed_dim, num_heads, batch_first=True)
x = torch.randn(1, 3, embed_dim)
attn_output, attn_output_weights = multihead_attn(x, x, x)
print(attn_output.shape, attn_output_weights.shape)
print(attn_output_weights.sum(dim=-1))
loss = attn_output.pow(2).mean()
loss.backward()
print(multihead_attn.in_proj_weight.grad.shape, round(multihead_attn.out_proj.bias.grad.sum().item(), 6))
