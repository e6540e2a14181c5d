"""Layers, activations and losses: each value written beside its derivative.

Notation (the lessons use the same). Samples are rows. For layer l = 1..L:

    z_l = a_{l-1} @ W_l.T + b_l        W_l: (units_l, units_{l-1})   b_l: (units_l,)
    a_l = f_l(z_l)                     a_0 = X: (n, d_in)            z_l, a_l: (n, units_l)

Backward, with delta_l = dE/dz_l (one row per sample, shape (n, units_l)):

    delta_L = dE/da_L * f_L'(z_L)          (squared error)
    delta_L = a_L - T                      (sigmoid + binary cross-entropy, softmax + cross-entropy;
                                            for the latter a_L * sum(T) - T, the same when rows sum to 1)
    delta_l = (delta_{l+1} @ W_{l+1}) * f_l'(z_l)
    dW_l = delta_l.T @ a_{l-1}             db_l = sum over samples of delta_l

Every parameter may carry a leading *member* axis (a sweep trains many networks at once:
W_l is then (M, units_l, units_{l-1})), so the code writes `mT(W)` rather than `W.T` and sums
over axis -2 (the samples), never axis 0.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

Array = np.ndarray


SUM_ROWS = 32  # sum_last adds a short axis column by column from this many rows on


def sum_last(x: Array) -> Array:
    """x.sum(axis=-1), bit for bit, faster for many rows of a few numbers.

    numpy adds an axis of fewer than 8 numbers one after another, starting from 0.0
    (0.0 + x0 + x1 + ...; from 8 on it sums pairwise), but it pays for every row: for the
    training loop's (steps, members, samples) losses that is most of their cost. Added column
    by column the order is the same, so every bit is too (tests/unit/test_engine_sums.py)."""
    n = x.shape[-1]
    if not (1 <= n < 8 and x.ndim >= 2 and x.dtype == np.float64 and x.size >= SUM_ROWS * n):
        return x.sum(axis=-1)
    out = np.add(x[..., 0], 0.0)
    for i in range(1, n):
        np.add(out, x[..., i], out=out)
    return out


def mT(A: Array) -> Array:
    """Transpose of the last two axes (the matrix), leaving member axes alone."""
    return A.swapaxes(-1, -2)


# --------------------------------------------------------------------------------------------
# Activations: a = f(z) and f'(z). The derivative gets a = f(z) too, so sigmoid and tanh can
# reuse it instead of recomputing exponentials.


def sigmoid(z):
    # e^-z overflows to inf for z < -709; 1 / (1 + inf) = 0 is then exactly right.
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def _sigmoid_quiet(z, out=None):
    # sigmoid without its errstate, for the training loop, which ignores overflow for the
    # whole run (entering an errstate costs about as much as the arithmetic on a tiny net):
    # the same four operations, so the same bits.
    e = np.exp(np.negative(z, out=out), out=out)
    return np.true_divide(1.0, np.add(1.0, e, out=out), out=out)


def sigmoid_d(z, a):  # sigma'(z) = sigma(z) (1 - sigma(z))
    return a * (1.0 - a)


def tanh(z):
    return np.tanh(z)


def tanh_d(z, a):  # tanh'(z) = 1 - tanh(z)^2
    return 1.0 - a * a


def relu(z):
    return np.maximum(z, 0.0)


def relu_d(z, a):  # 1 where z > 0, else 0 (we take 0 at the kink)
    return (z > 0.0).astype(np.float64)


LEAKY_SLOPE = 0.01


def leaky_relu(z):
    return np.where(z > 0.0, z, LEAKY_SLOPE * z)


def leaky_relu_d(z, a):  # 1 where z > 0, else 0.01
    return np.where(z > 0.0, 1.0, LEAKY_SLOPE)


def linear(z):
    return z


def linear_d(z, a):
    return np.ones_like(z)


def softmax(z):
    # Subtracting the row maximum changes nothing mathematically and keeps exp finite.
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_d(z, a):
    # Softmax couples the units of a layer, so f' is a Jacobian, not an elementwise factor.
    # It is only allowed on the output with cross-entropy, where delta = a - t needs neither.
    raise NotImplementedError("softmax is only used with cross_entropy, whose delta is a - t")


@dataclass(frozen=True)
class Activation:
    name: str
    f: Callable[[Array], Array]
    df: Callable[[Array, Array], Array]

    def __repr__(self) -> str:
        return f"Activation({self.name})"


ACTIVATIONS: dict[str, Activation] = {
    name: Activation(name, f, df)
    for name, f, df in [
        ("sigmoid", sigmoid, sigmoid_d),
        ("tanh", tanh, tanh_d),
        ("relu", relu, relu_d),
        ("leaky_relu", leaky_relu, leaky_relu_d),
        ("linear", linear, linear_d),
        ("softmax", softmax, softmax_d),
    ]
}


# --------------------------------------------------------------------------------------------
# Losses, per sample (summed over output units): E(z_L, a_L, t) and delta_L = dE/dz_L.
# The cross-entropies are computed from z_L ("logits"), which stays finite where a_L has
# rounded to exactly 0 or 1; their deltas are the simple a_L - t.


def squared_error(z, o, t):  # E = 1/2 sum_k (t_k - o_k)^2
    d = o - t
    return 0.5 * sum_last(d * d)


def squared_error_delta(z, o, t, f_d):  # dE/do = o - t, then through the output's f'
    return (o - t) * f_d(z, o)


def binary_cross_entropy(z, o, t):
    # E = -sum_k [t log o + (1 - t) log(1 - o)],  o = sigma(z)
    #   = sum_k [max(z, 0) - t z + log(1 + e^-|z|)]       (same value, never log(0))
    return sum_last(np.maximum(z, 0.0) - t * z + np.log1p(np.exp(-np.abs(z))))


def binary_cross_entropy_delta(z, o, t, f_d):
    # dE/do = (o - t) / (o (1 - o)) and sigma'(z) = o (1 - o): the product is o - t.
    return o - t


def cross_entropy(z, o, t):
    # E = -sum_k t_k log o_k,  o = softmax(z)
    #   = sum_k t_k (logsumexp(z) - z_k)
    m = z.max(axis=-1, keepdims=True)
    lse = m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True))
    return sum_last(t * (lse - z))


def cross_entropy_delta(z, o, t, f_d):
    # dE/dz_j = sum_k (-t_k / o_k) * o_k (delta_kj - o_j) = o_j sum_k t_k - t_j
    # which is o_j - t_j when a sample's targets sum to 1 (one-hot or soft). Written out in
    # full, so the gradient is exactly that of E even where the sum is 1 only to rounding
    # (soft targets such as [0.7, 0.2, 0.1] sum to 0.9999999999999999); for one-hot targets
    # the sum is exactly 1 and this is o - t, bit for bit.
    return o * t.sum(axis=-1, keepdims=True) - t


@dataclass(frozen=True)
class Loss:
    name: str
    E: Callable  # (z_L, a_L, T) -> per-sample loss, shape (..., n)
    delta: Callable  # (z_L, a_L, T, f_L') -> dE/dz_L per sample, shape (..., n, d_out)
    output: str | None  # the output activation it requires, if any

    def __repr__(self) -> str:
        return f"Loss({self.name})"


LOSSES: dict[str, Loss] = {
    "squared_error": Loss("squared_error", squared_error, squared_error_delta, None),
    "binary_cross_entropy": Loss("binary_cross_entropy", binary_cross_entropy, binary_cross_entropy_delta, "sigmoid"),
    "cross_entropy": Loss("cross_entropy", cross_entropy, cross_entropy_delta, "softmax"),
}


# --------------------------------------------------------------------------------------------


# How backward() gathers a unit's blame from the units it feeds: "sum" (right) or
# "overwrite" (the deliberate teaching bug described in NetSpec).
GRADIENTS = ("sum", "overwrite")


@dataclass(frozen=True)
class NetSpec:
    """Layer sizes (inputs first), one activation per layer, a loss and its reduction.

    reduction "sum":  E = sum over samples of the per-sample loss (the classic worked
                      example: E = 1/2 sum_samples sum_units (t - o)^2).
    reduction "mean": E = that sum divided by the number of samples n (of the batch, when
                      training on mini-batches).

    gradient "sum":       backward() is the true gradient of E (always, except in one lesson).
    gradient "overwrite": a DELIBERATE BUG, for teaching only: a unit that feeds several units
                          of the next layer takes its blame from the last of them alone, as if
                          the chain rule's sum over paths were written `=` instead of `+=`.
                          The gradient check fails for it (that is the point of showing it).
    """

    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str = "squared_error"
    reduction: str = "sum"
    gradient: str = "sum"

    def __post_init__(self):
        object.__setattr__(self, "sizes", tuple(int(s) for s in self.sizes))
        object.__setattr__(self, "activations", tuple(self.activations))
        if len(self.sizes) < 2 or any(s < 1 for s in self.sizes):
            raise ValueError(f"layer sizes must be at least two positive numbers, got {list(self.sizes)}")
        if len(self.activations) != len(self.sizes) - 1:
            raise ValueError(
                f"{len(self.sizes) - 1} layer(s) need {len(self.sizes) - 1} activation(s), got {len(self.activations)}"
            )
        for name in self.activations:
            if name not in ACTIVATIONS:
                raise ValueError(f"unknown activation '{name}'; choose from {', '.join(ACTIVATIONS)}")
        if "softmax" in self.activations[:-1]:
            raise ValueError("softmax is only allowed on the output layer")
        if self.loss not in LOSSES:
            raise ValueError(f"unknown loss '{self.loss}'; choose from {', '.join(LOSSES)}")
        needs = LOSSES[self.loss].output
        if needs is not None and self.activations[-1] != needs:
            raise ValueError(f"{self.loss} needs a {needs} output layer, not {self.activations[-1]}")
        if self.activations[-1] == "softmax" and self.loss != "cross_entropy":
            raise ValueError("a softmax output layer needs the cross_entropy loss")
        if self.reduction not in ("sum", "mean"):
            raise ValueError(f"reduction must be 'sum' or 'mean', got '{self.reduction}'")
        if self.gradient not in GRADIENTS:
            raise ValueError(f"gradient must be one of {', '.join(GRADIENTS)}, got '{self.gradient}'")

    @property
    def layers(self) -> int:
        return len(self.sizes) - 1

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """{'W1': (units_1, d_in), 'b1': (units_1,), 'W2': ...} in layer order."""
        shapes = {}
        for l in range(1, self.layers + 1):
            shapes[f"W{l}"] = (self.sizes[l], self.sizes[l - 1])
            shapes[f"b{l}"] = (self.sizes[l],)
        return shapes

    def __repr__(self) -> str:
        bug = "" if self.gradient == "sum" else f", gradient={self.gradient}"
        return f"NetSpec({'-'.join(map(str, self.sizes))}, {'/'.join(self.activations)}, {self.loss}/{self.reduction}{bug})"


def _by_member(parts: list, quiet: bool):
    """f and f' that apply each (activation, member slice) of `parts` to its members, every
    member's numbers exactly those its own activation gives."""
    def f(z):
        out = np.empty_like(z)
        for act, sl in parts:
            into = _INTO.get(act.name) if quiet or act.name != "sigmoid" else None
            if into is not None:
                into(z[sl], out[sl])
            else:
                out[sl] = act.f(z[sl])
        return out

    def df(z, a):
        out = np.empty_like(a)
        for act, sl in parts:
            into = _DF_INTO.get(act.name)
            if into is not None:
                into(z[sl], a[sl], out[sl])
            else:
                out[sl] = act.df(z[sl], a[sl])
        return out

    return f, df


