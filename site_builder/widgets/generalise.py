"""generalise: what a next-word network trained on a few sentences says about each of them and
about a sentence it never trained on. The held-out sentence is named by its words (`test`) and
its right answer (`answer`), checked against the scenario's labels; the network's guesses are
the engine's forward pass with the last recorded weights, at build time. A plain table: nothing
to animate, the same with or without JavaScript."""
from __future__ import annotations

import numpy as np

from site_builder.engine import nn
from site_builder.widgets import WidgetSpec


def row(words, answer, probs, labels, held_out):
    best = int(np.argmax(probs))
    k = labels.index(answer)
    return {"words": words, "answer": answer, "guess": labels[best], "guess_p": f"{probs[best]:.1%}",
            "answer_p": f"{probs[k]:.1%}", "right": best == k, "held_out": held_out}


def context(traces, options, uid, math):
    tr = traces[0]
    ins, outs = list(tr.input_labels), list(tr.output_labels)
    final = {name: p[-1] for name, p in tr.params.items()}
    rows = []
    for x, t, o in zip(tr.X, tr.T, tr.outputs[-1]):
        rows.append(row([w for w, v in zip(ins, x) if v], outs[int(np.argmax(t))], o, outs, False))
    test = [str(w) for w in options["test"]]
    unknown = [w for w in test if w not in ins]
    if unknown:
        raise ValueError(f"generalise: {', '.join(map(repr, unknown))} is not one of the scenario's input words "
                         f"({', '.join(ins)})")
    if options["answer"] not in outs:
        raise ValueError(f"generalise: answer {options['answer']!r} is not one of the scenario's output words "
                         f"({', '.join(outs)})")
    x = np.array([[1.0 if w in test else 0.0 for w in ins]])
    _, a = nn.forward(tr.net, final, x)
    rows.append(row([w for w in ins if w in test], options["answer"], a[-1][0], outs, True))
    return {"rows": rows, "steps": int(tr.steps[-1]), "loss": f"{tr.loss[-1]:.4f}"}


def check_words(traces):
    tr = traces[0]
    if len(traces) != 1 or not tr.input_labels or not tr.output_labels:
        return "generalise needs one run with input_labels and output_labels (the words)"
    return None


SPEC = WidgetSpec(
    "generalise",
    options={"scenario": str, "test": list, "answer": str, "caption": str},
    required=frozenset({"scenario", "test", "answer"}),
    fields=None,
    context=context,
    scenario_check=check_words,
)
