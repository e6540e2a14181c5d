"""xor-hidden-layer: why XOR needs the hidden layer. Four decision maps side by side at a
chosen training step: a single neuron alone (one straight split), each hidden unit of a 2-2-1
network (two straight splits) and the 2-2-1 network's answer (the bent region the output
unit makes of the two lines), each with how many XOR cases it gets right, in words.

The scenario is a sweep over `hidden` with two members: `[]` (2 -> 1) and `[2]` (2-2-1).
The page draws the maps with BPE.nn from the recorded weights; this module draws the same
four maps at the last step for the static fallback (JavaScript off, print).

Reading an answer. An output counts as answering 1 when it is above 0.5 by more than
MARGIN and 0 when it is below by more than MARGIN; in between it reads 0.50 to two decimals
and counts as undecided (never right). The engine's `correct` takes >= 0.5 as 1, so an
output of 0.5 - 1e-12 is "0" there: the lone neuron, whose outputs all shrink to 0.5 under
squared error, would then score 1, 2 or 3 of 4 by rounding noise alone (different in numpy
and in the browser). The margin keeps every count the learner sees meaningful and the same
in both. themes/default/widgets/xor-hidden-layer/xor-hidden-layer.js uses the same rule.
"""
from __future__ import annotations

import numpy as np

from site_builder import figures
from site_builder.engine.grid import axis
from site_builder.engine.nn import forward
from site_builder.widgets import WidgetSpec

MARGIN = 0.005      # |output - 0.5| <= MARGIN: reads 0.50, undecided
LO, HI = -0.5, 1.5  # the input square drawn
SAND = (246 / 255, 222 / 255, 180 / 255)   # answers 0 (as the learning-rates maps)
PALE = (244 / 255, 244 / 255, 240 / 255)   # 0.5: neither
BLUE = (96 / 255, 140 / 255, 230 / 255)    # answers 1
TITLES = ("One neuron alone", "Hidden unit h1", "Hidden unit h2", "The network's answer")


def members(traces):
    """(the single neuron's trace, the 2-2-1 network's trace)."""
    alone = next(tr for tr in traces if len(tr.net.sizes) == 2)
    net = next(tr for tr in traces if len(tr.net.sizes) == 3)
    return alone, net


def check(traces):
    need = ("xor-hidden-layer needs a sweep over `hidden` with two members, a network with no hidden "
            "layer and one with a hidden layer of 2, both with two inputs and one output "
            "(network: {sizes: [2, 2, 1]}, sweep: {hidden: [[], [2]]})")
    if len(traces) != 2:
        return need + f"; this scenario has {len(traces)} member(s)"
    shapes = sorted(tuple(tr.net.sizes) for tr in traces)
    if shapes != [(2, 1), (2, 2, 1)]:
        return need + "; its members are " + " and ".join("-".join(map(str, s)) for s in shapes)
    if any(tr.X.shape != (4, 2) for tr in traces):
        return need + ", on the four XOR cases (data: {generator: xor})"
    if not np.array_equal(traces[0].steps, traces[1].steps):
        return need + ", trained for the same steps and recorded at the same steps"
    return None


def point(x) -> str:
    """A case as "(0, 1)", with a no-break space so it never wraps in the middle."""
    return "(" + ",\u00a0".join(f"{v:g}" for v in x) + ")"


def sides(values):
    """'on' / 'off' / 'undecided' per sample, by the margin rule."""
    return ["on" if v > 0.5 + MARGIN else "off" if v < 0.5 - MARGIN else "undecided" for v in values]


def right_count(outputs, targets) -> tuple[int, int]:
    """(cases right, cases undecided)."""
    s = sides(outputs)
    right = sum((si == "on" and t >= 0.5) or (si == "off" and t < 0.5) for si, t in zip(s, targets))
    return right, s.count("undecided")


def answer_words(outputs, targets) -> str:
    right, unsure = right_count(outputs, targets)
    n = len(targets)
    if unsure == n:
        return f"0 of {n} right: it answers 0.50 to every case, a shrug"
    words = f"{right} of {n} right"
    if unsure:
        words += f", {unsure} undecided (0.50)"
    return words


def unit_words(values, X) -> str:
    s = sides(values)
    on = [point(x) for x, si in zip(X, s) if si == "on"]
    off = [point(x) for x, si in zip(X, s) if si == "off"]
    mid = [point(x) for x, si in zip(X, s) if si == "undecided"]
    if not on and not off:
        return "0.50 for every case: no split yet"
    if not off and not mid:
        return "on for all four cases: no split yet"
    if not on and not mid:
        return "off for all four cases: no split yet"
    parts = []
    if on:
        parts.append("on for " + ", ".join(on))
    if off:
        parts.append("off for " + ", ".join(off))
    if mid:
        parts.append("0.50 for " + ", ".join(mid))
    return "; ".join(parts)


