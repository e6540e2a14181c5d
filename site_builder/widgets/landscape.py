"""landscape: the loss over two weights as a shaded map with contour lines, computed by the
engine on a grid (the scenario's `record: surface`), and gradient descent's recorded path as a
ball rolling on it. The scenario is a sweep over starts (seeds) and learning rates of a network
whose only trainable parameters are those two weights, so the map is the whole story."""
from __future__ import annotations

import re

import numpy as np

from site_builder import figures
from site_builder.engine import weight_index
from site_builder.widgets import WidgetSpec


def axis_names(tr):
    out = []
    for ref in tr.surfaces[0].weights:
        name, idx = weight_index(ref, tr.net)
        word = tr.input_labels[idx[1]] if tr.input_labels and name == "W1" else ref
        out.append(f"weight of “{word}”")
    return out


def context(traces, options, uid, math):
    tr = traces[0]
    etas = list(dict.fromkeys(t.eta for t in traces))
    seeds = list(dict.fromkeys(t.seed for t in traces))
    starts = []
    a, b = (weight_index(ref, tr.net) for ref in tr.surfaces[0].weights)
    for n, seed in enumerate(seeds):
        t = traces[n]
        starts.append({"name": chr(ord("A") + n), "w": (float(t.params[a[0]][0][a[1]]), float(t.params[b[0]][0][b[1]]))})
    return {
        "etas": etas,
        "starts": starts,
        "names": axis_names(tr),
        "figure": figure(traces, uid, etas, seeds, axis_names(tr)),
    }


def figure(traces, uid, etas, seeds, names):
    plt = figures.setup()
    s = traces[0].surfaces[0]
    a, b = (weight_index(ref, traces[0].net) for ref in s.weights)
    fig, axes = plt.subplots(len(etas), 1, figsize=(4.6, 3.1 * len(etas)), sharex=True)
    U, V = np.meshgrid(s.u, s.v, indexing="ij")
    parts = []
    for e, (ax, eta) in enumerate(zip(np.atleast_1d(axes), etas)):
        # A raster for the shading (a few hundred bytes of PNG) keeps the page small.
        ax.imshow(np.log(s.loss).T, origin="lower", extent=(s.u[0], s.u[-1], s.v[0], s.v[-1]),
                  cmap="Blues_r", interpolation="none", aspect="auto")
        ax.contour(U, V, s.loss, levels=[3, 5, 8, 12], colors=figures.MUTED, linewidths=0.5)
        for n, _ in enumerate(seeds):
            t = traces[e * len(seeds) + n]
            x = np.clip(t.params[a[0]][:, a[1][0], a[1][1]], s.u[0], s.u[-1])
            y = np.clip(t.params[b[0]][:, b[1][0], b[1][1]], s.v[0], s.v[-1])
            ax.plot(x, y, "-", color=figures.ACCENT if n == 0 else figures.INK, lw=1.2, label=f"start {chr(65 + n)}")
            ax.plot(x[:1], y[:1], "o", color=figures.ACCENT if n == 0 else figures.INK, ms=4)
            parts.append(f"learning rate {eta:g}, start {chr(65 + n)}: loss {t.loss[0]:.2f} to {t.loss[-1]:.2f}")
        ax.set_title(f"learning rate {eta:g}", color=figures.INK, fontsize=10)
        if e == 0:
            ax.legend(fontsize=8, loc="lower right", frameon=True)
        ax.set_ylabel(names[1].replace("“", "").replace("”", ""))
    np.atleast_1d(axes)[-1].set_xlabel(names[0].replace("“", "").replace("”", ""))
    figures.margins(fig, left=0.7, right=0.2, top=0.35, bottom=0.6, hgap=0.45)
    label = "Loss maps over two weights, darker where the loss is lower, with each start's path: " + "; ".join(parts) + "."
    svg = figures.to_svg(fig, uid, label)
    # The three panels share one raster, and matplotlib names an image by its content: number
    # the copies so every id on the page stays unique.
    count = iter(range(1, 100))
    return re.sub(r'id="([^"]*image[^"]*)"', lambda m: f'id="{m.group(1)}-{next(count)}"', svg)


def check(traces):
    tr = traces[0]
    if not tr.surfaces:
        return "landscape needs a scenario that records a surface (record: surface: {weights: [...]})"
    free = [n for n in tr.params if np.ptp(np.stack([t.params[n] for t in traces])) > 0]
    names = {weight_index(ref, tr.net)[0] for ref in tr.surfaces[0].weights}
    if any(n not in names for n in free) or any(tr.params[n].shape[1:] != (1, 2) for n in names):
        return "landscape needs a network whose only trained parameters are the surface's two weights (freeze the rest)"
    return None


SPEC = WidgetSpec(
    "landscape",
    options={"scenario": str, "controls": list, "caption": str},
    choices={"controls": ("step", "play", "back", "reset")},
    fields=("steps", "loss", "params", "surface", "axes", "labels"),
    context=context,
    scenario_check=check,
)
