"""grad-tree: the chain rule applied again and again, drawn as a branching tree.

A deep, narrow network (one output, hidden layers of two units) unrolled from the loss back
to its first hidden layer: every path from the output down to a first-layer unit is a branch
of a binary tree. The trunk carries the output's delta dE/dz_out; each branch from unit k of
layer l + 1 down to unit j of layer l multiplies by that link's local slope
dz_{l+1,k}/dz_{l,j} = W_{l+1}[k, j] * f_l'(z_{l,j}); a leaf's number is the product of every
factor on its way from the root. The leaves that end at the same first-layer unit add up to
that unit's delta: the recorded delta, checked here at build time.

The tree is drawn recursively, each subtree a smaller copy of the whole (each level shorter
by the same ratio, turned by a smaller angle). Every number is read from record 0 of the
trace (weights, z and delta recorded in detail at step 0)."""
from __future__ import annotations

import math

import numpy as np

from site_builder.engine import ACTIVATIONS
from site_builder.widgets import WidgetSpec
from site_builder.widgets._worked_example import num

DIGITS = 4
LETTERS = "ABCDEFGH"
WIDTH, HEIGHT = 720, 440
TRUNK, RATIO = 70.0, 0.8
FIRST = 150.0  # the first fork's branches; each level after is RATIO times shorter
TURN = (46.0, 25.0, 22.0, 14.0)
PULL = 0.55  # each fork first leans back toward upright by this share, so outer leaves never droop  # degrees each level turns from its parent, shrinking like the lengths


def unit_name(layer: int, j: int, layers: int) -> str:
    return "o" if layer == layers else f"{LETTERS[layer - 1]}{j + 1}"


def build_tree(tr):
    """Nodes as a flat list: {id, layer, unit, parent, depth, factor, value, path}; the root
    (the output unit) has the output delta as its value; leaves are the first hidden layer."""
    net = tr.net
    L = net.layers
    d = tr.detail[0]
    row = list(d["samples"]).index(0)
    z = [np.asarray(x)[row] for x in d["z"]]
    a = [np.asarray(x)[row] for x in d["a"]]
    delta = [np.asarray(x)[row] for x in d["delta"]]
    root = {"id": "n0", "layer": L, "unit": 0, "parent": None, "depth": 1, "factor": float(delta[L - 1][0]),
            "value": float(delta[L - 1][0]), "path": ["E", "o"]}
    nodes = [root]

    def grow(node):
        l = node["layer"] - 1
        if l < 1:
            return
        W = tr.params[f"W{l + 1}"][0]
        f = ACTIVATIONS[net.activations[l - 1]]
        slope = f.df(z[l - 1], a[l])
        for j in range(net.sizes[l]):
            factor = float(W[node["unit"], j] * slope[j])
            child = {"id": f"n{len(nodes)}", "layer": l, "unit": j, "parent": node["id"], "depth": node["depth"] + 1,
                     "factor": factor, "value": node["value"] * factor,
                     "weight": float(W[node["unit"], j]), "slope": float(slope[j]),
                     "path": node["path"] + [unit_name(l, j, L)]}
            nodes.append(child)
            grow(child)

    grow(root)
    leaves = [n for n in nodes if n["layer"] == 1]
    sums = []
    for j in range(net.sizes[1]):
        total = sum(n["value"] for n in leaves if n["unit"] == j)
        recorded = float(delta[0][j])
        if not np.isclose(total, recorded, rtol=1e-9, atol=1e-15):
            raise ValueError(f"grad-tree: the leaves of unit {j + 1} add up to {total!r}, not the recorded delta {recorded!r}")
        sums.append({"name": unit_name(1, j, L), "sum": num(total, DIGITS), "recorded": num(recorded, DIGITS),
                     "terms": " + ".join(num(n["value"], DIGITS) for n in leaves if n["unit"] == j).replace("+ −", "− ")})
    return nodes, leaves, sums


