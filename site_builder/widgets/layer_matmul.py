"""layer-matmul: one layer of a network written two ways, as one matrix multiply
z = W·a + b and neuron by neuron (z_i = w_i1·a_1 + w_i2·a_2 + … + b_i), with the real numbers
of a recorded run: W and b from the trace's parameters at the start or after training (page
fields `start` and `final`), the layer's input a (the layer before's activations), its sums z
and its outputs σ(z) from the trace's `detail` (recorded at those two steps for each point).
Nothing is computed in the page: it only picks which recorded numbers to show.

Everything is rendered at build time for the trained weights and the first recorded point, so
without JavaScript the layer reads whole; the script adds the choice of weights (start or
trained) and of point, and highlights one unit's row, its bias, its sum and its line of the
neuron-by-neuron form together when any of them is hovered or focused.
"""
from __future__ import annotations

import numpy as np

from site_builder.widgets import WidgetSpec

MAX_UNITS = 4   # rows and columns that still fit a phone
DIGITS = 3


def num(v: float, digits: int = DIGITS) -> str:
    """A number with a real minus sign and no "-0" (as the script's num)."""
    text = f"{v:.{digits}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", "\u2212")


def coord(v: float) -> str:
    return num(v, 0) if float(v).is_integer() else f"{v:g}".replace("-", "\u2212")


def point_text(x) -> str:
    return "(" + ",\u00a0".join(coord(float(v)) for v in x) + ")"


def layer_of(traces, options) -> int:
    return int(options.get("layer") or len(traces[0].net.sizes) - 1)


def check(traces):
    if len(traces) != 1:
        return "layer-matmul shows one run, not a sweep"
    tr = traces[0]
    first, last = int(tr.steps[0]), int(tr.steps[-1])
    missing = [s for s in (first, last) if s not in tr.detail]
    if missing:
        return (f"layer-matmul shows the layer at the start and after training: record detail at steps "
                f"[{first}, {last}] (record: detail: {{steps: [{first}, {last}]}})")
    if list(tr.detail[first]["samples"]) != list(tr.detail[last]["samples"]):
        return "layer-matmul needs the same detail samples at the start and at the end"
    if max(tr.net.sizes) > MAX_UNITS:
        return f"layer-matmul writes every weight out: at most {MAX_UNITS} units in a layer"
    if tr.net.activations[-1] == "softmax":
        return "layer-matmul writes each unit's output as f(z) of its own sum: softmax does not fit"
    return None


def state(tr, layer: int, at: str, sample_pos: int) -> dict:
    """The numbers shown for one choice: weights at 'start' or 'trained', the detail sample at
    position sample_pos. Strings, formatted as the page writes them."""
    k, step = (0, int(tr.steps[0])) if at == "start" else (-1, int(tr.steps[-1]))
    W = tr.params[f"W{layer}"][k]
    b = tr.params[f"b{layer}"][k]
    d = tr.detail[step]
    a_in = d["a"][layer - 1][sample_pos]
    z = d["z"][layer - 1][sample_pos]
    a_out = d["a"][layer][sample_pos]
    units = []
    for i in range(W.shape[0]):
        terms = [f"{paren(num(W[i, j]))}\u00d7{paren(num(a_in[j]))}" for j in range(W.shape[1])]
        units.append({"terms": " + ".join(terms), "b": paren(num(b[i])), "z": num(z[i]), "a": num(a_out[i])})
    return {"W": [[num(v) for v in row] for row in W], "b": [num(v) for v in b], "a_in": [num(v) for v in a_in],
            "z": [num(v) for v in z], "a_out": [num(v) for v in a_out], "units": units}


def paren(s: str) -> str:
    return f"({s})" if s.startswith("\u2212") else s


def context(traces, options, uid, math):
    tr = traces[0]
    layer = layer_of(traces, options)
    if not 1 <= layer <= len(tr.net.sizes) - 1:
        raise ValueError(f"layer-matmul: this network has layers 1 to {len(tr.net.sizes) - 1}, not {layer}")
    last = int(tr.steps[-1])
    samples = [int(s) for s in tr.detail[last]["samples"]]
    points = [{"pos": p, "index": s, "label": point_text(tr.X[s]),
               "target": point_text(tr.T[s])} for p, s in enumerate(samples)]
    inputs_name = "x" if layer == 1 else f"a{layer - 1}"
    act = tr.net.activations[layer - 1]
    return {
        "layer": layer,
        "layers": len(tr.net.sizes) - 1,
        "n_in": int(tr.net.sizes[layer - 1]), "n_out": int(tr.net.sizes[layer]),
        "in_name": inputs_name,
        "act": "σ" if act == "sigmoid" else act,
        "act_word": act,
        "steps": last,
        "points": points,
        "shown": state(tr, layer, "trained", 0),
    }


SPEC = WidgetSpec(
    "layer-matmul",
    needs=("assets/parts/pill.css",),  # its choices are pills
    options={"scenario": str, "caption": str, "layer": int},
    required=frozenset({"scenario"}),
    fields=("steps", "start", "final", "detail"),
    context=context,
    scenario_check=check,
)
