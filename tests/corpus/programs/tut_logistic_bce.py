# Kind: course notebook (logistic regression)
# Pattern: a LogisticRegression(nn.Module) with torch.sigmoid, nn.BCELoss, SGD, accuracy computed under no_grad
import torch

torch.manual_seed(2)
n = 40
x_data = torch.randn(n, 2)
y_data = (x_data[:, 0] + 2 * x_data[:, 1] > 0).float().unsqueeze(1)


class LogisticRegression(torch.nn.Module):
    def __init__(self, n_inputs):
        super(LogisticRegression, self).__init__()
        self.linear = torch.nn.Linear(n_inputs, 1)

    def forward(self, x):
        y_pred = torch.sigmoid(self.linear(x))
        return y_pred


model = LogisticRegression(2)
criterion = torch.nn.BCELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)

for epoch in range(100):
    y_pred = model(x_data)
    loss = criterion(y_pred, y_data)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if epoch % 25 == 0:
        print('epoch {}, loss {:.4f}'.format(epoch, loss.item()))

with torch.no_grad():
    predicted = (model(x_data) > 0.5).float()
    accuracy = (predicted == y_data).float().mean()
print(f"accuracy: {accuracy:.2f}")

logits_loss = torch.nn.BCEWithLogitsLoss()(model.linear(x_data), y_data)
logits_loss.backward()
print(model.linear.bias.grad)
