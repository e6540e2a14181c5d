"""scorecard: the loss −ln p for a confidence p in the right word that the learner sets with a
slider, drawn as a point on the curve. The right word, and the network's own p at its first and
last recorded step (marked on the curve), come from the scenario's trace at build time; the
loss for the learner's p is computed in the page (the learner's own input)."""
from __future__ import annotations

import numpy as np

from site_builder import figures
from site_builder.widgets import WidgetSpec

TABLE_PS = (1.0, 0.9, 0.5, 0.1, 0.01)


def context(traces, options, uid, math):
    tr = traces[0]
    k = int(np.argmax(tr.T[0]))
    word = tr.output_labels[k] if tr.output_labels else "the right word"
    first, last = float(tr.outputs[0, 0, k]), float(tr.outputs[-1, 0, k])
    return {
        "word": word,
        "start": options.get("start", 0.5),
        "marks": [
            {"name": "step 0", "p": first, "loss": float(-np.log(first))},
            {"name": f"step {int(tr.steps[-1])}", "p": last, "loss": float(-np.log(last))},
        ],
        "rows": [{"p": f"{p:.2f}", "loss": f"{-np.log(p) + 0.0:.2f}"} for p in TABLE_PS],  # + 0.0: no "-0.00" at p = 1
        "figure": figure(uid, word, first, last, int(tr.steps[-1])),
    }


def figure(uid, word, first, last, steps):
    plt = figures.setup()
    p = np.linspace(0.01, 1, 200)
    fig, ax = plt.subplots(figsize=(4.6, 3))
    ax.plot(p, -np.log(p), color=figures.LINE, lw=2)
    for q, name in ((first, "step 0"), (last, f"step {steps}")):
        ax.plot([q], [-np.log(q)], "o", color=figures.ACCENT, ms=6)
        # Near p = 1 the label sits up and to the left of its ring, with a leader line, so it
        # stays inside the plot and clear of the curve.
        near_one = q > 0.55
        ax.annotate(f"the network at {name}", (q, -np.log(q)), textcoords="offset points",
                    xytext=(-6, 26) if near_one else (8, 6), ha="right" if near_one else "left",
                    va="bottom" if near_one else "baseline", color=figures.INK,
                    arrowprops={"arrowstyle": "-", "color": figures.MUTED, "lw": 0.8} if near_one else None)
    ax.set_xlabel(f"p({word}), the probability given to the right word")
    ax.set_ylabel("loss −ln p")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 4.8)
    figures.margins(fig, left=0.6, right=0.15, top=0.15, bottom=0.6)
    label = (f"The curve of −ln p: 0 at p = 1, climbing steeply as p goes to 0. The network's own p({word}) is "
             f"{first:.3f} at step 0 (loss {-np.log(first):.2f}) and {last:.3f} after {steps} steps "
             f"(loss {-np.log(last):.2f}).")
    return figures.to_svg(fig, uid, label)


def check(traces):
    if len(traces) != 1 or traces[0].net.loss != "cross_entropy":
        return "scorecard needs one run of a softmax network with the cross_entropy loss"
    return None


SPEC = WidgetSpec(
    "scorecard",
    options={"scenario": str, "start": float, "caption": str},
    fields=None,
    context=context,
    scenario_check=check,
)
