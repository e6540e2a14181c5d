"""Loss landscapes: the loss over a grid of two weights (a surface), and the loss and its
slope along one weight (a slice), every other parameter held at its value at a recorded step.

Both are a forward pass (and for a slice a backward pass) over a batch of networks that
differ only in the chosen weights: the grid points become the leading member axis that
`forward` and `backward` already support, so a 41 x 41 surface is one batched pass (a few,
when the grid times the data is large). The slope is backprop's dE/dw at each point, not a
difference of neighbouring losses.

Ranges default to the weight's value at step `at` plus or minus SPAN; with an odd number of
points the middle point is exactly that value, so the slice's middle slope is the recorded
gradient.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from site_builder.engine.flat import FlatParams
from site_builder.engine.nn import NetSpec, backward, forward, loss_value
from site_builder.engine.trace import Slice, Surface, Trace

SPAN = 4.0  # default range: the value at `at` +- SPAN
MAX_SURFACE_POINTS = 201  # per side
MAX_SLICE_POINTS = 2001
CHUNK = 1 << 19  # at most this many numbers in one layer's activations per batched pass


@dataclass(frozen=True)
class SurfaceSpec:
    """record: surface: {weights: ["W1[0,0]", "W2[0,1]"], range: [[-6, 6], [-6, 6]], points: 41, at: 0}"""

    weights: tuple[str, str]
    range: tuple | None = None  # ((lo, hi), (lo, hi)); None: each weight's value at `at` +- SPAN
    points: int = 41
    at: int | str = 0  # a recorded step number, or "last"


@dataclass(frozen=True)
class SliceSpec:
    """record: slice: {weight: "W1[0,0]", range: [-4, 4], points: 81, at: 0}"""

    weight: str
    range: tuple | None = None  # (lo, hi); None: the weight's value at `at` +- SPAN
    points: int = 81
    at: int | str = 0


def axis_values(centre: float, span: tuple | None, points: int, limit: int) -> np.ndarray:
    """`points` evenly spaced values over `span` (lo, hi), or over centre +- SPAN."""
    if isinstance(points, bool) or not isinstance(points, (int, np.integer)) or not 2 <= points <= limit:
        raise ValueError(f"points must be a whole number from 2 to {limit}, got {points!r}")
    if span is None:
        offsets = np.linspace(-SPAN, SPAN, points)
        if points % 2:
            offsets[points // 2] = 0.0
        return centre + offsets
    lo, hi = (float(x) for x in span)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"a range is [low, high] with low < high, got {[lo, hi]}")
    return np.linspace(lo, hi, points)


def _evaluate(net: NetSpec, theta: np.ndarray, X: np.ndarray, T: np.ndarray, cols: list[int],
              values: np.ndarray, slope: int | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Loss (G,) of the networks theta with theta[cols] = values[g] for each grid point g, and
    (when `slope` is a column) dE/dtheta[slope] at each of them."""
    flat = FlatParams(net)
    G = len(values)
    per = max(1, CHUNK // (len(X) * max(net.sizes)))
    loss = np.empty(G)
    slopes = np.empty(G) if slope is not None else None
    with np.errstate(all="ignore"):  # a far-out grid point may overflow: that is data too
        for start in range(0, G, per):
            part = values[start:start + per]
            th = np.repeat(theta[None, :], len(part), axis=0)
            th[:, cols] = part
            params = flat.views(th)
            z, a = forward(net, params, X)
            loss[start:start + len(part)] = loss_value(net, z, a, T)
            if slope is not None:
                g = np.empty_like(th)
                backward(net, params, z, a, T, out=flat.views(g))
                slopes[start:start + len(part)] = g[:, slope]
    return loss, slopes


def loss_surface(net: NetSpec, params: dict, X, T, weights, range=None, points: int = 41, at: int = 0) -> Surface:
    """The full-data loss over a points x points grid of two weights (see Surface)."""
    X, T = np.asarray(X, dtype=np.float64), np.asarray(T, dtype=np.float64)
    if len(weights) != 2:
        raise ValueError(f"a surface needs exactly two weights, got {len(weights)}")
    flat = FlatParams(net)
    theta = flat.pack(params).astype(np.float64)
    cols = [flat.offset(w) for w in weights]
    if cols[0] == cols[1]:
        raise ValueError(f"a surface needs two different weights, got {weights[0]} twice")
    if range is not None and len(range) != 2:
        raise ValueError("a surface's range is [[low, high], [low, high]], one per weight")
    u = axis_values(theta[cols[0]], None if range is None else range[0], points, MAX_SURFACE_POINTS)
    v = axis_values(theta[cols[1]], None if range is None else range[1], points, MAX_SURFACE_POINTS)
    grid = np.stack(np.meshgrid(u, v, indexing="ij"), axis=-1).reshape(-1, 2)
    loss, _ = _evaluate(net, theta, X, T, cols, grid)
    return Surface(weights=(str(weights[0]), str(weights[1])), at=int(at),
                   centre=(float(theta[cols[0]]), float(theta[cols[1]])), u=u, v=v,
                   loss=loss.reshape(len(u), len(v)))


def loss_slice(net: NetSpec, params: dict, X, T, weight: str, range=None, points: int = 81, at: int = 0) -> Slice:
    """The full-data loss and backprop's dE/dw along one weight (see Slice)."""
    X, T = np.asarray(X, dtype=np.float64), np.asarray(T, dtype=np.float64)
    flat = FlatParams(net)
    theta = flat.pack(params).astype(np.float64)
    col = flat.offset(weight)
    values = axis_values(theta[col], range, points, MAX_SLICE_POINTS)
    loss, slope = _evaluate(net, theta, X, T, [col], values[:, None], slope=col)
    return Slice(weight=str(weight), at=int(at), centre=float(theta[col]), values=values, loss=loss, slope=slope)


def record_at(trace: Trace, at) -> int:
    """Record index for `at`: 0, a recorded step number, or "last". A run that stopped before
    step `at` (a stop rule, divergence) is taken at its last record."""
    if isinstance(at, str):
        if at != "last":
            raise ValueError(f"at should be a step number or 'last', got '{at}'")
        return len(trace.steps) - 1
    if int(at) > trace.last_step:
        return len(trace.steps) - 1
    try:
        return trace.at(int(at))
    except KeyError as exc:
        raise ValueError(f"at: {exc.args[0]}") from None


def landscapes(trace: Trace, surfaces=(), slices=()) -> tuple[list[Surface], list[Slice]]:
    """The surfaces and slices a RecordSpec asks for, computed for one trace."""
    out_surfaces, out_slices = [], []
    for spec in surfaces:
        k = record_at(trace, spec.at)
        params = {name: v[k] for name, v in trace.params.items()}
        out_surfaces.append(loss_surface(trace.net, params, trace.X, trace.T, spec.weights, spec.range,
                                         spec.points, at=trace.steps[k]))
    for spec in slices:
        k = record_at(trace, spec.at)
        params = {name: v[k] for name, v in trace.params.items()}
        out_slices.append(loss_slice(trace.net, params, trace.X, trace.T, spec.weight, spec.range,
                                     spec.points, at=trace.steps[k]))
    return out_surfaces, out_slices
