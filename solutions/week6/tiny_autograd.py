"""Reference solution of the tiny-autograd drill (see ``weeks/week6/tiny_autograd.py``)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

__all__ = ["MLP", "Value"]


class Value:
    """A scalar that remembers how it was computed, for reverse-mode differentiation."""

    def __init__(self, data: float, _children: tuple[Value, ...] = (), _op: str = "") -> None:
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(_children)
        self._op = _op
        self._backward: Callable[[], None] = lambda: None

    def __repr__(self) -> str:
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    @staticmethod
    def _lift(other: Value | float) -> Value:
        return other if isinstance(other, Value) else Value(other)

    # -- binary operations -----------------------------------------------------------------------
    def __add__(self, other: Value | float) -> Value:
        other = self._lift(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward() -> None:
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: Value | float) -> Value:
        other = self._lift(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, exponent: float) -> Value:
        if isinstance(exponent, Value) or not isinstance(exponent, int | float):
            raise TypeError("only a constant int or float exponent is supported")
        out = Value(self.data**exponent, (self,), f"**{exponent}")

        def _backward() -> None:
            self.grad += exponent * self.data ** (exponent - 1) * out.grad

        out._backward = _backward
        return out

    def __neg__(self) -> Value:
        return self * -1.0

    def __sub__(self, other: Value | float) -> Value:
        return self + (-self._lift(other))

    def __truediv__(self, other: Value | float) -> Value:
        return self * self._lift(other) ** -1

    def __radd__(self, other: float) -> Value:
        return self + other

    def __rmul__(self, other: float) -> Value:
        return self * other

    def __rsub__(self, other: float) -> Value:
        return self._lift(other) - self

    def __rtruediv__(self, other: float) -> Value:
        return self._lift(other) / self

    # -- unary functions -------------------------------------------------------------------------
    def exp(self) -> Value:
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward() -> None:
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def log(self) -> Value:
        if self.data <= 0:
            raise ValueError(f"log of a non-positive value {self.data}")
        out = Value(math.log(self.data), (self,), "log")

        def _backward() -> None:
            self.grad += out.grad / self.data

        out._backward = _backward
        return out

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward() -> None:
            self.grad += (1.0 - t * t) * out.grad

        out._backward = _backward
        return out

    def relu(self) -> Value:
        out = Value(max(self.data, 0.0), (self,), "relu")

        def _backward() -> None:
            self.grad += (out.data > 0) * out.grad

        out._backward = _backward
        return out

    # -- reverse mode ----------------------------------------------------------------------------
    def backward(self) -> None:
        """Set this node's grad to 1 and accumulate d(self)/d(node) into every ancestor."""
        order: list[Value] = []
        seen: set[int] = set()
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:  # iterative post-order DFS: no recursion limit on deep graphs
            node, children_done = stack.pop()
            if children_done:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in node._prev if id(child) not in seen)
        for node in order:  # intermediate nodes start afresh; only the leaves accumulate
            if node._prev:
                node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._backward()


class MLP:
    """A fully connected network of :class:`Value`: tanh hidden layers, a linear output layer."""

    def __init__(self, n_inputs: int, layer_sizes: Sequence[int], seed: int = 0) -> None:
        rng = random.Random(seed)
        sizes = [n_inputs, *layer_sizes]
        self.layers: list[list[tuple[list[Value], Value]]] = [
            [
                ([Value(rng.uniform(-1.0, 1.0)) for _ in range(fan_in)], Value(0.0))
                for _ in range(fan_out)
            ]
            for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True)
        ]

    def __call__(self, x: Sequence[Value | float]) -> list[Value]:
        """Forward pass of one sample; returns the list of output values."""
        activations: list[Value | float] = list(x)
        for depth, layer in enumerate(self.layers):
            last = depth == len(self.layers) - 1
            outputs = []
            for weights, bias in layer:
                z = sum((w * a for w, a in zip(weights, activations, strict=True)), bias)
                outputs.append(z if last else z.tanh())
            activations = outputs
        return activations  # type: ignore[return-value]

    def parameters(self) -> list[Value]:
        """Layer by layer, neuron by neuron: the neuron's weights, then its bias."""
        return [p for layer in self.layers for weights, bias in layer for p in (*weights, bias)]

    def zero_grad(self) -> None:
        """Reset the grad of every parameter to 0."""
        for p in self.parameters():
            p.grad = 0.0
