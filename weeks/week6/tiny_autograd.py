"""Drill: a tiny reverse-mode autograd engine (hard, time box 45 minutes).

Interview prompt: "Build a scalar autograd engine (micrograd-style): a ``Value`` that supports the
usual arithmetic and a few functions, and a ``backward()`` that fills in every gradient. Then
train a tiny MLP with it." The grader compares your gradients with ``torch.autograd`` on random
expressions (float64, 1e-9) and with finite differences.

``Value(data)``: a float ``data``, a ``grad`` (starts at 0.0), the nodes it was computed from
(``_prev``), the operation name (``_op``) and a ``_backward`` closure that, when called, ADDS this
node's contribution to its parents' ``grad`` (the chain rule: parent.grad += local derivative *
out.grad). [#chain-rule] ``__init__`` is given.

Operations to write (each returns a NEW ``Value`` and leaves its operands' ``data`` alone
[#new-value]; plain ints/floats are accepted on either side [#numbers]):

- ``a + b``, ``a - b``, ``a * b``, ``a / b``, ``-a`` [#arithmetic], and the reflected forms
  ``2 + a``, ``2 - a``, ``2 * a``, ``2 / a`` [#reflected];
- ``a ** k`` for a constant int or float ``k`` [#pow] (a ``Value`` exponent raises
  ``TypeError`` [#pow-type]);
- ``a.exp()``, ``a.log()`` (``ValueError`` if ``a.data <= 0`` [#log-domain]), ``a.tanh()``,
  ``a.relu()`` [#functions] (gradient 0 at 0, like PyTorch [#relu-at-zero]).

``out.backward()``: sets ``out.grad = 1.0`` and propagates to every node ``out`` depends on.
[#backward] Two classic traps the grader checks:

- a node used several times (``a * a``, diamonds) must receive the SUM of the gradients of all
  paths: use ``+=`` in every ``_backward``, never ``=``; [#accumulate]
- a node's ``_backward`` may only run once its own ``grad`` is complete: visit nodes in reverse
  topological order. [#topological] Build that order WITHOUT recursion (an explicit stack), so
  graphs 10 000 nodes deep work under Python's default recursion limit. [#no-recursion]

The gradients of the leaves (values not computed from others: inputs, weights) accumulate across
``backward()`` calls, like PyTorch: reset them between training steps. [#across-calls] Every other
node's gradient starts from 0 at each ``backward()``, so a second call adds the same amount to the
leaves however deep the graph is. [#fresh-intermediates]

``MLP(n_inputs, layer_sizes, seed=0)``: fully connected layers of sizes ``layer_sizes`` (e.g.
``MLP(3, [4, 4, 1])``), ``tanh`` after every layer except the last (linear output). [#mlp-layers]
Each neuron has ``fan_in`` weights (initial values ``random.Random(seed).uniform(-1, 1)``: the same
seed gives the same network) and a bias (0.0). [#mlp-init]

- ``mlp(x)``: ``x`` a sequence of ``n_inputs`` floats or Values; returns the LIST of output
  ``Value``s (a list even for one output). Neuron ``j`` computes ``b_j + sum_i w_ji * x_i``.
  [#mlp-call]
- ``mlp.parameters()``: every parameter in this order: layer by layer, neuron by neuron, the
  neuron's weights (in input order) then its bias. [#mlp-parameters] The grader rebuilds the
  same network in PyTorch from this list.
- ``mlp.zero_grad()``: set every parameter's ``grad`` to 0. [#zero-grad]

Example::

    >>> a, b = Value(2.0), Value(-3.0)
    >>> c = a * b + a ** 2          # = -6 + 4 = -2; a is used twice
    >>> c.backward()
    >>> a.grad, b.grad              # dc/da = b + 2a = 1, dc/db = a = 2
    (1.0, 2.0)

Complexity: ``backward`` is O(nodes + edges) time and memory: each node is visited, and its
``_backward`` run, once, however many paths lead to it. [#linear]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

__all__ = ["MLP", "Value"]


class Value:
    """A scalar that remembers how it was computed, for reverse-mode differentiation.

    Attributes:
        data: the value.
        grad: d(output of the last backward) / d(this value), accumulated.
    """

    def __init__(self, data: float, _children: tuple[Value, ...] = (), _op: str = "") -> None:
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(_children)
        self._op = _op
        self._backward: Callable[[], None] = lambda: None

    def __repr__(self) -> str:
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    # -- binary operations -----------------------------------------------------------------------
    def __add__(self, other: Value | float) -> Value:
        """``self + other``; both parents get ``out.grad``."""
        # TODO: wrap a plain number in a Value, build `out`, attach a _backward that uses +=.
        raise NotImplementedError

    def __mul__(self, other: Value | float) -> Value:
        """``self * other``; each parent gets the other's data times ``out.grad``."""
        # TODO
        raise NotImplementedError

    def __pow__(self, exponent: float) -> Value:
        """``self ** exponent`` for a constant int or float exponent.

        Raises:
            TypeError: the exponent is a ``Value`` (or not a number).
        """
        # TODO: d/dx x**k = k * x**(k - 1).
        raise NotImplementedError

    def __neg__(self) -> Value:
        """``-self``."""
        # TODO: reuse multiplication.
        raise NotImplementedError

    def __sub__(self, other: Value | float) -> Value:
        """``self - other``."""
        # TODO: reuse addition and negation.
        raise NotImplementedError

    def __truediv__(self, other: Value | float) -> Value:
        """``self / other``."""
        # TODO: reuse multiplication and ** -1.
        raise NotImplementedError

    def __radd__(self, other: float) -> Value:
        """``other + self`` when ``other`` is a plain number."""
        # TODO
        raise NotImplementedError

    def __rmul__(self, other: float) -> Value:
        """``other * self`` when ``other`` is a plain number."""
        # TODO
        raise NotImplementedError

    def __rsub__(self, other: float) -> Value:
        """``other - self`` when ``other`` is a plain number (careful with the order)."""
        # TODO
        raise NotImplementedError

    def __rtruediv__(self, other: float) -> Value:
        """``other / self`` when ``other`` is a plain number (careful with the order)."""
        # TODO
        raise NotImplementedError

    # -- unary functions -------------------------------------------------------------------------
    def exp(self) -> Value:
        """``e ** self``."""
        # TODO
        raise NotImplementedError

    def log(self) -> Value:
        """Natural logarithm.

        Raises:
            ValueError: ``self.data <= 0``.
        """
        # TODO
        raise NotImplementedError

    def tanh(self) -> Value:
        """Hyperbolic tangent; its derivative is ``1 - tanh**2``."""
        # TODO
        raise NotImplementedError

    def relu(self) -> Value:
        """``max(self, 0)``; gradient 1 where positive, else 0."""
        # TODO
        raise NotImplementedError

    # -- reverse mode ----------------------------------------------------------------------------
    def backward(self) -> None:
        """Set ``self.grad = 1`` and accumulate gradients into every node this one depends on."""
        # TODO: iterative topological sort (explicit stack + visited set), then call each node's
        # _backward in REVERSE topological order.
        raise NotImplementedError


class MLP:
    """A fully connected network of :class:`Value`: tanh hidden layers, a linear output layer."""

    def __init__(self, n_inputs: int, layer_sizes: Sequence[int], seed: int = 0) -> None:
        """Create the network.

        Args:
            n_inputs: number of input features.
            layer_sizes: number of neurons of each layer; the last one is the output layer.
            seed: seed of ``random.Random`` for the initial weights in ``[-1, 1]``.
        """
        # TODO: one list of neurons per layer; each neuron has fan_in weights and a bias.
        raise NotImplementedError

    def __call__(self, x: Sequence[Value | float]) -> list[Value]:
        """Forward pass of one sample; returns the list of output ``Value``s."""
        # TODO
        raise NotImplementedError

    def parameters(self) -> list[Value]:
        """Layer by layer, neuron by neuron: the neuron's weights, then its bias."""
        # TODO
        raise NotImplementedError

    def zero_grad(self) -> None:
        """Reset the grad of every parameter to 0."""
        # TODO
        raise NotImplementedError
