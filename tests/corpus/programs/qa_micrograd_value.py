# Kind: course notebook (a tiny scalar autograd engine, micrograd style)
# Pattern: class Value with __add__/__mul__/__radd__/__rmul__/tanh/__repr__, closures as _backward, topological sort with a recursive build_topo, checked against torch
import math

import torch


class Value:
    def __init__(self, data, _children=(), _op=''):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), '+')

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), '*')

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def tanh(self):
        t = (math.exp(2 * self.data) - 1) / (math.exp(2 * self.data) + 1)
        out = Value(t, (self,), 'tanh')

        def _backward():
            self.grad += (1 - t ** 2) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        topo = []
        visited = set()

        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build_topo(child)
                topo.append(v)
        build_topo(self)
        self.grad = 1.0
        for node in reversed(topo):
            node._backward()

    def __repr__(self):
        return f"Value(data={self.data:.4f}, grad={self.grad:.4f})"


x1 = Value(2.0)
x2 = Value(0.0)
w1 = Value(-3.0)
w2 = Value(1.0)
b = Value(6.8813735870195432)
n = x1 * w1 + x2 * w2 + b
o = n.tanh()
o.backward()
print(o)
print(x1, w1, x2, w2)

tx1 = torch.tensor([2.0], dtype=torch.double, requires_grad=True)
tx2 = torch.tensor([0.0], dtype=torch.double, requires_grad=True)
tw1 = torch.tensor([-3.0], dtype=torch.double, requires_grad=True)
tw2 = torch.tensor([1.0], dtype=torch.double, requires_grad=True)
tb = torch.tensor([6.8813735870195432], dtype=torch.double, requires_grad=True)
tn = tx1 * tw1 + tx2 * tw2 + tb
to = torch.tanh(tn)
print(to.data.item())
to.backward()
print('x2', tx2.grad.item())
print('w2', tw2.grad.item())
print('x1', tx1.grad.item())
print('w1', tw1.grad.item())
print(abs(tx1.grad.item() - x1.grad) < 1e-9, 2 * Value(3.0) + 1)
