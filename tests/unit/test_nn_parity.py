"""nn.js (the engine in JavaScript) under node trains exactly like the numpy engine.

Random scenarios (tests/parity_cases.py: every activation, loss and reduction, sgd and
momentum, full batch, mini-batches with numpy's own permutations, online, frozen parameters,
stop rules, diverging runs) are trained 200 steps by both; every loss, weight and gradient at
every step must agree. Run with -s to see the worst relative error measured."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import parity_cases as pc  # noqa: E402
from site_builder import engine  # noqa: E402
from site_builder.engine.grid import decision_grid, grid_pixels  # noqa: E402


@pytest.fixture(scope="module")
def node():
    path = shutil.which("node")
    assert path, "node is needed for this test (make test installs npm tools with it)"
    return path


def run_node(node: str, tmp_path: Path, script: str, stdin: str) -> str:
    runner = tmp_path / "run.js"
    runner.write_text(script)
    out = subprocess.run([node, str(runner)], input=stdin, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_syntax(node):
    subprocess.run([node, "--check", str(pc.NN_JS)], check=True)


def test_scenarios_cover_the_engine():
    case_list, traces = pc.default_cases()
    assert len(case_list) >= 30
    cov = pc.coverage(case_list)
    assert cov["activations"] == set(engine.ACTIVATIONS)
    assert cov["losses"] == {(loss, red) for loss in engine.LOSSES for red in ("sum", "mean")}
    assert cov["optimizers"] == {"sgd", "momentum"}
    assert cov["batches"] == {"full", "mini", "online"}
    assert cov["frozen"]
    assert cov["expect"] == {"diverged", "loss_below", "all_correct"}
    for case, tr in zip(case_list, traces):  # each hand-shaped case does what it is there for
        if case.expect:
            assert tr.stopped == case.expect, case.name
    reasons = {tr.diverged_reason for tr in traces if tr.diverged}
    assert {"loss is infinite", "loss is NaN", "W1 is infinite"} <= reasons, reasons


POISON_JS = r"""
function poison(text) {
  var d = JSON.parse(text);
  return JSON.stringify(d.sets.map(function (p) {
    var params = {};
    Object.keys(p).forEach(function (k) {
      params[k] = p[k].map(function (v) { return Array.isArray(v) ? v.map(Number) : Number(v); });
    });
    var tr = BPE.nn.trainer(d.net, params, d.X, d.T, {eta: 0.1});
    return {diverged: tr.diverged, stepped: tr.step(), steps: tr.steps};
  }));
}
"""


def test_divergence_reasons_follow_train_py(node, tmp_path):
    """Parameters poisoned with NaN and infinities: the reason (parameters in layer order, NaN
    before infinite, then the loss) is train.py's _divergence's, and the trainer stops."""
    from site_builder.engine.train import FlatParams, _divergence

    rng = np.random.default_rng(3)
    net = engine.NetSpec((2, 3, 2), ("tanh", "linear"))
    X, T = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    base = {k: rng.normal(size=shape) for k, shape in net.param_shapes().items()}
    sets = []
    for poisons in ([("W2", (0, 1), np.nan)], [("b1", (2,), np.inf), ("W2", (1, 0), np.nan)],
                    [("W1", (0, 0), -np.inf), ("W1", (2, 1), np.nan)], [("b2", (0,), np.inf)],
                    [("W1", (1, 1), 1e200), ("W2", (0, 0), 1e200)], [("W2", (1, 2), -np.inf)]):
        p = {k: v.copy() for k, v in base.items()}
        for name, at, value in poisons:
            p[name][at] = value
        sets.append(p)
    flat = FlatParams(net)
    want = []
    with np.errstate(all="ignore"):
        for p in sets:
            z, a = engine.forward(net, p, X)
            want.append(_divergence(flat, flat.pack(p), float(engine.loss_value(net, z, a, T))))
    assert None not in want and any(w.startswith("loss") for w in want)
    def text(v):  # Number() in JavaScript reads these back, NaN and infinities included
        return [text(x) for x in v] if np.ndim(v) else {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}.get(
            repr(float(v)), repr(float(v)))

    doc = {"net": {"sizes": [2, 3, 2], "activations": ["tanh", "linear"], "loss": "squared_error", "reduction": "sum"},
           "X": X.tolist(), "T": T.tolist(), "sets": [{k: text(v) for k, v in p.items()} for p in sets]}
    got = json.loads(run_node(node, tmp_path, pc.node_script(POISON_JS, "poison"), json.dumps(doc)))
    assert [g["diverged"] for g in got] == [{"step": 0, "reason": w} for w in want]
    assert all(g["stepped"] is False and g["steps"] == 0 for g in got)


def test_training_matches_numpy(node, tmp_path):
    case_list, traces = pc.default_cases()
    results = pc.decode(run_node(node, tmp_path, pc.node_script(), pc.payload(case_list)))
    errs = pc.check_all(case_list, traces, results, "node " + subprocess.run(
        [node, "--version"], capture_output=True, text=True).stdout.strip())
    assert not errs.failures, errs.summary() + "\n" + "\n".join(errs.failures[:10])
    assert errs.worst <= pc.HARD_REL, errs.summary()


ONE_SHOT_JS = r"""
function oneShot(text) {
  var docs = JSON.parse(text);
  return JSON.stringify(docs.map(function (d) {
    var f = BPE.nn.forward(d.net, d.params, d.X), b = BPE.nn.backward(d.net, d.params, f.z, f.a, d.T);
    var out = {z: f.z, a: f.a.slice(1), delta: b.delta, grads: b.grads, loss: BPE.nn.loss(d.net, f.z, f.a, d.T)};
    if (d.net.sizes[0] === 2) out.grid = Array.from(BPE.nn.grid(d.net, d.params, -2, 2, -1.5, 1, 17, 9));
    return out;
  }));
}
"""


def test_forward_backward_loss_and_grid_match_numpy(node, tmp_path):
    """The one-shot functions (no trainer) against engine.forward/backward/loss_value and
    grid.decision_grid, on the first record of every scenario."""
    case_list, _ = pc.default_cases()
    script = pc.node_script(ONE_SHOT_JS, "oneShot")
    got = json.loads(run_node(node, tmp_path, script, pc.payload(case_list)))
    worst = 0.0
    for case, js in zip(case_list, got):
        params = {k: np.asarray(v) for k, v in case.params.items()}
        z, a = engine.forward(case.net, params, case.X)
        grads, delta = engine.backward(case.net, params, z, a, case.T)
        pairs = [(js["loss"], engine.loss_value(case.net, z, a, case.T))]
        pairs += list(zip(js["z"], z)) + list(zip(js["a"], a[1:])) + list(zip(js["delta"], delta))
        pairs += [(js["grads"][k], grads[k]) for k in grads]
        if "grid" in js:
            pairs.append((js["grid"], decision_grid(case.net, params, -2, 2, -1.5, 1, 17, 9).ravel()))
        for mine, theirs in pairs:
            mine, theirs = np.asarray(mine, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
            assert mine.shape == np.shape(theirs), case.name
            diff = np.abs(mine - theirs)
            assert (diff <= np.maximum(1e-12 * np.abs(theirs), 1e-15)).all(), (case.name, mine, theirs)
            big = np.abs(theirs) > 1e-3
            if big.any():
                worst = max(worst, float((diff[big] / np.abs(theirs[big])).max()))
    print(f"\nnn.js one-shot forward/backward/loss/grid vs numpy: worst relative error {worst:.3g}")


def test_pixels_round_like_math_round(node, tmp_path):
    """Exact halves go up (Math.round), not to even (np.round); out of range clamps; NaN is 0."""
    values = [0.5, 1.5, 2.5, 127.5, 254.5, 255.5, -0.5, -0.7, 0.49999999999999994, 0.0, 255.0, 300.0,
              76.49999, float("nan"), float("inf"), -float("inf")]
    lo, hi = 0.0, 255.0  # (v - 0) / 255 * 255 gives the halves back exactly
    code = ("function pixels(text) { var v = JSON.parse(text).map(Number); "
            f"return JSON.stringify(Array.from(BPE.nn.gridPixels(v, {lo}, {hi}))); }}")
    names = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}
    stdin = json.dumps([names.get(repr(v), repr(v)) for v in values])
    got = json.loads(run_node(node, tmp_path, pc.node_script(code, "pixels"), stdin))
    want = grid_pixels(np.array(values), lo, hi).tolist()
    assert got == want
    assert want[:6] == [1, 2, 3, 128, 255, 255] and want[6:8] == [0, 0] and want[13:] == [0, 255, 0]


LIVE_JS = r"""
function live(text) {
  var d = JSON.parse(text), out = {};
  function run(opts, steps) {
    var tr = BPE.nn.trainer(d.net, d.params, d.X, d.T, opts);
    var first = tr.state().loss;
    tr.run(steps);
    return {first: first, last: tr.state().loss, steps: tr.steps, params: tr.state().params};
  }
  out.a = run({eta: 0.1, batchSize: 3, seed: 7}, 60);
  out.b = run({eta: 0.1, batchSize: 3, seed: 7}, 60);
  out.c = run({eta: 0.1, batchSize: 3, seed: 8}, 60);
  out.frozen = run({eta: 0.1, optimizer: "momentum", frozen: ["W1", "b2"]}, 20);
  var bad = [];
  [{sizes: [2], activations: []}, {sizes: [2, 1], activations: ["softmax"]},
   {sizes: [2, 3, 1], activations: ["softmax", "sigmoid"]},
   {sizes: [2, 1], activations: ["tanh"], loss: "binary_cross_entropy"},
   {sizes: [2, 1], activations: ["sigmoid"], reduction: "max"}].forEach(function (spec) {
    try { BPE.nn.net(spec); bad.push(null); } catch (e) { bad.push(e.message); }
  });
  out.errors = bad;
  out.init = BPE.nn.init(d.net, {scheme: "xavier", seed: 3});
  return JSON.stringify(out);
}
"""


def test_live_training_without_numpy_batches(node, tmp_path):
    """The trainer's own shuffle: deterministic for a seed, other seeds differ, it learns;
    frozen parameters stay put; bad specs fail with NetSpec's messages."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(12, 2))
    doc = {"net": {"sizes": [2, 4, 1], "activations": ["tanh", "sigmoid"], "loss": "binary_cross_entropy",
                   "reduction": "mean"},
           "params": {"W1": rng.normal(size=(4, 2)).tolist(), "b1": [0.0] * 4, "W2": rng.normal(size=(1, 4)).tolist(),
                      "b2": [0.1]},
           "X": X.tolist(), "T": (X[:, :1] > 0).astype(float).tolist()}
    script = pc.node_script(LIVE_JS, "live")
    out = json.loads(run_node(node, tmp_path, script, json.dumps(doc)))
    assert out["a"] == out["b"] and out["a"]["params"] != out["c"]["params"]
    assert out["a"]["steps"] == 60 and out["a"]["last"] < out["a"]["first"]
    assert out["frozen"]["params"]["W1"] == doc["params"]["W1"] and out["frozen"]["params"]["b2"] == [0.1]
    assert out["frozen"]["params"]["W2"] != doc["params"]["W2"]
    assert out["errors"][0].startswith("layer sizes must be at least two")
    assert out["errors"][1] == "a softmax output layer needs the cross_entropy loss"
    assert out["errors"][2] == "softmax is only allowed on the output layer"
    assert out["errors"][3] == "binary_cross_entropy needs a sigmoid output layer, not tanh"
    assert out["errors"][4] == "reduction must be 'sum' or 'mean', got 'max'"
    r = np.sqrt(6 / 6)
    assert np.shape(out["init"]["W1"]) == (4, 2) and np.abs(out["init"]["W1"]).max() <= r
    assert out["init"]["b1"] == [0.0] * 4


