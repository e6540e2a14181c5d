"""What a Trace records beside the loss and parameters: per-layer gradient norms, per-parameter
update signs, and the loss landscapes (surface over two weights, slice along one). Each is
checked against a computation written out here with plain numpy."""
from __future__ import annotations

import numpy as np
import pytest

from site_builder import engine
from site_builder.engine import InitSpec, NetSpec, RecordSpec, SliceSpec, SurfaceSpec, TrainConfig, train, train_sweep

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_T = np.array([[0], [1], [1], [0]], dtype=float)
NET = NetSpec((2, 2, 1), ("sigmoid", "sigmoid"))  # squared error, sum


def cfg(**kw) -> TrainConfig:
    args = dict(X=XOR_X, T=XOR_T, eta=2.0, steps=40, init=InitSpec(scheme="uniform", seed=3))
    args.update(kw)
    return TrainConfig(**args)


# --- gradient norms ------------------------------------------------------------------------

def test_grad_norms_are_the_norms_of_the_recorded_gradients():
    net = NetSpec((2, 5, 3, 1), ("tanh", "relu", "sigmoid"), "binary_cross_entropy", "mean")
    for tr in train_sweep(net, cfg(record=RecordSpec(every_until=10, then_every=4)), [0.5, 3.0], [0, 1]):
        R = len(tr.steps)
        assert tr.grad_norms.shape == (R, 3) and tr.bias_grad_norms.shape == (R, 3)
        for k in range(R):
            for l in (1, 2, 3):
                np.testing.assert_allclose(tr.grad_norms[k, l - 1], np.linalg.norm(tr.grads[f"W{l}"][k]), rtol=1e-13)
                np.testing.assert_allclose(tr.bias_grad_norms[k, l - 1], np.sqrt(np.sum(tr.grads[f"b{l}"][k] ** 2)), rtol=1e-13)


# --- update signs --------------------------------------------------------------------------

def diff_signs(tr) -> dict:
    """sign(params[k+1] - params[k]) for consecutive records; the last record gets 0."""
    return {k: np.concatenate([np.sign(np.diff(v, axis=0)), np.zeros_like(v[:1])]).astype(np.int8)
            for k, v in tr.params.items()}


def test_signs_full_batch_sgd_are_minus_the_gradient_signs():
    tr = train(NET, cfg())
    for name, s in tr.signs.items():
        assert s.dtype == np.int8 and s.shape == tr.params[name].shape
        np.testing.assert_array_equal(s, diff_signs(tr)[name])
        # Plain gradient descent moves against the gradient (wherever the step is not lost
        # to rounding).
        step = 2.0 * tr.grads[name][:-1]
        visible = np.abs(step) > 1e-12 * np.maximum(1.0, np.abs(tr.params[name][:-1]))
        np.testing.assert_array_equal(s[:-1][visible], -np.sign(tr.grads[name][:-1][visible]))
        assert not s[-1].any()  # no update follows the last record


def test_signs_with_momentum_follow_the_actual_change():
    tr = train(NET, cfg(optimizer="momentum", momentum=0.9, eta=1.0, steps=80))
    for name, s in tr.signs.items():
        np.testing.assert_array_equal(s, diff_signs(tr)[name])
    # Momentum carries parameters on past the point where the gradient turned.
    against = sum(int((tr.signs[k][:-1] == np.sign(tr.grads[k][:-1])).sum()) for k in tr.params)
    assert against > 0


def test_frozen_parameters_never_move():
    tr = train(NET, cfg(frozen=frozenset({"b1", "W2"})))
    assert not tr.signs["b1"].any() and not tr.signs["W2"].any()
    assert tr.signs["W1"][:-1].any()
    np.testing.assert_array_equal(tr.signs["W1"], diff_signs(tr)["W1"])


def test_signs_with_mini_batches():
    tr = train(NET, cfg(batch_size=1, steps=30, eta=0.5))
    for name, s in tr.signs.items():
        np.testing.assert_array_equal(s, diff_signs(tr)[name])


def test_signs_between_thinned_records_are_of_the_very_next_update():
    """With records thinned out, signs[k] is still the move of update steps[k] + 1, as a run
    that records every step sees it."""
    full = train(NET, cfg(steps=60))
    thin = train(NET, cfg(steps=60, record=RecordSpec(every_until=5, then_every=10)))
    assert thin.steps.tolist() == [0, 1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 60]
    for name in thin.params:
        for k, s in enumerate(thin.steps):
            expected = np.sign(full.params[name][s + 1] - full.params[name][s]) if s < 60 else 0
            np.testing.assert_array_equal(thin.signs[name][k], expected)


