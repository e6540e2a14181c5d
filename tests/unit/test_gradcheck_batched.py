"""gradcheck perturbs many copies of a network at once (engine/gradcheck.py _numeric): each
copy's numbers must be exactly those of perturbing the one network entry by entry, the way
the finite difference is written down. Checked here against that plain loop, for networks
with every activation, a ReLU kink, the teaching bug and batches cut into small chunks."""
from __future__ import annotations

import sys

import numpy as np
import pytest

from site_builder.engine import InitSpec, NetSpec, gradcheck, init_params, loss_value
from site_builder.engine.nn import forward

GC = sys.modules["site_builder.engine.gradcheck"]
H = 1e-3
STENCIL = ((-2.0, 1.0), (-1.0, -8.0), (1.0, 8.0), (2.0, -1.0))


def one_at_a_time(net, params, X, T):
    """Per entry: its four perturbed losses, one network at a time, summed over samples."""
    share = 1.0 / len(X) if net.reduction == "mean" else 1.0
    Xs, Ts = X[:, None, :], T[:, None, :]
    out = {}
    for name, p in params.items():
        p = p.copy()
        mine = {**params, name: p}
        num = np.zeros(p.shape)
        for i in np.ndindex(p.shape):
            old = p[i]
            g = np.zeros(len(X))
            for offset, weight in STENCIL:
                p[i] = old + offset * H
                z, a = forward(net, mine, Xs)
                g += weight * share * loss_value(net, z, a, Ts)
            p[i] = old
            g /= 12.0 * H
            num[i] = g.sum()
        out[name] = num
    return out


NETS = [
    NetSpec((3, 4, 3, 2), ("tanh", "sigmoid", "linear"), "squared_error", "sum"),
    NetSpec((3, 5, 2), ("leaky_relu", "sigmoid"), "binary_cross_entropy", "mean"),
    NetSpec((3, 4, 3), ("relu", "softmax"), "cross_entropy", "sum"),
    NetSpec((3, 3, 2), ("sigmoid", "sigmoid"), gradient="overwrite"),
]


@pytest.mark.parametrize("net", NETS, ids=repr)
@pytest.mark.parametrize("chunk", [None, 1, 7])
def test_numeric_gradient_is_bitwise_that_of_one_network_at_a_time(net, chunk, monkeypatch):
    if chunk is not None:  # as small as the chunking goes: one entry, or a few, per batch
        monkeypatch.setattr(GC, "BATCH_NUMBERS", chunk * 4 * 40)
    rng = np.random.default_rng(len(net.sizes) + net.sizes[1])
    params = init_params(net, InitSpec(scheme="normal"), seed=3)
    X = rng.normal(size=(7, 3))
    T = np.eye(net.sizes[-1])[rng.integers(0, net.sizes[-1], 7)] if net.loss != "squared_error" else rng.normal(size=(7, net.sizes[-1]))
    want = one_at_a_time(net, params, X, T)
    check = gradcheck(net, params, X, T)
    for name in params:
        assert check.numeric[name].tobytes() == want[name].tobytes(), name
    # And the verdict: the true gradient passes, the teaching bug does not.
    assert (check.max_rel_error < 1e-6) == (net.gradient == "sum"), check


def test_relu_kink_entries_are_found_in_the_batch():
    # XOR with zero biases: (0, 0) sits on every hidden unit's kink, so each entry that moves
    # a hidden z for that sample leaves it out; W2 and b2 move no hidden z.
    net = NetSpec((2, 3, 1), ("relu", "sigmoid"))
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    T = np.array([[0], [1], [1], [0]], dtype=float)
    check = gradcheck(net, init_params(net, InitSpec(), seed=0), X, T)
    assert check.kinks["b1"].all() and not check.kinks["W2"].any() and not check.kinks["b2"].any()
    assert not check.kinks["W1"].any()  # W1 multiplies the zero inputs: z stays exactly 0
    assert check.max_rel_error < 1e-6
