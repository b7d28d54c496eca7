# Kind: Q&A answer (comparing optimizers on the same problem)
# Pattern: a dict of optimizer factories (lambdas), a def run(make_optimizer, steps=50) reused for SGD, Adam, AdamW and RMSprop
import torch

target = torch.tensor([1.0, -2.0, 0.5])


def run(make_optimizer, steps=50):
    torch.manual_seed(0)
    w = torch.zeros(3, requires_grad=True)
    opt = make_optimizer([w])
    for _ in range(steps):
        opt.zero_grad()
        loss = ((w - target) ** 2).sum()
        loss.backward()
        opt.step()
    return loss.item(), w.detach()


optimizers = {
    "SGD": lambda params: torch.optim.SGD(params, lr=0.1),
    "Adam": lambda params: torch.optim.Adam(params, lr=0.1),
    "AdamW": lambda params: torch.optim.AdamW(params, lr=0.1, weight_decay=0.01),
    "RMSprop": lambda params: torch.optim.RMSprop(params, lr=0.01),
}

results = {name: run(factory) for name, factory in optimizers.items()}
for name, (final_loss, w) in results.items():
    print(f"{name:8s} loss={final_loss:.6f} w={w}")
best = min(results, key=lambda name: results[name][0])
print("best:", best)
