"""gradient-sum: two runs from the same start side by side, one with the true gradient (a
hidden unit adds up the blame from every unit it feeds, `+=`) and one with the deliberate bug
`gradient: overwrite` (it keeps only the last one's, `=`): each run's gradient check, its loss
over the steps, and its outputs against the targets, replayed with the shared Player.

The gradient check is the engine's (engine.gradcheck) at each run's starting weights, judged
by the build's own limit (build.GRADCHECK_LIMIT): the build refuses a real scenario that fails
it, and publishes this one (the bug is the lesson) with the failure written on the page."""
from __future__ import annotations

import numpy as np

from site_builder import figures
from site_builder.engine import gradcheck
from site_builder.widgets import WidgetSpec
from site_builder.widgets._worked_example import num

DIGITS = 3
TITLES = {"sum": "Blame added up (+=)", "overwrite": "Blame overwritten (=)"}


def right_answer(o: float, t: float) -> bool:
    """An output counts as right when it is nearer its target than the other answer (within 0.5)."""
    return abs(o - t) < 0.5


def run_context(tr, which: str, limit: float) -> dict:
    params = {k: v[0] for k, v in tr.params.items()}
    check = gradcheck(tr.net, params, tr.X, tr.T)
    worst = float(check.max_rel_error)
    outs = tr.outputs[-1]
    names = tr.output_labels or [f"o{k + 1}" for k in range(tr.T.shape[1])]
    rows = []
    for i, (x, t) in enumerate(zip(tr.X, tr.T)):
        cells = [{"o": num(float(outs[i, k]), DIGITS), "t": num(float(t[k]), 0),
                  "ok": right_answer(float(outs[i, k]), float(t[k]))} for k in range(len(t))]
        rows.append({"x": ", ".join(f"{v:g}" for v in x), "cells": cells})
    right = sum(c["ok"] for r in rows for c in r["cells"])
    return {
        "which": which, "title": TITLES[which],
        "check": f"{worst:.1e}".replace("-", "−"), "check_full": repr(worst), "passed": worst <= limit,
        "loss_first": num(float(tr.loss[0]), 4), "loss_last": num(float(tr.loss[-1]), 4),
        "rows": rows, "names": names, "right": right, "cells": len(rows) * len(names),
        "steps": int(tr.steps[-1]),
    }


def figure(runs, uid: str) -> str:
    plt = figures.setup()
    fig, ax = plt.subplots(figsize=(6.4, 2.8))
    for tr, style, color in zip(runs, ("-", "--"), (figures.LINE, figures.ACCENT)):
        which = tr.net.gradient
        ax.plot(tr.steps, tr.loss, style, color=color, lw=2, label=TITLES[which])
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False)
    figures.margins(fig, left=0.7, right=0.15, top=0.15, bottom=0.6)
    a, b = runs
    label = (f"The loss over {int(a.steps[-1])} steps of both runs from the same start ({a.loss[0]:.3f}): "
             f"with the blame added up it falls to {a.loss[-1]:.4f}; overwritten, it stays at {b.loss[-1]:.4f}.")
    return figures.to_svg(fig, uid, label)


def context(traces, options, uid, math):
    from site_builder.build import GRADCHECK_LIMIT

    by = {tr.net.gradient: tr for tr in traces}
    runs = [by["sum"], by["overwrite"]]
    return {
        "runs": [run_context(tr, which, GRADCHECK_LIMIT) for tr, which in zip(runs, ("sum", "overwrite"))],
        "limit": f"{GRADCHECK_LIMIT:.0e}".replace("-", "−"),
        "figure": figure(runs, uid),
        "members": [traces.index(tr) for tr in runs],
    }


def check(traces):
    kinds = [tr.net.gradient for tr in traces]
    if sorted(kinds) != ["overwrite", "sum"]:
        return "gradient-sum needs a sweep of two runs, sweep: {gradients: [sum, overwrite]}"
    a, b = traces
    if not (np.array_equal(a.X, b.X) and np.array_equal(a.T, b.T) and np.array_equal(a.steps, b.steps)):
        return "gradient-sum compares two runs on the same data, recorded at the same steps"
    if a.net.sizes[-1] < 2 or a.net.layers < 2:
        return "gradient-sum needs a hidden layer feeding two or more outputs (else there is nothing to add up)"
    return None


SPEC = WidgetSpec(
    "gradient-sum",
    options={"scenario": str, "caption": str},
    fields=("steps", "loss", "outputs", "axes", "start"),
    context=context,
    scenario_check=check,
)
