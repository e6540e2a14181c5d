"""A page that trains live: the theme's core.js (the Player in live mode) and nn.js train a
2-8-1 network on 100 points while a decision map redraws every frame. Shared by the live-mode
e2e test and `make bench` (benchmarks/live.py), so both measure the same thing."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from site_builder import engine
from site_builder.datasets import GENERATORS

REPO = Path(__file__).resolve().parents[1]
JS = REPO / "themes" / "default" / "assets" / "js"

NET = engine.NetSpec((2, 8, 1), ("tanh", "sigmoid"), "binary_cross_entropy", "mean")
ETA = 0.5


def problem():
    """The data and the starting weights (xavier, seed 3) as the engine makes them."""
    X, T = GENERATORS["moons"](n=100, noise=0.1, seed=1)
    params = engine.init_params(NET, engine.InitSpec(scheme="xavier", seed=3), 3)
    return X, T, params


PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>live</title></head><body>
<canvas id="map" width="50" height="50" style="width:300px;height:300px;image-rendering:pixelated"></canvas>
<p id="out" aria-live="polite"></p></body></html>"""

# Runs in the page: a live Player whose advance() trains with BPE.nn and stops at `cap` steps;
# every frame draws the decision map from the current weights (BPE.nn.grid). Resolves with
# what happened once the cap is reached.
DRIVER = """
({net, params, X, T, eta, cap}) => new Promise((resolve) => {
  window.__longest = 0;
  new PerformanceObserver((list) => {
    list.getEntries().forEach((e) => { window.__longest = Math.max(window.__longest, e.duration); });
  }).observe({type: "longtask"});
  const nn = BPE.nn, tr = nn.trainer(net, params, X, T, {eta: eta});
  const canvas = document.getElementById("map"), ctx = canvas.getContext("2d");
  const image = ctx.createImageData(50, 50);
  let frames = 0, t0 = null;
  function draw() {
    const now = tr.state().params;
    const px = nn.gridPixels(nn.grid(net, now, -1.5, 2.5, -1, 1.5, 50, 50), 0, 1);
    for (let i = 0; i < px.length; i++) {
      const v = px[i], o = 4 * i;
      image.data[o] = 255 - v; image.data[o + 1] = 200; image.data[o + 2] = v; image.data[o + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
    frames += 1;
  }
  const player = new BPE.Player(null, {
    live: true, perFrame: 1e9, budget: 8,
    advance: (n) => tr.run(Math.min(n, cap - tr.steps)),
  });
  player.onFrame(() => {
    draw();
    if (tr.steps >= cap) {
      player.pause();
      const seconds = (performance.now() - t0) / 1000;
      const s = tr.state();
      resolve({steps: tr.steps, index: player.index, seconds: seconds, frames: frames,
               loss: s.loss, longest: window.__longest, playing: player.playing()});
    }
  });
  t0 = performance.now();
  player.play();
})
"""


def open_page(page) -> None:
    page.set_content(PAGE)
    for name in ("core.js", "nn.js"):
        page.add_script_tag(content=(JS / name).read_text(encoding="utf-8"))


def run_live(page, cap: int) -> dict:
    X, T, params = problem()
    args = {"net": {"sizes": list(NET.sizes), "activations": list(NET.activations), "loss": NET.loss,
                    "reduction": NET.reduction},
            "params": {k: v.tolist() for k, v in params.items()}, "X": X.tolist(), "T": T.tolist(),
            "eta": ETA, "cap": cap}
    return page.evaluate(DRIVER, json.loads(json.dumps(args)))


def numpy_loss_after(steps: int) -> float:
    """The same run by plain numpy (not the engine): tanh hidden layer, sigmoid output,
    mean binary cross-entropy, full-batch gradient descent."""
    X, T, p = problem()
    W1, b1, W2, b2 = (p[k].copy() for k in ("W1", "b1", "W2", "b2"))
    n = len(X)
    for _ in range(steps):
        h = np.tanh(X @ W1.T + b1)
        o = 1 / (1 + np.exp(-(h @ W2.T + b2)))
        d2 = (o - T) / n
        d1 = (d2 @ W2) * (1 - h * h)
        W2, b2 = W2 - ETA * d2.T @ h, b2 - ETA * d2.sum(0)
        W1, b1 = W1 - ETA * d1.T @ X, b1 - ETA * d1.sum(0)
    z = np.tanh(X @ W1.T + b1) @ W2.T + b2
    # -[t log o + (1 - t) log(1 - o)] with o = sigmoid(z), written so it never takes log(0)
    return float((np.maximum(z, 0) - T * z + np.log1p(np.exp(-np.abs(z)))).mean())
