# Kind: official tutorial (neural style transfer)
# Pattern: gram_matrix, ContentLoss/StyleLoss modules storing self.loss, the input image optimized by LBFGS with a closure that clamps the image under no_grad
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


def gram_matrix(input):
    a, b, c, d = input.size()
    features = input.view(a * b, c * d)
    G = torch.mm(features, features.t())
    return G.div(a * b * c * d)


class ContentLoss(nn.Module):
    def __init__(self, target):
        super(ContentLoss, self).__init__()
        self.target = target.detach()

    def forward(self, input):
        self.loss = F.mse_loss(input, self.target)
        return input


class StyleLoss(nn.Module):
    def __init__(self, target_feature):
        super(StyleLoss, self).__init__()
        self.target = gram_matrix(target_feature).detach()

    def forward(self, input):
        G = gram_matrix(input)
        self.loss = F.mse_loss(G, self.target)
        return input


torch.manual_seed(0)
features = nn.Conv2d(3, 4, 3, padding=1)
for p in features.parameters():
    p.requires_grad_(False)
content_img = torch.rand(1, 3, 6, 6)
style_img = torch.rand(1, 3, 6, 6)
content_loss = ContentLoss(features(content_img))
style_loss = StyleLoss(features(style_img))
model = nn.Sequential(features, content_loss, style_loss)

input_img = content_img.clone()
input_img.requires_grad_(True)
optimizer = optim.LBFGS([input_img])
run = [0]
style_weight, content_weight = 1000000, 1

for _ in range(2):
    def closure():
        with torch.no_grad():
            input_img.clamp_(0, 1)
        optimizer.zero_grad()
        model(input_img)
        style_score = style_loss.loss * style_weight
        content_score = content_loss.loss * content_weight
        loss = style_score + content_score
        loss.backward()
        run[0] += 1
        return style_score + content_score

    optimizer.step(closure)
    print(f"run {run[0]}: style {style_loss.loss.item() * style_weight:4f} content {content_loss.loss.item():4f}")

with torch.no_grad():
    input_img.clamp_(0, 1)
print(input_img.grad.shape, round(input_img.sum().item(), 4))
