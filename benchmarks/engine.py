"""Engine speed: recorded training steps per second, each row beside a plain numpy loop of
the same maths, and the 40-member XOR sweep.

    python benchmarks/engine.py          (make bench)

Every run records every step (the default RecordSpec). "plain" is a loop written here of
the same forward pass, backward pass and update (same network, data, members and steps,
the parameters of all members in one flat array as the engine keeps them) that records
nothing, computes no loss and checks nothing; its final parameters are compared with the
engine's, so both do the same work. "ratio" is recorded / plain: what recording every step
(the loss, outputs, parameters, gradients and update signs of every step, the divergence
and stop checks) costs on top of training (issue 16: at most 1.2x). Both are timed
interleaved in the same run, median of a few repeats, in CPU seconds on one core; "steps/s" counts
member-steps, so a 40-member sweep of 5,000 steps is 200,000 steps.
"""
from __future__ import annotations

import os
import statistics
import sys
import time

# One core: the targets are stated for one, and BLAS threads only add overhead here.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from site_builder.engine.nn import Plan  # noqa: E402
from site_builder.engine import (  # noqa: E402
    ACTIVATIONS, LOSSES, FlatParams, InitSpec, NetSpec, TrainConfig, init_params, train, train_sweep,
)

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_T = np.array([[0], [1], [1], [0]], dtype=float)
ETAS = [0.05, 0.5, 2.0, 8.0, 50.0]  # too small .. too large
SEEDS = list(range(8))
TARGET = 1.2


def plain_loop(net: NetSpec, X, T, etas, seeds, steps: int, init: InitSpec) -> np.ndarray:
    """Full-batch gradient descent of len(etas) x len(seeds) members, nothing recorded:
    the final flat parameters (members, P)."""
    flat = FlatParams(net)
    theta = np.stack([flat.pack(init_params(net, init, s)) for _ in etas for s in seeds])
    eta = np.repeat(np.asarray(etas, dtype=float), len(seeds))[:, None]
    grad = np.empty_like(theta)
    W = [flat.views(theta)[f"W{l}"] for l in range(1, net.layers + 1)]
    b = [flat.views(theta)[f"b{l}"][:, None, :] for l in range(1, net.layers + 1)]
    gW = [flat.views(grad)[f"W{l}"] for l in range(1, net.layers + 1)]
    gb = [flat.views(grad)[f"b{l}"] for l in range(1, net.layers + 1)]
    acts = [ACTIVATIONS[name] for name in net.activations]
    # The activations as the engine's loop calls them: under the errstate below, sigmoid
    # need not enter its own (a per-call cost the plain loop should not carry either).
    f = Plan(net, quiet=True).f
    loss, n, L = LOSSES[net.loss], len(X), net.layers
    change = np.empty_like(theta)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            a, z = [X], []
            for l in range(L):  # forward
                z.append(a[-1] @ W[l].swapaxes(-1, -2) + b[l])
                a.append(f[l](z[-1]))
            d = loss.delta(z[-1], a[-1], T, acts[-1].df)  # backward
            if net.reduction == "mean":
                d = d / n
            for l in range(L - 1, -1, -1):
                np.matmul(d.swapaxes(-1, -2), a[l], out=gW[l])
                np.add.reduce(d, -2, None, gb[l])  # d.sum(axis=-2), without its Python wrapper
                if l:
                    d = (d @ W[l]) * acts[l - 1].df(z[l - 1], a[l])
            np.multiply(eta, grad, out=change)  # update
            np.subtract(theta, change, out=theta)
    return theta


def timed(fn):
    """CPU seconds of this process (other processes sharing the machine count less than
    in wall time), and fn's result."""
    t = time.process_time()
    out = fn()
    return time.process_time() - t, out


def moons(n=100, seed=0):
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, np.pi, n)
    upper = np.arange(n) % 2 == 0
    X = np.where(upper[:, None], np.c_[np.cos(angle), np.sin(angle)], np.c_[1 - np.cos(angle), 0.5 - np.sin(angle)])
    return X + rng.normal(0, 0.1, X.shape), upper[:, None].astype(float)


