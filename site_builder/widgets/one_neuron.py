"""one-neuron: a single sigmoid neuron with two inputs, a = σ(w1·x1 + w2·x2 + b), set by hand.

The learner moves w1, w2 and b (sliders, or by dragging the weight arrow's tip and a handle on
the line), picks a point and reads the computation with its numbers. The plot is the input
plane [-2, 2]² shaded by the neuron's output, with the boundary line w1·x1 + w2·x2 + b = 0 and
the weight vector (w1, w2), perpendicular to it, pointing to the side that answers 1. The
widget starts from the scenario's recorded start; "Show the trained neuron" sets the engine's
recorded final weights (trace fields `start` and `final`). Computing in the page is right here:
the weights are the learner's own input (plain arithmetic, no trace replay).

Reading an answer: a >= 0.5 answers 1, as the engine's `correct`, except a point exactly on
the line (|z| <= ON_LINE, a = 0.5 to the last digit), which is undecided and never right: the
sliders move in steps of 0.1 and the points sit at whole numbers, so a point landing exactly
on the line is common, and calling it "answers 1" would be rounding luck.
themes/default/widgets/one-neuron/one-neuron.js uses the same rule.

The static fallback (JavaScript off, print) is a matplotlib figure of the plane with the start
and the trained lines and the points, and the same facts in words.
"""
from __future__ import annotations

import numpy as np

from site_builder import figures
from site_builder.widgets import WidgetSpec

LO, HI = -2.0, 2.0   # the input plane drawn
RANGE = 4.0          # the sliders run from -RANGE to RANGE
ON_LINE = 1e-9       # |z| at most this: the point is on the line, undecided
SAND = (246 / 255, 222 / 255, 180 / 255)   # answers 0 (as the other maps)
PALE = (244 / 255, 244 / 255, 240 / 255)   # 0.5
BLUE = (96 / 255, 140 / 255, 230 / 255)    # answers 1


def weights(tr, k):
    """(w1, w2, b) at record k."""
    W, b = tr.params["W1"][k], tr.params["b1"][k]
    return float(W[0, 0]), float(W[0, 1]), float(b[0])


def check(traces):
    if len(traces) != 1:
        return "one-neuron shows one run, not a sweep"
    tr = traces[0]
    if tuple(tr.net.sizes) != (2, 1) or tr.net.activations[0] != "sigmoid":
        return ("one-neuron needs a single sigmoid neuron with two inputs "
                "(network: {sizes: [2, 1], activations: [sigmoid]})")
    if not np.isin(tr.T, (0.0, 1.0)).all():
        return "one-neuron needs targets that are 0 or 1: each point is answered 0 or 1"
    if np.abs(tr.X).max() > HI:
        return f"one-neuron draws the plane from {LO:g} to {HI:g}: every input must lie inside it"
    if tr.diverged:
        return "one-neuron compares the start with the trained neuron, but this run diverged"
    for k, when in ((0, "start"), (-1, "trained")):
        if max(abs(v) for v in weights(tr, k)) > RANGE:
            return (f"one-neuron's sliders run from -{RANGE:g} to {RANGE:g}, but the {when} weights "
                    f"({', '.join(f'{v:.3g}' for v in weights(tr, k))}) leave that range")
    return None


def point(x) -> str:
    """A point as "(1, −1)", with a no-break space so it never wraps in the middle."""
    return "(" + ",\u00a0".join(num(v, 0) if float(v).is_integer() else num(v, 1) for v in x) + ")"


def num(v: float, digits: int = 2) -> str:
    """A number with a real minus sign."""
    text = f"{v:.{digits}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", "\u2212")


def sides(w1, w2, b, X):
    """Per point: 'one' (a > 0.5), 'zero' (a < 0.5) or 'line' (on the line)."""
    z = X @ np.array([w1, w2]) + b
    return ["line" if abs(v) <= ON_LINE else "one" if v > 0 else "zero" for v in z]


def right_count(w1, w2, b, X, T) -> int:
    return sum((s == "one" and t >= 0.5) or (s == "zero" and t < 0.5) for s, t in zip(sides(w1, w2, b, X), T[:, 0]))


def line_words(w1, w2, b) -> str:
    return f"{num(w1)}·x1 + {num(w2)}·x2 + {num(b)} = 0".replace("+ \u2212", "\u2212 ")


