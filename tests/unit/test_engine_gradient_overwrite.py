"""The teaching bug `gradient: overwrite` (NetSpec.gradient): a hidden unit keeps only the blame
from the last unit it feeds. The expected numbers are written out here by hand in numpy (a
2-2-2 sigmoid network), never taken from the engine; the gradient check must fail for the bug
and pass for the true gradient; the build publishes the teaching scenario and shows nothing
else changed."""
from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from site_builder import build as build_mod
from site_builder import engine, scenarios, traces
from site_builder.errors import ContentErrors

REPO = Path(__file__).resolve().parents[2]
X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
T = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
P = {"W1": np.array([[0.5, -0.4], [0.3, 0.8]]), "b1": np.array([0.1, -0.2]),
     "W2": np.array([[0.7, -0.3], [-0.4, 0.6]]), "b2": np.array([0.2, -0.1])}


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def by_hand(p, overwrite):
    """dE/dparams of E = 1/2 sum (t - o)^2, with the hidden blame summed over both outputs or
    (the bug) taken from output 2 alone, one hidden unit and one sample at a time."""
    g = {k: np.zeros_like(v) for k, v in p.items()}
    for x, t in zip(X, T):
        h = sig(p["W1"] @ x + p["b1"])
        o = sig(p["W2"] @ h + p["b2"])
        d_out = (o - t) * o * (1 - o)
        d_hid = np.zeros(2)
        for j in range(2):
            for k in range(2):
                share = d_out[k] * p["W2"][k, j]
                d_hid[j] = share if overwrite else d_hid[j] + share
            d_hid[j] *= h[j] * (1 - h[j])
        g["W2"] += np.outer(d_out, h); g["b2"] += d_out
        g["W1"] += np.outer(d_hid, x); g["b1"] += d_hid
    return g


def net(gradient="sum"):
    return engine.NetSpec((2, 2, 2), ("sigmoid", "sigmoid"), gradient=gradient)


@pytest.mark.parametrize("gradient", ["sum", "overwrite"])
def test_backward_matches_the_hand_loop(gradient):
    z, a = engine.forward(net(gradient), P, X)
    got, _ = engine.backward(net(gradient), P, z, a, T)
    want = by_hand(P, gradient == "overwrite")
    for k in P:
        np.testing.assert_allclose(got[k], want[k], rtol=1e-13, atol=1e-15)


def test_the_bug_changes_only_the_hidden_layer():
    z, a = engine.forward(net(), P, X)
    right, _ = engine.backward(net(), P, z, a, T)
    wrong, _ = engine.backward(net("overwrite"), P, z, a, T)
    assert np.array_equal(right["W2"], wrong["W2"]) and np.array_equal(right["b2"], wrong["b2"])
    assert np.abs(right["W1"] - wrong["W1"]).max() > 1e-3


def test_with_one_output_there_is_nothing_to_overwrite():
    one = engine.NetSpec((2, 2, 1), ("sigmoid", "sigmoid"))
    p = {"W1": P["W1"], "b1": P["b1"], "W2": P["W2"][:1], "b2": P["b2"][:1]}
    z, a = engine.forward(one, p, X)
    right, _ = engine.backward(one, p, z, a, T[:, :1])
    wrong, _ = engine.backward(dataclasses.replace(one, gradient="overwrite"), p, z, a, T[:, :1])
    for k in p:
        np.testing.assert_allclose(wrong[k], right[k], rtol=1e-15, atol=0)


def test_gradcheck_passes_the_sum_and_flags_the_overwrite():
    good = engine.gradcheck(net(), P, X, T)
    bad = engine.gradcheck(net("overwrite"), P, X, T)
    assert good.max_rel_error < 1e-8
    assert bad.max_rel_error > 1e-2  # far above the build's 1e-6
    assert bad.per_param["W2"] < 1e-8 and bad.per_param["b2"] < 1e-8  # the output layer is still right
    # The numeric side is the true slope of E: the hand-written sum, not the bug.
    want = by_hand(P, overwrite=False)
    np.testing.assert_allclose(bad.numeric["W1"], want["W1"], rtol=1e-8, atol=1e-11)
    worst = max(abs(by_hand(P, True)["W1"] - want["W1"]).flat)
    assert worst > 1e-3


def test_training_steps_with_the_buggy_gradient():
    cfg = engine.TrainConfig(X, T, eta=2.0, steps=3, init=engine.InitSpec(weights=P))
    runs = engine.train_members(net(), cfg, engine.sweep_members(net(), cfg, {"gradient": ["sum", "overwrite"]}))
    assert [tr.label for tr in runs] == ["gradient=sum eta=2", "gradient=overwrite eta=2"]
    assert [tr.axes["gradient"] for tr in runs] == ["sum", "overwrite"]
    assert runs[1].net.gradient == "overwrite" and runs[0].net.gradient == "sum"
    for tr, overwrite in zip(runs, (False, True)):
        p = {k: v.copy() for k, v in P.items()}
        for k in range(4):
            g = by_hand(p, overwrite)
            for name in P:
                np.testing.assert_allclose(tr.params[name][k], p[name], rtol=1e-12, atol=1e-14)
                np.testing.assert_allclose(tr.grads[name][k], g[name], rtol=1e-10, atol=1e-14)
            p = {name: p[name] - 2.0 * g[name] for name in P}


