"""loss-moves: the loss of one example built in three moves (subtract the target, square, add
up and halve), each a step of the shared Player; the last number is the trace's loss.

Every number comes from record 0 of the trace: the outputs o, the targets t and the loss E.
The errors, squares and sum are the same arithmetic the engine does
(E = 1/2 sum_k (o_k - t_k)^2, engine/nn.py squared_error), so the total is checked against
the recorded loss here, at build time."""
from __future__ import annotations

import numpy as np

from site_builder.widgets import WidgetSpec
from site_builder.widgets._worked_example import num

DIGITS = 4


def context(traces, options, uid, math):
    tr = traces[0]
    o, t = tr.outputs[0][0], tr.T[0]
    err = o - t
    sq = err * err
    total = float(sq.sum())
    loss = float(tr.loss[0])
    if not np.isclose(0.5 * total, loss, rtol=1e-12, atol=0):
        raise ValueError(f"loss-moves: 1/2 of the summed squares ({0.5 * total!r}) is not the recorded loss ({loss!r})")
    names = tr.output_labels or [f"o{k + 1}" for k in range(len(o))]
    rows = [{"name": names[k], "o": num(o[k], DIGITS), "t": num(t[k], DIGITS), "err": num(err[k], DIGITS),
             "sq": num(sq[k], DIGITS), "low": bool(err[k] < 0)} for k in range(len(o))]
    squares = " + ".join(r["sq"] for r in rows)
    return {
        "rows": rows,
        "x": ", ".join(num(v, 2) for v in tr.X[0]),
        "squares": squares,
        "sum": num(total, DIGITS),
        "loss": num(loss, DIGITS),
        "loss_full": f"{loss:.12f}",
        "formula": math(r"E = \tfrac{1}{2} \sum_k (o_k - t_k)^2", True),
    }


def check(traces):
    tr = traces[0]
    if len(traces) != 1:
        return "loss-moves shows one run, not a sweep"
    if tr.net.loss != "squared_error":
        return f"loss-moves builds the squared-error loss; this scenario's loss is {tr.net.loss}"
    if tr.net.sizes[-1] < 2:
        return "loss-moves needs a network with two or more outputs (the third move adds them up)"
    if len(tr.X) != 1:
        return f"loss-moves needs a scenario with one example (its loss is that example's); this one has {len(tr.X)}"
    return None


SPEC = WidgetSpec(
    "loss-moves",
    options={"scenario": str, "caption": str},
    fields=("loss", "outputs"),
    context=context,
    scenario_check=check,
)
