"""Cross-entropy with soft targets (probabilities that are not one-hot): a scenario trains, and
every recorded gradient agrees with an independent computation written here: the loss by
hand and its finite differences, and the chain rule written out sample by sample. Targets
that do not sum to 1 (within 1e-9) are refused, at the line of their row."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from site_builder import engine, scenarios
from site_builder.errors import ContentError, ContentErrors

SCENARIO = """\
title: Soft targets
network: {{sizes: [2, 3, 3], activations: [tanh, softmax], loss: cross_entropy, reduction: {reduction}}}
data:
  inputs: [[0.5, -1.0], [1.5, 0.25], [-0.75, 0.5], [0.1, 0.9]]
  targets:
    - [0.7, 0.2, 0.1]
    - [0.5, 0.5, 0.0]
    - [0.25, 0.25, 0.5]
    - {last}
init: {{scheme: normal, scale: 0.8, seed: 4}}
train: {{learning_rate: {eta}, steps: 40, optimizer: {optimizer}}}
"""


def scenario(tmp_path: Path, reduction="sum", last="[0.3333333333333333, 0.3333333333333333, 0.33333333333333337]",
             eta=0.3, optimizer="sgd") -> Path:
    path = tmp_path / "soft.yaml"
    path.write_text(SCENARIO.format(reduction=reduction, last=last, eta=eta, optimizer=optimizer))
    return path


def loss_by_hand(params: dict, X: np.ndarray, T: np.ndarray, mean: bool) -> float:
    """E = -sum over samples and classes of t log softmax(z2), written out one sample at a time."""
    total = 0.0
    for x, t in zip(X, T):
        h = [np.tanh(sum(params["W1"][j][i] * x[i] for i in range(2)) + params["b1"][j]) for j in range(3)]
        z = [sum(params["W2"][k][j] * h[j] for j in range(3)) + params["b2"][k] for k in range(3)]
        m = max(z)
        log_norm = m + np.log(sum(np.exp(zk - m) for zk in z))
        total += -sum(t[k] * (z[k] - log_norm) for k in range(3))
    return total / len(X) if mean else total


def finite_differences(params: dict, X, T, mean: bool, h=1e-5) -> dict:
    out = {}
    for name, p in params.items():
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[name][idx] += h
            minus[name][idx] -= h
            g[idx] = (loss_by_hand(plus, X, T, mean) - loss_by_hand(minus, X, T, mean)) / (2 * h)
        out[name] = g
    return out


def chain_rule(params: dict, X, T, mean: bool) -> dict:
    """dE/dparams from the derivative of -sum t log softmax(z) with respect to z, written with
    the softmax Jacobian (not the a - t shortcut), then back through tanh."""
    g = {k: np.zeros_like(v) for k, v in params.items()}
    for x, t in zip(X, T):
        z1 = params["W1"] @ x + params["b1"]
        h = np.tanh(z1)
        z2 = params["W2"] @ h + params["b2"]
        a = np.exp(z2 - z2.max())
        a /= a.sum()
        jacobian = np.diag(a) - np.outer(a, a)  # d softmax_k / d z_j
        dE_da = -t / a
        d2 = jacobian.T @ dE_da
        d1 = (params["W2"].T @ d2) * (1 - h * h)
        g["W2"] += np.outer(d2, h)
        g["b2"] += d2
        g["W1"] += np.outer(d1, x)
        g["b1"] += d1
    return {k: v / len(X) if mean else v for k, v in g.items()}


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_soft_targets_train_with_the_right_gradients(tmp_path, reduction):
    s = scenarios.parse(scenario(tmp_path, reduction))
    (tr,) = scenarios.run(s)
    assert tr.stopped == "steps" and len(tr.steps) == 41
    X, T = tr.X, tr.T
    assert not np.isin(T, [0.0, 1.0]).all()  # really soft
    mean = reduction == "mean"
    for k in (0, 1, 17, 40):
        params = {name: v[k] for name, v in tr.params.items()}
        fd = finite_differences(params, X, T, mean)
        cr = chain_rule(params, X, T, mean)
        assert np.isclose(tr.loss[k], loss_by_hand(params, X, T, mean), rtol=1e-12, atol=0)
        for name in params:
            assert np.allclose(tr.grads[name][k], cr[name], rtol=1e-10, atol=1e-13), (k, name)
            assert np.allclose(tr.grads[name][k], fd[name], rtol=1e-6, atol=1e-9), (k, name)
    # Plain full-batch descent: each step moves by exactly -eta times the recorded gradient.
    for name in tr.params:
        step = tr.params[name][1:] - tr.params[name][:-1]
        assert np.allclose(step, -0.3 * tr.grads[name][:-1], rtol=1e-12, atol=1e-15)
    assert tr.loss[-1] < tr.loss[0]  # it learns


def test_soft_targets_pass_the_builds_gradient_check(tmp_path):
    s = scenarios.parse(scenario(tmp_path, optimizer="momentum"))
    assert scenarios.check_gradients(s).max_rel_error < 1e-6


def test_delta_is_exact_where_the_sum_is_one_only_to_rounding():
    T = np.array([[0.7, 0.2, 0.1]])
    assert T.sum() != 1.0  # 0.9999999999999999
    z = np.array([[0.3, -1.2, 2.0]])
    o = engine.nn.softmax(z)
    delta = engine.nn.cross_entropy_delta(z, o, T, None)
    assert np.array_equal(delta, o * T.sum(axis=-1, keepdims=True) - T)
    one_hot = np.array([[0.0, 0.0, 1.0]])  # the sum is exactly 1: the familiar a - t, bit for bit
    assert np.array_equal(engine.nn.cross_entropy_delta(z, o, one_hot, None), o - one_hot)


@pytest.mark.parametrize("last,ok", [
    ("[0.3333333333333333, 0.3333333333333333, 0.33333333333333337]", True),
    ("[0.333333333333, 0.333333333333, 0.333333333334]", True),     # 1 exactly as written
    ("[0.3333333333, 0.3333333333, 0.3333333333]", True),           # off by 1e-10: within 1e-9
    ("[0.33, 0.33, 0.34000001]", False),                            # off by 1e-8
    ("[0.2, 0.3, 0.500001]", False),                                # off by 1e-6: np.allclose let it through
    ("[0.2, 0.3, 0.50001]", False),                                 # off by 1e-5: so did rtol=1e-5
    ("[-0.1, 0.6, 0.5]", False),                                    # sums to 1, but not probabilities
])
def test_targets_must_sum_to_one_tightly(tmp_path, last, ok):
    path = scenario(tmp_path, last=last)
    if ok:
        scenarios.parse(path)
        return
    with pytest.raises((ContentError, ContentErrors)) as info:
        scenarios.parse(path)
    errs = info.value.errors if isinstance(info.value, ContentErrors) else [info.value]
    assert len(errs) == 1
    assert errs[0].line == 9  # the row's own line
    assert "cross_entropy needs targets" in errs[0].message and "sample 4" in errs[0].message


def test_the_engine_refuses_them_too():
    net = engine.NetSpec((2, 3), ("softmax",), "cross_entropy")
    X = np.zeros((2, 2))
    for T in ([[0.2, 0.3, 0.500001], [1, 0, 0]], [[0.2, 0.3, 0.50001], [1, 0, 0]]):
        with pytest.raises(ValueError, match="summing to 1 per sample"):
            engine.train(net, engine.TrainConfig(X=X, T=np.array(T), steps=1))
    tr = engine.train(net, engine.TrainConfig(X=X, T=np.array([[0.2, 0.3, 0.5], [1, 0, 0]]), steps=1))
    assert np.isfinite(tr.loss).all()
