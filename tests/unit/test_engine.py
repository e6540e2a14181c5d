"""train(): the worked example to the last digit, what a record means, thinning, stop rules,
divergence as data, frozen parameters, optimisers, unit health, determinism."""
from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest

from site_builder.engine import InitSpec, NetSpec, RecordSpec, TrainConfig, gradcheck, train
from site_builder.engine.train import count_correct, record_schedule

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_T = np.array([[0], [1], [1], [0]], dtype=float)

# The classic 2-2-2 worked example. W1 = [[w1, w2], [w3, w4]], W2 = [[w5, w6], [w7, w8]].
WORKED = {"W1": [[0.15, 0.20], [0.25, 0.30]], "b1": [0.35, 0.35], "W2": [[0.40, 0.45], [0.50, 0.55]], "b2": [0.60, 0.60]}
WORKED_NET = NetSpec((2, 2, 2), ("sigmoid", "sigmoid"), "squared_error", "sum")


def worked_config(steps=1, **record):
    return TrainConfig(X=np.array([[0.05, 0.10]]), T=np.array([[0.01, 0.99]]), eta=0.5, steps=steps,
                       frozen=frozenset({"b1", "b2"}), init=InitSpec(weights=WORKED), record=RecordSpec(**record))


def by_hand(w, steps):
    """The worked example in scalar arithmetic, written out as on paper (no numpy)."""
    x1, x2, t1, t2, b1, b2, eta = 0.05, 0.10, 0.01, 0.99, 0.35, 0.60, 0.5
    sig = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    history = []
    for _ in range(steps + 1):
        w1, w2, w3, w4, w5, w6, w7, w8 = w
        h1, h2 = sig(w1 * x1 + w2 * x2 + b1), sig(w3 * x1 + w4 * x2 + b1)
        o1, o2 = sig(w5 * h1 + w6 * h2 + b2), sig(w7 * h1 + w8 * h2 + b2)
        E = 0.5 * (t1 - o1) ** 2 + 0.5 * (t2 - o2) ** 2
        d_o1, d_o2 = (o1 - t1) * o1 * (1 - o1), (o2 - t2) * o2 * (1 - o2)
        d_h1 = (d_o1 * w5 + d_o2 * w7) * h1 * (1 - h1)  # h1 feeds o1 (w5) and o2 (w7)
        d_h2 = (d_o1 * w6 + d_o2 * w8) * h2 * (1 - h2)
        g = [d_h1 * x1, d_h1 * x2, d_h2 * x1, d_h2 * x2, d_o1 * h1, d_o1 * h2, d_o2 * h1, d_o2 * h2]
        history.append(dict(E=E, h=(h1, h2), o=(o1, o2), delta=((d_h1, d_h2), (d_o1, d_o2)), w=list(w), g=g))
        w = [wi - eta * gi for wi, gi in zip(w, g)]
    return history


W0 = [0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55]


def flat_weights(trace, k):
    return list(trace.params["W1"][k].ravel()) + list(trace.params["W2"][k].ravel())


