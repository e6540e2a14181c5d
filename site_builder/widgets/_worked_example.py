"""The calculations of one training step of a 2-2-2 network, in the order a hand calculation
writes them, each with its formula, the formula with numbers, and the result.

Every number is read from the Trace (record 0: the forward pass, deltas and gradients; record
1: the updated weights). Products shown as intermediate factors are formed from recorded
values, so each line is the same arithmetic a learner would do with a calculator.

The weights are named as in the classic example: W1 = [[w1, w2], [w3, w4]] (hidden layer),
W2 = [[w5, w6], [w7, w8]] (output layer); one bias per layer, b1 and b2.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from site_builder.engine import Trace

# weight name -> (parameter, row, column, sending node, receiving node)
WEIGHTS = {
    "w1": ("W1", 0, 0, "x1", "h1"),
    "w2": ("W1", 0, 1, "x2", "h1"),
    "w3": ("W1", 1, 0, "x1", "h2"),
    "w4": ("W1", 1, 1, "x2", "h2"),
    "w5": ("W2", 0, 0, "h1", "o1"),
    "w6": ("W2", 0, 1, "h2", "o1"),
    "w7": ("W2", 1, 0, "h1", "o2"),
    "w8": ("W2", 1, 1, "h2", "o2"),
}

DIGITS = 9


def num(x: float, digits: int = DIGITS) -> str:
    """A number as the lesson prints it: fixed decimals, a real minus sign."""
    if not np.isfinite(x):
        return "NaN" if np.isnan(x) else ("∞" if x > 0 else "−∞")
    return f"{x:.{digits}f}".replace("-", "−")


def tex_num(x: float, digits: int = DIGITS) -> str:
    s = f"{x:.{digits}f}"
    return f"({s})" if s.startswith("-") else s


SHORT = 4  # significant digits of the short form


def _short_parts(x: float, sig: int = SHORT) -> tuple[str, int | None]:
    """(mantissa, exponent): 4 significant digits, positional (trailing zeros kept: each
    number shows exactly 4); numbers below 0.0001 (not 0) as a mantissa times a power of ten
    (exponent None otherwise)."""
    if x != 0 and abs(x) < 1e-4:
        m, e = f"{x:.{sig - 1}e}".split("e")
        return m, int(e)
    return np.format_float_positional(x, precision=sig, unique=False, fractional=False, trim="k"), None


def short(x: float, sig: int = SHORT) -> str:
    """A number in its short form for reading: 0.5933, 3.510 × 10⁻⁵; a real minus sign."""
    if not np.isfinite(x):
        return num(x)
    m, e = _short_parts(x, sig)
    out = m if e is None else f"{m} × 10{str(e).translate(SUPERSCRIPT)}"
    return out.replace("-", "−")


def tex_short(x: float, sig: int = SHORT) -> str:
    m, e = _short_parts(x, sig)
    s = m if e is None else rf"{m} \times 10^{{{e}}}"
    return f"({s})" if s.startswith("-") else s


SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def pair(x: float, digits: int = DIGITS) -> str:
    """Both forms, for the page's digits switch: the short one shows unless the reader asks
    for every digit (html.digits-full)."""
    return (f'<span class="d-short">{short(x)}</span><span class="d-full">{num(x, digits)}</span>')


@dataclass
class Calc:
    """One line of the hand calculation."""

    key: str  # stable id, used in the URL hash
    title: str
    formula: str  # TeX, symbols only
    numbers: str  # TeX, the same formula with numbers substituted
    result: float
    symbol: str  # TeX of the quantity computed
    nodes: list[str] = field(default_factory=list)
    edges: list[str] = field(default_factory=list)
    phase: str = "forward"  # forward | error | output-weight | hidden-weight | update

    def __repr__(self) -> str:
        return f"Calc({self.key}: {self.symbol} = {self.result:.9g})"


class WorkedStep:
    """Named values of one step of the 2-2-2 example, read from a trace."""

    def __init__(self, trace: Trace):
        if tuple(trace.net.sizes) != (2, 2, 2) or 0 not in trace.detail:
            raise ValueError("the worked example needs a 2-2-2 network with detail recorded at step 0")
        if len(trace.steps) < 2 or trace.steps[1] != 1:
            raise ValueError("the worked example needs steps 0 and 1 recorded")
        d = trace.detail[0]
        s = d["samples"][0] if "samples" in d else 0
        row = list(d["samples"]).index(s) if "samples" in d else 0
        self.trace = trace
        self.eta = float(trace.eta)
        self.x = [float(v) for v in trace.X[s]]
        self.t = [float(v) for v in trace.T[s]]
        self.net_h = [float(v) for v in d["z"][0][row]]
        self.out_h = [float(v) for v in d["a"][1][row]]
        self.net_o = [float(v) for v in d["z"][1][row]]
        self.out_o = [float(v) for v in d["a"][2][row]]
        self.delta_o = [float(v) for v in d["delta"][1][row]]
        self.delta_h = [float(v) for v in d["delta"][0][row]]
        self.b1 = float(trace.params["b1"][0][0])
        self.b2 = float(trace.params["b2"][0][0])
        self.w = {k: float(trace.params[p][0][r, c]) for k, (p, r, c, _, _) in WEIGHTS.items()}
        self.grad = {k: float(trace.grads[p][0][r, c]) for k, (p, r, c, _, _) in WEIGHTS.items()}
        self.new_w = {k: float(trace.params[p][1][r, c]) for k, (p, r, c, _, _) in WEIGHTS.items()}
        self.error = [0.5 * (self.t[k] - self.out_o[k]) ** 2 for k in range(2)]
        self.total = float(trace.loss[0])
        self.total_after = float(trace.loss[1])

    # The factors of dE/dw for an output weight: (o - t), o(1 - o), h
    def output_factors(self, k: int):
        o, t = self.out_o[k], self.t[k]
        return o - t, o * (1 - o)

    def hidden_factors(self, j: int):
        """dE/dout_hj summed over both outputs, and each output's share."""
        w_to = [self.w[f"w{5 + j}"], self.w[f"w{7 + j}"]]  # h_j -> o1, h_j -> o2
        shares = [self.delta_o[k] * w_to[k] for k in range(2)]
        h = self.out_h[j]
        return shares, sum(shares), h * (1 - h)

    def calcs(self, full: bool = True) -> list[Calc]:
        """Every line; `full`: numbers with all nine decimals, else in their short form."""
        c: list[Calc] = []
        x, w, b1, b2 = self.x, self.w, self.b1, self.b2
        n = tex_num if full else (lambda v, digits=None: tex_short(v))
        for j, (wa, wb) in enumerate((("w1", "w2"), ("w3", "w4"))):
            h = f"h_{j + 1}"
            c.append(Calc(f"net-h{j + 1}", f"Net input of hidden unit {h[0]}{j + 1}",
                          rf"\mathrm{{net}}_{{{h}}} = w_{wa[1]} x_1 + w_{wb[1]} x_2 + b_1",
                          rf"\mathrm{{net}}_{{{h}}} = {n(w[wa])} \cdot {n(x[0])} + {n(w[wb])} \cdot {n(x[1])} + {n(b1)}",
                          self.net_h[j], rf"\mathrm{{net}}_{{{h}}}", ["x1", "x2", f"h{j + 1}"], [wa, wb]))
            c.append(Calc(f"out-h{j + 1}", f"Output of hidden unit h{j + 1}",
                          rf"\mathrm{{out}}_{{{h}}} = \sigma(\mathrm{{net}}_{{{h}}}) = \frac{{1}}{{1 + e^{{-\mathrm{{net}}_{{{h}}}}}}}",
                          rf"\mathrm{{out}}_{{{h}}} = \frac{{1}}{{1 + e^{{-{n(self.net_h[j])}}}}}",
                          self.out_h[j], rf"\mathrm{{out}}_{{{h}}}", [f"h{j + 1}"]))
        for k, (wa, wb) in enumerate((("w5", "w6"), ("w7", "w8"))):
            o = f"o_{k + 1}"
            c.append(Calc(f"net-o{k + 1}", f"Net input of output unit o{k + 1}",
                          rf"\mathrm{{net}}_{{{o}}} = w_{wa[1]} \mathrm{{out}}_{{h_1}} + w_{wb[1]} \mathrm{{out}}_{{h_2}} + b_2",
                          rf"\mathrm{{net}}_{{{o}}} = {n(w[wa])} \cdot {n(self.out_h[0])} + {n(w[wb])} \cdot {n(self.out_h[1])} + {n(b2)}",
                          self.net_o[k], rf"\mathrm{{net}}_{{{o}}}", ["h1", "h2", f"o{k + 1}"], [wa, wb]))
            c.append(Calc(f"out-o{k + 1}", f"Output of output unit o{k + 1}",
                          rf"\mathrm{{out}}_{{{o}}} = \sigma(\mathrm{{net}}_{{{o}}})",
                          rf"\mathrm{{out}}_{{{o}}} = \frac{{1}}{{1 + e^{{-{n(self.net_o[k])}}}}}",
                          self.out_o[k], rf"\mathrm{{out}}_{{{o}}}", [f"o{k + 1}"], phase="forward"))
        for k in range(2):
            o = f"o_{k + 1}"
            c.append(Calc(f"error-o{k + 1}", f"Error of output o{k + 1}",
                          rf"E_{{{o}}} = \tfrac{{1}}{{2}}(t_{k + 1} - \mathrm{{out}}_{{{o}}})^2",
                          rf"E_{{{o}}} = \tfrac{{1}}{{2}}({n(self.t[k])} - {n(self.out_o[k])})^2",
                          self.error[k], rf"E_{{{o}}}", [f"o{k + 1}"], phase="error"))
        c.append(Calc("error-total", "Total error",
                      r"E_{\mathrm{total}} = E_{o_1} + E_{o_2}",
                      rf"E_{{\mathrm{{total}}}} = {n(self.error[0])} + {n(self.error[1])}",
                      self.total, r"E_{\mathrm{total}}", ["o1", "o2"], phase="error"))

        # Output-layer weight w5: three factors.
        d_out, d_net = self.output_factors(0)
        c.append(Calc("w5-a", "How the error changes with out_o1",
                      r"\frac{\partial E_{\mathrm{total}}}{\partial \mathrm{out}_{o_1}} = \mathrm{out}_{o_1} - t_1",
                      rf"\frac{{\partial E_{{\mathrm{{total}}}}}}{{\partial \mathrm{{out}}_{{o_1}}}} = {n(self.out_o[0])} - {n(self.t[0])}",
                      d_out, r"\frac{\partial E}{\partial \mathrm{out}_{o_1}}", ["o1"], phase="output-weight"))
        c.append(Calc("w5-b", "How out_o1 changes with net_o1",
                      r"\frac{\partial \mathrm{out}_{o_1}}{\partial \mathrm{net}_{o_1}} = \mathrm{out}_{o_1}(1 - \mathrm{out}_{o_1})",
                      rf"\frac{{\partial \mathrm{{out}}_{{o_1}}}}{{\partial \mathrm{{net}}_{{o_1}}}} = {n(self.out_o[0])} \cdot (1 - {n(self.out_o[0])})",
                      d_net, r"\sigma'(\mathrm{net}_{o_1})", ["o1"], phase="output-weight"))
        c.append(Calc("w5-c", "How net_o1 changes with w5",
                      r"\frac{\partial \mathrm{net}_{o_1}}{\partial w_5} = \mathrm{out}_{h_1}",
                      rf"\frac{{\partial \mathrm{{net}}_{{o_1}}}}{{\partial w_5}} = {n(self.out_h[0])}",
                      self.out_h[0], r"\frac{\partial \mathrm{net}_{o_1}}{\partial w_5}", ["h1", "o1"], ["w5"], phase="output-weight"))
        c.append(Calc("w5-grad", "The gradient of w5: multiply the three factors",
                      r"\frac{\partial E_{\mathrm{total}}}{\partial w_5} = (\mathrm{out}_{o_1} - t_1)\cdot \mathrm{out}_{o_1}(1 - \mathrm{out}_{o_1}) \cdot \mathrm{out}_{h_1}",
                      rf"\frac{{\partial E_{{\mathrm{{total}}}}}}{{\partial w_5}} = {n(d_out)} \cdot {n(d_net)} \cdot {n(self.out_h[0])}",
                      self.grad["w5"], r"\frac{\partial E_{\mathrm{total}}}{\partial w_5}", ["h1", "o1"], ["w5"], phase="output-weight"))

        # Hidden-layer weight w1: the blame reaching h1 from BOTH outputs.
        for k in range(2):
            d_out, d_net = self.output_factors(k)
            c.append(Calc(f"delta-o{k + 1}", f"Blame at output o{k + 1}",
                          rf"\delta_{{o_{k + 1}}} = (\mathrm{{out}}_{{o_{k + 1}}} - t_{k + 1}) \cdot \mathrm{{out}}_{{o_{k + 1}}}(1 - \mathrm{{out}}_{{o_{k + 1}}})",
                          rf"\delta_{{o_{k + 1}}} = {n(d_out)} \cdot {n(d_net)}",
                          self.delta_o[k], rf"\delta_{{o_{k + 1}}}", [f"o{k + 1}"], phase="hidden-weight"))
        shares, total, dh = self.hidden_factors(0)
        c.append(Calc("w1-sum", "Blame reaching h1: one share from each output",
                      r"\frac{\partial E_{\mathrm{total}}}{\partial \mathrm{out}_{h_1}} = \delta_{o_1} w_5 + \delta_{o_2} w_7",
                      rf"\frac{{\partial E_{{\mathrm{{total}}}}}}{{\partial \mathrm{{out}}_{{h_1}}}} = {n(self.delta_o[0])} \cdot {n(w['w5'])} + {n(self.delta_o[1])} \cdot {n(w['w7'])}",
                      total, r"\frac{\partial E}{\partial \mathrm{out}_{h_1}}", ["h1", "o1", "o2"], ["w5", "w7"], phase="hidden-weight"))
        c.append(Calc("w1-b", "How out_h1 changes with net_h1",
                      r"\frac{\partial \mathrm{out}_{h_1}}{\partial \mathrm{net}_{h_1}} = \mathrm{out}_{h_1}(1 - \mathrm{out}_{h_1})",
                      rf"\frac{{\partial \mathrm{{out}}_{{h_1}}}}{{\partial \mathrm{{net}}_{{h_1}}}} = {n(self.out_h[0])} \cdot (1 - {n(self.out_h[0])})",
                      dh, r"\sigma'(\mathrm{net}_{h_1})", ["h1"], phase="hidden-weight"))
        c.append(Calc("w1-c", "How net_h1 changes with w1",
                      r"\frac{\partial \mathrm{net}_{h_1}}{\partial w_1} = x_1",
                      rf"\frac{{\partial \mathrm{{net}}_{{h_1}}}}{{\partial w_1}} = {n(self.x[0])}",
                      self.x[0], r"\frac{\partial \mathrm{net}_{h_1}}{\partial w_1}", ["x1", "h1"], ["w1"], phase="hidden-weight"))
        c.append(Calc("w1-grad", "The gradient of w1",
                      r"\frac{\partial E_{\mathrm{total}}}{\partial w_1} = (\delta_{o_1} w_5 + \delta_{o_2} w_7) \cdot \mathrm{out}_{h_1}(1 - \mathrm{out}_{h_1}) \cdot x_1",
                      rf"\frac{{\partial E_{{\mathrm{{total}}}}}}{{\partial w_1}} = {n(total)} \cdot {n(dh)} \cdot {n(self.x[0])}",
                      self.grad["w1"], r"\frac{\partial E_{\mathrm{total}}}{\partial w_1}", ["x1", "h1", "o1", "o2"], ["w1", "w5", "w7"], phase="hidden-weight"))

        for name, (_, _, _, src, dst) in WEIGHTS.items():
            i = name[1]
            pattern = "" if name in ("w1", "w5") else (
                f" (its gradient follows the pattern of {'w5' if dst.startswith('o') else 'w1'}: "
                "the gradients table has its three factors)")
            c.append(Calc(f"update-{name}", f"Update {name}{pattern}",
                          rf"w_{i}^{{+}} = w_{i} - \eta \, \frac{{\partial E_{{\mathrm{{total}}}}}}{{\partial w_{i}}}",
                          rf"w_{i}^{{+}} = {n(w[name])} - {n(self.eta, 1)} \cdot {n(self.grad[name])}",
                          self.new_w[name], rf"w_{i}^{{+}}", [src, dst], [name], phase="update"))
        return c

    def forgotten_w1(self) -> float:
        """dE/dw1 if the path through o2 were left out (the common mistake)."""
        _, _, dh = self.hidden_factors(0)
        return self.delta_o[0] * self.w["w5"] * dh * self.x[0]

    def gradient_rows(self):
        """(name, dE/dout-or-delta factor, sigma' factor, input factor, gradient) per weight."""
        rows = []
        for name, (_, r, col, src, dst) in WEIGHTS.items():
            if dst.startswith("o"):
                d_out, d_net = self.output_factors(r)
                rows.append((name, d_out, d_net, self.out_h[col], self.grad[name]))
            else:
                _, total, dh = self.hidden_factors(r)
                rows.append((name, total, dh, self.x[col], self.grad[name]))
        return rows