def figure(tr, uid: str) -> str:
    plt = figures.setup()
    from matplotlib.colors import LinearSegmentedColormap

    start, final = weights(tr, 0), weights(tr, -1)
    cmap = LinearSegmentedColormap.from_list("sand-blue", [SAND, PALE, BLUE])
    n = 41
    xs = np.linspace(LO, HI, n)
    gx, gy = np.meshgrid(xs, xs)
    with np.errstate(over="ignore"):
        grid = 1.0 / (1.0 + np.exp(-(final[0] * gx + final[1] * gy + final[2])))
    fig, ax = plt.subplots(figsize=(4.6, 4.6))
    # The 41 x 41 grid itself goes into the SVG (interpolation "none": a 2 KB PNG instead of
    # matplotlib's 14 KB resampled one); the browser smooths it when it scales the image up.
    ax.imshow(grid, origin="lower", extent=(LO, HI, LO, HI), cmap=cmap, vmin=0, vmax=1,
              interpolation="none", alpha=0.75)
    t = np.linspace(-10, 10, 2)
    for (w1, w2, b), style, name in ((start, "--", "start"), (final, "-", "trained")):
        if abs(w2) > abs(w1):
            ax.plot(t, -(w1 * t + b) / w2, style, color=figures.INK, linewidth=2.2, label=f"{name}: {line_words(w1, w2, b)}")
        else:
            ax.plot(-(w2 * t + b) / w1, t, style, color=figures.INK, linewidth=2.2, label=f"{name}: {line_words(w1, w2, b)}")
    for x, target in zip(tr.X, tr.T[:, 0]):
        ax.scatter([x[0]], [x[1]], s=90, facecolors=figures.INK if target >= 0.5 else "white",
                   edgecolors=figures.INK, linewidths=1.8, zorder=3)
    ax.axhline(0, color=figures.MUTED, linewidth=0.6)
    ax.axvline(0, color=figures.MUTED, linewidth=0.6)
    ax.set_xlim(LO, HI)
    ax.set_ylim(LO, HI)
    ax.set_xticks([-2, -1, 0, 1, 2])
    ax.set_yticks([-2, -1, 0, 1, 2])
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_aspect("equal")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), frameon=False, fontsize=9)
    figures.margins(fig, left=0.65, right=0.2, top=0.2, bottom=1.15)
    label = (f"The input plane from {num(LO, 0)} to {num(HI, 0)}, shaded by the trained neuron's output "
             f"(sand near 0, blue near 1). Dashed, the starting line {line_words(*start)}: "
             f"{right_count(*start, tr.X, tr.T)} of {len(tr.T)} points right. Solid, the trained line "
             f"{line_words(*final)}: {right_count(*final, tr.X, tr.T)} of {len(tr.T)} right. Points: " +
             ", ".join(f"{point(x)} answer {int(t)}" for x, t in zip(tr.X, tr.T[:, 0])) + ".")
    svg = figures.to_svg(fig, uid, label)
    return svg.replace(' style="image-rendering:crisp-edges;image-rendering:pixelated"', "")


def context(traces, options, uid, math):
    tr = traces[0]
    start, final = weights(tr, 0), weights(tr, -1)
    ones = [point(x) for x, t in zip(tr.X, tr.T[:, 0]) if t >= 0.5]
    zeros = [point(x) for x, t in zip(tr.X, tr.T[:, 0]) if t < 0.5]
    return {
        "figure": figure(tr, uid),
        "steps": int(tr.steps[-1]),
        "eta": f"{tr.eta:g}",
        "n": len(tr.T),
        "points": [{"index": i, "label": point(x), "target": int(t)} for i, (x, t) in enumerate(zip(tr.X, tr.T[:, 0]))],
        "ones": ones,
        "zeros": zeros,
        "start": {"w": [num(v) for v in start], "line": line_words(*start), "right": right_count(*start, tr.X, tr.T)},
        "final": {"w": [num(v) for v in final], "line": line_words(*final), "right": right_count(*final, tr.X, tr.T)},
        "range": RANGE,
    }


SPEC = WidgetSpec(
    "one-neuron",
    needs=("assets/parts/pill.css",),  # its choices are pills
    options={"scenario": str, "caption": str},
    fields=("start", "final"),
    context=context,
    scenario_check=check,
)