def test_worked_example_first_step_to_the_last_digit():
    hand = by_hand(W0, 1)
    tr = train(WORKED_NET, worked_config(steps=1, detail_steps=(0,)))
    assert tr.loss[0] == pytest.approx(hand[0]["E"], rel=1e-14)
    assert round(tr.loss[0], 9) == 0.298371109  # the published figure
    np.testing.assert_allclose(tr.grads["W1"][0].ravel(), hand[0]["g"][:4], rtol=1e-12)
    np.testing.assert_allclose(tr.grads["W2"][0].ravel(), hand[0]["g"][4:], rtol=1e-12)
    np.testing.assert_allclose(flat_weights(tr, 1), hand[1]["w"], rtol=1e-14)
    assert tr.params["W2"][1][0, 0] == pytest.approx(0.35891648, abs=5e-9)  # w5+ as published
    assert tr.params["W1"][1][0, 0] == pytest.approx(0.149780716, abs=5e-10)  # w1+ as published
    # After one update, exact arithmetic gives 0.291027774; the often-quoted 0.291027924
    # comes from carrying rounded intermediate values.
    assert tr.loss[1] == pytest.approx(hand[1]["E"], rel=1e-14)
    assert round(tr.loss[1], 9) == 0.291027774
    # Detail of step 0: every term of the chain rule.
    d = tr.detail[0]
    assert d["samples"] == [0]
    np.testing.assert_allclose(d["a"][0], [[0.05, 0.10]])
    np.testing.assert_allclose(d["z"][0], [[0.3775, 0.3925]], rtol=1e-14)
    np.testing.assert_allclose(d["a"][1], [hand[0]["h"]], rtol=1e-14)
    np.testing.assert_allclose(d["a"][2], [hand[0]["o"]], rtol=1e-14)
    np.testing.assert_allclose(d["delta"][0], [hand[0]["delta"][0]], rtol=1e-12)
    np.testing.assert_allclose(d["delta"][1], [hand[0]["delta"][1]], rtol=1e-13)
    assert round(d["a"][1][0, 0], 9) == 0.593269992 and round(d["a"][2][0, 0], 9) == 0.751365070


def test_worked_example_after_ten_thousand_updates():
    hand = by_hand(W0, 10_000)
    tr = train(WORKED_NET, worked_config(steps=10_000, every_until=100, then_every=10))
    assert tr.last_step == 10_000 and tr.stopped == "steps"
    np.testing.assert_allclose(tr.outputs[-1][0], hand[-1]["o"], rtol=1e-10)
    assert tr.loss[-1] == pytest.approx(hand[-1]["E"], rel=1e-9)
    assert round(tr.outputs[-1][0, 0], 4) == 0.0159 and round(tr.outputs[-1][0, 1], 4) == 0.9841
    assert tr.loss[-1] == pytest.approx(3.5102e-05, rel=1e-4)
    # Biases were never updated, in any record.
    assert (tr.params["b1"] == 0.35).all() and (tr.params["b2"] == 0.60).all()
    assert tr.grads["b1"][0].any()  # ... although their gradient is not zero


def xor_config(**kw):
    if "epochs" not in kw:
        kw.setdefault("steps", 50)
    kw.setdefault("X", XOR_X)
    kw.setdefault("T", XOR_T)
    kw.setdefault("frozen", frozenset())
    kw.setdefault("init", InitSpec(seed=3))
    return TrainConfig(**kw)


XOR_NET = NetSpec((2, 2, 1), ("sigmoid", "sigmoid"))


def test_record_k_is_the_state_before_update_k_plus_1():
    tr = train(XOR_NET, xor_config(eta=2.0, steps=30))
    assert tr.steps.tolist() == list(range(31)) and tr.steps.dtype == np.int64
    for k in range(30):
        for name in tr.params:
            np.testing.assert_allclose(tr.params[name][k + 1], tr.params[name][k] - 2.0 * tr.grads[name][k], rtol=1e-15, atol=1e-16)
    # grads[k] is the gradient at params[k], loss[k] and outputs[k] are computed with them.
    params5 = {name: tr.params[name][5] for name in tr.params}
    check = gradcheck(XOR_NET, params5, XOR_X, XOR_T)
    for name in tr.grads:
        np.testing.assert_allclose(tr.grads[name][5], check.analytic[name], rtol=1e-14, atol=1e-17)
    o = 1 / (1 + np.exp(-(1 / (1 + np.exp(-(XOR_X @ params5["W1"].T + params5["b1"]))) @ params5["W2"].T + params5["b2"])))
    np.testing.assert_allclose(tr.outputs[5], o, rtol=1e-14)
    assert tr.loss[5] == pytest.approx(0.5 * ((XOR_T - o) ** 2).sum(), rel=1e-14)
    assert tr.epochs.tolist() == list(map(float, range(31)))
    assert tr.correct.tolist() == count_correct(tr.outputs, XOR_T).tolist()