def capital(words: str) -> str:
    return words[:1].upper() + words[1:]


def params_at(tr, k):
    return {name: np.asarray(v[k], dtype=np.float64) for name, v in tr.params.items()}


def maps_at(traces, k, points: int = 121):
    """The four maps at record k of each member: list of (title, grid values (ny, nx),
    values at the four cases, words)."""
    alone, net = members(traces)
    xs = axis(LO, HI, points)
    gx, gy = np.meshgrid(xs, xs)
    G = np.c_[gx.ravel(), gy.ravel()]
    out = []
    with np.errstate(all="ignore"):
        p = params_at(alone, k)
        _, a = forward(alone.net, p, G)
        _, s = forward(alone.net, p, alone.X)
        out.append((TITLES[0], a[-1][:, 0].reshape(points, points), s[-1][:, 0],
                    answer_words(s[-1][:, 0], alone.T[:, 0])))
        p = params_at(net, k)
        _, a = forward(net.net, p, G)
        _, s = forward(net.net, p, net.X)
        for j in range(2):
            out.append((TITLES[1 + j], a[1][:, j].reshape(points, points), s[1][:, j],
                        unit_words(s[1][:, j], net.X)))
        out.append((TITLES[3], a[-1][:, 0].reshape(points, points), s[-1][:, 0],
                    answer_words(s[-1][:, 0], net.T[:, 0])))
    return out


def best_alone(traces) -> int:
    alone, _ = members(traces)
    return max(right_count(o[:, 0], alone.T[:, 0])[0] for o in alone.outputs)


def first_solved(traces):
    """The first recorded step at which the 2-2-1 network gets all four right (or None)."""
    _, net = members(traces)
    for step, o in zip(net.steps, net.outputs):
        if right_count(o[:, 0], net.T[:, 0])[0] == len(net.T):
            return int(step)
    return None


def figure(traces, uid: str, maps) -> str:
    plt = figures.setup()
    from matplotlib.colors import LinearSegmentedColormap

    cmap = LinearSegmentedColormap.from_list("sand-blue", [SAND, PALE, BLUE])
    _, net = members(traces)
    fig, axes = plt.subplots(2, 2, figsize=(5.2, 5.6))  # two by two: legible on a phone too
    for ax, (title, grid, vals, words) in zip(axes.flat, maps):
        ax.imshow(grid, origin="lower", extent=(LO, HI, LO, HI), cmap=cmap, vmin=0, vmax=1,
                  interpolation="none")  # the raw cells: the viewer scales them, the page stays small
        if grid.min() < 0.5 - MARGIN and grid.max() > 0.5 + MARGIN:
            xs = axis(LO, HI, grid.shape[0])
            ax.contour(xs, xs, grid, levels=[0.5], colors=[figures.INK], linewidths=1.6)
        for x, t in zip(net.X, net.T[:, 0]):
            ax.scatter([x[0]], [x[1]], s=70, facecolors=figures.INK if t >= 0.5 else "white",
                       edgecolors=figures.INK, linewidths=1.6, zorder=3)
        ax.set_title(title, color=figures.INK, fontsize=11)
        ax.set_xlim(LO, HI)
        ax.set_ylim(LO, HI)
        ax.set_xticks([0, 1])
        ax.set_yticks([0, 1])
        ax.tick_params(labelsize=9)
        ax.set_aspect("equal")
        if "right" in words:  # the hidden units' splits are in the list under the figure
            ax.set_xlabel(words.split(":")[0], fontsize=10, color=figures.INK)
    figures.margins(fig, left=0.35, right=0.15, top=0.3, bottom=0.55, wgap=0.35, hgap=0.8)
    label = (f"Four decision maps after {int(net.steps[-1])} epochs, sand where the output is near 0 and "
             "blue where it is near 1: " +
             "; ".join(f"{t}: " + ", ".join(f"{point(x)} gives {v:.2f}" for x, v in zip(net.X, vals)) + f" ({w})"
                       for t, _, vals, w in maps) + ".")
    return figures.to_svg(fig, uid, label, min_scale=1.25)


def context(traces, options, uid, math):
    alone, net = members(traces)
    last = len(net.steps) - 1
    maps = maps_at(traces, last, points=41)  # 41 x 41 cells are plenty for a printed figure
    return {
        "figure": figure(traces, uid, maps),
        "words": [{"title": t, "words": capital(w)} for t, _, _, w in maps],
        "records": len(net.steps),
        "epochs": int(net.steps[-1]),
        "best_alone": best_alone(traces),
        "solved_at": first_solved(traces),
    }


SPEC = WidgetSpec(
    "xor-hidden-layer",
    options={"scenario": str, "caption": str},
    fields=("steps", "epochs", "loss", "params"),
    context=context,
    scenario_check=check,
    needs=("assets/js/nn.js",),  # the maps are drawn from the recorded weights at each step
)
