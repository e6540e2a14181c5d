"""Backprop agrees with finite differences for every activation x loss pairing; gradcheck
itself notices a wrong gradient and copes with ReLU's kink."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from site_builder.engine import InitSpec, NetSpec, gradcheck, init_params
from site_builder.engine import nn

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
PAIRINGS = (
    [("squared_error", out) for out in HIDDEN]  # squared error with every (non-softmax) output
    + [("binary_cross_entropy", "sigmoid"), ("cross_entropy", "softmax")]
)
CASES = [(loss, out, hidden, red) for (loss, out), hidden, red in itertools.product(PAIRINGS, HIDDEN, ["sum", "mean"])]


def random_problem(loss, out, hidden, reduction, seed):
    rng = np.random.default_rng(seed)
    net = NetSpec((3, 4, 3, 2), (hidden, hidden, out), loss, reduction)
    params = init_params(net, InitSpec(scheme="normal", scale=1.0), seed=seed)
    params = {k: v + rng.normal(0, 0.5, v.shape) if k.startswith("b") else v for k, v in params.items()}
    X = rng.normal(size=(6, 3))
    if loss == "cross_entropy":
        T = np.eye(2)[rng.integers(0, 2, 6)]
    elif loss == "binary_cross_entropy":
        T = rng.integers(0, 2, (6, 2)).astype(float)
    else:
        T = rng.normal(size=(6, 2))
    return net, params, X, T


@pytest.mark.parametrize("loss, out, hidden, reduction", CASES, ids=["-".join(c) for c in CASES])
def test_backprop_matches_finite_differences(loss, out, hidden, reduction):
    net, params, X, T = random_problem(loss, out, hidden, reduction, seed=len(loss) * 7 + len(hidden))
    check = gradcheck(net, params, X, T)
    assert check.max_rel_error < 1e-6, check
    assert set(check.per_param) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    for name, p in params.items():
        assert check.analytic[name].shape == check.numeric[name].shape == p.shape


def test_deep_sigmoid_net_with_vanishing_gradients_passes():
    net = NetSpec((2,) + (10,) * 9 + (1,), ("sigmoid",) * 10)
    rng = np.random.default_rng(1)
    X, T = rng.normal(size=(20, 2)), rng.integers(0, 2, (20, 1)).astype(float)
    check = gradcheck(net, init_params(net, InitSpec(), seed=0), X, T)
    assert np.abs(check.analytic["W1"]).max() < 1e-5  # tiny first-layer gradients
    assert check.max_rel_error < 1e-6, check


def test_a_wrong_derivative_is_caught(monkeypatch):
    net, params, X, T = random_problem("squared_error", "linear", "tanh", "sum", seed=3)
    assert gradcheck(net, params, X, T).max_rel_error < 1e-6
    wrong = nn.Activation("tanh", nn.tanh, lambda z, a: 1.0 - a)  # should be 1 - a^2
    monkeypatch.setitem(nn.ACTIVATIONS, "tanh", wrong)
    check = gradcheck(net, params, X, T)
    assert check.max_rel_error > 1e-2
    assert check.per_param["W3"] < 1e-6  # the output layer does not use tanh'
    assert check.per_param["W1"] > 1e-2


def test_relu_kink_samples_are_left_out_not_failed():
    # XOR with zero biases: for input (0, 0) every hidden z is exactly 0, where relu' is a
    # convention. Only that sample is left out, and only for the entries that move those z.
    net = NetSpec((2, 3, 1), ("relu", "sigmoid"))
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    T = np.array([[0], [1], [1], [0]], dtype=float)
    params = init_params(net, InitSpec(), seed=0)
    check = gradcheck(net, params, X, T)
    assert check.kinks["b1"].all()
    assert not check.kinks["W1"].any() and not check.kinks["W2"].any()
    assert not np.isnan(check.rel_error["b1"]).any()  # still compared on the other samples
    assert check.max_rel_error < 1e-6, check
    assert "ReLU kink" in repr(check)


def test_relative_error_is_defined_at_zero():
    # A dead ReLU unit: its incoming gradient is exactly 0, the numeric one is rounding
    # noise; a plain |a - n| / (|a| + |n|) would call that a 100% error.
    net = NetSpec((1, 2, 1), ("relu", "linear"))
    params = {"W1": np.array([[1.0], [-1.0]]), "b1": np.array([0.5, -5.0]), "W2": np.array([[0.7, 0.3]]), "b2": np.zeros(1)}
    X, T = np.array([[1.0], [2.0]]), np.array([[0.0], [1.0]])
    check = gradcheck(net, params, X, T)
    assert check.analytic["W1"][1, 0] == 0.0 and abs(check.numeric["W1"][1, 0]) < 1e-12
    assert check.rel_error["W1"][1, 0] < 1e-8
    assert check.max_rel_error < 1e-8
