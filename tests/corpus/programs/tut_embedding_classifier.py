# Kind: official tutorial (text classification with embeddings)
# Pattern: nn.Embedding + mean pooling + Linear classifier, CrossEntropyLoss, a few SGD steps, init_weights with uniform_
import torch
from torch import nn


class TextClassificationModel(nn.Module):

    def __init__(self, vocab_size, embed_dim, num_class):
        super(TextClassificationModel, self).__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.fc = nn.Linear(embed_dim, num_class)
        self.init_weights()

    def init_weights(self):
        initrange = 0.5
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.fc.weight.data.uniform_(-initrange, initrange)
        self.fc.bias.data.zero_()

    def forward(self, text):
        embedded = self.embedding(text).mean(dim=1)
        return self.fc(embedded)


torch.manual_seed(0)
model = TextClassificationModel(vocab_size=20, embed_dim=6, num_class=3)
texts = torch.tensor([[1, 4, 7, 2], [3, 3, 9, 0], [15, 2, 8, 8]])
labels = torch.tensor([0, 2, 1])
criterion = torch.nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=5.0)

for step in range(6):
    optimizer.zero_grad()
    predicted_label = model(texts)
    loss = criterion(predicted_label, labels)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
    optimizer.step()
    acc = (predicted_label.argmax(1) == labels).sum().item() / labels.size(0)
    print(f"| step {step:3d} | loss {loss.item():8.4f} | accuracy {acc:8.3f}")
