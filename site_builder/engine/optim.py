"""Initial parameters and the update rule.

Plain gradient descent:  W <- W - eta * dW
Momentum:                v <- mu * v - eta * dW ;   W <- W + v      (v starts at 0)

Frozen parameters are never touched (the classic worked example never updates b1, b2).
The optimizer works on a flat (members, parameters) array, so one update of a whole sweep is
two or three numpy calls whatever the network.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from site_builder.engine.nn import NetSpec

SCHEMES = ("uniform", "normal", "xavier", "he")
DISTRIBUTIONS = ("uniform", "normal")
OPTIMIZERS = ("sgd", "momentum")


@dataclass(frozen=True, eq=False)  # holds arrays: compared and hashed by identity
class InitSpec:
    """Explicit parameters, or a seeded scheme for those not given.

    weights: {"W1": [[...]], "b1": [...], ...}; every name must be a parameter of the
    network and have its shape. Weights not given are drawn; biases not given start at 0.

    Schemes draw W_l (fan_in = units_{l-1}, fan_out = units_l) uniformly from [-r, r] or
    normally with standard deviation s:
        uniform  r = scale                                   (distribution ignored)
        normal   s = scale                                   (distribution ignored)
        xavier   r = scale * sqrt(6 / (fan_in + fan_out))    s = scale * sqrt(2 / (fan_in + fan_out))
        he       r = scale * sqrt(6 / fan_in)                s = scale * sqrt(2 / fan_in)
    from np.random.default_rng(seed), layer by layer.
    """

    weights: dict | None = None
    scheme: str = "xavier"
    distribution: str = "uniform"
    scale: float = 1.0
    seed: int = 0

    def explicit(self, net: NetSpec) -> bool:
        """True when every parameter is given, so the seed plays no part."""
        return self.weights is not None and set(net.param_shapes()) <= set(self.weights)


def init_params(net: NetSpec, init: InitSpec, seed: int | None = None) -> dict[str, np.ndarray]:
    """Initial parameters of one network; `seed` overrides init.seed (sweeps use it)."""
    if init.scheme not in SCHEMES:
        raise ValueError(f"unknown init scheme '{init.scheme}'; choose from {', '.join(SCHEMES)}")
    if init.distribution not in DISTRIBUTIONS:
        raise ValueError(f"unknown init distribution '{init.distribution}'; choose from {', '.join(DISTRIBUTIONS)}")
    shapes = net.param_shapes()
    given = dict(init.weights or {})
    unknown = sorted(set(given) - set(shapes))
    if unknown:
        raise ValueError(f"unknown parameter(s) {', '.join(unknown)}; this network has {', '.join(shapes)}")
    rng = np.random.default_rng(init.seed if seed is None else seed)
    params = {}
    for name, shape in shapes.items():
        if name in given:
            params[name] = _explicit(name, given[name], shape)
        elif name.startswith("b"):
            params[name] = np.zeros(shape)
        else:
            params[name] = _draw(rng, init, shape)
    return params


def _explicit(name: str, value, shape: tuple[int, ...]) -> np.ndarray:
    try:
        arr = np.array(value, dtype=np.float64)
    except (ValueError, TypeError):
        raise ValueError(f"{name} must be a {_describe(shape)} of numbers, got {value!r}") from None
    if arr.shape != shape:
        got = "a single number" if arr.ndim == 0 else f"shape {list(arr.shape)}"
        raise ValueError(f"{name} must be a {_describe(shape)} (shape {list(shape)}), got {got}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains a NaN or infinite value")
    return arr


def _describe(shape: tuple[int, ...]) -> str:
    if len(shape) == 1:
        return f"list of {shape[0]}"
    return f"{shape[0]} x {shape[1]} matrix ({shape[0]} rows = receiving units, {shape[1]} columns = sending units)"


def _draw(rng: np.random.Generator, init: InitSpec, shape: tuple[int, int]) -> np.ndarray:
    fan_out, fan_in = shape
    if init.scheme == "uniform":
        return rng.uniform(-init.scale, init.scale, size=shape)
    if init.scheme == "normal":
        return rng.normal(0.0, init.scale, size=shape)
    fans = fan_in + fan_out if init.scheme == "xavier" else fan_in
    if init.distribution == "uniform":
        r = init.scale * np.sqrt(6.0 / fans)
        return rng.uniform(-r, r, size=shape)
    return rng.normal(0.0, init.scale * np.sqrt(2.0 / fans), size=shape)


class Optimizer:
    """Updates theta (members, parameters) in place from a gradient of the same shape.

    `eta` has one learning rate per member. `free` (parameters,) is False for frozen entries;
    `active` (members,) is False for members that have stopped. Neither kind ever changes.
    """

    def __init__(self, kind: str, eta: np.ndarray, momentum: float, free: np.ndarray, shape: tuple[int, int]):
        if kind not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer '{kind}'; choose from {', '.join(OPTIMIZERS)}")
        self.kind, self.mu = kind, float(momentum)
        self.eta = np.asarray(eta, dtype=np.float64).reshape(-1, 1)
        self.free = np.asarray(free, dtype=bool)
        self.velocity = np.zeros(shape) if kind == "momentum" else None
        self._step = np.empty(shape)
        self.set_active(np.ones(shape[0], dtype=bool))

    def set_active(self, active: np.ndarray) -> None:
        mask = active[:, None] & self.free[None, :]
        self.mask = None if mask.all() else mask  # `where=None` would mean "nowhere"

    def step(self, theta: np.ndarray, grad: np.ndarray, out: np.ndarray | None = None) -> None:
        """theta after one update, into `out` (another array of its shape), or in place."""
        if out is None:
            out = theta
        elif self.mask is not None:
            np.copyto(out, theta)  # what the mask keeps
            theta = out
        change = np.multiply(self.eta, grad, out=self._step)  # eta * dW
        if self.velocity is not None:
            v = self.velocity
            np.multiply(v, self.mu, out=v)
            np.subtract(v, change, out=v)  # v <- mu v - eta dW
            if self.mask is None:
                np.add(theta, v, out=out)
            else:
                np.add(theta, v, out=out, where=self.mask)
        elif self.mask is None:
            np.subtract(theta, change, out=out)  # W <- W - eta dW
        else:
            np.subtract(theta, change, out=out, where=self.mask)
