"""nn.js speed: full-batch training steps per second (forward, loss, backward, divergence
check, update; what a live page runs) of a 2-8-1 network on the 100-point moons data, under
node and in Chromium, for tanh/sigmoid + binary cross-entropy and sigmoid/sigmoid + squared
error; also the 64 x 64 decision grid. Median of 5 one-second runs after a warm-up.
Prints a table; asserts nothing."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from browser import LAUNCH_ARGS, find_chromium  # noqa: E402

from site_builder import datasets  # noqa: E402

NN_JS = REPO / "themes/default/assets/js/nn.js"

NETS = {
    "2-8-1 tanh/sigmoid, BCE mean": {"sizes": [2, 8, 1], "activations": ["tanh", "sigmoid"],
                                     "loss": "binary_cross_entropy", "reduction": "mean"},
    "2-8-1 sigmoid/sigmoid, SE sum": {"sizes": [2, 8, 1], "activations": ["sigmoid", "sigmoid"],
                                      "loss": "squared_error", "reduction": "sum"},
}

BENCH_JS = r"""
function bench(text) {
  var d = JSON.parse(text), now = function () { return performance.now(); };
  function rate(fn, chunk) {
    var t0 = now(); while (now() - t0 < 300) fn(chunk);   // warm-up
    var rates = [];
    for (var rep = 0; rep < 5; rep++) {
      var k = 0; t0 = now();
      while (now() - t0 < 1000) { fn(chunk); k += chunk; }
      rates.push(k / (now() - t0) * 1000);
    }
    rates.sort(function (a, b) { return a - b; });
    return rates[2];
  }
  var out = {};
  Object.keys(d.nets).forEach(function (name) {
    var tr = BPE.nn.trainer(d.nets[name], d.params, d.X, d.T, {eta: d.nets[name].reduction === "sum" ? 0.05 : 0.5});
    out[name] = rate(function (c) { if (tr.run(c) < c) throw new Error("stopped: " + tr.stopped); }, 500);
  });
  var net = d.nets[Object.keys(d.nets)[0]];
  out.grid = rate(function (c) { for (var i = 0; i < c; i++) BPE.nn.grid(net, d.params, -1.5, 2.5, -1, 1.5, 64, 64); }, 5);
  return JSON.stringify(out);
}
"""


def payload() -> str:
    X, T = datasets.moons(n=100, noise=0.1, seed=0)
    rng = np.random.default_rng(0)
    params = {"W1": rng.normal(0, 1, size=(8, 2)).tolist(), "b1": [0.0] * 8,
              "W2": rng.normal(0, 0.5, size=(1, 8)).tolist(), "b2": [0.0]}
    return json.dumps({"nets": NETS, "params": params, "X": X.tolist(), "T": T.tolist()})


def under_node(text: str) -> tuple[str, dict] | None:
    node = shutil.which("node")
    if not node:
        return None
    script = ("globalThis.window = globalThis;\n"
              f"require({json.dumps(str(NN_JS))});\n{BENCH_JS}\n"
              "process.stdout.write(bench(require('fs').readFileSync(0, 'utf8')));\n")
    with tempfile.TemporaryDirectory() as tmp:
        runner = Path(tmp) / "bench.js"
        runner.write_text(script)
        out = subprocess.run([node, str(runner)], input=text, capture_output=True, text=True, check=True)
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    return f"node {version}", json.loads(out.stdout)


def in_chromium(text: str) -> tuple[str, dict]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=LAUNCH_ARGS)
        page = browser.new_page()
        page.set_content("<html><body></body></html>")
        page.add_script_tag(content=NN_JS.read_text())
        page.add_script_tag(content=BENCH_JS)
        result = json.loads(page.evaluate("text => bench(text)", text))
        label = f"Chromium {browser.version}"
        browser.close()
    return label, result


def main() -> None:
    text = payload()
    rows = [r for r in (under_node(text), in_chromium(text)) if r]
    print("nn.js, full-batch steps/s (100 moons points; median of 5 x 1 s)")
    names = list(NETS)
    print(f"{'runtime':28s}" + "".join(f"{n:>32s}" for n in names) + f"{'64x64 grids/s':>16s}")
    for label, res in rows:
        print(f"{label:28s}" + "".join(f"{res[n]:>32,.0f}" for n in names) + f"{res['grid']:>16,.0f}")


if __name__ == "__main__":
    main()
