"""Engine speed: recorded training steps per second, and the 40-member XOR sweep.

    python benchmarks/engine.py          (make bench)

Every run records every step (the default RecordSpec). Each figure is the best of a few
repeats, on one core; "steps/s" counts member-steps, so a 40-member sweep of 5,000 steps is
200,000 steps.
"""
from __future__ import annotations

import os
import sys
import time

# One core: the targets are stated for one, and BLAS threads only add overhead here.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from site_builder.engine import InitSpec, NetSpec, TrainConfig, train, train_sweep  # noqa: E402

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_T = np.array([[0], [1], [1], [0]], dtype=float)
ETAS = [0.05, 0.5, 2.0, 8.0, 50.0]  # too small .. too large
SEEDS = list(range(8))


def best_of(fn, repeats=3):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def moons(n=100, seed=0):
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, np.pi, n)
    upper = np.arange(n) % 2 == 0
    X = np.where(upper[:, None], np.c_[np.cos(angle), np.sin(angle)], np.c_[1 - np.cos(angle), 0.5 - np.sin(angle)])
    return X + rng.normal(0, 0.1, X.shape), upper[:, None].astype(float)


def main() -> None:
    rows = []

    def row(name, members, steps, seconds, note=""):
        rows.append((name, members, steps, seconds, members * steps / seconds, note))

    xor = NetSpec((2, 2, 1), ("sigmoid", "sigmoid"))
    cfg = TrainConfig(X=XOR_X, T=XOR_T, eta=2.0, epochs=5000, frozen=frozenset(), init=InitSpec(seed=1))
    t, traces = best_of(lambda: train_sweep(xor, cfg, ETAS, SEEDS))
    recorded = sum(len(tr.steps) for tr in traces)
    row("XOR 2-2-1 sweep 5 etas x 8 seeds", 40, 5000, t, f"{recorded} records; target < 1 s")

    t, _ = best_of(lambda: train(xor, TrainConfig(X=XOR_X, T=XOR_T, eta=2.0, steps=20000, frozen=frozenset(), init=InitSpec(seed=1))))
    row("2-2-1 single run (XOR)", 1, 20000, t)

    net = NetSpec((2, 8, 1), ("tanh", "sigmoid"), "binary_cross_entropy", "mean")
    X, T = moons(100)
    cfg = TrainConfig(X=X, T=T, eta=0.5, steps=2000, frozen=frozenset(), init=InitSpec(seed=1))
    t, _ = best_of(lambda: train_sweep(net, cfg, ETAS, SEEDS))
    row("2-8-1 sweep, moons n=100", 40, 2000, t, "target >= 100k steps/s")
    cfg = TrainConfig(X=XOR_X, T=XOR_T, eta=0.5, steps=2000, frozen=frozenset(), init=InitSpec(seed=1))
    t, _ = best_of(lambda: train_sweep(NetSpec((2, 8, 1), ("sigmoid", "sigmoid")), cfg, ETAS, SEEDS))
    row("2-8-1 sweep, XOR n=4", 40, 2000, t)
    t, _ = best_of(lambda: train(net, TrainConfig(X=X, T=T, eta=0.5, steps=5000, frozen=frozenset(), init=InitSpec(seed=1))))
    row("2-8-1 single run, moons n=100", 1, 5000, t)

    deep = NetSpec((2,) + (10,) * 9 + (1,), ("tanh",) * 9 + ("sigmoid",), "binary_cross_entropy", "mean")
    t, _ = best_of(lambda: train(deep, TrainConfig(X=X, T=T, eta=0.1, steps=2000, frozen=frozenset(), init=InitSpec(seed=1))))
    row("10-layer 2-10x9-1 single run, n=100", 1, 2000, t)
    t, _ = best_of(lambda: train_sweep(deep, TrainConfig(X=X, T=T, eta=0.1, steps=500, frozen=frozenset(), init=InitSpec(seed=1)), ETAS, SEEDS), repeats=2)
    row("10-layer 2-10x9-1 sweep, n=100", 40, 500, t)

    width = max(len(r[0]) for r in rows)
    print(f"{'benchmark':<{width}}  members  steps each  seconds  recorded steps/s  note")
    for name, members, steps, seconds, rate, note in rows:
        print(f"{name:<{width}}  {members:>7}  {steps:>10}  {seconds:>7.3f}  {rate:>16,.0f}  {note}")


if __name__ == "__main__":
    main()
