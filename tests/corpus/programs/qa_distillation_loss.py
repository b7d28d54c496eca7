# Kind: Q&A answer (knowledge distillation loss)
# Pattern: KL divergence between temperature-softened student log-probabilities and teacher probabilities (batchmean, times T*T) plus a label-smoothed cross-entropy; teacher under no_grad
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
teacher = nn.Linear(6, 4)
student = nn.Linear(6, 4)
x = torch.randn(5, 6)
labels = torch.tensor([0, 3, 1, 1, 2])
T, alpha = 2.0, 0.7

with torch.no_grad():
    teacher_logits = teacher(x)
student_logits = student(x)
soft_loss = F.kl_div(F.log_softmax(student_logits / T, dim=1),
                     F.softmax(teacher_logits / T, dim=1), reduction='batchmean') * T * T
hard_loss = nn.CrossEntropyLoss(label_smoothing=0.1)(student_logits, labels)
loss = alpha * soft_loss + (1 - alpha) * hard_loss
loss.backward()
print(f"soft {soft_loss.item():.5f} hard {hard_loss.item():.5f} total {loss.item():.5f}")
print(student.bias.grad)
print(teacher.weight.grad)
