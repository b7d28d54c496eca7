# Kind: official tutorial (policy gradient, REINFORCE)
# Pattern: a policy network, torch.distributions.Categorical(logits=...), action = m.sample(), -m.log_prob(action) * reward summed over an episode, optimizer step
import torch
import torch.nn as nn
from torch.distributions import Categorical

torch.manual_seed(0)
rewards_by_arm = torch.tensor([0.1, 0.9, 0.3])


class Policy(nn.Module):
    def __init__(self):
        super(Policy, self).__init__()
        self.affine = nn.Linear(1, 3)

    def forward(self, x):
        return self.affine(x)


policy = Policy()
optimizer = torch.optim.Adam(policy.parameters(), lr=0.05)
state = torch.ones(1)

for episode in range(20):
    log_probs, rewards = [], []
    for t in range(4):
        m = Categorical(logits=policy(state))
        action = m.sample()
        log_probs.append(m.log_prob(action))
        rewards.append(rewards_by_arm[action].item())
    returns = torch.tensor(rewards)
    returns = (returns - returns.mean()) / (returns.std() + 1e-6)
    policy_loss = torch.stack([-lp * r for lp, r in zip(log_probs, returns)]).sum()
    optimizer.zero_grad()
    policy_loss.backward()
    optimizer.step()
    if episode % 5 == 0:
        print(f"episode {episode}: mean reward {sum(rewards) / len(rewards):.3f}")

print(torch.softmax(policy(state), dim=-1))