SUMS_JS = r"""
function sums(text) {
  return JSON.stringify(JSON.parse(text).map(function (d) {
    var b = BPE.nn.backward(d.net, d.params, d.z, d.a, d.T);
    return {loss: BPE.nn.loss(d.net, d.z, d.a, d.T), db: b.grads["b" + (d.net.sizes.length - 1)]};
  }));
}
"""


def test_sums_in_numpys_order(node, tmp_path):
    """Where no matrix product or libm function is involved, the numbers are numpy's to the
    last bit: the squared-error loss (pairwise over output units, then over samples) and the
    output layer's db (pairwise for one unit, sample by sample for several), given z and a."""
    rng = np.random.default_rng(11)
    docs, want = [], []
    for n in (1, 5, 8, 9, 17, 100, 129, 300):
        for d_out in (1, 2, 7, 8, 9, 12):
            for red in ("sum", "mean"):
                net = engine.NetSpec((2, d_out), ("linear",), "squared_error", red)
                X = rng.normal(size=(n, 2)) * 10.0 ** rng.uniform(-3, 3, size=(n, 1))
                params = {"W1": rng.normal(size=(d_out, 2)), "b1": rng.normal(size=d_out)}
                T = rng.normal(size=(n, d_out))
                z, a = engine.forward(net, params, X)
                grads, _ = engine.backward(net, params, z, a, T)
                want.append((float(engine.loss_value(net, z, a, T)), grads["b1"].tolist()))
                docs.append({"net": {"sizes": [2, d_out], "activations": ["linear"], "loss": "squared_error",
                                     "reduction": red}, "params": {k: v.tolist() for k, v in params.items()},
                             "z": [z[0].tolist()], "a": [X.tolist(), a[1].tolist()], "T": T.tolist()})
    got = json.loads(run_node(node, tmp_path, pc.node_script(SUMS_JS, "sums"), json.dumps(docs)))
    assert [(g["loss"], g["db"]) for g in got] == want
