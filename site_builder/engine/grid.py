"""Decision maps and surfaces over a grid of inputs, from given (e.g. recorded) parameters.

The numpy twin of BPE.nn.grid and BPE.nn.gridPixels (themes/default/assets/js/nn.js); the
e2e parity test holds the two to the same numbers and the same pixels.

Grid: x_i = x0 + i * (x1 - x0) / (nx - 1) for i = 0..nx-1 (x0 alone when nx is 1), the same
for y; the value at row j, column i is output unit 0 of the network at (x_i, y_j), so row 0
lies at y0.
"""
from __future__ import annotations

import numpy as np

from site_builder.engine.nn import NetSpec, forward


def axis(lo: float, hi: float, count: int) -> np.ndarray:
    """lo + i * (hi - lo) / (count - 1), evaluated in that order (np.linspace rounds differently)."""
    if count == 1:
        return np.array([float(lo)])
    return float(lo) + np.arange(count) * (float(hi) - float(lo)) / (count - 1)


def decision_grid(net: NetSpec, params: dict, x0: float, x1: float, y0: float, y1: float,
                  nx: int, ny: int) -> np.ndarray:
    """(ny, nx) array: output unit 0 of a 2-input network at every grid point."""
    if net.sizes[0] != 2:
        raise ValueError(f"a grid needs a network with 2 inputs, this one has {net.sizes[0]}")
    xs, ys = axis(x0, x1, nx), axis(y0, y1, ny)
    gx, gy = np.meshgrid(xs, ys)  # (ny, nx) each, row j at ys[j]
    X = np.c_[gx.ravel(), gy.ravel()]
    p = {name: np.asarray(v, dtype=np.float64) for name, v in params.items()}
    with np.errstate(all="ignore"):
        _, a = forward(net, p, X)
    return a[-1][:, 0].reshape(ny, nx)


def grid_pixels(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """uint8 levels as BPE.nn.gridPixels: round((v - lo) / (hi - lo) * 255) with halves going
    up (JavaScript's Math.round, not numpy's round-half-even), clamped to 0..255; NaN -> 0."""
    with np.errstate(all="ignore"):
        q = (np.asarray(values, dtype=np.float64) - lo) / (hi - lo) * 255
        r = np.floor(q)
        r = r + ((q - r) >= 0.5)  # q - floor(q) is exact, so ties are seen exactly
    r = np.where(np.isnan(r), 0.0, np.clip(r, 0.0, 255.0))
    return r.astype(np.uint8)