def main() -> None:
    X, T = moons(100)
    xor = NetSpec((2, 2, 1), ("sigmoid", "sigmoid"))
    xor8 = NetSpec((2, 8, 1), ("sigmoid", "sigmoid"))
    moon = NetSpec((2, 8, 1), ("tanh", "sigmoid"), "binary_cross_entropy", "mean")
    deep = NetSpec((2,) + (10,) * 9 + (1,), ("tanh",) * 9 + ("sigmoid",), "binary_cross_entropy", "mean")
    init = InitSpec(seed=1)
    # name, net, X, T, eta, etas, seeds, steps, note
    cases = [
        ("XOR 2-2-1 sweep 5 etas x 8 seeds", xor, XOR_X, XOR_T, 2.0, ETAS, SEEDS, 5000, "target < 1 s"),
        ("2-2-1 single run (XOR)", xor, XOR_X, XOR_T, 2.0, [2.0], [1], 20000, ""),
        ("2-8-1 sweep, moons n=100", moon, X, T, 0.5, ETAS, SEEDS, 2000, "target >= 100k steps/s"),
        ("2-8-1 sweep, XOR n=4", xor8, XOR_X, XOR_T, 0.5, ETAS, SEEDS, 2000, ""),
        ("2-8-1 single run, moons n=100", moon, X, T, 0.5, [0.5], [1], 5000, ""),
        ("10-layer 2-10x9-1 single run, n=100", deep, X, T, 0.1, [0.1], [1], 2000, ""),
        ("10-layer 2-10x9-1 sweep, n=100", deep, X, T, 0.1, ETAS, SEEDS, 500, ""),
    ]
    rows = []
    for name, net, Xc, Tc, eta, etas, seeds, steps, note in cases:
        cfg = TrainConfig(X=Xc, T=Tc, eta=eta, steps=steps, frozen=frozenset(), init=init)
        members = len(etas) * len(seeds)
        repeats = 5 if members * steps <= 100_000 else 3
        recorded, plain = [], []
        for _ in range(repeats + 1):  # interleaved; the first pair warms up and is dropped
            t_rec, traces = timed(lambda: train_sweep(net, cfg, etas, seeds))
            t_plain, theta = timed(lambda: plain_loop(net, Xc, Tc, etas, seeds, steps, init))
            recorded.append(t_rec)
            plain.append(t_plain)
        # Same work: every member that ran all its steps ends where the plain loop ends.
        flat = FlatParams(net)
        for m, tr in enumerate(traces):
            if tr.stopped == "steps":
                final = flat.pack({k: v[-1] for k, v in tr.params.items()})
                assert np.array_equal(final, theta[m]), f"{name}: member {m} differs from the plain loop"
        t_rec, t_plain = statistics.median(recorded[1:]), statistics.median(plain[1:])
        rows.append((name, members, steps, t_rec, t_plain, members * steps / t_rec, note,
                     sum(len(tr.steps) for tr in traces)))

    width = max(len(r[0]) for r in rows)
    print("engine: recorded training (every step recorded) against a plain numpy loop of the same maths, same run")
    print(f"{'benchmark':<{width}}  members  steps each  recorded s  plain s  ratio  recorded steps/s  note")
    worst = 0.0
    for name, members, steps, t_rec, t_plain, rate, note, records in rows:
        ratio = t_rec / t_plain
        worst = max(worst, ratio)
        print(f"{name:<{width}}  {members:>7}  {steps:>10}  {t_rec:>10.3f}  {t_plain:>7.3f}  {ratio:>4.2f}x  {rate:>16,.0f}  {note}")
    print(f"target (issue 16): ratio <= {TARGET}x on every row; worst here {worst:.2f}x "
          f"({'met' if worst <= TARGET else 'missed'})")
    from targets import record

    record("engine: recorded / plain loop, worst row", worst, TARGET, "x", "a plain numpy loop of the same maths")


if __name__ == "__main__":
    main()