# --- The network diagram: inline SVG drawn from the trace, with ids the player highlights ---

# Two layouts of one diagram: wide (layers left to right) and tall (top to bottom, for phones,
# where the wide one would shrink its labels below 12 px). CSS shows one of them.
LAYOUTS = {
    "wide": {"box": (560, 340), "r": 26, "node": {"x1": (70, 70), "x2": (70, 240), "h1": (280, 70), "h2": (280, 240),
                                                  "o1": (490, 70), "o2": (490, 240)},
             "bias": {"b1": (280, 330), "b2": (490, 330)}},
    "tall": {"box": (384, 600), "r": 26, "node": {"x1": (112, 45), "x2": (272, 45), "h1": (112, 270), "h2": (272, 270),
                                                  "o1": (112, 495), "o2": (272, 495)},
             "bias": {"b1": (192, 290), "b2": (192, 515)}},
}
NODE_POS = LAYOUTS["wide"]["node"]
NODE_LABEL = {"x1": "x₁", "x2": "x₂", "h1": "h₁", "h2": "h₂", "o1": "o₁", "o2": "o₂"}
# Where each weight's label sits: (fraction along the edge from the sending node, anchor).
# Straight edges get a label beside the middle; crossing edges a label near their sending
# unit, where the other crossing line is far away.
LABEL_AT = {"wide": {"w1": (0.5, "middle"), "w4": (0.5, "middle"), "w5": (0.5, "middle"), "w8": (0.5, "middle"),
                     "w2": (0.22, "start"), "w3": (0.22, "start"), "w6": (0.22, "start"), "w7": (0.22, "start")},
            "tall": {"w1": (0.5, "end"), "w4": (0.5, "start"), "w5": (0.5, "end"), "w8": (0.5, "start"),
                     "w3": (0.3, "cross"), "w2": (0.7, "cross"), "w7": (0.8, "cross"), "w6": (0.66, "cross")}}