def test_signs_of_members_that_stop_early():
    """A sweep whose members stop (a stop rule, divergence) at different steps: each member's
    signs match its own parameter differences and end in 0."""
    net = NetSpec((2, 4, 1), ("relu", "linear"))
    c = cfg(steps=200, stop_loss_below=0.05, init=InitSpec(scheme="he", seed=0))
    traces = train_sweep(net, c, [0.02, 0.2, 60.0], [1, 2])
    assert {t.stopped for t in traces} >= {"diverged", "steps"}
    for tr in traces:
        finite = {k: np.isfinite(v).reshape(len(v), -1).all(axis=1) for k, v in tr.params.items()}
        for name, s in tr.signs.items():
            ok = finite[name][:-1] & finite[name][1:]
            np.testing.assert_array_equal(s[:-1][ok], diff_signs(tr)[name][:-1][ok])
            assert not s[-1].any()


# --- surface -------------------------------------------------------------------------------

def hand_loss(W1, b1, W2, b2, X=XOR_X, T=XOR_T):
    """E = 1/2 sum (t - o)^2 of a 2-2-1 sigmoid network, written out."""
    E = 0.0
    for x, t in zip(X, T):
        h = [1 / (1 + np.exp(-(W1[j, 0] * x[0] + W1[j, 1] * x[1] + b1[j]))) for j in range(2)]
        o = 1 / (1 + np.exp(-(W2[0, 0] * h[0] + W2[0, 1] * h[1] + b2[0])))
        E += 0.5 * (t[0] - o) ** 2
    return E


def params_at(tr, k):
    return {name: v[k].copy() for name, v in tr.params.items()}


def test_surface_equals_the_loss_with_the_two_weights_set():
    spec = SurfaceSpec(weights=("W1[0,1]", "W2[0,0]"), range=((-6, 6), (-5, 3)), points=13, at=3)
    tr = train(NET, cfg(record=RecordSpec(surfaces=(spec,))))
    (s,) = tr.surfaces
    assert s.weights == ("W1[0,1]", "W2[0,0]") and s.at == 3 and s.loss.shape == (13, 13)
    np.testing.assert_array_equal(s.u, np.linspace(-6, 6, 13))
    np.testing.assert_array_equal(s.v, np.linspace(-5, 3, 13))
    p = params_at(tr, tr.at(3))
    assert s.centre == (p["W1"][0, 1], p["W2"][0, 0])
    for i, u in enumerate(s.u):
        for j, v in enumerate(s.v):
            W1, W2 = p["W1"].copy(), p["W2"].copy()
            W1[0, 1], W2[0, 0] = u, v
            np.testing.assert_allclose(s.loss[i, j], hand_loss(W1, p["b1"], W2, p["b2"]), rtol=1e-12)


def test_surface_default_range_is_centred_on_the_values_at_step():
    tr = train(NET, cfg())
    k = tr.at("last")
    s = engine.loss_surface(NET, params_at(tr, k), XOR_X, XOR_T, ("b1[1]", "W1[1,0]"), points=9, at=tr.steps[k])
    span = engine.surface.SPAN
    p = params_at(tr, k)
    assert s.u[4] == p["b1"][1] and s.v[4] == p["W1"][1, 0]
    np.testing.assert_allclose([s.u[0], s.u[-1]], [p["b1"][1] - span, p["b1"][1] + span], rtol=1e-14)
    np.testing.assert_allclose(s.loss[4, 4], tr.loss[k], rtol=1e-12)  # the middle is the trained net


def test_surface_of_a_big_grid_in_chunks(monkeypatch):
    monkeypatch.setattr(engine.surface, "CHUNK", 40)  # force many small passes
    tr = train(NET, cfg(steps=5))
    p = params_at(tr, 0)
    s = engine.loss_surface(NET, p, XOR_X, XOR_T, ("W1[0,0]", "W1[1,1]"), range=((-2, 2), (-2, 2)), points=7)
    W1 = p["W1"].copy()
    W1[0, 0], W1[1, 1] = s.u[5], s.v[2]
    np.testing.assert_allclose(s.loss[5, 2], hand_loss(W1, p["b1"], p["W2"], p["b2"]), rtol=1e-12)


# --- slice ---------------------------------------------------------------------------------