# Activations that can write into a given array (the training loop keeps the output layer's
# activations so), each the same operations as its ACTIVATIONS entry; the others are copied.
_INTO = {"sigmoid": _sigmoid_quiet, "tanh": np.tanh, "relu": lambda z, out: np.maximum(z, 0.0, out=out)}


def _sigmoid_d_into(z, a, out):  # a * (1.0 - a)
    return np.multiply(a, np.subtract(1.0, a, out=out), out=out)


def _tanh_d_into(z, a, out):  # 1.0 - a * a
    return np.subtract(1.0, np.multiply(a, a, out=out), out=out)


def _relu_d_into(z, a, out):  # (z > 0.0) as 1.0 / 0.0
    return np.greater(z, 0.0, out=out, casting="unsafe")


_DF_INTO = {"sigmoid": _sigmoid_d_into, "tanh": _tanh_d_into, "relu": _relu_d_into}


def _relu_d_quiet(z, a):
    # relu_d for the training loop: True/False rather than 1.0/0.0 (one call fewer), which
    # the multiply by the blame turns into exactly the same numbers.
    return np.greater(z, 0.0)


class Plan:
    """A network's layers as plain lists, looked up once: what forward and backward need at
    every step (the training loop calls _forward/_backward with it; forward/backward below
    are the same calls with the parameters given by name). `quiet`: for a caller that
    ignores floating-point errors itself (np.errstate), the activations skip doing it."""

    def __init__(self, net: NetSpec, quiet: bool = False, runs: list | None = None):
        self.layers = net.layers
        self.f = [(_sigmoid_quiet if quiet and name == "sigmoid" else ACTIVATIONS[name].f) for name in net.activations]
        self.f_into = _INTO.get(net.activations[-1])
        self.df = [(_relu_d_quiet if quiet and name == "relu" else ACTIVATIONS[name].df) for name in net.activations]
        if runs is not None:
            # Members side by side with other hidden activations: runs is [(activations,
            # slice of the member axis), ...]; each hidden layer applies each run's own.
            for l in range(net.layers - 1):
                parts = [(ACTIVATIONS[acts[l]], sl) for acts, sl in runs]
                if len({act.name for act, _ in parts}) > 1:
                    self.f[l], self.df[l] = _by_member(parts, quiet)
        self.loss_delta = LOSSES[net.loss].delta
        self.mean = net.reduction == "mean"
        self.overwrite = net.gradient == "overwrite"


