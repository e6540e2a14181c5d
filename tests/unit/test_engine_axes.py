"""Sweeps over any axis (engine.sweep_members / train_members): every member equals the same
network trained alone with engine.train, written out by hand here; members come in the
documented order (dataset, hidden, activation, init_scheme, init_scale, eta, seed)."""
from __future__ import annotations

import importlib
import itertools

import numpy as np
import pytest
from test_engine_sweep import assert_same_trace

from site_builder import engine
from site_builder.engine import Dataset, InitSpec, NetSpec, RecordSpec, TrainConfig, train, train_members

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_T = np.array([[0], [1], [1], [0]], dtype=float)
AND_T = np.array([[0], [0], [0], [1]], dtype=float)

BASE = NetSpec((2, 3, 1), ("tanh", "sigmoid"), "binary_cross_entropy", "mean")


def base_cfg(**kw) -> TrainConfig:
    args = dict(X=XOR_X, T=XOR_T, eta=0.7, steps=60, frozen=frozenset({"b2"}), stop_loss_below=0.3,
                init=InitSpec(scheme="xavier", seed=2), record=RecordSpec(every_until=20, then_every=7, detail_steps=(0, 3)))
    args.update(kw)
    return TrainConfig(**args)


def alone(net: NetSpec, cfg: TrainConfig, **changes) -> engine.Trace:
    return train(net, TrainConfig(**{**cfg.__dict__, **changes}))


def sweep(axes: dict, cfg=None, net=BASE) -> list[engine.Trace]:
    cfg = cfg or base_cfg()
    return train_members(net, cfg, engine.sweep_members(net, cfg, axes))


def same_run(a, b):
    """Everything but the label and axes (which name the sweep's axes) is the same."""
    assert_same_trace(a, b) if a.label == b.label else assert_same_trace(
        a, type(b)(**{**b.__dict__, "label": a.label}))
    np.testing.assert_array_equal(a.signs["W1"], b.signs["W1"])


def test_init_scales_equal_runs_alone():
    cfg = base_cfg()
    traces = sweep({"init_scale": [0.1, 1.0, 3.0], "seed": [0, 1]}, cfg)
    assert [(t.axes["init_scale"], t.seed) for t in traces] == list(itertools.product([0.1, 1.0, 3.0], [0, 1]))
    for tr in traces:
        one = alone(BASE, cfg, init=InitSpec(scheme="xavier", scale=tr.axes["init_scale"], seed=tr.seed))
        same_run(tr, one)
    assert traces[0].label == "init_scale=0.1 eta=0.7 seed=0"
    assert traces[0].axes == {"init_scale": 0.1, "eta": 0.7, "seed": 0}


def test_init_schemes_equal_runs_alone():
    cfg = base_cfg()
    traces = sweep({"init_scheme": ["uniform", "normal", "xavier", "he"], "eta": [0.5, 2.0]}, cfg)
    assert [(t.axes["init_scheme"], t.eta) for t in traces] == list(itertools.product(["uniform", "normal", "xavier", "he"], [0.5, 2.0]))
    for tr in traces:
        same_run(tr, alone(BASE, cfg, eta=tr.eta, init=InitSpec(scheme=tr.axes["init_scheme"], seed=2)))
    first_w = {t.axes["init_scheme"]: t.params["W1"][0] for t in traces}
    assert not np.array_equal(first_w["uniform"], first_w["he"])  # the scheme did change the start


def test_activations_equal_runs_alone():
    cfg = base_cfg()
    traces = sweep({"activation": ["sigmoid", "relu", "linear"], "seed": [4, 5]}, cfg)
    written = {"sigmoid": NetSpec((2, 3, 1), ("sigmoid", "sigmoid"), "binary_cross_entropy", "mean"),
               "relu": NetSpec((2, 3, 1), ("relu", "sigmoid"), "binary_cross_entropy", "mean"),
               "linear": NetSpec((2, 3, 1), ("linear", "sigmoid"), "binary_cross_entropy", "mean")}
    assert [(t.axes["activation"], t.seed) for t in traces] == list(itertools.product(["sigmoid", "relu", "linear"], [4, 5]))
    for tr in traces:
        assert tr.net == written[tr.axes["activation"]]
        same_run(tr, alone(written[tr.axes["activation"]], cfg, init=InitSpec(scheme="xavier", seed=tr.seed)))


