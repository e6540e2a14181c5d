"""live-network: a small network with one hidden layer, replayed from a trace in which every
step is recorded. Nodes show their activation for one chosen case, wires their weight (colour,
width and dash for the sign), the right answer sits beside the output as a dashed node, the
loss curve grows, and a table lists every weight as it is at the step shown. Step, 100 steps,
Play and Reset walk the recorded run; the node values are drawn from the recorded weights with
BPE.nn.forward."""
from __future__ import annotations

import numpy as np

from site_builder import figures
from site_builder.widgets import WidgetSpec


def param_rows(net, labels_in=None) -> list[dict]:
    """One row per parameter, in the trace's order: its name, what it connects, its index."""
    sizes = list(net.sizes)
    layers = len(sizes) - 1

    def unit(layer, j):
        if layer == 0:
            return (labels_in[j] if labels_in else f"x{j + 1}").replace("1", "₁").replace("2", "₂").replace("3", "₃")
        if layer == layers:
            return "out" if sizes[-1] == 1 else f"out{j + 1}"
        return "h" + "₁₂₃₄₅₆₇₈₉"[j] if j < 9 else f"h{j + 1}"

    rows = []
    for l in range(1, layers + 1):
        for i in range(sizes[l]):
            for j in range(sizes[l - 1]):
                rows.append({"param": f"W{l}", "i": i, "j": j, "key": f"W{l}[{i},{j}]",
                             "what": f"{unit(l - 1, j)} → {unit(l, i)}", "kind": "weight"})
        for i in range(sizes[l]):
            rows.append({"param": f"b{l}", "i": i, "j": None, "key": f"b{l}[{i}]",
                         "what": f"bias of {unit(l, i)}", "kind": "bias"})
    return rows


def value(trace, row, k):
    arr = trace.params[row["param"]][k]
    return float(arr[row["i"], row["j"]] if row["j"] is not None else arr[row["i"]])


def context(traces, options, uid, math):
    tr = traces[0]
    rows = param_rows(tr.net, tr.input_labels)
    last = len(tr.steps) - 1
    table = [{"key": r["key"], "what": r["what"], "start": f"{value(tr, r, 0):.4f}".replace("-", "−"),
              "end": f"{value(tr, r, last):.4f}".replace("-", "−")} for r in rows]
    return {"figure": figure(tr, uid), "rows": rows, "table": table, "last_step": int(tr.steps[-1]),
            "cases": [{"x": ", ".join(f"{v:g}" for v in x), "t": f"{t[0]:g}"} for x, t in zip(tr.X, tr.T)],
            "n": len(tr.X), "input_names": [r["what"].split(" → ")[0] for r in rows[:tr.net.sizes[0]]]}


def figure(tr, uid: str) -> str:
    """Without JavaScript: the loss over the recorded steps."""
    plt = figures.setup()
    fig, ax = plt.subplots(figsize=(5.2, 2.5))
    ax.plot(tr.steps, tr.loss, color=figures.LINE, lw=1.8)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_ylim(0, float(np.nanmax(tr.loss)) * 1.08)
    figures.margins(fig, left=0.7, right=0.25, top=0.15, bottom=0.6)
    label = (f"The loss over {int(tr.steps[-1])} training steps: it starts at {tr.loss[0]:.3f}, "
             f"and ends at {tr.loss[-1]:.4f}.")
    return figures.to_svg(fig, uid, label)


def check(traces):
    if len(traces) != 1:
        return "live-network shows one run, not a sweep"
    tr = traces[0]
    net = tr.net
    if len(net.sizes) != 3 or net.sizes[0] > 4 or net.sizes[1] > 6 or net.sizes[2] > 2:
        return ("live-network draws a network with one hidden layer of at most 6 units, at most 4 inputs and "
                f"2 outputs; this scenario has {'-'.join(map(str, net.sizes))}")
    steps = np.asarray(tr.steps)
    if len(steps) < 101 or not np.array_equal(steps[:101], np.arange(101)):
        return ("live-network's \"100 steps\" button needs every step recorded up to at least step 100 "
                "(record: every_until: 100 or more)")
    return None


SPEC = WidgetSpec(
    "live-network",
    options={"scenario": str, "caption": str},
    required=frozenset({"scenario"}),
    fields=("steps", "loss", "correct", "params", "labels"),
    context=context,
    scenario_check=check,
    needs=("assets/js/nn.js",),  # the node values, from the recorded weights
)