def _label(parts, x, y, anchor, text, cls="", attrs=""):
    """A text over the lines, with a halo in the background colour so no line crosses it."""
    parts.append(f'<g class="ws-label {cls}"{attrs}>'
                 f'<text class="ws-halo" x="{x:.0f}" y="{y:.0f}" text-anchor="{anchor}" aria-hidden="true">{text}</text>'
                 f'<text x="{x:.0f}" y="{y:.0f}" text-anchor="{anchor}">{text}</text></g>')


def diagram_svg(step: WorkedStep, uid: str, layout: str = "wide") -> str:
    """The 2-2-2 network with every weight and bias labelled with its value, each unit's
    output under it and the blame (δ) at each output; the values a calculation produces carry
    data-from (the calculation that reveals them once the step-through reaches it) and the
    updated weights data-from="update-wN" (the old label data-until the same)."""
    L = LAYOUTS[layout]
    pos, r, (W, H) = L["node"], L["r"], L["box"]
    tid = f"{uid}-net-title-{layout}"
    parts = [
        f'<svg class="ws-net ws-net-{layout}" tabindex="0" viewBox="0 0 {W} {H}" role="img" aria-labelledby="{tid}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{tid}">Network diagram: inputs x1 = {step.x[0]:g} and x2 = {step.x[1]:g}, hidden units '
        f'h1 and h2, outputs o1 and o2, with weights w1 to w8 and biases b1 and b2 and their values before the step, '
        f'each unit\'s output and the blame at each output</title>',
    ]
    for name, (_, _, _, src, dst) in WEIGHTS.items():
        (x0, y0), (x1, y1) = pos[src], pos[dst]
        parts.append(f'<g class="ws-edge" data-edge="{name}"><line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}"/></g>')
    for name, (_, _, _, src, dst) in WEIGHTS.items():
        (x0, y0), (x1, y1) = pos[src], pos[dst]
        f, anchor = LABEL_AT[layout][name]
        lx, ly = x0 + (x1 - x0) * f, y0 + (y1 - y0) * f
        if anchor == "middle":
            lx, ly = lx, ly - 8
        elif anchor == "start" and layout == "wide":
            lx, ly = lx + 9, ly + 5
        elif anchor == "cross":
            anchor, lx, ly = "middle", lx, ly + 5
        else:
            lx, ly = (lx - 8 if anchor == "end" else lx + 8), ly + 5
        old, new = f"{name} = {step.w[name]:.2f}", f"{name} = {short(step.new_w[name])}"
        parts.append(f'<g class="ws-edge" data-edge="{name}">')
        _label(parts, lx, ly, anchor, old, "ws-old", f' data-until="update-{name}"')
        _label(parts, lx, ly, anchor, new, "ws-new ws-later", f' data-from="update-{name}"')
        parts.append("</g>")
    for node, (x, y) in pos.items():
        parts.append(
            f'<g class="ws-node ws-{node[0]}" data-node="{node}"><circle cx="{x}" cy="{y}" r="{r}"/>'
            f'<text x="{x}" y="{y + 6}" text-anchor="middle">{NODE_LABEL[node]}</text></g>'
        )
    values = {"x1": (f"{step.x[0]:g}", None), "x2": (f"{step.x[1]:g}", None),
              "h1": (short(step.out_h[0]), "out-h1"), "h2": (short(step.out_h[1]), "out-h2"),
              "o1": (short(step.out_o[0]), "out-o1"), "o2": (short(step.out_o[1]), "out-o2")}
    for node, (text, key) in values.items():
        x, y = pos[node]
        below = y + r + 17
        if layout == "tall" and node[0] == "x":
            below = y + r + 17
        _label(parts, x, below, "middle", ("= " if node[0] == "x" else "out ") + text, "ws-value-label",
               f' data-from="{key}"' if key else "")
    for k in range(2):
        x, y = pos[f"o{k + 1}"]
        _label(parts, x, y + r + 35, "middle", f"δ {short(step.delta_o[k])}", "ws-blame",
               f' data-from="delta-o{k + 1}"')
    _, total, _ = step.hidden_factors(0)
    x, y = pos["h1"]
    _label(parts, x, y + r + 35, "middle", f"blame {short(total)}", "ws-blame", ' data-from="w1-sum"')
    for b, value in (("b1", step.b1), ("b2", step.b2)):
        x, y = L["bias"][b]
        _label(parts, x, y, "middle", f"{b[0]}{'₁' if b == 'b1' else '₂'} = {value:.2f}", "ws-bias")
    parts.append("</svg>")
    return "".join(parts)


