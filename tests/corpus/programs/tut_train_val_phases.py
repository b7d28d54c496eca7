# Kind: official tutorial (transfer learning: train and val phases)
# Pattern: for phase in ['train', 'val'] with model.train()/model.eval(), torch.set_grad_enabled(phase == 'train'), running loss and corrects, torch.inference_mode for prediction
import torch
import torch.nn as nn

torch.manual_seed(0)
data = {"train": (torch.randn(12, 4), torch.randint(0, 2, (12,))),
        "val": (torch.randn(6, 4), torch.randint(0, 2, (6,)))}
model = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Dropout(0.2), nn.Linear(6, 2))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

for epoch in range(2):
    print(f'Epoch {epoch}/{1}')
    print('-' * 10)
    for phase in ['train', 'val']:
        if phase == 'train':
            model.train()
        else:
            model.eval()
        inputs, labels = data[phase]
        optimizer.zero_grad()
        with torch.set_grad_enabled(phase == 'train'):
            outputs = model(inputs)
            _, preds = torch.max(outputs, 1)
            loss = criterion(outputs, labels)
            if phase == 'train':
                loss.backward()
                optimizer.step()
        running_loss = loss.item() * inputs.size(0)
        running_corrects = torch.sum(preds == labels.data)
        epoch_loss = running_loss / len(labels)
        epoch_acc = running_corrects.double() / len(labels)
        print(f'{phase} Loss: {epoch_loss:.4f} Acc: {epoch_acc:.4f}')

with torch.inference_mode():
    probs = torch.softmax(model(data["val"][0]), dim=1)
print(probs.is_inference(), probs.shape)
