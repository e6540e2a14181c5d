"""Check backprop's gradient against finite differences of the loss.

Numeric derivative of E with respect to one parameter entry p: the fourth-order central
difference

    dE/dp ~ (E(p - 2h) - 8 E(p - h) + 8 E(p + h) - E(p + 2h)) / (12 h),      h = 1e-3,

accurate to about h^4 (truncation) + 1e-16 |E| / h (rounding) ~ 1e-13 max(1, |E|).

Relative error of one entry, with a = analytic and n = numeric:

    rel = |a - n| / max(|a| + |n|, floor),     floor = FLOOR * max(1, |E|),   FLOOR = 1e-5

Where the gradient is not tiny this is the plain relative error (0 when equal, 1 when of
opposite sign). Where both are ~0 (a deep network's first layers, a dead unit) a plain
ratio would compare rounding noise with rounding noise, so the denominator stops at
`floor`: such an entry passes the build's 1e-6 limit when |a - n| < 1e-11 max(1, |E|), two
orders above the numeric derivative's noise and far below anything a lesson prints.

ReLU and leaky ReLU have a kink at z = 0 where the derivative is a convention (nn.relu_d
takes the left slope, 0) that no finite difference can match; XOR's input (0, 0) with zero
biases sits exactly there. So the check is done per sample: a sample whose ReLU pattern
(which z > 0) changes under an entry's perturbations is left out of both sides for that
entry. `kinks` marks the entries that lost at least one sample; an entry that loses them all
is not compared (NaN in rel_error).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from site_builder.engine.nn import NetSpec, backward, forward, loss_value

H = 1e-3
FLOOR = 1e-5
_STENCIL = ((-2.0, 1.0), (-1.0, -8.0), (1.0, 8.0), (2.0, -1.0))  # (offset in h, weight over 12h)


@dataclass(eq=False)
class GradCheck:
    max_rel_error: float
    per_param: dict[str, float]  # name -> largest relative error over its entries
    analytic: dict[str, np.ndarray]  # backward()'s gradient
    numeric: dict[str, np.ndarray]  # the finite-difference gradient (all samples)
    rel_error: dict[str, np.ndarray] = field(default_factory=dict)  # per entry
    kinks: dict[str, np.ndarray] = field(default_factory=dict)  # per entry: a sample was left out

    def __repr__(self) -> str:
        worst = max(self.per_param, key=self.per_param.get) if self.per_param else "-"
        kinks = sum(int(k.sum()) for k in self.kinks.values())
        note = f", {kinks} entries compared without samples at a ReLU kink" if kinks else ""
        return f"<GradCheck max relative error {self.max_rel_error:.2e} (in {worst}){note}>"


def gradcheck(net: NetSpec, params: dict, X, T, h: float = H, entries: int | None = None) -> GradCheck:
    """Compare backward()'s gradient of E (the net's loss and reduction) with finite
    differences, for every entry of every parameter, frozen or not.
    X (n, d_in), T (n, d_out), params {"W1": (units_1, d_in), "b1": (units_1,), ...}.

    `entries` (optional) checks at most that many entries of each parameter, evenly spread
    through it (the first and the last always among them), so the check of a large network
    costs a bounded time; the others are NaN in `numeric` and `rel_error`."""
    X = np.asarray(X, dtype=np.float64)
    T = np.asarray(T, dtype=np.float64)
    params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    n = len(X)
    # Each sample as its own batch of one: (n, 1, d). Then forward/backward give per-sample
    # losses and gradients; under reduction "mean" each is 1/n of its sample's loss.
    Xs, Ts, share = X[:, None, :], T[:, None, :], (1.0 / n if net.reduction == "mean" else 1.0)

    with np.errstate(all="ignore"):
        z, a = forward(net, params, X)
        E = float(loss_value(net, z, a, T))
        analytic, _ = backward(net, params, z, a, T)
        zs, as_ = forward(net, params, Xs)
        per_sample, _ = backward(net, params, zs, as_, Ts)  # name -> (n, *shape)
    pattern = _relu_pattern(net, zs)
    floor = FLOOR * max(1.0, abs(E)) if np.isfinite(E) else FLOOR

    numeric, kinks, err = {}, {}, {}
    chosen = []
    for name, p in params.items():
        numeric[name] = np.zeros(p.shape) if entries is None or p.size <= entries else np.full(p.shape, np.nan)
        err[name] = np.full(p.shape, np.nan)
        kinks[name] = np.zeros(p.shape, dtype=bool)
        chosen += [(name, i) for i in _chosen(p.shape, entries)]
    # The four perturbed copies of every chosen entry are one batch of networks, so one
    # forward pass does all of them (each network's numbers are exactly those of its own
    # pass). In chunks, so a large network's batch stays small.
    size = sum(p.size for p in params.values()) + n * max(net.sizes) * net.layers
    chunk = max(1, BATCH_NUMBERS // (len(_STENCIL) * size))
    for start in range(0, len(chosen), chunk):
        part = chosen[start:start + chunk]
        g_s, left_out = _numeric(net, params, part, Xs, Ts, share, pattern, h)
        for e, (name, i) in enumerate(part):
            numeric[name][i] = g_s[e].sum()
            kink = kinks[name][i] = left_out[e].any()
            if left_out[e].all():
                continue
            a_i = analytic[name][i] - share * per_sample[name][(left_out[e],) + i].sum() if kink else analytic[name][i]
            n_i = g_s[e][~left_out[e]].sum()
            err[name][i] = abs(a_i - n_i) / max(abs(a_i) + abs(n_i), floor)
    per_param = {name: float(np.nanmax(e)) if not np.isnan(e).all() else 0.0 for name, e in err.items()}
    worst = max(per_param.values()) if per_param else 0.0
    return GradCheck(worst, per_param, analytic, numeric, err, kinks)


BATCH_NUMBERS = 1 << 18  # about how many numbers one batch of perturbed networks may hold


def _numeric(net: NetSpec, params: dict, entries: list, Xs, Ts, share: float, pattern: list, h: float):
    """For each (name, index) entry: the numeric derivative of each sample's share of E,
    (entries, n), and which samples crossed a ReLU kink under its perturbations, (entries, n).
    Network g = 4 e + k of the batch has entry e moved by _STENCIL[k]'s offset."""
    G = len(entries) * len(_STENCIL)
    batch = {name: np.repeat(p[None], G, axis=0) for name, p in params.items()}
    for e, (name, i) in enumerate(entries):
        old = params[name][i]
        for k, (offset, _) in enumerate(_STENCIL):
            batch[name][(len(_STENCIL) * e + k,) + i] = old + offset * h
    # Samples (n, 1, 1, d) against G networks: every z is (n, G, 1, units).
    with np.errstate(all="ignore"):
        zp, ap = forward(net, batch, Xs[:, None])
        E = loss_value(net, zp, ap, Ts[:, None]).reshape(len(Xs), len(entries), len(_STENCIL))  # (n, entries, 4)
    g_s = np.zeros((len(entries), len(Xs)))
    for k, (_, weight) in enumerate(_STENCIL):
        g_s += weight * share * E[:, :, k].T
    g_s /= 12.0 * h
    crossed = _crossed(net, zp, [None if b is None else b[:, None] for b in pattern])  # (n, G)
    return g_s, crossed.reshape(len(Xs), len(entries), len(_STENCIL)).any(axis=-1).T


def _chosen(shape: tuple, entries: int | None):
    """The indices to check: all of them, or `entries` spread evenly (first and last included)."""
    size = int(np.prod(shape, dtype=np.int64))
    if entries is None or size <= entries:
        return np.ndindex(shape)
    flat = np.unique(np.linspace(0, size - 1, max(int(entries), 2)).round().astype(np.int64))
    return [tuple(int(k) for k in np.unravel_index(f, shape)) for f in flat]


def _relu_pattern(net: NetSpec, z: list) -> list:
    """For each layer, which z > 0 (None for layers without a kink)."""
    return [(z_l > 0) if f in ("relu", "leaky_relu") else None for z_l, f in zip(z, net.activations)]


def _crossed(net: NetSpec, z: list, pattern: list) -> np.ndarray:
    """(n,) or (n, G) bool: samples (of each network) where some ReLU-family z changed side
    of 0 from `pattern`."""
    crossed = np.zeros(z[-1].shape[:-2], dtype=bool)  # (n,) or (n, G)
    for z_l, base in zip(z, pattern):
        if base is not None:
            crossed |= ((z_l > 0) != base).any(axis=(-2, -1))
    return crossed