# --- Template context for the three worked-example widgets -------------------------------
# `math(tex, display)` renders TeX to MathML markup; it is passed in so this module does not
# depend on the renderer.

def steps_context(trace: Trace, uid: str, math) -> dict:
    step = WorkedStep(trace)
    calcs = [
        {
            "key": c.key,
            "title": c.title,
            "formula": math(c.formula, True),
            "numbers": math(c.numbers, True),
            "numbers_short": math(s.numbers, True),
            "symbol": math(c.symbol, False),
            "value": num(c.result),
            "value_short": short(c.result),
            "nodes": c.nodes,
            "edges": c.edges,
            "phase": c.phase,
        }
        for c, s in zip(step.calcs(), step.calcs(full=False))
    ]
    return {"calcs": calcs, "diagram": diagram_svg(step, uid) + diagram_svg(step, uid, "tall")}


TABLES = ("forward", "errors", "gradients", "updates", "check")


def table_context(trace: Trace, table: str) -> dict:
    step = WorkedStep(trace)
    # Cells are HTML (both digit forms of each number); the key columns come first, so a
    # phone shows them before any sideways scroll.
    if table == "forward":
        head = ["Unit", "Output", "Net input"]
        rows = [[f"h{j + 1}", pair(step.out_h[j]), pair(step.net_h[j])] for j in range(2)]
        rows += [[f"o{k + 1}", pair(step.out_o[k]), pair(step.net_o[k])] for k in range(2)]
    elif table == "errors":
        head = ["Output", "Error ½(t − out)²", "Target t", "Output out"]
        rows = [[f"o{k + 1}", pair(step.error[k]), num(step.t[k], 2), pair(step.out_o[k])] for k in range(2)]
        rows.append(["Total", pair(step.total), "", ""])
    elif table == "gradients":
        head = ["Weight", "Gradient ∂E/∂w", "Blame reaching the unit (∂E/∂out)", "Sigmoid slope", "Input carried"]
        rows = [[name, pair(g), pair(a), pair(b), pair(c)] for name, a, b, c, g in step.gradient_rows()]
    elif table == "updates":
        head = ["Weight", f"After (η = {step.eta:g})", "Gradient", "Before"]
        rows = [[name, pair(step.new_w[name]), pair(step.grad[name]), num(step.w[name], 2)] for name in WEIGHTS]
    elif table == "check":
        from site_builder.engine import gradcheck

        params = {k: v[0] for k, v in trace.params.items()}
        check = gradcheck(trace.net, params, trace.X, trace.T)
        head = ["Weight", "Relative difference", "Backpropagation", "Finite differences"]
        rows = []
        for name, (p, r, c, _, _) in WEIGHTS.items():
            a, n = float(check.analytic[p][r, c]), float(check.numeric[p][r, c])
            rel = abs(a - n) / max(abs(a) + abs(n), 1e-300)
            rows.append([name, short(rel, 2), pair(a, 12), pair(n, 12)])
    else:
        raise ValueError(f"unknown table '{table}'")
    return {"head": head, "rows": rows}


def path_sum_context(trace: Trace, math) -> dict:
    step = WorkedStep(trace)
    right, wrong = step.grad["w1"], step.forgotten_w1()
    _, total, dh = step.hidden_factors(0)
    n = tex_num
    out = {"right": pair(right), "wrong": pair(wrong), "ratio": f"{wrong / right:.2f}"}
    for suffix, n in (("", tex_num), ("_short", lambda v: tex_short(v))):
        out["right_formula" + suffix] = math(
            rf"({n(step.delta_o[0])} \cdot {n(step.w['w5'])} + {n(step.delta_o[1])} \cdot {n(step.w['w7'])}) \cdot {n(dh)} \cdot {n(step.x[0])}",
            True)
        out["wrong_formula" + suffix] = math(
            rf"{n(step.delta_o[0])} \cdot {n(step.w['w5'])} \cdot {n(dh)} \cdot {n(step.x[0])}", True)
    return out


def two_two_two(traces):
    """The scenario check every worked-example widget shares."""
    tr = traces[0]
    if tuple(tr.net.sizes) != (2, 2, 2) or 0 not in tr.detail:
        return "this widget needs a 2-2-2 network with detail recorded at step 0 (record: detail: {steps: [0]})"
    return None
