"""Check backprop against central finite differences.

For every parameter entry p:  numeric = (E(p + h) - E(p - h)) / (2h), h = 1e-5 (scaled by
max(1, |p|)). The relative error of one entry is |analytic - numeric| / max(|analytic| +
|numeric|, 1e-8): near zero it falls back to an absolute error, so a gradient of 1e-12 that
comes out as 3e-12 numerically is not called a 50% mistake.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from site_builder.engine.nn import NetSpec, backward, forward, loss_value

FLOOR = 1e-8


@dataclass
class GradCheck:
    max_rel_error: float
    per_param: dict[str, float]
    analytic: dict[str, np.ndarray]
    numeric: dict[str, np.ndarray]

    def relative(self, name: str) -> np.ndarray:
        a, n = self.analytic[name], self.numeric[name]
        return np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), FLOOR)

    def __repr__(self) -> str:
        return f"GradCheck(max relative error {self.max_rel_error:.2e} over {list(self.per_param)})"


def loss_at(net: NetSpec, params: dict, X, T) -> float:
    _, a = forward(net, params, X)
    return float(loss_value(net, a[-1], T))


def gradcheck(net: NetSpec, params: dict, X, T, h: float = 1e-5) -> GradCheck:
    X = np.asarray(X, dtype=np.float64)
    T = np.asarray(T, dtype=np.float64)
    params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    z, a = forward(net, params, X)
    analytic, _ = backward(net, params, z, a, T)
    numeric, per_param = {}, {}
    for name, p in params.items():
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            step = h * max(1.0, abs(old))
            p[i] = old + step
            up = loss_at(net, params, X, T)
            p[i] = old - step
            down = loss_at(net, params, X, T)
            p[i] = old
            g[i] = (up - down) / (2 * step)
        numeric[name] = g
    result = GradCheck(0.0, per_param, analytic, numeric)
    for name in params:
        per_param[name] = float(result.relative(name).max()) if params[name].size else 0.0
    result.max_rel_error = max(per_param.values())
    return result
