# Kind: official tutorial (adversarial example generation, FGSM)
# Pattern: data.requires_grad = True, F.nll_loss on log_softmax output, model.zero_grad(), data.grad.data.sign(), a perturbed image clamped to [0, 1], accuracy per epsilon
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.fc1 = nn.Linear(16, 12)
        self.fc2 = nn.Linear(12, 3)

    def forward(self, x):
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        return F.log_softmax(self.fc2(x), dim=1)


def fgsm_attack(image, epsilon, data_grad):
    sign_data_grad = data_grad.sign()
    perturbed_image = image + epsilon * sign_data_grad
    perturbed_image = torch.clamp(perturbed_image, 0, 1)
    return perturbed_image


torch.manual_seed(0)
model = Net()
model.eval()
images = torch.rand(6, 1, 4, 4)
targets = model(images).argmax(dim=1)

epsilons = [0, 0.1, 0.3]
for epsilon in epsilons:
    correct = 0
    for i in range(len(images)):
        data, target = images[i:i + 1].clone(), targets[i:i + 1]
        data.requires_grad = True
        output = model(data)
        init_pred = output.max(1, keepdim=True)[1]
        loss = F.nll_loss(output, target)
        model.zero_grad()
        loss.backward()
        data_grad = data.grad.data
        perturbed_data = fgsm_attack(data, epsilon, data_grad)
        output = model(perturbed_data)
        final_pred = output.max(1, keepdim=True)[1]
        if final_pred.item() == target.item():
            correct += 1
    final_acc = correct / float(len(images))
    print(f"Epsilon: {epsilon}\tTest Accuracy = {correct} / {len(images)} = {final_acc}")