def test_hidden_sizes_equal_runs_alone():
    """Depth and width; every hidden layer takes the base network's first activation (tanh)."""
    cfg = base_cfg()
    traces = sweep({"hidden": [[4], [3, 3], [2, 2, 2, 2, 2], []], "eta": [0.3, 1.0]}, cfg)
    written = [NetSpec((2, 4, 1), ("tanh", "sigmoid"), "binary_cross_entropy", "mean"),
               NetSpec((2, 3, 3, 1), ("tanh", "tanh", "sigmoid"), "binary_cross_entropy", "mean"),
               NetSpec((2, 2, 2, 2, 2, 2, 1), ("tanh",) * 5 + ("sigmoid",), "binary_cross_entropy", "mean"),
               NetSpec((2, 1), ("sigmoid",), "binary_cross_entropy", "mean")]
    assert [t.net for t in traces] == [n for n in written for _ in range(2)]
    assert [t.axes["hidden"] for t in traces] == [[4], [4], [3, 3], [3, 3], [2] * 5, [2] * 5, [], []]
    assert traces[2].label == "hidden=3x3 eta=0.3 seed=2" and traces[6].label == "hidden=none eta=0.3 seed=2"
    for tr in traces:
        same_run(tr, alone(tr.net, cfg, eta=tr.eta))
        assert set(tr.params) == set(tr.net.param_shapes())


def test_hidden_with_activations():
    cfg = base_cfg()
    traces = sweep({"hidden": [[2], [2, 2]], "activation": ["relu", "sigmoid"]}, cfg)
    assert [t.net.activations for t in traces] == [("relu", "sigmoid"), ("sigmoid", "sigmoid"),
                                                   ("relu", "relu", "sigmoid"), ("sigmoid", "sigmoid", "sigmoid")]
    for tr in traces:
        same_run(tr, alone(tr.net, cfg))


def test_datasets_equal_runs_alone():
    cfg = base_cfg(stop_loss_below=None)
    moons_X = np.array([[0.1, 0.9], [1.2, -0.3], [-0.4, 0.2], [0.8, 0.8], [0.0, -1.0]])
    moons_T = np.array([[1], [0], [1], [0], [1]], dtype=float)
    data = [Dataset(XOR_X, XOR_T, "xor"), Dataset(XOR_X, AND_T, "and", output_labels=("yes",)),
            Dataset(moons_X, moons_T, {"generator": "moons", "noise": 0.2})]
    traces = sweep({"dataset": data, "seed": [0, 1]}, cfg)
    assert [t.axes["dataset"] for t in traces] == ["xor", "xor", "and", "and"] + [{"generator": "moons", "noise": 0.2}] * 2
    assert traces[4].label == "dataset=moons(noise=0.2) eta=0.7 seed=0"
    for tr, d in zip(traces, [d for d in data for _ in range(2)]):
        assert tr.X.tobytes() == d.X.tobytes() and tr.T.tobytes() == d.T.tobytes()
        same_run(tr, alone(BASE, cfg, X=d.X, T=d.T, init=InitSpec(scheme="xavier", seed=tr.seed)))
    assert traces[2].output_labels == ["yes"] and traces[0].output_labels is None