def test_an_unknown_gradient_is_refused():
    with pytest.raises(ValueError, match="gradient must be one of sum, overwrite"):
        engine.NetSpec((2, 2), ("sigmoid",), gradient="assign")


SCENARIO = """\
network: {sizes: [2, 2, 2], activations: [sigmoid, sigmoid]}
data: {inputs: [[0, 0], [0, 1], [1, 0], [1, 1]], targets: [[0, 0], [1, 0], [1, 0], [0, 1]]}
init: {scheme: uniform, seed: 1}
train: {learning_rate: 2.0, steps: 30}
"""


def test_scenario_sweep_over_gradients_trains_both_and_checks_only_the_true_one(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text(SCENARIO + "sweep: {gradients: [sum, overwrite]}\n")
    s = scenarios.parse(path)
    runs = scenarios.run(s)
    assert [tr.net.gradient for tr in runs] == ["sum", "overwrite"]
    check = scenarios.check_gradients(s)
    assert check.max_rel_error < 1e-6  # the gate the build applies: the bug is not in it
    # ... and traces keep the bug through the cache's plain JSON.
    back = traces.from_plain_json(traces.to_plain_json(runs, s))
    assert [tr.net.gradient for tr in back] == ["sum", "overwrite"]
    assert "gradient" not in json.loads(traces.to_plain_json(runs[:1], s))["net"]


def test_scenario_network_gradient_overwrite_alone(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text(SCENARIO.replace("activations: [sigmoid, sigmoid]", "activations: [sigmoid, sigmoid], gradient: overwrite"))
    s = scenarios.parse(path)
    assert s.net.gradient == "overwrite"
    assert scenarios.check_gradients(s).max_rel_error == 0.0  # nothing compared


def test_a_misspelt_gradient_is_an_error_at_its_line(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text(SCENARIO + "sweep:\n  gradients: [sum, overwrit]\n")
    with pytest.raises(ContentErrors) as info:
        scenarios.parse(path)
    (err,) = info.value.errors
    assert err.line == 6 and "unknown gradient 'overwrit'" in err.message and "overwrite" in err.message


def test_the_build_publishes_the_teaching_scenario_but_not_a_real_bug(tmp_path, monkeypatch):
    root = tmp_path / "site"
    (root / "content" / "scenarios").mkdir(parents=True)
    (root / "content" / "lessons").mkdir()
    (root / "content" / "site.yaml").write_text("title: t\nlessons: [a]\n")
    (root / "content" / "lessons" / "01-a.md").write_text("---\ntitle: A\n---\n\nText.\n")
    (root / "content" / "scenarios" / "g.yaml").write_text(SCENARIO + "sweep: {gradients: [sum, overwrite]}\n")
    build_mod.stage_gradcheck(scenarios.load_scenarios(root / "content"), root / ".cache")
    # A true-gradient network whose backward is broken is still refused.
    real = engine.backward

    def broken(net, params, z, a, T, out=None):
        return real(dataclasses.replace(net, gradient="overwrite"), params, z, a, T, out)

    monkeypatch.setattr(sys.modules["site_builder.engine.gradcheck"], "backward", broken)
    (root / "content" / "scenarios" / "g.yaml").write_text(SCENARIO)
    with pytest.raises(ContentErrors, match="gradient check failed"):
        build_mod.stage_gradcheck(scenarios.load_scenarios(root / "content"), tmp_path / "other-cache")


DEPTHS = SCENARIO + "sweep: {hidden: [[3], [3, 3], [3, 3, 3]], activations: [sigmoid, relu], init_scales: [1, 3]}\n"


def test_a_sweep_over_depths_checks_the_deepest_network_of_each_activation(tmp_path, monkeypatch):
    path = tmp_path / "d.yaml"
    path.write_text(DEPTHS)
    s = scenarios.parse(path)
    checked = []
    real = engine.gradcheck
    monkeypatch.setattr(scenarios.engine, "gradcheck", lambda net, *a, **k: checked.append(net) or real(net, *a, **k))
    assert scenarios.check_gradients(s).max_rel_error < 1e-6
    assert [(n.sizes, n.activations[0]) for n in checked] == [((2, 3, 3, 3, 2), "sigmoid"), ((2, 3, 3, 3, 2), "relu")]


@pytest.mark.parametrize("bad", ["relu", "sigmoid"])
def test_a_gradient_broken_for_one_activation_fails_the_sweeps_check(tmp_path, monkeypatch, bad):
    """Backprop broken only in the networks of one hidden activation (the overwrite bug
    standing in for any other): the check of a sweep over depths and activations fails."""
    path = tmp_path / "d.yaml"
    path.write_text(DEPTHS)
    s = scenarios.parse(path)
    real = engine.backward

    def broken(net, params, z, a, T, out=None):
        wrong = net.activations[0] == bad
        return real(dataclasses.replace(net, gradient="overwrite") if wrong else net, params, z, a, T, out)

    monkeypatch.setattr(sys.modules["site_builder.engine.gradcheck"], "backward", broken)
    assert scenarios.check_gradients(s).max_rel_error > 1e-3
