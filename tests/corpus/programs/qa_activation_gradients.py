# Kind: forum answer (getting the gradient of an intermediate activation, Grad-CAM style)
# Pattern: a forward hook stores the activation in a dict and registers a tensor hook on it that stores its gradient
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 4 * 4, 3))
activations = {}
gradients = {}


def save_activation(name):
    def hook(module, inputs, output):
        activations[name] = output.detach()

        def save_grad(grad):
            gradients[name] = grad
        output.register_hook(save_grad)
    return hook


model[1].register_forward_hook(save_activation("relu"))
image = torch.randn(1, 1, 6, 6)
scores = model(image)
scores[0, scores.argmax()].backward()
weights = gradients["relu"].mean(dim=(2, 3), keepdim=True)
cam = torch.relu((weights * activations["relu"]).sum(dim=1))
print(activations["relu"].shape, gradients["relu"].shape)
print(cam)
