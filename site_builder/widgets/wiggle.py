"""wiggle: one weight on a slider, every other weight held where it was. The loss along that
weight and its slope (backprop's dE/dw) at each point were computed by the engine on a grid at
build time (the scenario's `record: slice`); the page only looks them up."""
from __future__ import annotations

import numpy as np

from site_builder import figures
from site_builder.engine import weight_index
from site_builder.widgets import WidgetSpec


def describe(tr, ref: str) -> str:
    """'W2[0,0]' -> 'the weight from hidden unit 1 to Paris' (words from the labels)."""
    name, idx = weight_index(ref, tr.net)
    layer = int(name[1:])
    last = len(tr.net.sizes) - 1

    def unit(l, j):
        if l == 0 and tr.input_labels:
            return f"“{tr.input_labels[j]}”"
        if l == last and tr.output_labels:
            return f"“{tr.output_labels[j]}”"
        return f"hidden unit {j + 1}"
    if name.startswith("b"):
        return f"the bias of {unit(layer, idx[0])}"
    return f"the weight from {unit(layer - 1, idx[1])} to {unit(layer, idx[0])}"


def context(traces, options, uid, math):
    tr = traces[0]
    sl = tr.slices[0]
    mid = len(sl.values) // 2
    return {
        "what": describe(tr, sl.weight),
        "points": len(sl.values),
        "mid": mid,
        "figure": figure(sl, uid, describe(tr, sl.weight)),
    }


def figure(sl, uid, what):
    plt = figures.setup()
    fig, ax = plt.subplots(figsize=(4.6, 3))
    ax.plot(sl.values, sl.loss, color=figures.LINE, lw=2)
    mid = len(sl.values) // 2
    w, L, g = sl.values[mid], sl.loss[mid], sl.slope[mid]
    dw = 0.12 * (sl.values[-1] - sl.values[0])
    ax.plot([w - dw, w + dw], [L - g * dw, L + g * dw], "--", color=figures.ACCENT, lw=1.8)
    ax.plot([w], [L], "o", color=figures.ACCENT, ms=6)
    low = int(np.argmin(sl.loss))
    ax.annotate("lowest", (sl.values[low], sl.loss[low]), textcoords="offset points", xytext=(0, 10), ha="center", color=figures.INK)
    ax.set_xlabel(f"w, {what}".replace("“", "").replace("”", ""))
    ax.set_ylabel("loss")
    figures.margins(fig, left=0.65, right=0.15, top=0.15, bottom=0.6)
    label = (f"The loss as {what} alone changes, every other weight fixed. At the trained start w = {w:.3f} "
             f"the loss is {L:.3f} and the slope is {g:.3f}; the lowest loss on this range, {sl.loss[low]:.3f}, "
             f"is at w = {sl.values[low]:.2f}.").replace("“", "").replace("”", "")
    return figures.to_svg(fig, uid, label)


def check(traces):
    if len(traces) != 1 or not traces[0].slices:
        return "wiggle needs one run whose scenario records a slice (record: slice: {weight: ...})"
    return None


SPEC = WidgetSpec(
    "wiggle",
    options={"scenario": str, "caption": str},
    fields=("slice", "labels"),
    context=context,
    scenario_check=check,
)
