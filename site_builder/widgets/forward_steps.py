"""forward-steps: the forward pass of a small network, one layer at a time.

A diagram of the network (inputs on the left, each layer in a column, the right answers beside
the outputs) and a list with one line per layer. Step reveals the next layer: its sums
z_l = W_l·a_(l-1) + b_l and its outputs a_l = f(z_l), as recorded by the engine (trace field
`detail`, at the start or after training, for each recorded point); the wires into that layer
light up. Back and Reset go the other way. The learner picks which point goes in.

The build draws the diagram and writes the list with every value for the first point, so
without JavaScript (and in print) the whole pass reads at once; the script hides the layers
not reached yet and fills in another point's numbers. Nothing is computed in the page.
"""
from __future__ import annotations

from html import escape

from site_builder.widgets import WidgetSpec
from site_builder.widgets.layer_matmul import coord, num, point_text

MAX_UNITS = 4
WIDTH = 480
R = 27          # node radius
GAP = 88        # between units of a column
TOP = 52        # room for the column headings


def at_step(tr, at: str) -> tuple[int, int]:
    """(record index, step) for 'start' or 'trained'."""
    return (0, int(tr.steps[0])) if at == "start" else (len(tr.steps) - 1, int(tr.steps[-1]))


def check(traces):
    if len(traces) != 1:
        return "forward-steps shows one run, not a sweep"
    tr = traces[0]
    first, last = int(tr.steps[0]), int(tr.steps[-1])
    if first not in tr.detail and last not in tr.detail:
        return (f"forward-steps replays the recorded forward pass: record detail at step {first} or {last} "
                f"(record: detail: {{steps: [{first}, {last}]}})")
    if max(tr.net.sizes) > MAX_UNITS or len(tr.net.sizes) > 4:
        return f"forward-steps draws every unit: at most 3 layers of at most {MAX_UNITS} units"
    return None


def layer_name(l: int, layers: int) -> str:
    return "inputs" if l == 0 else "outputs" if l == layers else f"hidden layer {l}" if layers > 2 else "hidden layer"


def geometry(sizes):
    layers = len(sizes) - 1
    tallest = max(sizes)
    height = TOP + GAP * tallest
    xs = [46 + c * (300 / layers) for c in range(layers + 1)]
    def y(u, k):
        return TOP + GAP * tallest / 2 + (u - (k - 1) / 2) * GAP
    return xs, y, height


def diagram(tr, W, a, targets, uid) -> str:
    """The network as SVG: wires (thicker for larger weights, dashed when negative), one circle
    per unit with its output written inside, a ? hidden behind it for the script."""
    sizes = [int(s) for s in tr.net.sizes]
    layers = len(sizes) - 1
    xs, y, height = geometry(sizes)
    out = [f'<svg class="fs-svg" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
           f'aria-labelledby="{uid}-diagram-title"><title id="{uid}-diagram-title">The network, '
           f'{"-".join(map(str, sizes))}: each circle is a unit with its value inside; the list under '
           f'the diagram gives the same numbers</title>']
    heads = [layer_name(l, layers).replace("hidden layer", "hidden") for l in range(layers + 1)]
    for l, x in enumerate(xs):
        out.append(f'<text class="fs-col" x="{x:.1f}" y="18" text-anchor="middle">{escape(heads[l])}</text>')
    out.append(f'<text class="fs-col" x="{WIDTH - 36}" y="18" text-anchor="middle">answer</text>')
    for l in range(1, layers + 1):
        Wl = W[f"W{l}"]
        for i in range(sizes[l]):
            for j in range(sizes[l - 1]):
                w = float(Wl[i, j])
                width = min(1 + 1.3 * abs(w), 6)
                dash = ' stroke-dasharray="5 4"' if w < 0 else ""
                out.append(f'<line class="fs-edge" data-into="{l}" x1="{xs[l - 1] + R:.1f}" y1="{y(j, sizes[l - 1]):.1f}" '
                           f'x2="{xs[l] - R:.1f}" y2="{y(i, sizes[l]):.1f}" stroke-width="{width:.2f}"{dash}/>')
    for l in range(layers + 1):
        short = "x" if l == 0 else "o" if l == layers else "h"
        for u in range(sizes[l]):
            cx, cy = xs[l], y(u, sizes[l])
            out.append(f'<g class="fs-node" data-layer="{l}">'
                       f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{R}"/>'
                       f'<text class="fs-name" x="{cx - R + 2:.1f}" y="{cy - R - 4:.1f}">{short}{u + 1}</text>'
                       f'<text class="fs-val" data-node="{l}-{u}" x="{cx:.1f}" y="{cy + 5:.1f}" text-anchor="middle">{num(a[l][u], 2)}</text>'
                       f'<text class="fs-q" x="{cx:.1f}" y="{cy + 6:.1f}" text-anchor="middle">?</text></g>')
    for u in range(sizes[-1]):
        cy = y(u, sizes[-1])
        out.append(f'<text class="fs-target" data-target="{u}" x="{WIDTH - 36}" y="{cy + 5:.1f}" '
                   f'text-anchor="middle">{coord(float(targets[u]))}</text>')
    out.append("</svg>")
    return "".join(out)


def context(traces, options, uid, math):
    tr = traces[0]
    at = options.get("at", "trained")
    k, step = at_step(tr, at)
    if step not in tr.detail:
        other = "start" if at == "trained" else "trained"
        at = other
        k, step = at_step(tr, at)
    d = tr.detail[step]
    samples = [int(s) for s in d["samples"]]
    sizes = [int(s) for s in tr.net.sizes]
    layers = len(sizes) - 1
    W = {f"W{l}": tr.params[f"W{l}"][k] for l in range(1, layers + 1)}
    a = [d["a"][l][0] for l in range(layers + 1)]
    z = [None] + [d["z"][l - 1][0] for l in range(1, layers + 1)]
    act = ["σ" if f == "sigmoid" else f for f in tr.net.activations]
    rows = []
    for l in range(layers + 1):
        rows.append({
            "layer": l, "name": layer_name(l, layers).capitalize(), "units": sizes[l],
            "a_name": "x" if l == 0 else f"a{l}", "in_name": "x" if l == 1 else f"a{l - 1}",
            "act": act[l - 1] if l else "",
            "z": ", ".join(num(v) for v in z[l]) if l else "",
            "a": ", ".join(num(v) for v in a[l]),
        })
    points = [{"pos": p, "label": point_text(tr.X[s]), "target": point_text(tr.T[s])} for p, s in enumerate(samples)]
    when = f"after {step} steps of training" if at == "trained" else "at the start, before training"
    return {
        "diagram": diagram(tr, W, a, tr.T[samples[0]], uid),
        "rows": rows, "points": points, "layers": layers, "step": step, "at": at, "when": when,
        "target": point_text(tr.T[samples[0]]),
    }


SPEC = WidgetSpec(
    "forward-steps",
    needs=("assets/parts/pill.css",),  # its choices are pills
    options={"scenario": str, "caption": str, "at": str},
    required=frozenset({"scenario"}),
    choices={"at": ("start", "trained")},
    fields=("detail",),
    context=context,
    scenario_check=check,
)
