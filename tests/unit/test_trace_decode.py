"""The page decoder (themes/default/assets/js/trace.js), run under node, gives back exactly
the numbers the Python encoder packed: float64 to the last bit, NaN and infinities included."""
from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np

from site_builder import engine, traces

REPO = Path(__file__).resolve().parents[2]
DECODER = REPO / "themes/default/assets/js/trace.js"

RUNNER = """
globalThis.window = globalThis;
globalThis.atob = (s) => Buffer.from(s, "base64").toString("binary");
require(process.argv[2]);
const doc = window.BPE.decodeTrace(require("fs").readFileSync(0, "utf8"));
const enc = (v) => Array.isArray(v) ? v.map(enc) : (typeof v === "number" && !isFinite(v) ? String(v) : v);
const run = doc.runs[0];
process.stdout.write(JSON.stringify({loss: enc(run.loss), W1: enc(run.params.W1), X: enc(doc.X),
  z: enc(run.detail["0"].z), steps: run.steps, title: doc.title, diverged: run.diverged}));
"""


def test_node_decodes_exactly(tmp_path):
    node = shutil.which("node")
    assert node, "node is needed for this test (make test installs npm tools with it)"
    net = engine.NetSpec((2, 2, 1), ("sigmoid", "sigmoid"))
    cfg = engine.TrainConfig(X=np.array([[0.1, 0.2], [0.3, -0.4]]), T=np.array([[0.0], [1.0]]), eta=0.7, steps=6,
                             init=engine.InitSpec(seed=4), record=engine.RecordSpec(detail_steps=(0,)))
    (tr,) = [engine.train(net, cfg)]
    tr.loss[2], tr.loss[3], tr.loss[4] = np.nan, np.inf, -np.inf

    class S:  # what to_page_json reads from a scenario
        name, title, is_sweep = "t", "</script> \u2028 title", False

    text = traces.to_page_json([tr], S())
    runner = tmp_path / "run.js"
    runner.write_text(RUNNER)
    out = subprocess.run([node, str(runner), str(DECODER)], input=text, capture_output=True, text=True, check=True)
    doc = json.loads(out.stdout)

    def back(v):
        return float(v) if isinstance(v, str) else v

    loss = [back(v) for v in doc["loss"]]
    for a, b in zip(loss, tr.loss):
        assert (math.isnan(a) and math.isnan(b)) or a == b  # exact: same float64
    assert np.array(doc["W1"]).tobytes() == tr.params["W1"].tobytes()
    assert np.array(doc["X"]).tobytes() == tr.X.tobytes()
    assert np.array(doc["z"][0]).tobytes() == tr.detail[0]["z"][0].tobytes()
    assert doc["steps"] == tr.steps.tolist()
    assert doc["title"] == "</script> \u2028 title" and doc["diverged"] is None


RUNNER_SWEEP = """
globalThis.window = globalThis;
globalThis.atob = (s) => Buffer.from(s, "base64").toString("binary");
require(process.argv[2]);
const doc = window.BPE.decodeTrace(require("fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify({runs: doc.runs.map((r) => ({signs: r.signs, gradnorms: r.gradnorms, loss: r.loss,
  net: r.net, X: r.X, T: r.T, labels: r.labels, axes: r.axes, surface: r.surface, slice: r.slice})),
  sweep: doc.sweep, labels: doc.labels}));
"""


def test_node_decodes_int8_float32_and_per_run_data(tmp_path):
    """Update signs travel as int8, a sweep's bulk arrays as float32; members with their own
    network and data carry them, and the decoder gives every run its net, X, T and labels."""
    node = shutil.which("node")
    assert node, "node is needed for this test"
    base = engine.NetSpec((2, 2, 1), ("tanh", "sigmoid"))
    X = np.array([[0.1, 0.2], [0.3, -0.4], [1.0, 0.5]])
    cfg = engine.TrainConfig(X=X, T=np.array([[0.0], [1.0], [1.0]]), eta=0.7, steps=5, init=engine.InitSpec(seed=4),
                             input_labels=("left", "right"), output_labels=("yes",),
                             record=engine.RecordSpec(surfaces=(engine.SurfaceSpec(("W1[0,0]", "b2[0]"), points=3),),
                                                      slices=(engine.SliceSpec("W2[0,1]", points=5),)))
    members = engine.sweep_members(base, cfg, {"hidden": [[2], [3, 2]], "eta": [0.7, 3.0]})
    runs = engine.train_members(base, cfg, members)
    assert any((tr.signs["W1"] < 0).any() for tr in runs) and any((tr.signs["W1"] > 0).any() for tr in runs)

    class S:
        name, title, is_sweep = "s", "sweep", True

    text = traces.to_page_json(runs, S(), fields=("loss", "signs", "gradnorms", "axes", "labels", "surface", "slice"))
    runner = tmp_path / "run.js"
    runner.write_text(RUNNER_SWEEP)
    out = subprocess.run([node, str(runner), str(DECODER)], input=text, capture_output=True, text=True, check=True)
    doc = json.loads(out.stdout)
    assert doc["sweep"]["axes"] == ["hidden", "eta", "seed"]
    assert doc["labels"] == {"inputs": ["left", "right"], "outputs": ["yes"]}
    for tr, run in zip(runs, doc["runs"]):
        for name in tr.params:
            assert run["signs"][name] == tr.signs[name].tolist()  # -1, 0, +1 exactly
        assert run["gradnorms"]["W"] == tr.grad_norms.astype(np.float32).tolist()
        assert run["loss"] == tr.loss.astype(np.float32).tolist()
        assert run["net"]["sizes"] == list(tr.net.sizes)
        assert np.array(run["X"]).tobytes() == X.tobytes()  # filled in from the top of the document
        assert run["labels"] == {"inputs": ["left", "right"], "outputs": ["yes"]}
        assert run["axes"] == tr.axes
        assert np.array(run["surface"][0]["u"]).tobytes() == tr.surfaces[0].u.tobytes()
        assert run["slice"][0]["weight"] == "W2[0,1]"
        assert run["slice"][0]["slope"] == tr.slices[0].slope.astype(np.float32).tolist()
