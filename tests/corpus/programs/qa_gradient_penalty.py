# Kind: forum answer (gradient penalty as in WGAN-GP)
# Pattern: random interpolates with requires_grad, autograd.grad(create_graph=True) of the critic output, ((norm - 1) ** 2).mean() backpropagated into the critic
import torch
import torch.nn as nn

torch.manual_seed(0)
critic = nn.Sequential(nn.Linear(2, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1))
real = torch.randn(6, 2) + 2
fake = torch.randn(6, 2)


def gradient_penalty(critic, real, fake):
    alpha = torch.rand(real.size(0), 1)
    interpolates = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    scores = critic(interpolates)
    gradients = torch.autograd.grad(outputs=scores, inputs=interpolates,
                                    grad_outputs=torch.ones_like(scores),
                                    create_graph=True, retain_graph=True)[0]
    return ((gradients.norm(2, dim=1) - 1) ** 2).mean()


gp = gradient_penalty(critic, real, fake)
loss = critic(fake).mean() - critic(real).mean() + 10 * gp
loss.backward()
print(f"gp = {gp.item():.5f}, loss = {loss.item():.5f}")
print(critic[0].weight.grad)
