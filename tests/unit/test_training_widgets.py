"""The training lesson's widget modules: their scenario checks, the number format the bars use,
and the rows of the weight table, on small runs trained here by the engine."""
from __future__ import annotations

import numpy as np
import pytest

from site_builder import engine
from site_builder.widgets import gradient_depth, live_network

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_T = np.array([[0.0], [1.0], [1.0], [0.0]])


def run(sizes=(2, 3, 1), steps=120, every_until=120):
    net = engine.NetSpec(sizes, ("sigmoid",) * (len(sizes) - 1))
    cfg = engine.TrainConfig(XOR_X, XOR_T, eta=2.0, steps=steps, init=engine.InitSpec(seed=1),
                             record=engine.RecordSpec(every_until=every_until, then_every=10))
    return engine.train(net, cfg)


def test_live_network_accepts_one_hidden_layer_with_every_step_to_100():
    assert live_network.check([run()]) is None


@pytest.mark.parametrize("make, words", [
    (lambda: [run(), run()], "one run"),
    (lambda: [run(sizes=(2, 3, 3, 1))], "one hidden layer"),
    (lambda: [run(every_until=50)], "every step recorded"),
])
def test_live_network_says_why_a_scenario_does_not_fit(make, words):
    problem = live_network.check(make())
    assert problem is not None and words in problem


def test_live_network_table_rows_follow_the_parameters():
    tr = run()
    rows = live_network.param_rows(tr.net, ["x1", "x2"])
    assert len(rows) == sum(v[0].size for v in tr.params.values())
    assert rows[0]["what"] == "x₁ → h₁" and rows[1]["what"] == "x₂ → h₁"
    assert rows[6]["what"] == "bias of h₁" and rows[-1]["what"] == "bias of out"
    for r in rows:
        a = tr.params[r["param"]][7]
        want = a[r["i"], r["j"]] if r["j"] is not None else a[r["i"]]
        assert live_network.value(tr, r, 7) == want


@pytest.mark.parametrize("v, text", [
    (3.8e-6, "3.8×10⁻⁶"), (0.0027, "2.7×10⁻³"), (0.068, "0.068"), (0.59, "0.59"), (2.8, "2.8"),
    (14.2, "14"), (631.4, "631"), (1234.0, "1.2×10³"), (9.96e-5, "1.0×10⁻⁴"), (0.0, "0"),
    (float("nan"), "not a number"), (float("inf"), "infinite"),
])
def test_sci_writes_two_significant_digits(v, text):
    assert gradient_depth.sci(v) == text


def deep_sweep(depths=(2, 3), acts=("sigmoid", "relu"), seeds=(1,)):
    net = engine.NetSpec((2, 4, 1), ("sigmoid", "sigmoid"), loss="binary_cross_entropy", reduction="mean")
    cfg = engine.TrainConfig(XOR_X, XOR_T, eta=0.5, steps=20, init=engine.InitSpec(scheme="he", distribution="normal"),
                             record=engine.RecordSpec(every_until=0, then_every=10))
    members = engine.sweep_members(net, cfg, {"hidden": [[4] * (d - 1) for d in depths], "activation": list(acts),
                                              "init_scale": [1.0, 3.0], "seed": list(seeds)})
    return engine.train_members(net, cfg, members)


def test_gradient_depth_organises_set_ups_and_depths():
    traces = deep_sweep()
    assert gradient_depth.check(traces) is None
    setups, depths, by = gradient_depth.organise(traces)
    assert setups == [("sigmoid", 1.0), ("sigmoid", 3.0), ("relu", 1.0), ("relu", 3.0)]
    assert depths == [2, 3]
    assert [gradient_depth.setup_label(a, s, [1.0, 3.0]) for a, s in setups] == [
        "Sigmoid, He-sized weights", "Sigmoid, weights ×3", "ReLU, He-sized weights", "ReLU, weights ×3"]
    ctx = gradient_depth.context(traces, {}, "w9", None)
    assert ctx["rows"][1]["cells"][2] == gradient_depth.sci(float(by[("relu", 1.0), 3].grad_norms[0][0]))
    for key, index in ctx["lookup"].items():
        s, d = key.split(":")
        assert traces[index] is by[setups[int(s)], int(d)]
    assert "<svg" in ctx["figure"]


def test_gradient_depth_refuses_seeds_and_a_single_depth():
    assert "exactly one run" in gradient_depth.check(deep_sweep(seeds=(1, 2)))
    assert "sweep over depths" in gradient_depth.check(deep_sweep(depths=(3,)))
