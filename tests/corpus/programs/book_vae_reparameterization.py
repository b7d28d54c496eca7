# Kind: textbook (variational autoencoder chapter)
# Pattern: an encoder giving mu and log-variance, Normal(mu, std).rsample() for the reparameterization trick, analytic kl_divergence against Normal(0, 1), data made with NumPy
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import Normal, kl_divergence

np.random.seed(1)
torch.manual_seed(1)

# Two blobs of 2-d points made with NumPy, turned into a float tensor once.
centers = np.array([[2.0, 0.0], [-2.0, 1.0]])
labels = np.random.randint(0, 2, size=32)
points = centers[labels] + 0.3 * np.random.randn(32, 2)
data = torch.tensor(points, dtype=torch.float32)
print(data.shape, np.sum(labels == 1), points.mean(axis=0).round(3))


class VAE(nn.Module):
    def __init__(self, latent=1):
        super().__init__()
        self.encoder = nn.Linear(2, 8)
        self.mu = nn.Linear(8, latent)
        self.log_var = nn.Linear(8, latent)
        self.decoder = nn.Sequential(nn.Linear(latent, 8), nn.Tanh(), nn.Linear(8, 2))

    def forward(self, x):
        h = torch.relu(self.encoder(x))
        mu, log_var = self.mu(h), self.log_var(h)
        q = Normal(mu, torch.exp(0.5 * log_var))
        z = q.rsample()  # the sample stays differentiable in mu and log_var
        return self.decoder(z), q


model = VAE()
optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
prior = Normal(torch.zeros(1), torch.ones(1))

for epoch in range(4):
    reconstruction, q = model(data)
    recon_loss = F.mse_loss(reconstruction, data, reduction="sum")
    kl = kl_divergence(q, prior).sum()
    loss = recon_loss + kl
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print(f"epoch {epoch}: recon {recon_loss.item():.4f}  kl {kl.item():.4f}")

print(q.mean.shape, q.stddev.min().item() > 0, q.batch_shape)
print(model.mu.weight.grad)
samples = model.decoder(prior.sample((3,))).detach().numpy()
print(samples.shape, samples.dtype, np.isfinite(samples).all())