def test_thinning_keeps_first_and_last():
    assert record_schedule(10, RecordSpec()).tolist() == list(range(11))
    assert record_schedule(1234, RecordSpec(every_until=5, then_every=100)).tolist() == (
        list(range(6)) + list(range(100, 1201, 100)) + [1234])
    tr = train(XOR_NET, xor_config(eta=1.0, steps=997, record=RecordSpec(every_until=20, then_every=50)))
    assert tr.steps[0] == 0 and tr.steps[-1] == 997
    assert tr.steps.tolist() == list(range(21)) + list(range(50, 951, 50)) + [997]
    assert len(tr.loss) == len(tr.outputs) == len(tr.params["W1"]) == len(tr.grads["b2"]) == len(tr.correct) == len(tr.steps)
    full = train(XOR_NET, xor_config(eta=1.0, steps=997))
    np.testing.assert_array_equal(full.params["W1"][tr.steps], tr.params["W1"])
    assert tr.at(0) == 0 and tr.at(950) == len(tr.steps) - 2 and tr.at("last") == len(tr.steps) - 1
    with pytest.raises(KeyError, match="step 21 was not recorded"):
        tr.at(21)


def test_frozen_parameters_never_change():
    tr = train(XOR_NET, xor_config(eta=1.0, steps=200, frozen=frozenset({"W1", "b2"}), init=InitSpec(seed=1)))
    assert (tr.params["W1"] == tr.params["W1"][0]).all() and (tr.params["b2"] == tr.params["b2"][0]).all()
    assert not (tr.params["W2"] == tr.params["W2"][0]).all() and not (tr.params["b1"] == 0).all()


def test_nothing_is_frozen_by_default_and_unknown_names_are_ignored():
    cfg = TrainConfig(X=XOR_X, T=XOR_T, steps=5, init=InitSpec(seed=1))
    assert cfg.frozen == frozenset()
    assert (train(NetSpec((2, 1), ("sigmoid",)), cfg).params["b1"][-1] != 0).all()
    cfg = TrainConfig(X=XOR_X, T=XOR_T, steps=5, init=InitSpec(seed=1), frozen=frozenset({"b1", "b2"}))
    tr = train(NetSpec((2, 1), ("sigmoid",)), cfg)  # one layer: b2 does not exist, b1 stays 0
    assert (tr.params["b1"] == 0).all() and (tr.params["W1"][-1] != tr.params["W1"][0]).all()