def _forward(plan: Plan, WTs: list, bs: list, X: Array) -> tuple[list[Array], list[Array]]:
    """forward() with W_l.T given as WTs[l-1] and b_l as bs[l-1] with a sample axis: (..., 1, units)."""
    z, a = [], [X]
    for f, WT, b in zip(plan.f, WTs, bs):
        z_l = a[-1] @ WT + b
        z.append(z_l)
        a.append(f(z_l))
    return z, a


def _forward_into(plan: Plan, WTs: list, bs: list, X: Array, z_out: Array | None, a_out: Array) -> tuple[list[Array], list[Array]]:
    """_forward, with the output layer's a written into a_out, and its z into z_out unless
    that is None."""
    z, a = [], [X]
    last = plan.layers - 1
    for l, (f, WT, b) in enumerate(zip(plan.f, WTs, bs)):
        if l < last:
            z_l = a[-1] @ WT + b
            a_l = f(z_l)
        else:
            z_l = a[-1] @ WT + b if z_out is None else np.add(a[-1] @ WT, b, out=z_out)
            if plan.f_into is None:
                a_l = f(z_l)
                np.copyto(a_out, a_l)
            else:
                a_l = plan.f_into(z_l, a_out)
        z.append(z_l)
        a.append(a_l)
    return z, a