def test_slice_loss_and_slope():
    spec = SliceSpec(weight="W1[1,0]", points=81, at=10)  # default range: value at step 10 +- SPAN
    tr = train(NET, cfg(record=RecordSpec(slices=(spec,))))
    (sl,) = tr.slices
    k = tr.at(10)
    p = params_at(tr, k)
    assert sl.weight == "W1[1,0]" and sl.at == 10 and sl.values.shape == sl.loss.shape == sl.slope.shape == (81,)

    def E(w):
        W1 = p["W1"].copy()
        W1[1, 0] = w
        return hand_loss(W1, p["b1"], p["W2"], p["b2"])

    h = 1e-4
    for i in range(0, 81, 8):
        w = sl.values[i]
        np.testing.assert_allclose(sl.loss[i], E(w), rtol=1e-12)
        assert abs(sl.slope[i] - (E(w + h) - E(w - h)) / (2 * h)) <= 1e-6
    # The middle point is the trained network at step 10: its slope is the recorded gradient.
    assert sl.values[40] == p["W1"][1, 0]
    np.testing.assert_allclose(sl.slope[40], tr.grads["W1"][k][1, 0], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(sl.loss[40], tr.loss[k], rtol=1e-12)


def test_slice_slope_is_the_difference_quotient_of_its_own_loss():
    """A narrow slice: the central difference of its losses is its middle slope."""
    tr = train(NET, cfg())
    p = params_at(tr, 0)
    for ref in ("W2[0,1]", "b1[0]", "b2[0]"):
        name, idx = engine.weight_index(ref, NET)
        w = p[name][idx]
        sl = engine.loss_slice(NET, p, XOR_X, XOR_T, ref, range=(w - 1e-4, w + 1e-4), points=3)
        fd = (sl.loss[2] - sl.loss[0]) / (sl.values[2] - sl.values[0])
        assert abs(sl.slope[1] - fd) <= 1e-6
        np.testing.assert_allclose(sl.slope[1], tr.grads[name][0][idx], rtol=1e-6)


def test_landscapes_for_every_member_and_at_last():
    rec = RecordSpec(every_until=5, then_every=5, surfaces=(SurfaceSpec(("W1[0,0]", "W2[0,1]"), points=5, at="last"),),
                     slices=(SliceSpec("b2[0]", range=(-1, 1), points=5, at=20), SliceSpec("W1[0,0]", points=3)))
    traces = train_sweep(NET, cfg(record=rec, stop_loss_below=0.4), [0.5, 30.0], [1])
    for tr in traces:
        assert len(tr.surfaces) == 1 and len(tr.slices) == 2
        assert tr.surfaces[0].at == tr.last_step
        # A member that stopped before step 20 is taken at its last record.
        assert tr.slices[0].at == min(20, tr.last_step) and tr.slices[1].at == 0
        p = params_at(tr, tr.at(tr.slices[0].at))
        b2 = p["b2"].copy()
        b2[0] = tr.slices[0].values[1]
        np.testing.assert_allclose(tr.slices[0].loss[1], hand_loss(p["W1"], p["b1"], p["W2"], b2), rtol=1e-12)
    assert traces[0].surfaces[0].centre != traces[1].surfaces[0].centre


@pytest.mark.parametrize("call, message", [
    (lambda p: engine.loss_surface(NET, p, XOR_X, XOR_T, ("W1[0,0]", "W1[0,0]")), "two different weights"),
    (lambda p: engine.loss_surface(NET, p, XOR_X, XOR_T, ("W3[0,0]", "W1[0,0]")), "this network has no W3"),
    (lambda p: engine.loss_surface(NET, p, XOR_X, XOR_T, ("W1[2,0]", "W1[0,0]")), "outside W1"),
    (lambda p: engine.loss_slice(NET, p, XOR_X, XOR_T, "W1[0]"), "W1 has 2 index"),
    (lambda p: engine.loss_slice(NET, p, XOR_X, XOR_T, "w1"), "not a single weight"),
    (lambda p: engine.loss_slice(NET, p, XOR_X, XOR_T, "b1[0]", range=(2, 1)), "low < high"),
    (lambda p: engine.loss_slice(NET, p, XOR_X, XOR_T, "b1[0]", points=1), "points must be"),
])
def test_landscape_mistakes(call, message):
    tr = train(NET, cfg(steps=2))
    with pytest.raises(ValueError, match=message):
        call(params_at(tr, 0))


def test_weight_offsets():
    flat = engine.FlatParams(NET)
    theta = flat.pack({"W1": np.array([[1.0, 2.0], [3.0, 4.0]]), "b1": np.array([5.0, 6.0]),
                       "W2": np.array([[7.0, 8.0]]), "b2": np.array([9.0])})
    for ref, value in [("W1[0,0]", 1), ("W1[1,0]", 3), ("W1[ 1 , 1 ]", 4), ("b1[1]", 6), ("W2[0,1]", 8), ("b2[0]", 9)]:
        assert theta[flat.offset(ref)] == value