def test_full_order_and_every_member():
    """All axes at once: the product in AXES order, each member as trained alone."""
    cfg = base_cfg(steps=15, stop_loss_below=None, record=RecordSpec())
    axes = {"seed": [0, 1], "eta": [0.5, 1.5], "init_scale": [0.5, 1.0], "init_scheme": ["uniform", "he"],
            "activation": ["tanh", "relu"], "hidden": [[2], [2, 2]],
            "dataset": [Dataset(XOR_X, XOR_T, "xor"), Dataset(XOR_X, AND_T, "and")]}
    traces = sweep(axes, cfg)
    order = ["dataset", "hidden", "activation", "init_scheme", "init_scale", "eta", "seed"]
    expected = list(itertools.product(["xor", "and"], [[2], [2, 2]], ["tanh", "relu"], ["uniform", "he"], [0.5, 1.0],
                                      [0.5, 1.5], [0, 1]))
    assert [tuple(t.axes[k] for k in order) for t in traces] == expected
    assert all(list(t.axes) == order for t in traces)
    for tr, (ds, hidden, act, scheme, scale, eta, seed) in zip(traces, expected):
        net = NetSpec((2, *hidden, 1), (act,) * len(hidden) + ("sigmoid",), "binary_cross_entropy", "mean")
        T = XOR_T if ds == "xor" else AND_T
        same_run(tr, alone(net, cfg, T=T, eta=eta, init=InitSpec(scheme=scheme, scale=scale, seed=seed)))


def test_groups_train_in_one_batch_each(monkeypatch):
    """Scale, scheme, eta and seed share one batched run; each hidden size is its own."""
    train_module = importlib.import_module("site_builder.engine.train")  # (engine.train is the function)
    calls = []
    real = train_module._train_group
    monkeypatch.setattr(train_module, "_train_group", lambda net, cfg, X, T, members: calls.append((net.sizes, len(members))) or real(net, cfg, X, T, members))
    sweep({"hidden": [[2], [3]], "init_scale": [0.5, 1.0], "init_scheme": ["uniform", "he"], "eta": [0.1, 1.0], "seed": [0, 1, 2]})
    assert calls == [((2, 2, 1), 24), ((2, 3, 1), 24)]


def test_learning_rates_and_seeds_unchanged():
    """train_sweep is the eta x seed product, eta-major, exactly as before."""
    cfg = base_cfg()
    a = engine.train_sweep(BASE, cfg, [0.2, 2.0], [3, 1])
    b = sweep({"eta": [0.2, 2.0], "seed": [3, 1]}, cfg)
    assert [(t.eta, t.seed) for t in a] == [(0.2, 3), (0.2, 1), (2.0, 3), (2.0, 1)]
    for x, y in zip(a, b):
        assert x.label == y.label and x.axes == y.axes == {"eta": x.eta, "seed": x.seed}
        assert x.loss.tobytes() == y.loss.tobytes()


@pytest.mark.parametrize("axes, message", [
    ({"hiden": [[2]]}, "unknown sweep axis 'hiden'"),
    ({"hidden": []}, "the sweep axis 'hidden' has no values"),
    ({"hidden": [[2, 0]]}, "hidden layer sizes are a list of whole numbers >= 1"),
    ({"activation": ["softmax"]}, "'softmax' cannot be a hidden activation"),
    ({"init_scheme": ["glorot"]}, "unknown init scheme 'glorot'"),
    ({"init_scale": [-1.0]}, "an initial scale must be a finite number >= 0"),
    ({"eta": [float("nan")]}, "the learning rate must be a finite number >= 0"),
])
def test_bad_axes(axes, message):
    with pytest.raises(ValueError, match=message):
        engine.sweep_members(BASE, base_cfg(), axes)


def test_no_hidden_layer_to_copy():
    flat_net = NetSpec((2, 1), ("sigmoid",))
    with pytest.raises(ValueError, match="no hidden layer"):
        engine.sweep_members(flat_net, base_cfg(), {"hidden": [[3]]})
    members = engine.sweep_members(flat_net, base_cfg(), {"hidden": [[3]], "activation": ["relu"]})
    assert members[0].net.activations == ("relu", "sigmoid")


def test_labels_must_fit_the_network():
    cfg = base_cfg(input_labels=("x1", "x2"), output_labels=("odd",))
    tr = train(BASE, cfg)
    assert tr.input_labels == ["x1", "x2"] and tr.output_labels == ["odd"]
    with pytest.raises(ValueError, match="3 input label"):
        train(BASE, base_cfg(input_labels=("a", "b", "c")))
