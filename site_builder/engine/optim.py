"""Initialisation and parameter updates.

Plain gradient descent:  W <- W - eta * dW
Momentum:                v <- mu * v - eta * dW ;  W <- W + v
Frozen parameters are never touched (the classic worked example never updates its biases).
Every array may carry a leading member axis; `eta` then has one value per member.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from site_builder.engine.nn import NetSpec

SCHEMES = ("uniform", "normal", "xavier", "he")
DISTRIBUTIONS = ("uniform", "normal")


@dataclass(frozen=True)
class InitSpec:
    """Explicit weights, or a seeded scheme. Parameters missing from `weights` come from the
    scheme (weights) or start at zero (biases)."""

    weights: dict | None = None
    scheme: str = "xavier"
    distribution: str = "uniform"
    scale: float = 1.0
    seed: int = 0

    def __hash__(self):  # dicts of arrays are not hashable; identity is enough here
        return id(self)


def init_params(net: NetSpec, init: InitSpec, seed: int | None = None) -> dict[str, np.ndarray]:
    """Parameters for one network. A scheme draws W uniformly in [-r, r] or normally with
    std s, where for fan_in = units_{l-1}, fan_out = units_l:
      uniform: r = scale             normal: s = scale
      xavier:  r = scale*sqrt(6/(fan_in+fan_out))   s = scale*sqrt(2/(fan_in+fan_out))
      he:      r = scale*sqrt(6/fan_in)             s = scale*sqrt(2/fan_in)
    """
    if init.scheme not in SCHEMES:
        raise ValueError(f"unknown init scheme '{init.scheme}'")
    if init.distribution not in DISTRIBUTIONS:
        raise ValueError(f"unknown init distribution '{init.distribution}'")
    rng = np.random.default_rng(init.seed if seed is None else seed)
    given = init.weights or {}
    params = {}
    for name, shape in net.param_shapes().items():
        if name in given:
            value = np.array(given[name], dtype=np.float64)
            if value.shape != shape:
                raise ValueError(f"{name} should have shape {list(shape)}, got {list(value.shape)}")
            params[name] = value
        elif name.startswith("b"):
            params[name] = np.zeros(shape)
        else:
            fan_out, fan_in = shape
            if init.scheme == "uniform":
                r = s = init.scale
            elif init.scheme == "xavier":
                r = init.scale * np.sqrt(6.0 / (fan_in + fan_out))
                s = init.scale * np.sqrt(2.0 / (fan_in + fan_out))
            else:  # he
                r = init.scale * np.sqrt(6.0 / fan_in)
                s = init.scale * np.sqrt(2.0 / fan_in)
            if init.scheme == "normal":
                r = s = init.scale
            if init.distribution == "uniform" and init.scheme != "normal":
                params[name] = rng.uniform(-r, r, size=shape)
            else:
                params[name] = rng.normal(0.0, s, size=shape)
    unknown = set(given) - set(params)
    if unknown:
        raise ValueError(f"unknown parameter(s) {sorted(unknown)}; this network has {list(params)}")
    return params


class Optimizer:
    """Gradient descent with optional momentum over a dict of (member-batched) parameters."""

    def __init__(self, kind: str, eta: np.ndarray, momentum: float, frozen: frozenset, params: dict):
        if kind not in ("sgd", "momentum"):
            raise ValueError(f"unknown optimizer '{kind}'")
        self.kind, self.mu, self.frozen = kind, momentum, frozen
        self.velocity = {k: np.zeros_like(v) for k, v in params.items()} if kind == "momentum" else None
        self._eta = {}
        self.eta = eta  # (M,) one rate per member

    def _eta_for(self, p: np.ndarray) -> np.ndarray:
        key = p.ndim
        if key not in self._eta:
            self._eta[key] = self.eta.reshape(self.eta.shape + (1,) * (p.ndim - 1))
        return self._eta[key]

    def step(self, params: dict, grads: dict, active: np.ndarray | None) -> None:
        """Update in place; members with active == False keep their parameters."""
        for name, p in params.items():
            if name in self.frozen:
                continue
            eta = self._eta_for(p)
            if self.velocity is None:
                change = -eta * grads[name]
            else:
                v = self.velocity[name]
                v *= self.mu
                v -= eta * grads[name]
                change = v
            if active is None:
                p += change
            else:
                mask = active.reshape(active.shape + (1,) * (p.ndim - 1))
                np.add(p, change, out=p, where=mask)
