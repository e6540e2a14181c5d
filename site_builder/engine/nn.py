"""Layers, activations and losses, each value written beside its derivative.

Notation (the lessons use the same): samples are rows. For layer l = 1..L

    z_l = a_{l-1} @ W_l.T + b_l        W_l: (units_l, units_{l-1}), b_l: (units_l,)
    a_l = f_l(z_l)                     a_0 = X: (n, d_in)

Backward, with delta_l = dE/dz_l (one row per sample):

    delta_L = dE/da_L * f_L'(z_L)      (or simply o - t for sigmoid+BCE and softmax+CE)
    delta_l = (delta_{l+1} @ W_{l+1}) * f_l'(z_l)
    dW_l = delta_l.T @ a_{l-1}         db_l = delta_l.sum(0)

Every array may carry leading "member" axes (a sweep trains many networks at once), so the
code uses `...` and `swapaxes` rather than `.T`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Activation:
    """f(z) and f'(z) side by side; `df` gets both z and a = f(z) so it can reuse a."""

    name: str
    f: Callable[[Array], Array]
    df: Callable[[Array, Array], Array]

    def __repr__(self) -> str:
        return f"Activation({self.name})"


def _sigmoid(z):
    # exp(-z) may overflow to inf for very negative z; 1/(1+inf) = 0 is then the right value,
    # so the overflow warning is silenced rather than avoided.
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


LEAKY_SLOPE = 0.01

ACTIVATIONS: dict[str, Activation] = {
    # sigma(z) = 1 / (1 + e^-z)             sigma'(z) = a (1 - a)
    "sigmoid": Activation("sigmoid", _sigmoid, lambda z, a: a * (1.0 - a)),
    # tanh(z)                              tanh'(z) = 1 - a^2
    "tanh": Activation("tanh", np.tanh, lambda z, a: 1.0 - a * a),
    # relu(z) = max(0, z)                  relu'(z) = 1 if z > 0 else 0
    "relu": Activation("relu", lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(z.dtype)),
    # leaky(z) = z if z > 0 else 0.01 z    leaky'(z) = 1 or 0.01
    "leaky_relu": Activation(
        "leaky_relu",
        lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
        lambda z, a: np.where(z > 0, 1.0, LEAKY_SLOPE),
    ),
    # linear(z) = z                        linear'(z) = 1
    "linear": Activation("linear", lambda z: z, lambda z, a: np.ones_like(z)),
    # softmax couples the units of a layer; it is only allowed on the output layer together
    # with cross-entropy, where delta = o - t and its Jacobian is never needed.
    "softmax": Activation("softmax", _softmax, lambda z, a: np.ones_like(z)),
}


@dataclass(frozen=True)
class Loss:
    """E(o, t) summed over output units, per sample; and dE/do (same shape as o)."""

    name: str
    per_sample: Callable[[Array, Array], Array]
    d_out: Callable[[Array, Array], Array]

    def __repr__(self) -> str:
        return f"Loss({self.name})"


_EPS = 1e-300  # keeps log(0) finite; a saturated wrong answer then costs ~690, not inf


LOSSES: dict[str, Loss] = {
    # E = 1/2 sum_k (t_k - o_k)^2          dE/do_k = o_k - t_k
    "squared_error": Loss(
        "squared_error",
        lambda o, t: 0.5 * ((t - o) ** 2).sum(axis=-1),
        lambda o, t: o - t,
    ),
    # E = -sum_k [t log o + (1-t) log(1-o)]   dE/do = (o - t) / (o (1 - o))
    "binary_cross_entropy": Loss(
        "binary_cross_entropy",
        lambda o, t: -(t * np.log(np.maximum(o, _EPS)) + (1 - t) * np.log(np.maximum(1 - o, _EPS))).sum(axis=-1),
        lambda o, t: (o - t) / np.maximum(o * (1 - o), _EPS),
    ),
    # E = -sum_k t_k log o_k (o = softmax)     used only with softmax: delta = o - t
    "cross_entropy": Loss(
        "cross_entropy",
        lambda o, t: -(t * np.log(np.maximum(o, _EPS))).sum(axis=-1),
        lambda o, t: -t / np.maximum(o, _EPS),
    ),
}

# Output activation + loss pairs whose delta simplifies to o - t (stable, no division).
_FUSED = {("sigmoid", "binary_cross_entropy"), ("softmax", "cross_entropy")}


