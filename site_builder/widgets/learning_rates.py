"""learning-rates: a sweep of learning rates x random starts; pick a rate and see every
start's loss over the epochs, how many solve the task, and whether units saturated."""
from __future__ import annotations

import numpy as np

from site_builder import figures
from site_builder.widgets import WidgetSpec


def context(traces, options, uid, math):
    etas = sorted({tr.eta for tr in traces})
    seeds = len(traces) // len(etas)
    return {"figure": figure(traces, uid), "etas": [f"{e:g}" for e in etas], "seeds": seeds,
            "epochs": int(traces[0].steps[-1])}


def a_sweep(traces):
    if len({tr.eta for tr in traces}) < 2:
        return "learning-rates needs a sweep over at least two learning rates (sweep: learning_rates: [...])"
    return None


def figure(traces, uid: str) -> str:
    """One small chart per learning rate: the loss of every seed over the epochs."""
    plt = figures.setup()
    etas = sorted({tr.eta for tr in traces})
    top = max(float(np.nanmax(np.where(np.isfinite(tr.loss), tr.loss, np.nan))) for tr in traces)
    fig, axes = plt.subplots(1, len(etas), figsize=(1.9 * len(etas), 2.4), sharey=True)
    for ax, eta in zip(np.atleast_1d(axes), etas):
        runs = [tr for tr in traces if tr.eta == eta]
        for tr in runs:
            ax.plot(tr.steps, tr.loss, color=figures.LINE, lw=1, alpha=0.75)
        solved = sum(int(tr.correct[-1]) == len(tr.X) for tr in runs)
        ax.set_title(f"η = {eta:g}\n{solved} of {len(runs)} solved", color=figures.INK, fontsize=9)
        ax.set_xlabel("epoch", fontsize=8)
        ax.set_ylim(0, top * 1.05)
        ax.tick_params(labelsize=7)
    np.atleast_1d(axes)[0].set_ylabel("loss")
    fig.tight_layout()
    label = ("Loss curves for each learning rate, one line per random start: " +
             "; ".join(f"η {e:g}: {sum(int(t.correct[-1]) == len(t.X) for t in traces if t.eta == e)} of "
                       f"{sum(1 for t in traces if t.eta == e)} starts solve the task" for e in etas) + ".")
    return figures.to_svg(fig, uid, label)


SPEC = WidgetSpec(
    "learning-rates",
    options={"scenario": str, "caption": str},
    fields=("steps", "loss", "correct", "final", "health"),
    context=context,
    scenario_check=a_sweep,
    needs=("assets/js/nn.js",),  # the decision maps are drawn from each start's final weights
)
