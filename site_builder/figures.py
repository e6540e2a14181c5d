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


def setup():
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
        # Titles sit at the top of their axes (no widget puts ticks or labels there): placing
        # them automatically measured every tick label of every axes again (5% of drawing).
        "axes.titley": 1.0,
    })
    return plt


def margins(fig, left: float, right: float, top: float, bottom: float, wgap: float = 0.0, hgap: float = 0.0) -> None:
    """Fixed margins around the grid of axes, and gaps between its cells, in inches: the room
    each widget's labels need, set once, so drawing a figure is one pass (no tight_layout, no
    bbox_inches="tight", which each lay every text out again)."""
    width, height = fig.get_size_inches()
    grid = fig.axes[0].get_subplotspec().get_gridspec()
    rows, cols = grid.get_geometry()
    inner_w, inner_h = width - left - right, height - top - bottom
    cell_w = (inner_w - wgap * (cols - 1)) / cols
    cell_h = (inner_h - hgap * (rows - 1)) / rows
    fig.subplots_adjust(left=left / width, right=1 - right / width, top=1 - top / height, bottom=bottom / height,
                        wspace=wgap / cell_w, hspace=hgap / cell_h)


SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_ticks(axis) -> None:
    """A log axis labelled 10⁻³, 10⁰, 10² in plain text: matplotlib's own labels are TeX-like
    maths, whose parser costs a second to start in every process that draws one."""
    import math

    from matplotlib.ticker import FuncFormatter

    def label(v, _pos):
        if v <= 0:
            return ""
        e = math.log10(v)
        return f"10{str(round(e)).translate(SUPERSCRIPT)}" if abs(e - round(e)) < 1e-9 else ""

    axis.set_major_formatter(FuncFormatter(label))
    axis.set_minor_formatter(FuncFormatter(lambda v, _pos: ""))


def text_inches(text: str, size: float) -> float:
    """How wide `text` is at `size` points, in inches, from the font's own metrics (no
    drawing): the room a label the author chose (a word, a weight's name) needs."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    width, _, _ = text_to_path.get_text_width_height_descent(text, FontProperties(size=size), ismath=False)
    return width / 72


def to_svg(fig, uid: str, label: str, min_scale: float | None = None) -> str:
    """The figure as inline SVG. min_scale (CSS px per point): the figure never draws smaller
    than that, so its text stays legible; on a narrower screen it scrolls sideways in its box
    (the widget's static-fallback, which is focusable and labelled)."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
                facecolor="white")
    import matplotlib.pyplot as plt

    plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    # matplotlib sets its line joins and caps in a <style> rule for "*": inline in a page, a
    # <style> inside an <svg> applies to the whole document, every widget's SVG included. The
    # same two properties on the figure's root element are inherited by its own shapes only.
    svg, rules = re.subn(r"<style[^>]*>\*\{stroke-linejoin: round; stroke-linecap: butt\}</style>", "", svg)
    if rules:
        svg = re.sub(r"<defs>\s*</defs>", "", svg)
        svg = svg.replace("<svg ", '<svg stroke-linejoin="round" stroke-linecap="butt" ', 1)
    if "<style" in svg:
        raise ValueError("a matplotlib figure came with a <style> rule the builder does not know: it would apply to the whole page")
    # Prefix every id (and each reference to it) so figures never collide on a page.
    svg = re.sub(r'id="([^"]+)"', lambda m: f'id="{uid}-{m.group(1)}"', svg)
    svg = re.sub(r'url\(#([^)]+)\)', lambda m: f"url(#{uid}-{m.group(1)})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{uid}-{m.group(1)}"', svg)
    # Text takes the page's font (svg.fonttype none): drop matplotlib's long font list from
    # every label, and the no-op rotations it writes on each tick label.
    svg = re.sub(r"font-family: [^;\"]*(; )?", "", svg)
    svg = re.sub(r' transform="rotate\(-?0 [\d.]+ [\d.]+\)"', "", svg)
    # Group ids matplotlib writes for its own bookkeeping ("w1-axes_1", ...) are never referenced.
    svg = re.sub(r'<g id="[^"]+">', "<g>", svg)
    # Shorten coordinates: 2 decimals are far below a pixel.
    svg = re.sub(r"(\d+\.\d{2})\d+", r"\1", svg)
    svg = re.sub(r'\s(width|height)="[\d.]+pt"', "", svg, count=2)
    extra = ""
    if min_scale:
        box = re.search(r'viewBox="[\d.]+ [\d.]+ ([\d.]+) [\d.]+"', svg)
        if box:
            extra = f'style="min-width: {float(box.group(1)) * min_scale:.0f}px" '
    svg = svg.replace("<svg ", f'<svg class="static-figure" {extra}role="img" aria-label="{label}" ', 1)
    svg = re.sub(r"\n\s*", "\n", svg)
    return svg.strip()