@dataclass(frozen=True)
class NetSpec:
    """Layer sizes (inputs first), one activation per layer, a loss and its reduction.

    reduction "sum": E = sum over samples of the per-sample loss (the classic worked example).
    reduction "mean": E = that sum divided by the number of samples.
    """

    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str = "squared_error"
    reduction: str = "sum"

    def __post_init__(self):
        object.__setattr__(self, "sizes", tuple(int(s) for s in self.sizes))
        object.__setattr__(self, "activations", tuple(self.activations))
        if len(self.sizes) < 2 or any(s < 1 for s in self.sizes):
            raise ValueError(f"layer sizes must be at least two positive numbers, got {list(self.sizes)}")
        if len(self.activations) != len(self.sizes) - 1:
            raise ValueError(
                f"{len(self.sizes) - 1} layers need {len(self.sizes) - 1} activations, got {len(self.activations)}"
            )
        for name in self.activations:
            if name not in ACTIVATIONS:
                raise ValueError(f"unknown activation '{name}'")
        if "softmax" in self.activations[:-1]:
            raise ValueError("softmax is only allowed on the output layer")
        if self.loss not in LOSSES:
            raise ValueError(f"unknown loss '{self.loss}'")
        if self.loss == "cross_entropy" and self.activations[-1] != "softmax":
            raise ValueError("cross_entropy needs a softmax output layer")
        if self.activations[-1] == "softmax" and self.loss != "cross_entropy":
            raise ValueError("a softmax output layer needs the cross_entropy loss")
        if self.reduction not in ("sum", "mean"):
            raise ValueError(f"reduction must be 'sum' or 'mean', got '{self.reduction}'")

    @property
    def layers(self) -> int:
        return len(self.sizes) - 1

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """{'W1': (units_1, d_in), 'b1': (units_1,), ...} in layer order."""
        shapes = {}
        for l in range(1, self.layers + 1):
            shapes[f"W{l}"] = (self.sizes[l], self.sizes[l - 1])
            shapes[f"b{l}"] = (self.sizes[l],)
        return shapes

    def __repr__(self) -> str:
        arch = "-".join(map(str, self.sizes))
        return f"NetSpec({arch}, {'/'.join(self.activations)}, {self.loss}/{self.reduction})"


def _mT(a: Array) -> Array:
    return np.swapaxes(a, -1, -2)


def forward(net: NetSpec, params: dict[str, Array], X: Array):
    """Return (z, a): z[l-1] is z_l (n, units_l); a[l] is a_l, with a[0] = X."""
    z, a = [], [X]
    for l in range(1, net.layers + 1):
        W, b = params[f"W{l}"], params[f"b{l}"]
        z_l = a[-1] @ _mT(W) + b[..., None, :]
        z.append(z_l)
        a.append(ACTIVATIONS[net.activations[l - 1]].f(z_l))
    return z, a


def loss_value(net: NetSpec, o: Array, T: Array) -> Array:
    """Total loss E over the samples (sum or mean, as the net says); member axes kept."""
    per = LOSSES[net.loss].per_sample(o, T)
    total = per.sum(axis=-1)
    return total / T.shape[-2] if net.reduction == "mean" else total


def backward(net: NetSpec, params: dict[str, Array], z: list, a: list, T: Array):
    """Return (grads, delta): grads['W1'] = dE/dW1 ..., delta[l-1] = dE/dz_l per sample."""
    L = net.layers
    o, f_out = a[-1], net.activations[-1]
    scale = 1.0 / T.shape[-2] if net.reduction == "mean" else 1.0
    if (f_out, net.loss) in _FUSED:
        delta_L = (o - T) * scale
    else:
        dE_do = LOSSES[net.loss].d_out(o, T) * scale
        delta_L = dE_do * ACTIVATIONS[f_out].df(z[-1], o)
    delta = [None] * L
    delta[L - 1] = delta_L
    grads = {}
    for l in range(L, 0, -1):
        d = delta[l - 1]
        grads[f"W{l}"] = _mT(d) @ a[l - 1]  # dW_l = delta_l^T a_{l-1}
        grads[f"b{l}"] = d.sum(axis=-2)  # db_l = sum over samples of delta_l
        if l > 1:
            # The += of the chain rule: a unit feeding several units sums their blame; the
            # matrix product delta_l @ W_l does that sum over receiving units.
            back = d @ params[f"W{l}"]
            delta[l - 2] = back * ACTIVATIONS[net.activations[l - 2]].df(z[l - 2], a[l - 1])
    return grads, delta
