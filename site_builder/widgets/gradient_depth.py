"""gradient-depth: how big each layer's gradient is in a deep network, for several set-ups
(activation x starting-weight scale) and depths, from one sweep the engine trained. A bar per
layer on a log scale at the step chosen (a slider and the shared Player), the loss curve of
every set-up at that depth, and the input-to-output ratio that shows vanishing (far below 1)
or exploding (every bar enormous) gradients."""
from __future__ import annotations

import math

import numpy as np

from site_builder import figures
from site_builder.widgets import WidgetSpec

ACT_NAMES = {"sigmoid": "Sigmoid", "relu": "ReLU", "tanh": "Tanh", "leaky_relu": "Leaky ReLU", "linear": "Linear"}
SUPER = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def sci(v: float) -> str:
    """2 significant digits, 'a×10ⁿ' outside 0.01..1000 (the page's JS writes the same)."""
    if not math.isfinite(v):
        return "not a number" if math.isnan(v) else "infinite"
    if v == 0:
        return "0"
    e = math.floor(math.log10(abs(v)))
    m = round(v / 10 ** e, 1)
    if abs(m) >= 10:
        m, e = m / 10, e + 1
    if -2 <= e <= 2:
        return f"{v:.{max(0, 1 - e)}f}"
    return f"{m:.1f}×10{str(e).translate(SUPER)}".replace("-", "−", 1) if m < 0 else f"{m:.1f}×10{str(e).translate(SUPER)}"


def setup_of(tr) -> tuple:
    return (tr.axes.get("activation", tr.net.activations[0]), float(tr.axes.get("init_scale", 1.0)))


def setup_label(act: str, scale: float, scales: list[float]) -> str:
    size = "He-sized weights" if scale == 1 else f"weights ×{scale:g}"
    return f"{ACT_NAMES.get(act, act)}, {size}"


def depth_of(tr) -> int:
    return len(tr.net.sizes) - 1  # layers with weights: the hidden ones and the output


def organise(traces):
    setups = list(dict.fromkeys(setup_of(tr) for tr in traces))
    depths = sorted({depth_of(tr) for tr in traces})
    by = {(setup_of(tr), depth_of(tr)): tr for tr in traces}
    return setups, depths, by


def context(traces, options, uid, math_):
    setups, depths, by = organise(traces)
    scales = sorted({s for _, s in setups})
    labels = [setup_label(a, s, scales) for a, s in setups]
    deep = depths[-1]
    rows = [{"depth": d, "cells": [sci(float(by[st, d].grad_norms[0][0])) for st in setups]} for d in depths]
    finals = [f"{by[st, deep].loss[-1]:.3f}" for st in setups]
    lookup = {}
    for i, (a, s) in enumerate(setups):
        for d in depths:
            lookup[f"{i}:{d}"] = traces.index(by[(a, s), d])
    return {"figure": figure(traces, setups, labels, depths, by, uid), "setups": labels, "depths": depths,
            "deep": deep, "rows": rows, "finals": finals, "lookup": lookup, "steps": int(traces[0].steps[-1]),
            "records": len(traces[0].steps), "default_depth": deep}


def figure(traces, setups, labels, depths, by, uid: str) -> str:
    """Without JavaScript: at the greatest depth, each set-up's gradient size per layer at the
    start of training, on a log scale (the table beside it has each set-up's final loss)."""
    plt = figures.setup()
    deep = depths[-1]
    n = len(setups)
    fig, axes = plt.subplots(1, n, figsize=(1.9 * n, 2.4), sharey=True)
    values = np.concatenate([by[s, deep].grad_norms[0] for s in setups])
    lo = 10 ** math.floor(math.log10(max(values[values > 0].min(), 1e-12)))
    hi = 10 ** math.ceil(math.log10(values.max()))
    for i, (ax, s, label) in enumerate(zip(np.atleast_1d(axes), setups, labels)):
        g = by[s, deep].grad_norms[0]
        ax.bar(np.arange(1, len(g) + 1), g - lo, bottom=lo, color=figures.LINE, width=0.75)
        ax.set_yscale("log")
        figures.power_ticks(ax.yaxis)
        ax.set_ylim(lo, hi)
        ax.set_title(label.replace(", ", ",\n"), fontsize=8.5, color=figures.INK)
        ax.set_xticks([1, len(g)])
        ax.set_xlabel("layer", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.minorticks_off()
    np.atleast_1d(axes)[0].set_ylabel("gradient size", fontsize=8)
    lines = max(len(ax.get_title().splitlines()) for ax in np.atleast_1d(axes))
    figures.margins(fig, left=0.7, right=0.15, top=0.2 + 0.15 * lines, bottom=0.55, wgap=0.2)
    parts = []
    for s, label in zip(setups, labels):
        g = by[s, deep].grad_norms[0]
        parts.append(f"{label}: layer 1 {sci(float(g[0]))}, layer {len(g)} {sci(float(g[-1]))}")
    label = (f"Gradient size of each layer of a {deep}-layer network at the start of training, on a log scale, "
             f"for each set-up: " + "; ".join(parts) + ".")
    return figures.to_svg(fig, uid, label)


def check(traces):
    setups, depths, by = organise(traces)
    if len(depths) < 2 or len(setups) < 2:
        return ("gradient-depth needs a sweep over depths (sweep: hidden: [[8], [8, 8], ...]) and at least two "
                "set-ups (sweep: activations and/or init_scales)")
    if len(by) != len(setups) * len(depths) or len(traces) != len(by):
        return "gradient-depth needs exactly one run per set-up and depth (no seeds or learning-rate sweep)"
    return None


SPEC = WidgetSpec(
    "gradient-depth",
    options={"scenario": str, "caption": str},
    required=frozenset({"scenario"}),
    fields=("steps", "loss", "gradnorms", "axes"),
    context=context,
    scenario_check=check,
)
