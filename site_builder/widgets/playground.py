"""playground: a 2-8-1 network that trains live in the page on points the learner places.

The board is the square [-1.5, 1.5]². The learner places points of class 1 (filled dots) and
class 0 (hollow dots) by click, tap, right-click (the other class) or keys; the page trains
the network on them with BPE.nn under a live Player and redraws the decision map (sand where
it answers 0, blue where it answers 1) every frame, with a loss chart and words.

The scenario is a sweep over `datasets` (content/scenarios/playground-presets.yaml): each
member is a preset (XOR corners, a circle, two blobs) trained by the engine at build time from
fixed starting weights. The page embeds each preset's points, starting weights (`start`), the
engine's weights at its last step (`final`) and its recorded loss, so loading a preset and
training it in the page for the recorded number of steps at the recorded rate lands on the
engine's weights (the page stops there once to compare). Computing in the page is right here:
the points are the learner's own input.

Reading an answer: an output above 0.5 + MARGIN answers 1, below 0.5 - MARGIN answers 0; in
between it reads 0.50 and is undecided, never right (as xor-hidden-layer: a single neuron on
XOR shrinks every output to 0.5, and the engine's `correct`, which takes >= 0.5 as 1, would let
rounding noise decide). themes/default/widgets/playground/playground.js uses the same rule.

The static fallback (JavaScript off, print) is a matplotlib figure of each preset's points on
the engine's final decision map, and the same facts in words.
"""
from __future__ import annotations

import re

import numpy as np

from site_builder import figures
from site_builder.engine.grid import axis
from site_builder.engine.nn import forward
from site_builder.widgets import WidgetSpec

LO, HI = -1.5, 1.5                         # the board, both axes
MARGIN = 0.005                             # |output - 0.5| <= MARGIN: undecided
RATES = (0.05, 0.1, 0.3, 0.5, 1.0, 2.0)    # the learning-rate choices (the recorded one is added)
SAND = (246 / 255, 222 / 255, 180 / 255)   # answers 0 (as the other maps)
PALE = (244 / 255, 244 / 255, 240 / 255)   # 0.5
BLUE = (96 / 255, 140 / 255, 230 / 255)    # answers 1
NAMES = {"xor": "XOR corners", "circles": "A circle", "blobs": "Two blobs", "moons": "Two moons",
         "spirals": "Two spirals", "and": "AND corners", "or": "OR corners"}


def preset_name(tr, k: int) -> str:
    """A preset's label: the generator's name in words, or the data set's own name."""
    value = tr.axes.get("dataset")
    if isinstance(value, dict):
        value = value.get("generator", value.get("name"))
    return NAMES.get(str(value), str(value) if value is not None else f"Preset {k + 1}")


def check(traces):
    need = ("playground needs a sweep over `datasets` (one member per preset, at most 6) of a network "
            "with 2 inputs and 1 output (network: {sizes: [2, 8, 1]}, sweep: {datasets: [xor, circles]})")
    if not 1 <= len(traces) <= 6:
        return need + f"; this scenario has {len(traces)} members"
    for tr in traces:
        if tr.net.sizes[0] != 2 or tr.net.sizes[-1] != 1:
            return need + f"; {tr.label} has sizes {list(tr.net.sizes)}"
        if tr.net.activations[-1] != "sigmoid":
            return "playground reads the output as the chance of class 1: the output activation must be sigmoid"
        if not np.isin(tr.T, (0.0, 1.0)).all():
            return "playground needs targets that are 0 or 1 (class 0, class 1)"
        if np.abs(tr.X).max() > HI:
            return f"playground's board runs from {LO:g} to {HI:g}: every point of {tr.label} must lie inside it"
        if len(tr.X) > 200:
            return f"playground holds at most 200 points; {tr.label} has {len(tr.X)}"
        if tr.diverged:
            return f"playground compares the page with the engine's run, but {tr.label} diverged"
    if len({tr.eta for tr in traces}) != 1 or len({int(tr.steps[-1]) for tr in traces}) != 1:
        return "playground's presets share one learning rate and one number of steps (no learning_rates sweep)"
    return None


def final_map(tr, points: int = 41):
    xs = axis(LO, HI, points)
    gx, gy = np.meshgrid(xs, xs)
    p = {k: np.asarray(v[-1]) for k, v in tr.params.items()}
    with np.errstate(all="ignore"):
        _, a = forward(tr.net, p, np.c_[gx.ravel(), gy.ravel()])
    return xs, a[-1][:, 0].reshape(points, points)


