"""Static figures (matplotlib -> inline SVG) drawn from traces: what a page shows when
JavaScript is off, and what it prints. Deterministic: fixed hash salt, no date, ids prefixed
with the widget's id so two figures on one page never share an id."""
from __future__ import annotations

import io
import re

import numpy as np

INK = "#1f2937"
MUTED = "#6b7280"
ACCENT = "#b45309"
LINE = "#2563eb"


def _setup():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams.update({
        "svg.hashsalt": "backprop-explained",
        "svg.fonttype": "none",  # text stays text: smaller, selectable, uses the page's font
        "font.family": "sans-serif",
        "font.size": 10,
        "axes.edgecolor": MUTED,
        "axes.labelcolor": INK,
        "xtick.color": MUTED,
        "ytick.color": MUTED,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "path.simplify": True,
    })
    return plt


def to_svg(fig, uid: str, label: str) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
                bbox_inches="tight", facecolor="white")
    import matplotlib.pyplot as plt

    plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    # Prefix every id (and each reference to it) so figures never collide on a page.
    svg = re.sub(r'id="([^"]+)"', lambda m: f'id="{uid}-{m.group(1)}"', svg)
    svg = re.sub(r'url\(#([^)]+)\)', lambda m: f"url(#{uid}-{m.group(1)})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{uid}-{m.group(1)}"', svg)
    # Shorten coordinates: 2 decimals are far below a pixel.
    svg = re.sub(r"(\d+\.\d{2})\d+", r"\1", svg)
    svg = re.sub(r'\s(width|height)="[\d.]+pt"', "", svg, count=2)
    svg = svg.replace("<svg ", f'<svg class="static-figure" role="img" aria-label="{label}" ', 1)
    svg = re.sub(r"\n\s*", "\n", svg)
    return svg.strip()


def weight_descent(trace, uid: str) -> str:
    """Left: the loss L(w) with the path of w; right: the loss at each step."""
    plt = _setup()
    w = trace.params["W1"][:, 0, 0]
    X, T = trace.X[:, 0], trace.T[:, 0]
    lo, hi = min(w.min(), 2 * w[-1] - w[0]), max(w.max(), 2 * w[-1] - w[0])
    pad = 0.15 * (hi - lo)
    grid = np.linspace(lo - pad, hi + pad, 200)
    scale = 1.0 / len(X) if trace.net.reduction == "mean" else 1.0
    curve = 0.5 * scale * ((T[None, :] - grid[:, None] * X[None, :]) ** 2).sum(axis=1)

    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.1))
    left.plot(grid, curve, color=MUTED, lw=1.5)
    left.plot(w, trace.loss, "o", color=ACCENT, ms=4, zorder=3)
    left.annotate("start", (w[0], trace.loss[0]), textcoords="offset points", xytext=(6, 6), color=INK)
    left.set_xlabel("weight w")
    left.set_ylabel("loss L(w)")
    left.set_title("Each step moves w downhill", color=INK, fontsize=10)

    right.plot(trace.steps, trace.loss, color=LINE, lw=1.8, marker="o", ms=3)
    right.set_xlabel("step")
    right.set_ylabel("loss")
    right.set_title("The loss after each step", color=INK, fontsize=10)
    fig.tight_layout()
    label = (f"Two charts. Left: the loss as a function of the weight, a parabola, with the weight's path "
             f"from {w[0]:g} toward {w[-1]:.3f}. Right: the loss falling over {int(trace.steps[-1])} steps.")
    return to_svg(fig, uid, label)


def learning_rates(traces, uid: str) -> str:
    """One small chart per learning rate: the loss of every seed over the epochs."""
    plt = _setup()
    etas = sorted({tr.eta for tr in traces})
    top = max(float(np.nanmax(np.where(np.isfinite(tr.loss), tr.loss, np.nan))) for tr in traces)
    fig, axes = plt.subplots(1, len(etas), figsize=(1.9 * len(etas), 2.4), sharey=True)
    for ax, eta in zip(np.atleast_1d(axes), etas):
        runs = [tr for tr in traces if tr.eta == eta]
        for tr in runs:
            ax.plot(tr.steps, tr.loss, color=LINE, lw=1, alpha=0.75)
        solved = sum(int(tr.correct[-1]) == len(tr.X) for tr in runs)
        ax.set_title(f"η = {eta:g}\n{solved} of {len(runs)} solved", color=INK, fontsize=9)
        ax.set_xlabel("epoch", fontsize=8)
        ax.set_ylim(0, top * 1.05)
        ax.tick_params(labelsize=7)
    np.atleast_1d(axes)[0].set_ylabel("loss")
    fig.tight_layout()
    label = ("Loss curves for each learning rate, one line per random start: " +
             "; ".join(f"η {e:g}: {sum(int(t.correct[-1]) == len(t.X) for t in traces if t.eta == e)} of "
                       f"{sum(1 for t in traces if t.eta == e)} starts solve the task" for e in etas) + ".")
    return to_svg(fig, uid, label)
