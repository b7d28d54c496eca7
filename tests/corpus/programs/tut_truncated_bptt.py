# Kind: official tutorial (language model with truncated backpropagation through time)
# Pattern: nn.Embedding + nn.GRU + Linear, hidden state carried across chunks and cut with hidden.detach(), gradient clipping, perplexity printed
import math

import torch
import torch.nn as nn


class CharModel(nn.Module):
    def __init__(self, vocab, hidden):
        super().__init__()
        self.embed = nn.Embedding(vocab, 8)
        self.rnn = nn.GRU(8, hidden)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, tokens, hidden):
        output, hidden = self.rnn(self.embed(tokens), hidden)
        return self.out(output), hidden


torch.manual_seed(0)
vocab, hidden_size, chunk = 6, 10, 5
stream = torch.randint(0, vocab, (21, 1))
model = CharModel(vocab, hidden_size)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)

hidden = torch.zeros(1, 1, hidden_size)
for i in range(0, stream.size(0) - 1, chunk):
    inputs = stream[i:i + chunk]
    targets = stream[i + 1:i + 1 + chunk].view(-1)
    hidden = hidden.detach()
    model.zero_grad()
    logits, hidden = model(inputs[:len(targets)], hidden)
    loss = criterion(logits.view(-1, vocab), targets)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
    optimizer.step()
    print(f"chunk {i // chunk} | loss {loss.item():5.2f} | ppl {math.exp(loss.item()):8.2f}")
