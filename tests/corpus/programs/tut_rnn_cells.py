# Kind: official tutorial (sequence models)
# Pattern: nn.LSTM and nn.GRU over a short random sequence, a Linear head, training steps with Adam
import torch
import torch.nn as nn

torch.manual_seed(1)


class SequenceTagger(nn.Module):
    def __init__(self, input_size, hidden_size, n_tags):
        super().__init__()
        self.lstm = nn.LSTM(input_size, hidden_size, batch_first=True)
        self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, n_tags)

    def forward(self, seq):
        out, (h, c) = self.lstm(seq)
        out, h2 = self.gru(out)
        return self.head(out)


model = SequenceTagger(3, 5, 2)
seq = torch.randn(2, 4, 3)
tags = torch.randint(0, 2, (2, 4))
loss_function = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)

for epoch in range(4):
    model.zero_grad()
    scores = model(seq)
    loss = loss_function(scores.reshape(-1, 2), tags.reshape(-1))
    loss.backward()
    optimizer.step()
    print(epoch, round(loss.item(), 4))

rnn = nn.RNN(3, 4, num_layers=1)
h0 = torch.zeros(1, 1, 4)
output, hn = rnn(torch.randn(5, 1, 3), h0)
hn.sum().backward()
print(rnn.weight_hh_l0.grad.shape)