def test_divergence_is_data_not_an_exception():
    net = NetSpec((2, 8, 1), ("relu", "linear"))
    cfg = xor_config(eta=50.0, steps=500, init=InitSpec(scheme="he", seed=2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any RuntimeWarning fails the test
        tr = train(net, cfg)
    assert tr.stopped == "diverged" and tr.diverged
    assert tr.diverged_at == tr.steps[-1] < 500
    assert re.fullmatch(r"(loss|[Wb]\d) is (NaN|infinite)", tr.diverged_reason)
    assert np.isfinite(tr.loss[:-1]).all()
    last = [tr.loss[-1]] + [tr.params[k][-1] for k in tr.params]
    assert not all(np.isfinite(v).all() for v in last)
    assert "diverged at step" in repr(tr)


def test_stop_rules():
    tr = train(XOR_NET, xor_config(eta=5.0, steps=20000, stop_loss_below=0.05, init=InitSpec(seed=1)))
    assert tr.stopped == "loss_below" and tr.loss[-1] < 0.05 <= tr.loss[-2]
    assert tr.last_step < 20000 and tr.diverged_at is None
    tr = train(XOR_NET, xor_config(eta=5.0, steps=20000, stop_all_correct=True, init=InitSpec(seed=1)))
    assert tr.stopped == "all_correct" and tr.correct[-1] == 4 and tr.correct[-2] < 4
    tr = train(XOR_NET, xor_config(eta=0.1, epochs=7))
    assert tr.stopped == "epochs" and tr.last_step == 7


def test_correct_counts_threshold_and_argmax():
    T1 = np.array([[0.0], [1.0], [1.0]])
    assert count_correct(np.array([[0.2], [0.5], [0.4]]), T1) == 2
    T2 = np.array([[1, 0, 0], [0, 0, 1]], dtype=float)
    assert count_correct(np.array([[0.5, 0.3, 0.2], [0.6, 0.1, 0.3]]), T2) == 1
    stacked = np.array([[[0.9], [0.9], [0.9]], [[0.1], [0.9], [0.9]]])
    assert count_correct(stacked, T1).tolist() == [2, 3]


def test_same_seed_gives_byte_identical_traces():
    def run(seed):
        cfg = xor_config(eta=1.0, steps=300, batch_size=2, shuffle_seed=5, init=InitSpec(scheme="he", distribution="normal", seed=seed),
                         record=RecordSpec(every_until=50, then_every=25, detail_steps=(0, 10), detail_samples=(1, 3)))
        return train(NetSpec((2, 3, 1), ("tanh", "sigmoid"), "binary_cross_entropy", "mean"), cfg)

    a, b, c = run(4), run(4), run(5)

    def arrays(tr):
        out = [tr.steps, tr.epochs, tr.loss, tr.outputs, tr.correct, *tr.dead, *tr.saturated]
        out += [tr.params[k] for k in sorted(tr.params)] + [tr.grads[k] for k in sorted(tr.grads)]
        for s in sorted(tr.detail):
            out += tr.detail[s]["z"] + tr.detail[s]["a"] + tr.detail[s]["delta"]
        return out

    assert len(arrays(a)) == len(arrays(b))
    assert all(x.tobytes() == y.tobytes() for x, y in zip(arrays(a), arrays(b)))
    assert (a.label, a.stopped, sorted(a.detail)) == (b.label, b.stopped, [0, 10])
    assert a.params["W1"].tobytes() != c.params["W1"].tobytes()


def test_momentum_follows_its_equations():
    eta, mu = 0.8, 0.9
    tr = train(XOR_NET, xor_config(eta=eta, steps=40, optimizer="momentum", momentum=mu))
    v = {k: np.zeros_like(p[0]) for k, p in tr.params.items()}
    for k in range(40):
        for name in tr.params:
            v[name] = mu * v[name] - eta * tr.grads[name][k]
            np.testing.assert_allclose(tr.params[name][k + 1], tr.params[name][k] + v[name], rtol=1e-13, atol=1e-15)
    plain = train(XOR_NET, xor_config(eta=eta, steps=40))
    no_mu = train(XOR_NET, xor_config(eta=eta, steps=40, optimizer="momentum", momentum=0.0))
    np.testing.assert_allclose(no_mu.params["W1"], plain.params["W1"], rtol=1e-14)
    assert not np.allclose(tr.params["W1"][-1], plain.params["W1"][-1])


def test_one_batch_of_everything_is_full_batch():
    full = train(XOR_NET, xor_config(eta=2.0, steps=100))
    batch = train(XOR_NET, xor_config(eta=2.0, steps=100, batch_size=4))
    for name in full.params:
        np.testing.assert_allclose(batch.params[name], full.params[name], rtol=1e-12, atol=1e-14)


def test_one_sample_at_a_time_uses_the_seeded_shuffle():
    net = NetSpec((2, 2, 1), ("tanh", "linear"))
    tr = train(net, xor_config(eta=0.1, epochs=3, batch_size=1, shuffle_seed=11))
    assert tr.last_step == 12 and tr.epochs.tolist() == [s / 4 for s in range(13)]
    rng = np.random.default_rng(11)
    p = {k: v[0].copy() for k, v in tr.params.items()}
    for epoch in range(3):
        for i in rng.permutation(4):
            x, t = XOR_X[i], XOR_T[i]
            h = np.tanh(p["W1"] @ x + p["b1"])
            o = p["W2"] @ h + p["b2"]
            d_o = o - t
            d_h = (p["W2"].T @ d_o) * (1 - h * h)
            p = {"W1": p["W1"] - 0.1 * np.outer(d_h, x), "b1": p["b1"] - 0.1 * d_h,
                 "W2": p["W2"] - 0.1 * np.outer(d_o, h), "b2": p["b2"] - 0.1 * d_o}
    for name in p:
        np.testing.assert_allclose(tr.params[name][-1], p[name], rtol=1e-13, atol=1e-15)
    # Records still hold the full-data loss and gradient.
    params = {k: v[6] for k, v in tr.params.items()}
    np.testing.assert_allclose(tr.grads["W1"][6], gradcheck(net, params, XOR_X, XOR_T).analytic["W1"], rtol=1e-13)


def test_mini_batches_make_ceil_n_over_b_steps_per_epoch():
    X = np.random.default_rng(0).normal(size=(10, 2))
    T = (X[:, :1] > 0).astype(float)
    tr = train(XOR_NET, TrainConfig(X=X, T=T, eta=0.5, epochs=4, batch_size=3, frozen=frozenset(), init=InitSpec(seed=1)))
    assert tr.last_step == 16 and tr.epochs[-1] == 4.0 and tr.epochs[4] == 1.0


def test_dead_and_saturated_units():
    net = NetSpec((2, 3, 1), ("relu", "sigmoid"))
    # Unit 2 (index 1) has z = -x1 - x2 - 1 < 0 on every XOR input: dead from the start.
    weights = {"W1": [[1.0, 1.0], [-1.0, -1.0], [0.5, -0.5]], "b1": [0.0, -1.0, 0.1], "W2": [[1.0, 1.0, 1.0]], "b2": [0.0]}
    tr = train(net, xor_config(eta=0.5, steps=100, init=InitSpec(weights=weights)))
    assert tr.dead[0].tolist() == [False, True, False] and tr.dead[1].tolist() == [False]
    assert (tr.params["W1"][:, 1] == tr.params["W1"][0, 1]).all()  # a dead unit learns nothing
    assert tr.seed is None and tr.label == "eta=0.5"
    sat = NetSpec((2, 2, 1), ("sigmoid", "sigmoid"))
    big = {"W1": [[40.0, 40.0], [0.1, 0.2]], "b1": [20.0, 0.0], "W2": [[1.0, 1.0]], "b2": [0.0]}
    tr = train(sat, xor_config(eta=0.1, steps=1, init=InitSpec(weights=big)))
    assert tr.saturated[0].tolist() == [True, False] and tr.saturated[1].tolist() == [False]
    assert tr.dead[0].tolist() == [False, False]


@pytest.mark.parametrize("change, message", [
    (dict(steps=None), "give exactly one of steps and epochs"),
    (dict(steps=5, epochs=3), "give exactly one of steps and epochs"),
    (dict(steps=0), "steps must be a whole number >= 1, got 0"),
    (dict(batch_size=5), "batch_size must be a whole number from 1 to 4"),
    (dict(eta=-0.1), "the learning rate must be a finite number >= 0, got -0.1"),
    (dict(optimizer="adam"), "unknown optimizer 'adam'"),
    (dict(record=RecordSpec(detail_steps=(0,), detail_samples=(4,))), "detail samples [4] do not exist"),
    (dict(T=np.zeros((4, 2))), "the network takes 2 and gives 1"),
])
def test_bad_configurations_raise_clear_errors(change, message):
    with pytest.raises(ValueError) as err:
        train(XOR_NET, xor_config(**change))
    assert message in str(err.value)


def test_cross_entropy_targets_are_checked():
    ce = NetSpec((2, 3, 2), ("relu", "softmax"), "cross_entropy")
    with pytest.raises(ValueError, match="summing to 1 per sample"):
        train(ce, xor_config(T=np.array([[1, 1], [0, 1], [1, 0], [0, 1]], dtype=float)))
    bce = NetSpec((2, 1), ("sigmoid",), "binary_cross_entropy")
    with pytest.raises(ValueError, match="targets between 0 and 1"):
        train(bce, xor_config(T=2 * XOR_T))


def test_repr_is_short_and_informative():
    tr = train(XOR_NET, xor_config(eta=0.5, steps=10))
    text = repr(tr)
    assert len(text) < 200 and "2-2-1" in text and "eta=0.5 seed=3" in text and "11 records" in text
