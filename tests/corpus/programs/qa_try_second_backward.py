# Kind: forum answer (why does the second backward fail)
# Pattern: try/except RuntimeError around a second backward, printing the error, then the same with retain_graph=True
import torch

x = torch.tensor([2.0, 3.0], requires_grad=True)
y = (x ** 2).sum()
y.backward()
try:
    y.backward()
except RuntimeError as e:
    print("second backward failed:", str(e).split(".")[0])
else:
    print("no error?")
finally:
    print("x.grad after the attempt:", x.grad)

x.grad = None
y = (x ** 2).sum()
y.backward(retain_graph=True)
y.backward()
print(x.grad)