def figure(traces, uid: str, facts) -> str:
    plt = figures.setup()
    from matplotlib.colors import LinearSegmentedColormap

    cmap = LinearSegmentedColormap.from_list("sand-blue", [SAND, PALE, BLUE])
    fig, axes = plt.subplots(1, len(traces), figsize=(2.7 * len(traces), 2.9), squeeze=False)
    for ax, tr, f in zip(axes[0], traces, facts):
        xs, grid = final_map(tr)
        ax.imshow(grid, origin="lower", extent=(LO, HI, LO, HI), cmap=cmap, vmin=0, vmax=1, interpolation="none")
        if grid.min() < 0.5 < grid.max():
            ax.contour(xs, xs, grid, levels=[0.5], colors=[figures.INK], linewidths=1.4)
        ones = tr.T[:, 0] >= 0.5
        ax.scatter(tr.X[ones, 0], tr.X[ones, 1], s=22, facecolors="#1e3a8a", edgecolors=figures.INK, linewidths=1, zorder=3)
        ax.scatter(tr.X[~ones, 0], tr.X[~ones, 1], s=22, facecolors="white", edgecolors=figures.INK, linewidths=1, zorder=3)
        ax.set_title(f["name"], color=figures.INK, fontsize=11)
        ax.set_xlabel(f"{f['right']} of {f['n']} right", fontsize=10, color=figures.INK)
        ax.set_xlim(LO, HI)
        ax.set_ylim(LO, HI)
        ax.set_xticks([-1, 0, 1])
        ax.set_yticks([-1, 0, 1])
        ax.tick_params(labelsize=9)
        ax.set_aspect("equal")
    figures.margins(fig, left=0.45, right=0.15, top=0.2, bottom=0.4, wgap=0.45)
    label = ("Decision maps of the trained network for each preset, sand where it answers 0 and blue where it "
             "answers 1, filled dots class 1, hollow dots class 0: " +
             "; ".join(f"{f['name']}: {f['right']} of {f['n']} points right, loss {f['loss']}" for f in facts) + ".")
    svg = hoist_marker_styles(figures.to_svg(fig, uid, label))
    # The 41 x 41 maps are drawn smooth by the browser, not as blocks.
    return svg.replace(' style="image-rendering:crisp-edges;image-rendering:pixelated"', "")


def hoist_marker_styles(svg: str) -> str:
    """matplotlib writes every scatter point as <use href="#marker" x y style="fill; stroke">.
    When all the uses of a marker share one style, write it once on the marker's own path
    (its own properties still win, as they did over the inherited ones): the same picture,
    about 5 KB less for the three presets' 120 points."""
    uses = re.findall(r'<use xlink:href="#([^"]+)" x="[^"]*" y="[^"]*" (style="[^"]*")/>', svg)
    styles: dict[str, set] = {}
    for ref, style in uses:
        styles.setdefault(ref, set()).add(style)
    for ref, found in styles.items():
        defn = re.search(rf'<path id="{re.escape(ref)}" d="[^"]*" style="([^"]*)"/>', svg)
        if len(found) != 1 or not defn:
            continue
        use_style = next(iter(found))
        props = {}
        for part in (use_style[len('style="'):-1] + ";" + defn.group(1)).split(";"):
            if part.strip():
                key, value = part.split(":", 1)
                props[key.strip()] = value.strip()  # the path's own come last and win
        merged = "; ".join(f"{k}: {v}" for k, v in props.items())
        svg = svg.replace(defn.group(0), defn.group(0).replace(f'style="{defn.group(1)}"', f'style="{merged}"'))
        svg = re.sub(rf'(<use xlink:href="#{re.escape(ref)}" x="[^"]*" y="[^"]*") {re.escape(use_style)}/>', r"\1/>", svg)
    return svg


def right_count(tr) -> int:
    """Points right at the last record, by the margin rule."""
    o, t = tr.outputs[-1][:, 0], tr.T[:, 0]
    return int(((o > 0.5 + MARGIN) & (t >= 0.5)).sum() + ((o < 0.5 - MARGIN) & (t < 0.5)).sum())


def context(traces, options, uid, math):
    facts = []
    for k, tr in enumerate(traces):
        facts.append({"index": k, "name": preset_name(tr, k), "n": len(tr.X), "right": right_count(tr),
                      "loss": f"{tr.loss[-1]:.4f}", "start_loss": f"{tr.loss[0]:.4f}",
                      "ones": int((tr.T[:, 0] >= 0.5).sum())})
    eta = float(traces[0].eta)
    steps = int(traces[0].steps[-1])
    rates = sorted(set(RATES) | {eta})
    return {
        "figure": figure(traces, uid, facts),
        "presets": facts,
        "rates": [{"value": f"{r:g}", "selected": r == eta} for r in rates],
        "eta": f"{eta:g}",
        "steps": steps,
        "max_steps": int(options.get("max_steps", 5000)),
        "hidden": traces[0].net.sizes[1] if len(traces[0].net.sizes) == 3 else None,
        "lo": f"{LO:g}", "hi": f"{HI:g}",
    }


SPEC = WidgetSpec(
    "playground",
    options={"scenario": str, "caption": str, "max_steps": int},
    fields=("steps", "loss", "correct", "start", "final", "axes"),
    context=context,
    scenario_check=check,
    needs=("assets/js/nn.js", "assets/parts/pill.css"),  # trains live on the learner's points; its class choice is pills
)
