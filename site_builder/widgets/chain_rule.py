"""chain-rule: (1) one path w -> z -> o -> E of an output weight, each link's local slope
with its number, and their product beside the engine's recorded gradient; (2) the blame
walking back through the network: a Step back button hands each layer's units their delta,
one layer at a time, from the output to the first hidden layer.

Numbers come from record 0 of the trace: the inputs, the recorded activations a and deltas
(detail at step 0), the outputs, the targets and the gradients. The local slopes are the
engine's own factors (squared error's o - t, the output activation's f'(z), the input a
carried by the weight); their product is checked against the recorded gradient here."""
from __future__ import annotations

import numpy as np

from site_builder.engine import ACTIVATIONS
from site_builder.widgets import WidgetSpec
from site_builder.widgets._worked_example import num

DIGITS = 4
SLOPE_NAME = {"sigmoid": "o(1 − o)", "tanh": "1 − o²", "linear": "1"}


def unit_names(sizes):
    """x1, x2 | h1, h2, h3 | o1, o2 (two hidden layers: g1.. then h1..)."""
    hidden = ["h", "g", "k", "m"]
    names = [[f"x{j + 1}" for j in range(sizes[0])]]
    for l in range(1, len(sizes) - 1):
        letter = hidden[len(sizes) - 2 - l] if len(sizes) - 2 <= len(hidden) else "h"
        names.append([f"{letter}{j + 1}" for j in range(sizes[l])])
    names.append([f"o{j + 1}" for j in range(sizes[-1])])
    return names


