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
    """One small chart per learning rate, three to a row: the loss of every start over the
    epochs, on a logarithmic epoch axis, where the first few epochs (in which the large rates
    do everything) get as much room as the thousands after them."""
    plt = figures.setup()
    etas = sorted({tr.eta for tr in traces})
    top = max(float(np.nanmax(np.where(np.isfinite(tr.loss), tr.loss, np.nan))) for tr in traces)
    cols = min(3, len(etas))
    rows = -(-len(etas) // cols)
    last = max(int(tr.steps[-1]) for tr in traces)
    fig, axes = plt.subplots(rows, cols, figsize=(2.3 * cols, 2.2 * rows), sharey=True, squeeze=False)
    ticks = [0] + [10 ** k for k in range(1, len(str(last))) if 10 ** k <= last]
    for ax, eta in zip(axes.flat, etas):
        runs = [tr for tr in traces if tr.eta == eta]
        for tr in runs:
            solved = int(tr.correct[-1]) == len(tr.X)
            ax.plot(tr.steps, tr.loss, color=figures.LINE if solved else figures.ACCENT, lw=1.2,
                    ls="-" if solved else "--", alpha=0.8)
        solved = sum(int(tr.correct[-1]) == len(tr.X) for tr in runs)
        ax.set_title(f"η = {eta:g}: {solved} of {len(runs)} solve it", color=figures.INK, fontsize=10)
        ax.set_xscale("symlog", linthresh=1)
        ax.set_xlim(0, last)
        ax.set_xticks(ticks, [f"{t:,}" for t in ticks])
        ax.set_ylim(0, top * 1.05)
        ax.tick_params(labelsize=9)
    for ax in axes.flat[len(etas):]:
        ax.axis("off")
    for ax in axes[-1]:
        ax.set_xlabel("epoch (log scale)", fontsize=9)
    for row in axes:
        row[0].set_ylabel("loss", fontsize=9)
    if len(etas) < rows * cols:  # the empty corner says how to read the lines
        key = axes.flat[-1]
        key.plot([0.05, 0.3], [0.7, 0.7], color=figures.LINE, lw=1.5)
        key.plot([0.05, 0.3], [0.4, 0.4], color=figures.ACCENT, lw=1.5, ls="--")
        key.text(0.36, 0.7, "solves XOR", va="center", fontsize=9, color=figures.INK)
        key.text(0.36, 0.4, "stuck", va="center", fontsize=9, color=figures.INK)
        key.set_xlim(0, 1)
        key.set_ylim(0, 1)
    figures.margins(fig, left=0.65, right=0.15, top=0.35, bottom=0.6, wgap=0.2, hgap=0.6)
    label = ("Loss curves for each learning rate, one line per random start, epochs on a log scale: " +
             "; ".join(f"η {e:g}: {sum(int(t.correct[-1]) == len(t.X) for t in traces if t.eta == e)} of "
                       f"{sum(1 for t in traces if t.eta == e)} starts solve the task" for e in etas) + ".")
    return figures.to_svg(fig, uid, label, min_scale=1.25)


SPEC = WidgetSpec(
    "learning-rates",
    options={"scenario": str, "caption": str},
    fields=("steps", "loss", "correct", "final", "health"),
    context=context,
    scenario_check=a_sweep,
    needs=("assets/js/nn.js",),  # the decision maps are drawn from each start's final weights
)