def _backward(plan: Plan, Ws: list, z: list[Array], a: list[Array], T: Array, gWs: list, gbs: list):
    """backward() with the weights as a list; gWs / gbs: arrays to write each gradient into
    (or None). Returns (dW list, db list, delta list)."""
    L = plan.layers
    delta_L = plan.loss_delta(z[-1], a[-1], T, plan.df[-1])
    if plan.mean:
        delta_L = delta_L / T.shape[-2]
    gW, gb = [None] * L, [None] * L
    delta = [None] * L
    delta[L - 1] = delta_L
    for l in range(L, 0, -1):
        d = delta[l - 1]
        gW[l - 1] = np.matmul(d.swapaxes(-1, -2), a[l - 1], out=gWs[l - 1])  # dW_l = delta_l.T a_{l-1}
        gb[l - 1] = np.add.reduce(d, -2, None, gbs[l - 1])  # db_l = sum_samples delta_l (= d.sum(axis=-2))
        if l > 1:
            # A unit that feeds several units collects blame from each of them: the chain
            # rule's sum over paths is the sum over receiving units inside delta_l @ W_l.
            if plan.overwrite:
                # The teaching bug: a loop over receiving units k doing back[j] = delta[k] W[k, j]
                # with `=`, not `+=`, keeps only the last k's path.
                back = d[..., -1:] @ Ws[l - 1][..., -1:, :]
            else:
                back = d @ Ws[l - 1]
            delta[l - 2] = back * plan.df[l - 2](z[l - 2], a[l - 1])
    return gW, gb, delta


def forward(net: NetSpec, params: dict[str, Array], X: Array) -> tuple[list[Array], list[Array]]:
    """Return (z, a): z[l-1] is z_l, shape (..., n, units_l); a[l] is a_l, with a[0] = X."""
    L = net.layers
    return _forward(Plan(net), [mT(params[f"W{l}"]) for l in range(1, L + 1)],
                    [params[f"b{l}"][..., None, :] for l in range(1, L + 1)], X)


def loss_value(net: NetSpec, z: list[Array], a: list[Array], T: Array) -> Array:
    """Total loss E over the samples (sum or mean, as `net.reduction` says); shape (...)."""
    E = sum_last(LOSSES[net.loss].E(z[-1], a[-1], T))
    return E / T.shape[-2] if net.reduction == "mean" else E


def backward(net: NetSpec, params: dict[str, Array], z: list[Array], a: list[Array], T: Array,
             out: dict[str, Array] | None = None) -> tuple[dict[str, Array], list[Array]]:
    """Return (grads, delta): grads['W1'] = dE/dW1, ...; delta[l-1] = dE/dz_l per sample.

    `out`, if given, holds arrays the gradients are written into (training reuses buffers).
    """
    L = net.layers
    names = range(1, L + 1)
    o = out or {}
    gW, gb, delta = _backward(Plan(net), [params[f"W{l}"] for l in names], z, a, T,
                              [o.get(f"W{l}") for l in names], [o.get(f"b{l}") for l in names])
    grads = {} if out is None else out
    for l in reversed(names):  # layer L first, as backprop finds them
        grads[f"W{l}"], grads[f"b{l}"] = gW[l - 1], gb[l - 1]
    return grads, delta
