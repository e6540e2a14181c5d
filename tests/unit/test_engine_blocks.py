"""The training loop trains in blocks of steps and decides who stopped where after each block
(engine/train.py _train_group). Whatever the block length, every Trace must be the same to
the last bit, including members that diverge or meet a stop rule inside a block (at a step
that is recorded or not) while the others train on; and a member's end matches a plain
numpy loop written here."""
from __future__ import annotations

import sys

import numpy as np
import pytest

from site_builder.engine import InitSpec, NetSpec, RecordSpec, TrainConfig, train, train_sweep

TRAIN = sys.modules["site_builder.engine.train"]
XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_T = np.array([[0], [1], [1], [0]], dtype=float)
RNG = np.random.default_rng(7)
MX = RNG.normal(size=(24, 2))
MT = (MX[:, :1] * MX[:, 1:] > 0).astype(float)
XOR = NetSpec((2, 2, 1), ("sigmoid", "sigmoid"))
LIN = NetSpec((2, 4, 1), ("relu", "linear"))
BCE = NetSpec((2, 5, 3, 1), ("tanh", "leaky_relu", "sigmoid"), "binary_cross_entropy", "mean")

RUNS = {
    "stop rules, thinned records": lambda: train_sweep(XOR, TrainConfig(
        X=XOR_X, T=XOR_T, steps=900, stop_loss_below=0.05, init=InitSpec(seed=3),
        record=RecordSpec(every_until=40, then_every=9, detail_steps=(0, 7, 300))), [0.5, 2.0, 8.0], range(3)),
    "all correct": lambda: train_sweep(XOR, TrainConfig(
        X=XOR_X, T=XOR_T, steps=900, stop_all_correct=True, init=InitSpec(seed=3)), [0.5, 4.0], range(3)),
    "divergence at unrecorded steps": lambda: train_sweep(LIN, TrainConfig(
        X=MX * 10, T=MT * 100, steps=300, frozen=frozenset({"b2"}), init=InitSpec(seed=1),
        record=RecordSpec(every_until=2, then_every=40)), [1e-5, 0.01, 0.5, 5.0], range(2)),
    "mini-batches, momentum": lambda: train_sweep(BCE, TrainConfig(
        X=MX, T=MT, epochs=15, batch_size=5, optimizer="momentum", init=InitSpec(seed=2),
        stop_loss_below=0.3, record=RecordSpec(every_until=10, then_every=4)), [0.01, 1.0, 1e6], [0, 1]),
}


def fields(tr) -> dict:
    d = dict(vars(tr))
    d["net"], d["surfaces"], d["slices"] = repr(tr.net), [], []
    return d


def assert_same(a, b, where=""):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        assert a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes(), where
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            assert_same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    else:
        assert a == b or (a != a and b != b), where


@pytest.mark.parametrize("name", RUNS)
def test_block_length_changes_no_bit(name, monkeypatch):
    runs = {}
    for steps, gather in ((1, 0), (3, 10 ** 9), (128, 0), (128, 10 ** 9)):
        # Records leave the ring by copies (gather below 0 numbers) or by gathers (below 10^9).
        monkeypatch.setattr(TRAIN, "RING_STEPS", steps)
        monkeypatch.setattr(TRAIN, "GATHER_BELOW", gather)
        runs[steps, gather] = [fields(tr) for tr in RUNS[name]()]
    ends = {tr["stopped"] for tr in runs[1, 0]}
    assert len(ends) > 1, ends  # some members stop early while others go on
    for key in ((3, 10 ** 9), (128, 0), (128, 10 ** 9)):
        assert_same(runs[1, 0], runs[key], f"{name}, blocks of {key[0]}, gathers below {key[1]}")


def test_a_member_that_diverges_between_records_ends_where_a_plain_loop_does():
    cfg = TrainConfig(X=MX * 10, T=MT * 100, eta=0.5, steps=300, init=InitSpec(seed=1),
                      record=RecordSpec(every_until=2, then_every=40))
    tr = train(LIN, cfg)
    # The same descent in plain numpy, stopping at the first non-finite loss or weight.
    p = {k: v[0].copy() for k, v in tr.params.items()}
    with np.errstate(all="ignore"):
        for step in range(301):
            z1 = MX * 10 @ p["W1"].T + p["b1"]
            a1 = np.maximum(z1, 0)
            o = a1 @ p["W2"].T + p["b2"]
            E = 0.5 * ((o - MT * 100) ** 2).sum()
            if not (np.isfinite(E) and all(np.isfinite(v).all() for v in p.values())):
                break
            d2 = o - MT * 100
            d1 = (d2 @ p["W2"]) * (z1 > 0)
            g = {"W2": d2.T @ a1, "b2": d2.sum(0), "W1": d1.T @ (MX * 10), "b1": d1.sum(0)}
            p = {k: v - 0.5 * g[k] for k, v in p.items()}
    assert tr.stopped == "diverged" and tr.diverged_at == step == tr.steps[-1]
    assert step not in (0, 1, 2) and step % 40  # a step the schedule does not record
    assert list(tr.steps[:-1]) == [s for s in tr.steps[:-1] if s <= 2 or s % 40 == 0]
    for k, v in p.items():
        np.testing.assert_array_equal(tr.params[k][-1], v)  # inf and NaN in the same places
    assert not np.isfinite(tr.loss[-1]) or not all(np.isfinite(v).all() for v in p.values())