def diagram(sizes, names, deltas, errors, uid):
    """The network left to right; each unit's delta written under it (shown layer by layer)."""
    width, height, r = 560, 290, 22
    cols = len(sizes)
    xs = [40 + (width - 200) * l / (cols - 1) for l in range(cols)]
    pos = []
    for l, n in enumerate(sizes):
        gap = min(95, (height - 50) / max(n, 1))
        top = (height - 30 - gap * (n - 1)) / 2
        pos.append([(xs[l], top + gap * j) for j in range(n)])
    parts = [f'<svg class="cr-net" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{uid}-net-title" '
             f'xmlns="http://www.w3.org/2000/svg"><title id="{uid}-net-title">The network: '
             f'{", ".join(" ".join(layer) for layer in names)}; each unit\'s delta is listed below the figure</title>']
    for l in range(1, cols):
        for (x0, y0) in pos[l - 1]:
            for (x1, y1) in pos[l]:
                parts.append(f'<line class="cr-wire" data-layer="{l}" x1="{x0 + r}" y1="{y0:.0f}" x2="{x1 - r}" y2="{y1:.0f}"/>')
    for l in range(cols):
        for j, (x, y) in enumerate(pos[l]):
            parts.append(f'<g class="cr-unit" data-layer="{l}"><circle cx="{x:.0f}" cy="{y:.0f}" r="{r}"/>'
                         f'<text x="{x:.0f}" y="{y + 6:.0f}" text-anchor="middle">{names[l][j]}</text>')
            if l >= 1:
                parts.append(f'<text class="cr-delta" data-blame="{l}" x="{x:.0f}" y="{y + r + 19:.0f}" '
                             f'text-anchor="middle">δ {num(deltas[l - 1][j], DIGITS)}</text>')
            parts.append("</g>")
    for j, (x, y) in enumerate(pos[-1]):
        parts.append(f'<text class="cr-error" x="{x + r + 8:.0f}" y="{y + 6:.0f}">o − t = {num(errors[j], 2)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def context(traces, options, uid, math):
    tr = traces[0]
    net = tr.net
    L = net.layers
    d = tr.detail[0]
    row = list(d["samples"]).index(0)
    a = [np.asarray(x)[row] for x in d["a"]]
    z = [np.asarray(x)[row] for x in d["z"]]
    delta = [np.asarray(x)[row] for x in d["delta"]]
    t = tr.T[0]
    o = a[L]
    names = unit_names(net.sizes)

    # (1) One path: w = W_L[0, 0], from the first unit of the layer below to output o1.
    f_out = ACTIVATIONS[net.activations[-1]]
    w = float(tr.params[f"W{L}"][0][0, 0])
    carried = float(a[L - 1][0])  # dz/dw: the value the weight multiplies
    slope = float(f_out.df(z[L - 1], o)[0])  # do/dz
    blame = float(o[0] - t[0])  # dE/do for E = 1/2 sum (o - t)^2
    product = carried * slope * blame
    grad = float(tr.grads[f"W{L}"][0][0, 0])
    if not np.isclose(product, grad, rtol=1e-12, atol=1e-300):
        raise ValueError(f"chain-rule: the product of the local slopes {product!r} is not the recorded gradient {grad!r}")
    src, dst = names[L - 1][0], names[L][0]
    chain = {
        "w": num(w, 2), "src": src, "dst": dst, "a": num(carried, DIGITS), "z": num(float(z[L - 1][0]), DIGITS),
        "o": num(float(o[0]), DIGITS), "t": num(float(t[0]), 2), "E": num(float(tr.loss[0]), DIGITS),
        "slope_name": SLOPE_NAME.get(net.activations[-1], "f′(z)"),
        "s1": num(carried, DIGITS), "s2": num(slope, DIGITS), "s3": num(blame, DIGITS),
        "product": num(product, 6), "grad": num(grad, 6), "grad_full": f"{grad:.12f}".replace("-", "−"),
        "formula": math(r"\frac{\partial E}{\partial w} = \frac{\partial z}{\partial w} \cdot \frac{\partial o}{\partial z} \cdot \frac{\partial E}{\partial o}", True),
    }

    # (2) Blame walking back: deltas from the output layer down to the first hidden layer.
    layers = []
    for l in range(L, 0, -1):
        units = []
        for j in range(net.sizes[l]):
            if l == L:
                how = f"({num(float(o[j]), DIGITS)} − {num(float(t[j]), 2)}) × {num(float(f_out.df(z[l - 1], o)[j]), DIGITS)}"
            else:
                W = tr.params[f"W{l + 1}"][0]
                f = ACTIVATIONS[net.activations[l - 1]]
                terms = " + ".join(f"{num(float(delta[l][k]), DIGITS)} × {num(float(W[k, j]), 2)}" for k in range(net.sizes[l + 1]))
                how = f"({terms}) × {num(float(f.df(z[l - 1], a[l])[j]), DIGITS)}"
            units.append({"name": names[l][j], "delta": num(float(delta[l - 1][j]), DIGITS), "how": how})
        kind = "output layer" if l == L else ("hidden layer" if L == 2 else f"hidden layer {l}")
        layers.append({"layer": l, "kind": kind, "units": units})
    return {
        "chain": chain,
        "layers": layers,
        "L": L,
        "diagram": diagram(net.sizes, names, delta, o - t, uid),
    }


def check(traces):
    tr = traces[0]
    if len(traces) != 1:
        return "chain-rule shows one run, not a sweep"
    if tr.net.loss != "squared_error" or tr.net.activations[-1] == "softmax":
        return "chain-rule needs the squared-error loss (its first link is o − t)"
    if len(tr.X) != 1:
        return f"chain-rule needs a scenario with one example; this one has {len(tr.X)}"
    if tr.net.layers < 2:
        return "chain-rule needs a hidden layer for the blame to walk back to"
    if 0 not in tr.detail:
        return "chain-rule needs detail recorded at step 0 (record: detail: {steps: [0]})"
    return None


SPEC = WidgetSpec(
    "chain-rule",
    options={"scenario": str, "caption": str},
    fields=("loss", "outputs", "params", "grads", "detail"),
    context=context,
    scenario_check=check,
)
