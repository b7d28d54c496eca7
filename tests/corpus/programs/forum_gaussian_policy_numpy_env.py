# Kind: forum answer (continuous-action policy gradient with an environment written in NumPy)
# Pattern: state as a NumPy array, Normal(mean, std) policy, action.detach().numpy() fed to the environment, discounted returns computed in NumPy, torch.as_tensor of the returns, log_prob(...).sum() loss
import numpy as np
import torch
import torch.nn as nn
from torch.distributions import Normal

np.random.seed(7)
torch.manual_seed(7)


class PointEnv:
    """Move a point toward the origin; the reward is minus the distance."""

    def __init__(self):
        self.state = np.zeros(2)

    def reset(self):
        self.state = np.random.uniform(-1.0, 1.0, size=2)
        return self.state.copy()

    def step(self, action):
        self.state = np.clip(self.state + 0.1 * np.clip(action, -1.0, 1.0), -2.0, 2.0)
        reward = -np.linalg.norm(self.state)
        return self.state.copy(), reward


def discounted(rewards, gamma=0.9):
    returns = np.zeros(len(rewards))
    running = 0.0
    for i in reversed(range(len(rewards))):
        running = rewards[i] + gamma * running
        returns[i] = running
    return returns


policy = nn.Linear(2, 2)
log_std = nn.Parameter(torch.full((2,), -0.5))
optimizer = torch.optim.SGD(list(policy.parameters()) + [log_std], lr=0.01)
env = PointEnv()

for episode in range(5):
    state = env.reset()
    log_probs, rewards = [], []
    for t in range(6):
        mean = policy(torch.as_tensor(state, dtype=torch.float32))
        dist = Normal(mean, log_std.exp())
        action = dist.sample()
        log_probs.append(dist.log_prob(action).sum())
        state, reward = env.step(action.detach().numpy())
        rewards.append(reward)
    returns = discounted(rewards)
    returns = (returns - returns.mean()) / (returns.std() + 1e-8)
    loss = -(torch.stack(log_probs) * torch.as_tensor(returns, dtype=torch.float32)).sum()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print(episode, np.round(np.sum(rewards), 4), round(loss.item(), 4), np.round(state, 3))

print(log_std.grad, policy.weight.grad.norm())
print(type(state).__name__, state.dtype, np.random.rand() < 1.0)
