"""weight-descent: one weight w of a 1-1 network, the loss L(w) it gives, the slope there,
and the recorded steps of gradient descent carrying w toward the best value."""
from __future__ import annotations

import numpy as np

from site_builder import figures
from site_builder.widgets import WidgetSpec


def context(traces, options, uid, math):
    return {"figure": figure(traces[0], uid)}


def one_weight_net(traces):
    net = traces[0].net
    if tuple(net.sizes) != (1, 1):
        return f"weight-descent needs a 1-1 network, this scenario has {'-'.join(map(str, net.sizes))}"
    return None


def figure(trace, uid: str) -> str:
    """Left: the loss L(w) with the path of w; right: the loss at each step."""
    plt = figures.setup()
    w = trace.params["W1"][:, 0, 0]
    X, T = trace.X[:, 0], trace.T[:, 0]
    lo, hi = min(w.min(), 2 * w[-1] - w[0]), max(w.max(), 2 * w[-1] - w[0])
    pad = 0.15 * (hi - lo)
    grid = np.linspace(lo - pad, hi + pad, 200)
    scale = 1.0 / len(X) if trace.net.reduction == "mean" else 1.0
    curve = 0.5 * scale * ((T[None, :] - grid[:, None] * X[None, :]) ** 2).sum(axis=1)

    fig, (left, right) = plt.subplots(1, 2, figsize=(7, 3.0))
    left.plot(grid, curve, color=figures.MUTED, lw=1.5)
    left.plot(w, trace.loss, "o", color=figures.ACCENT, ms=4, zorder=3)
    left.annotate("start", (w[0], trace.loss[0]), textcoords="offset points", xytext=(6, 6), color=figures.INK)
    left.set_xlabel("weight w")
    left.set_ylabel("loss L(w)")
    left.set_title("Each step moves w downhill", color=figures.INK, fontsize=10)

    right.plot(trace.steps, trace.loss, color=figures.LINE, lw=1.8, marker="o", ms=3)
    right.set_xlabel("step")
    right.set_ylabel("loss")
    right.set_title("The loss after each step", color=figures.INK, fontsize=10)
    figures.margins(fig, left=0.7, right=0.15, top=0.35, bottom=0.6, wgap=0.7)
    label = (f"Two charts. Left: the loss as a function of the weight, a parabola, with the weight's path "
             f"from {w[0]:g} toward {w[-1]:.3f}. Right: the loss falling over {int(trace.steps[-1])} steps.")
    return figures.to_svg(fig, uid, label, min_scale=1.25)


SPEC = WidgetSpec(
    "weight-descent",
    options={"scenario": str, "controls": list, "caption": str},
    choices={"controls": ("step", "play", "back", "reset")},
    fields=("steps", "loss", "params", "grads", "outputs"),
    context=context,
    scenario_check=one_weight_net,
)