def draw(nodes, uid, L):
    """The SVG: the trunk from the loss at the bottom up to the output unit, then two smaller
    copies at every node, each turned a little less than its parent."""
    by_id = {n["id"]: n for n in nodes}
    kids = {}
    for n in nodes:
        kids.setdefault(n["parent"], []).append(n)
    base = (WIDTH / 2, HEIGHT - 34)
    pos = {}
    branches, labels, tips = [], [], []
    xs_seen, ys_seen = [], []

    def place(node, start, heading, length, depth, side=1.0):
        x0, y0 = start
        x1 = x0 + length * math.cos(math.radians(heading))
        y1 = y0 - length * math.sin(math.radians(heading))
        pos[node["id"]] = (x1, y1)
        leaf = node["layer"] == 1
        branches.append(
            f'<line class="gt-branch" data-depth="{depth}" x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" '
            f'style="stroke-width:{max(2.0, 9.0 * RATIO ** (depth - 1)):.1f}px"/>')
        # The factor sits beside its branch's middle: a left-turning branch's on its left, a
        # right-turning one's on its right, so the two factors of a fork never meet.
        hx, hy = math.cos(math.radians(heading)), math.sin(math.radians(heading))
        nx, ny = hy * side, hx * side
        mx, my = (x0 + x1) / 2 + 11 * nx, (y0 + y1) / 2 + 11 * ny
        anchor = "start" if nx > 0.3 else "end" if nx < -0.3 else "middle"
        labels.append(f'<text class="gt-factor" data-depth="{depth}" x="{mx:.1f}" y="{my + 5 + 6 * max(ny, 0):.1f}" '
                      f'text-anchor="{anchor}">×{num(node["factor"], 3)}</text>')
        xs_seen.extend((x0, x1)); ys_seen.extend((y0, y1))
        name = node["path"][-1]
        tips.append(f'<g class="gt-node" data-depth="{depth}"><circle cx="{x1:.1f}" cy="{y1:.1f}" r="{13 if not leaf else 11}"/>'
                    f'<text class="gt-name" x="{x1:.1f}" y="{y1 + 5:.1f}" text-anchor="middle">{name}</text></g>')
        if leaf:
            tips.append(f'<text class="gt-leaf" data-leaf="{node["id"]}" data-depth="{depth}" x="{x1:.1f}" y="{y1 - 19:.1f}" '
                        f'text-anchor="middle">{num(node["value"], DIGITS)}</text>')
        children = kids.get(node["id"], [])
        turn = TURN[min(depth - 1, len(TURN) - 1)]
        for child, sign in zip(children, (1, -1) if len(children) == 2 else np.linspace(1, -1, len(children))):
            place(child, (x1, y1), 90.0 + (heading - 90.0) * PULL + sign * turn, FIRST if depth == 1 else length * RATIO, depth + 1, -sign)

    root = by_id["n0"]
    place(root, base, 90.0, TRUNK, 1)
    leaves = sum(1 for n in nodes if n["layer"] == 1)
    # Fit the viewBox to the tree (room for labels around it), so no space is wasted.
    left, right = min(xs_seen) - 60, max(xs_seen) + 60
    top, bottom = min(ys_seen) - 40, max(ys_seen) + 34
    head = (f'<svg class="gt-tree" viewBox="{left:.0f} {top:.0f} {right - left:.0f} {bottom - top:.0f}" role="img" aria-labelledby="{uid}-tree-title" '
            f'xmlns="http://www.w3.org/2000/svg"><title id="{uid}-tree-title">A tree of the chain rule: the trunk '
            f'from the loss E to the output o carries its delta; every branch multiplies by one local slope, down '
            f'{L - 1} layers, to {leaves} leaves; the table under the tree lists every factor and product</title>')
    foot = (f'<text class="gt-root" x="{base[0]:.0f}" y="{base[1] + 24:.0f}" text-anchor="middle">loss E</text>'
            f'<circle class="gt-pulse" r="7" cx="{base[0]:.0f}" cy="{base[1]:.0f}"/></svg>')
    return head + "".join(branches) + "".join(tips) + "".join(labels) + foot


def context(traces, options, uid, math_):
    tr = traces[0]
    nodes, leaves, sums = build_tree(tr)
    L = tr.net.layers
    by_id = {n["id"]: n for n in nodes}
    rows = []
    for leaf in leaves:
        chain, n = [], leaf
        while n is not None:
            chain.append(n)
            n = by_id.get(n["parent"])
        chain.reverse()
        rows.append({"id": leaf["id"], "path": " → ".join(leaf["path"]),
                     "factors": " × ".join(num(c["factor"], DIGITS) if c["factor"] >= 0 else f"({num(c['factor'], DIGITS)})" for c in chain),
                     "product": num(leaf["value"], DIGITS), "product_full": repr(leaf["value"])})
    return {
        "svg": draw(nodes, uid, L),
        "rows": rows,
        "sums": sums,
        "depth": max(n["depth"] for n in nodes),
        "root": num(nodes[0]["value"], DIGITS),
        "leaves": len(leaves),
        "example": next(n for n in nodes if n["depth"] == 2),
        "fmt": lambda v: num(v, DIGITS),
    }


def check(traces):
    tr = traces[0]
    net = tr.net
    if len(traces) != 1:
        return "grad-tree shows one run, not a sweep"
    if net.sizes[-1] != 1 or net.layers < 2:
        return "grad-tree needs one output unit and at least one hidden layer"
    if any(s > 3 for s in net.sizes[1:-1]) or net.layers > 5:
        return "grad-tree needs a narrow network (hidden layers of at most 3 units, at most 4 of them): the tree doubles at every layer"
    if 0 not in tr.detail or 0 not in list(tr.detail[0]["samples"]):
        return "grad-tree needs detail recorded at step 0 for sample 0 (record: detail: {steps: [0], samples: [0]})"
    if tr.net.activations[-1] == "softmax":
        return "grad-tree needs an output without softmax"
    return None


SPEC = WidgetSpec(
    "grad-tree",
    options={"scenario": str, "caption": str},
    fields=("params", "detail"),
    context=context,
    scenario_check=check,
)
