"""train_sweep(): one batched computation whose members match separate train() runs."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from site_builder.engine import InitSpec, NetSpec, RecordSpec, TrainConfig, train, train_sweep

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_T = np.array([[0], [1], [1], [0]], dtype=float)


def assert_same_trace(a, b, rtol=1e-12):
    assert (a.label, a.eta, a.seed, a.stopped, a.diverged_at, a.diverged_reason) == (
        b.label, b.eta, b.seed, b.stopped, b.diverged_at, b.diverged_reason)
    np.testing.assert_array_equal(a.steps, b.steps)
    np.testing.assert_array_equal(a.epochs, b.epochs)
    np.testing.assert_array_equal(a.correct, b.correct)
    finite = np.isfinite(a.loss)
    np.testing.assert_array_equal(finite, np.isfinite(b.loss))
    np.testing.assert_allclose(a.loss[finite], b.loss[finite], rtol=rtol, atol=1e-300)
    ok = np.isfinite(a.outputs).all(axis=(1, 2))  # a diverged last record may hold inf/NaN
    np.testing.assert_allclose(a.outputs[ok], b.outputs[ok], rtol=rtol, atol=1e-14)
    for name in a.params:
        ok = np.isfinite(a.params[name]).reshape(len(a.steps), -1).all(axis=1)
        np.testing.assert_allclose(a.params[name][ok], b.params[name][ok], rtol=rtol, atol=1e-14)
        ok &= np.isfinite(a.grads[name]).reshape(len(a.steps), -1).all(axis=1)
        np.testing.assert_allclose(a.grads[name][ok], b.grads[name][ok], rtol=rtol, atol=1e-14)
    assert [d.tolist() for d in a.dead] == [d.tolist() for d in b.dead]
    assert [s.tolist() for s in a.saturated] == [s.tolist() for s in b.saturated]
    assert sorted(a.detail) == sorted(b.detail)
    for s in a.detail:
        for key in ("z", "a", "delta"):
            for x, y in zip(a.detail[s][key], b.detail[s][key]):
                np.testing.assert_allclose(x, y, rtol=rtol, atol=1e-14)


@pytest.mark.parametrize("optimizer, batch_size", [("sgd", None), ("momentum", None), ("sgd", 2)])
def test_sweep_members_equal_individual_runs(optimizer, batch_size):
    net = NetSpec((2, 4, 1), ("relu", "sigmoid"), "binary_cross_entropy", "mean")
    cfg = TrainConfig(X=XOR_X, T=XOR_T, steps=400, optimizer=optimizer, batch_size=batch_size, frozen=frozenset({"b2"}),
                      stop_loss_below=0.2, init=InitSpec(scheme="he", seed=0),
                      record=RecordSpec(every_until=30, then_every=7, detail_steps=(0, 5, 399)))
    etas, seeds = [0.01, 1.0, 3.0], [0, 1, 2, 3]
    sweep = train_sweep(net, cfg, etas, seeds)
    assert len(sweep) == 12
    assert [(t.eta, t.seed) for t in sweep] == [(e, s) for e in etas for s in seeds]  # eta-major
    for tr in sweep:
        one = train(net, TrainConfig(**{**cfg.__dict__, "eta": tr.eta, "init": InitSpec(scheme="he", seed=tr.seed)}))
        assert_same_trace(tr, one)
    assert {t.stopped for t in sweep} >= {"loss_below", "steps"}  # members end at different steps


def test_diverging_members_freeze_without_disturbing_the_rest():
    net = NetSpec((2, 8, 1), ("relu", "linear"))
    cfg = TrainConfig(X=XOR_X, T=XOR_T, steps=300, frozen=frozenset(), init=InitSpec(scheme="he", seed=0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sweep = train_sweep(net, cfg, etas=[0.02, 60.0], seeds=[1, 2])
    assert [t.stopped for t in sweep] == ["steps", "steps", "diverged", "diverged"]
    assert all(t.last_step == 300 for t in sweep[:2])
    for tr in sweep:
        assert_same_trace(tr, train(net, TrainConfig(**{**cfg.__dict__, "eta": tr.eta, "init": InitSpec(scheme="he", seed=tr.seed)})))


def test_xor_sweep_spans_too_small_to_too_large():
    net = NetSpec((2, 2, 1), ("sigmoid", "sigmoid"))
    cfg = TrainConfig(X=XOR_X, T=XOR_T, epochs=5000, frozen=frozenset(), init=InitSpec(seed=0),
                      record=RecordSpec(every_until=200, then_every=50))
    etas, seeds = [0.01, 2.0, 200.0], list(range(8))
    sweep = train_sweep(net, cfg, etas, seeds)
    labels = [t.label for t in sweep]
    assert labels[0] == "eta=0.01 seed=0" and labels[-1] == "eta=200 seed=7" and len(set(labels)) == 24
    final = np.array([t.loss[-1] for t in sweep]).reshape(3, 8)
    assert (final[0] > 0.45).all()  # too small: nothing learned in 5,000 epochs
    assert np.median(final[1]) < 0.05  # a good rate learns XOR for most seeds
    # Too large: the output unit saturates and learning stalls at a loss near 1.
    assert all(t.saturated[1].all() and t.loss[-1] > 0.9 for t in sweep[16:])
    assert not any(s.any() for t in sweep[8:16] for s in t.saturated)
    for t in sweep:
        assert t.steps[0] == 0 and t.steps[-1] == 5000 and len(t.steps) == 201 + 96
