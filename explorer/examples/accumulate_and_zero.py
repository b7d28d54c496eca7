# Gradients accumulate; zero_() resets them
# Two backward passes: x.grad is 6 after x², then zeroed, then 27 after x³.
import torch

x = torch.tensor(3.0, requires_grad=True)
y = x**2
y.backward()
print("Gradient of x after first backward pass: ", x.grad)
x.grad.zero_()
y = x**3
y.backward()
print("Gradient of x after zero_() and the second backward pass: ", x.grad)
