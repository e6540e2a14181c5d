"""xor-circuit: a 2-2-1 network learning XOR, drawn as a circuit. One Step sends a guess
forward, the error and the blame back, and turns the weights; Train runs on; New brain picks
another recorded start; presets load a set-up that learns nicely, too slowly, breaks from too
big a step, or settles in a valley. A learning-rate slider replays the recorded rates and trains
live (nn.js) in between, from the same start.

The presets are found here, at build time, from what the engine recorded: which rates and
starts solve the task, which get stuck, which saturate their units."""
from __future__ import annotations

import numpy as np

from site_builder import figures
from site_builder.widgets import WidgetSpec

def _sand_blue():
    """The live map's colours: sand where the network answers 0, blue where it answers 1."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("sand-blue", [(246 / 255, 222 / 255, 180 / 255), (96 / 255, 140 / 255, 230 / 255)])


# Rates offered on the slider; the recorded ones replay their traces, the rest train live.
SLIDER_RATES = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0, 100.0)


def _solved(tr) -> bool:
    return int(tr.correct[-1]) == len(tr.X)


def _saturated_names(tr) -> list[str]:
    names = []
    for layer, flags in enumerate(tr.saturated):
        for j, flag in enumerate(flags):
            if flag:
                names.append(f"h{j + 1}" if layer < len(tr.saturated) - 1 else "the output")
    return names


def presets(traces) -> list[dict]:
    """The four set-ups, from the recorded runs: (key, label, eta, seed, what the trace says)."""
    etas = sorted({tr.eta for tr in traces})
    seeds = [tr.seed for tr in traces if tr.eta == etas[0]]
    by = {(tr.eta, tr.seed): tr for tr in traces}
    middle = etas[len(etas) // 2]
    nice = next(s for s in seeds if _solved(by[middle, s]))
    stuck = next(s for s in seeds if not _solved(by[middle, s]))
    big = by[etas[-1], seeds[0]]
    slow = by[etas[0], seeds[0]]
    return [
        {"key": "nicely", "label": "Learns nicely", "eta": middle, "seed": nice,
         "says": f"solves all four cases by epoch {int(by[middle, nice].steps[np.argmax(by[middle, nice].correct == 4)])}"},
        {"key": "slow", "label": "Too slow", "eta": etas[0], "seed": seeds[0],
         "says": f"still at a loss of {slow.loss[-1]:.3f} after {int(slow.steps[-1]):,} epochs"},
        {"key": "big", "label": "Too big", "eta": etas[-1], "seed": seeds[0],
         "says": f"saturates {', '.join(_saturated_names(big)) or 'no unit'}; the loss ends at {big.loss[-1]:.3f}"},
        {"key": "valley", "label": "Stuck in a valley", "eta": middle, "seed": stuck,
         "says": f"settles at a loss of {by[middle, stuck].loss[-1]:.3f} with {int(by[middle, stuck].correct[-1])} of 4 right"},
    ]


def figure(traces, chosen: list[dict], uid: str) -> str:
    """Without JavaScript: each preset's loss curve over the epochs and its final decision map."""
    from site_builder.engine import forward

    plt = figures.setup()
    by = {(tr.eta, tr.seed): tr for tr in traces}
    # Two set-ups to a row, each a loss curve above its decision map: narrow enough that the
    # text stays legible on a phone (the figure keeps a minimum width and scrolls below it).
    cols = 2
    rows = 2 * -(-len(chosen) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.4, 2.25 * rows), squeeze=False)
    g = np.linspace(-0.25, 1.25, 31)
    gx, gy = np.meshgrid(g, g)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    for col, p in enumerate(chosen):
        tr = by[p["eta"], p["seed"]]
        top, bottom = axes[2 * (col // cols), col % cols], axes[2 * (col // cols) + 1, col % cols]
        top.plot(tr.steps, tr.loss, color=figures.LINE, lw=1.6)
        top.set_ylim(0, max(1.05, float(np.nanmax(tr.loss)) * 1.05))
        top.set_title(f"{p['label']}\nη = {p['eta']:g}, start {p['seed']}", color=figures.INK, fontsize=10)
        top.set_xlabel("epoch", fontsize=9)
        top.set_xticks([0, int(tr.steps[-1])])
        top.set_yticks([0, 0.5, 1])
        top.tick_params(labelsize=9)
        params = {k: v[-1] for k, v in tr.params.items()}
        out = forward(tr.net, params, grid)[1][-1][:, 0].reshape(gx.shape)
        bottom.imshow(out, origin="lower", extent=(-0.25, 1.25, -0.25, 1.25), vmin=0, vmax=1, cmap=_sand_blue(),
                      interpolation="none")  # the raw 31 x 31 cells: the viewer scales them, the page stays small
        for x, t in zip(tr.X, tr.T[:, 0]):
            bottom.scatter([x[0]], [x[1]], s=60, c="#1e3a8a" if t >= 0.5 else "white", edgecolors="#1f2937", zorder=3)
        right = int(tr.correct[-1])
        bottom.set_title(f"{right} of 4 right", color=figures.INK, fontsize=10)
        bottom.set_xticks([0, 1])
        bottom.set_yticks([0, 1])
        bottom.tick_params(labelsize=9)
        if col % cols == 0:
            top.set_ylabel("loss", fontsize=9)
            bottom.set_ylabel("x2", fontsize=9)
    figures.margins(fig, left=0.65, right=0.22, top=0.55, bottom=0.4, wgap=0.55, hgap=0.78)
    label = ("For each example set-up, the loss over the epochs and the network's final answer over the input square: "
             + "; ".join(f"{p['label']} (η {p['eta']:g}): {p['says']}" for p in chosen) + ".")
    return figures.to_svg(fig, uid, label, min_scale=1.25)


def context(traces, options, uid, math):
    chosen = presets(traces)
    by = {(tr.eta, tr.seed): tr for tr in traces}
    table = []
    for p in chosen:
        tr = by[p["eta"], p["seed"]]
        table.append({"label": p["label"], "eta": f"{p['eta']:g}", "outputs": [f"{o:.3f}" for o in tr.outputs[-1][:, 0]],
                      "right": int(tr.correct[-1]), "says": p["says"]})
    recorded = sorted({tr.eta for tr in traces})
    rates = sorted(set(SLIDER_RATES) | set(recorded))
    return {
        "figure": figure(traces, chosen, uid),
        "presets": chosen,
        "table": table,
        "inputs": [[f"{v:g}" for v in x] for x in traces[0].X],
        "targets": [f"{t:g}" for t in traces[0].T[:, 0]],
        "rates": [{"value": r, "text": f"{r:g}", "recorded": r in recorded} for r in rates],
        "start_rate": next(i for i, r in enumerate(rates) if r == chosen[0]["eta"]),
        "seeds": [tr.seed for tr in traces if tr.eta == recorded[0]],
        "epochs": int(traces[0].steps[-1]),
    }


def check(traces):
    net = traces[0].net
    etas = {tr.eta for tr in traces}
    if tuple(net.sizes) != (2, 2, 1) or len(etas) < 3 or len(traces) < 2 * len(etas):
        return ("xor-circuit needs a 2-2-1 network swept over at least three learning rates and two or more "
                "seeds (sweep: {learning_rates: [slow, good, too big], seeds: [1, 2, 3, 4]})")
    try:
        presets(traces)
    except StopIteration:
        return ("xor-circuit needs, at the middle learning rate, one start that solves the task and one that "
                "gets stuck: add seeds until both happen")
    return None


SPEC = WidgetSpec(
    "xor-circuit",
    options={"scenario": str, "caption": str},
    fields=("steps", "loss", "params", "start", "health"),
    context=context,
    scenario_check=check,
    needs=("assets/js/nn.js",),
)
