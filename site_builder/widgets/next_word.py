"""next-word: a small network that reads the words of a sentence (one input unit per word of
its vocabulary, 1 when the word is there) and guesses the next word with a softmax over a few
candidates. `mode: guess` runs the forward pass at the start (hover or focus a unit or a weight
for its numbers); `mode: train` replays the recorded steps, with the way each weight moved and
the right word's probability climbing. Word names come from the scenario's labels."""
from __future__ import annotations

import numpy as np

from site_builder import figures
from site_builder.widgets import WidgetSpec


def target_index(trace) -> int:
    """The right next word of the first sentence: the one its target row puts 1 on."""
    return int(np.argmax(trace.T[0]))


def context(traces, options, uid, math):
    tr = traces[0]
    mode = options.get("mode", "guess")
    k = target_index(tr)
    word = tr.output_labels[k]
    shown = [w for w, x in zip(tr.input_labels, tr.X[0]) if x]
    probs = tr.outputs[:, 0, :]
    return {
        "mode": mode,
        "word": word,
        "words": shown,
        "figure": figure(tr, uid, mode, k),
        "first": f"{probs[0, k]:.1%}",
        "last": f"{probs[-1, k]:.1%}",
        "steps": int(tr.steps[-1]),
    }


def figure(tr, uid: str, mode: str, k: int) -> str:
    """Guess: the network (weight lines solid when positive and dashed when negative, as thick
    as they are large) above the probability of each word at the start. Train: the right
    word's probability and the loss over the steps. Stacked, so a phone shows them legibly."""
    plt = figures.setup()
    if mode == "train":
        return progress_figure(plt, tr, uid, k)
    fig, (left, right) = plt.subplots(2, 1, figsize=(4.6, 6.4), gridspec_kw={"height_ratios": [1.3, 1]})
    sizes = tr.net.sizes
    at = 0 if mode == "guess" else -1
    pos = []
    for layer, n in enumerate(sizes):
        ys = np.linspace(1, 0, n) if n > 1 else np.array([0.5])
        pos.append([(layer, y) for y in ys])
    for l in range(1, len(sizes)):
        W = tr.params[f"W{l}"][at]
        top = np.abs(W).max() or 1.0
        for j in range(sizes[l]):
            for i in range(sizes[l - 1]):
                (x0, y0), (x1, y1) = pos[l - 1][i], pos[l][j]
                left.plot([x0, x1], [y0, y1], color=figures.LINE if W[j, i] >= 0 else figures.ACCENT,
                          lw=0.4 + 2.2 * abs(W[j, i]) / top, ls="-" if W[j, i] >= 0 else "--", alpha=0.7)
    for layer, nodes in enumerate(pos):
        for idx, (x, y) in enumerate(nodes):
            on = layer == 0 and tr.X[0, idx] > 0
            left.plot([x], [y], "o", ms=11, mfc=figures.INK if on else "white", mec=figures.INK, zorder=3)
            if layer == 0:
                left.text(x - 0.12, y, tr.input_labels[idx], ha="right", va="center", color=figures.INK)
            elif layer == len(sizes) - 1:
                left.text(x + 0.12, y, tr.output_labels[idx], ha="left", va="center", color=figures.INK)
    left.set_xlim(-0.75, len(sizes) - 1 + 0.8)
    left.set_ylim(-0.08, 1.08)
    left.axis("off")
    left.set_title("Filled: words in the sentence", color=figures.INK, fontsize=10)
    labels = tr.output_labels
    p = tr.outputs[0, 0]
    ys = np.arange(len(labels))[::-1]
    right.barh(ys, p, color=[figures.ACCENT if i == k else figures.MUTED for i in range(len(labels))])
    right.set_yticks(ys, labels)
    for y, v in zip(ys, p):
        right.text(v + 0.01, y, f"{v:.1%}", va="center", color=figures.INK, fontsize=9)
    right.set_xlim(0, max(0.5, p.max() * 1.3))
    right.set_xlabel("probability")
    right.set_title("The first guess, from random weights", color=figures.INK, fontsize=10)
    label = (f"A network diagram and a bar chart: at the start the network gives {labels[k]} "
             f"{p[k]:.1%}; its top guess is {labels[int(np.argmax(p))]} at {p.max():.1%}.")
    words = max(figures.text_inches(w, 10) for w in labels)  # the tick labels, at the figures' 10 pt
    figures.margins(fig, left=words + 0.25, right=0.3, top=0.35, bottom=0.6, hgap=0.35)
    return figures.to_svg(fig, uid, label)


def progress_figure(plt, tr, uid: str, k: int) -> str:
    """The right word's probability and the loss at each recorded step."""
    labels = tr.output_labels
    p = tr.outputs[:, 0, k]
    fig, (left, right) = plt.subplots(2, 1, figsize=(4.6, 5.4), sharex=True)
    left.plot(tr.steps, p, color=figures.LINE, lw=1.8, marker="o", ms=3)
    left.set_ylim(0, 1)
    left.set_ylabel(f"probability of {labels[k]}")
    left.set_title(f"{labels[k]} climbs as the weights move", color=figures.INK, fontsize=10)
    right.plot(tr.steps, tr.loss, color=figures.ACCENT, lw=1.8, marker="o", ms=3)
    right.set_ylim(0, None)
    right.set_xlabel("step")
    right.set_ylabel(f"loss, −ln p({labels[k]})")
    right.set_title("while the loss falls", color=figures.INK, fontsize=10)
    figures.margins(fig, left=0.7, right=0.15, top=0.35, bottom=0.6, hgap=0.45)
    label = (f"Two charts: the probability of {labels[k]} goes from {p[0]:.1%} at step 0 to {p[-1]:.1%} after "
             f"{int(tr.steps[-1])} steps, while the loss falls from {tr.loss[0]:.3f} to {tr.loss[-1]:.3f}.")
    return figures.to_svg(fig, uid, label)


def check(traces):
    tr = traces[0]
    if len(traces) != 1:
        return "next-word shows one run, not a sweep"
    if tr.net.activations[-1] != "softmax" or len(tr.net.sizes) != 3:
        return "next-word needs a network with one hidden layer and a softmax output"
    if not tr.input_labels or not tr.output_labels:
        return "next-word needs input_labels and output_labels (the words) in the scenario's data"
    if 0 not in tr.detail or any(int(s) not in tr.detail for s in tr.steps):
        return "next-word needs detail recorded at every recorded step (record: detail: {steps: [...]})"
    return None


SPEC = WidgetSpec(
    "next-word",
    options={"scenario": str, "mode": str, "controls": list, "caption": str},
    choices={"mode": ("guess", "train"), "controls": ("step", "play", "back", "reset")},
    fields=("steps", "loss", "outputs", "params", "signs", "forward", "labels"),
    context=context,
    scenario_check=check,
)
