"""nn.py and initialisation: value/derivative pairs, hand-derived gradients, validation."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from site_builder.engine import ACTIVATIONS, InitSpec, NetSpec, backward, forward, gradcheck, init_params, loss_value
from site_builder.engine import nn


def sig(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
def test_each_derivative_matches_its_value(name):
    act = ACTIVATIONS[name]
    z = np.linspace(-4, 4, 41) + 0.013  # steps clear of relu's kink at 0
    h = 1e-6
    numeric = (act.f(z + h) - act.f(z - h)) / (2 * h)
    np.testing.assert_allclose(act.df(z, act.f(z)), numeric, rtol=1e-8, atol=1e-9)


def test_leaky_relu_slope_and_relu_kink_convention():
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(nn.leaky_relu(z), [-0.02, 0.0, 3.0])
    np.testing.assert_array_equal(nn.relu_d(z, nn.relu(z)), [0.0, 0.0, 1.0])


def test_sigmoid_is_silent_and_exact_in_the_tails():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = nn.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_array_equal(a, [0.0, 0.5, 1.0])


def test_cross_entropies_equal_their_textbook_forms_and_stay_finite():
    z = np.array([[-3.0, 0.5], [2.0, -0.25]])
    t = np.array([[0.0, 1.0], [1.0, 0.0]])
    o = nn.sigmoid(z)
    textbook = -(t * np.log(o) + (1 - t) * np.log(1 - o)).sum(axis=-1)
    np.testing.assert_allclose(nn.binary_cross_entropy(z, o, t), textbook, rtol=1e-13)
    s = nn.softmax(z)
    np.testing.assert_allclose(nn.cross_entropy(z, s, t), -(t * np.log(s)).sum(axis=-1), rtol=1e-13)
    # A confidently wrong output: o rounds to exactly 1, yet the loss is the true ~800.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        big = np.array([[800.0, -800.0]])
        assert nn.binary_cross_entropy(big, nn.sigmoid(big), np.array([[0.0, 1.0]]))[0] == pytest.approx(1600.0)
        assert nn.cross_entropy(big, nn.softmax(big), np.array([[0.0, 1.0]]))[0] == pytest.approx(1600.0)


def test_one_neuron_loss_and_gradient_by_hand():
    # o = sigma(w x + b), E = 1/2 (t - o)^2, summed over two samples.
    # dE/dw = sum (o - t) o (1 - o) x ;  dE/db = sum (o - t) o (1 - o)
    w, b = 0.8, -0.3
    xs, ts = [1.5, -0.5], [0.2, 0.9]
    E = dw = db = 0.0
    for x, t in zip(xs, ts):
        o = sig(w * x + b)
        E += 0.5 * (t - o) ** 2
        dw += (o - t) * o * (1 - o) * x
        db += (o - t) * o * (1 - o)
    net = NetSpec((1, 1), ("sigmoid",))
    params = {"W1": np.array([[w]]), "b1": np.array([b])}
    X, T = np.array([[1.5], [-0.5]]), np.array([[0.2], [0.9]])
    z, a = forward(net, params, X)
    grads, _ = backward(net, params, z, a, T)
    assert float(loss_value(net, z, a, T)) == pytest.approx(E, rel=1e-14)
    assert grads["W1"][0, 0] == pytest.approx(dw, rel=1e-13)
    assert grads["b1"][0] == pytest.approx(db, rel=1e-13)
    # reduction "mean" halves both (two samples).
    mean = NetSpec((1, 1), ("sigmoid",), reduction="mean")
    g_mean, _ = backward(mean, params, z, a, T)
    assert float(loss_value(mean, z, a, T)) == pytest.approx(E / 2, rel=1e-14)
    assert g_mean["W1"][0, 0] == pytest.approx(dw / 2, rel=1e-13)


def test_one_weight_linear_in_whole_numbers():
    # E = 1/2 (5 - 3*1)^2 = 2, dE/dw = (3 - 5) * 1 = -2
    net = NetSpec((1, 1), ("linear",))
    params = {"W1": np.array([[3.0]]), "b1": np.array([0.0])}
    z, a = forward(net, params, np.array([[1.0]]))
    grads, _ = backward(net, params, z, a, np.array([[5.0]]))
    assert float(loss_value(net, z, a, np.array([[5.0]]))) == 2.0
    assert grads["W1"][0, 0] == -2.0


def test_a_unit_feeding_two_outputs_adds_both_paths():
    # x -> h = sigma(w x + b1) -> o_k = sigma(v_k h + c_k), k = 1, 2;  E = 1/2 sum_k (t_k - o_k)^2
    # dE/dw = [(o1 - t1) o1 (1-o1) v1 + (o2 - t2) o2 (1-o2) v2] * h (1 - h) * x
    x, w, b1 = 0.7, 0.4, 0.1
    v, c, t = [0.9, -1.3], [0.2, -0.1], [0.05, 0.95]
    h = sig(w * x + b1)
    o = [sig(v[k] * h + c[k]) for k in range(2)]
    blame = [(o[k] - t[k]) * o[k] * (1 - o[k]) * v[k] for k in range(2)]
    both_paths = (blame[0] + blame[1]) * h * (1 - h) * x
    one_path = blame[0] * h * (1 - h) * x  # the classic mistake: forgetting o2's path

    net = NetSpec((1, 1, 2), ("sigmoid", "sigmoid"))
    params = {"W1": np.array([[w]]), "b1": np.array([b1]), "W2": np.array([[v[0]], [v[1]]]), "b2": np.array(c)}
    X, T = np.array([[x]]), np.array([t])
    z, a = forward(net, params, X)
    grads, _ = backward(net, params, z, a, T)
    assert grads["W1"][0, 0] == pytest.approx(both_paths, rel=1e-13)
    check = gradcheck(net, params, X, T)
    assert check.numeric["W1"][0, 0] == pytest.approx(both_paths, rel=1e-9)
    assert check.max_rel_error < 1e-8
    # The single-path value is really different, so the test above can fail.
    assert abs(one_path - both_paths) > 0.5 * abs(both_paths)
    assert abs(check.numeric["W1"][0, 0] - one_path) > 0.5 * abs(both_paths)


def test_member_axis_gives_the_same_numbers_as_separate_networks():
    net = NetSpec((3, 4, 2), ("tanh", "sigmoid"))
    X = np.random.default_rng(0).normal(size=(5, 3))
    T = np.random.default_rng(1).random((5, 2))
    each = [init_params(net, InitSpec(), seed=s) for s in (1, 2, 3)]
    stacked = {k: np.stack([p[k] for p in each]) for k in each[0]}
    z, a = forward(net, stacked, X)
    grads, _ = backward(net, stacked, z, a, T)
    E = loss_value(net, z, a, T)
    for m, p in enumerate(each):
        zm, am = forward(net, p, X)
        gm, _ = backward(net, p, zm, am, T)
        assert E[m] == pytest.approx(float(loss_value(net, zm, am, T)), rel=1e-14)
        for k in gm:
            np.testing.assert_allclose(grads[k][m], gm[k], rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("kwargs, message", [
    (dict(sizes=(2, 3, 1), activations=("softmax", "sigmoid")), "softmax is only allowed on the output layer"),
    (dict(sizes=(2, 2), activations=("sigmoid",), loss="cross_entropy"), "cross_entropy needs a softmax output layer"),
    (dict(sizes=(2, 1), activations=("tanh",), loss="binary_cross_entropy"), "binary_cross_entropy needs a sigmoid output"),
    (dict(sizes=(2, 2), activations=("softmax",)), "a softmax output layer needs the cross_entropy loss"),
    (dict(sizes=(2, 2), activations=("sigmod",)), "unknown activation 'sigmod'"),
    (dict(sizes=(2, 2, 1), activations=("sigmoid",)), "2 layer(s) need 2 activation(s), got 1"),
    (dict(sizes=(2, 1), activations=("linear",), reduction="avg"), "reduction must be 'sum' or 'mean'"),
])
def test_netspec_rejects_nonsense(kwargs, message):
    with pytest.raises(ValueError) as err:
        NetSpec(**kwargs)
    assert message in str(err.value)


def test_explicit_weights_are_checked_with_clear_messages():
    net = NetSpec((2, 2, 1), ("sigmoid", "sigmoid"))
    with pytest.raises(ValueError, match=r"W1 must be a 2 x 2 matrix .* \(shape \[2, 2\]\), got shape \[2, 3\]"):
        init_params(net, InitSpec(weights={"W1": [[1, 2, 3], [4, 5, 6]]}))
    with pytest.raises(ValueError, match=r"b2 must be a list of 1 \(shape \[1\]\), got a single number"):
        init_params(net, InitSpec(weights={"b2": 0.5}))
    with pytest.raises(ValueError, match=r"W1 must be a 2 x 2 matrix .* of numbers"):
        init_params(net, InitSpec(weights={"W1": [[1, 2], [3]]}))
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) W3; this network has W1, b1, W2, b2"):
        init_params(net, InitSpec(weights={"W3": [[1.0]]}))


def test_seeded_schemes_are_reproducible_and_scaled():
    net = NetSpec((30, 20, 10), ("tanh", "linear"))
    a = init_params(net, InitSpec(scheme="xavier", seed=7))
    b = init_params(net, InitSpec(scheme="xavier", seed=7))
    c = init_params(net, InitSpec(scheme="xavier", seed=8))
    assert all(a[k].tobytes() == b[k].tobytes() for k in a)
    assert a["W1"].tobytes() != c["W1"].tobytes()
    assert np.abs(a["W1"]).max() <= math.sqrt(6 / 50) and np.abs(a["W1"]).max() > 0.9 * math.sqrt(6 / 50)
    assert not a["b1"].any() and not a["b2"].any()
    he = init_params(NetSpec((400, 300, 1), ("relu", "linear")), InitSpec(scheme="he", distribution="normal", seed=1))
    assert he["W1"].std() == pytest.approx(math.sqrt(2 / 400), rel=0.02)
    uni = init_params(net, InitSpec(scheme="uniform", scale=0.5, seed=1))
    assert 0.45 < np.abs(uni["W1"]).max() <= 0.5
    # Explicit biases with seeded weights.
    mixed = init_params(net, InitSpec(weights={"b1": np.ones(20)}, seed=7))
    assert (mixed["b1"] == 1).all() and mixed["W1"].tobytes() == a["W1"].tobytes()
