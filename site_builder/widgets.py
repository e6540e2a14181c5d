"""The widget registry: what a `/// widget | NAME` block may say, and how it renders.

Each WidgetSpec names its template, its scripts (inlined once per page), the options it takes
(name -> type), which are required, the trace fields its page needs, and a `context` hook that
prepares template values from the scenario's traces at build time (static figures, tables,
MathML). See docs/widgets.md for the author's view.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class WidgetSpec:
    name: str
    options: dict  # option -> type (str, list, int, float, bool)
    required: frozenset = frozenset({"scenario"})
    scripts: tuple = ()
    choices: dict = field(default_factory=dict)  # option -> allowed values (for lists: each item)
    fields: tuple | None = None  # trace fields embedded in the page; None: no trace embedded
    context: Callable | None = None  # (traces, options, uid, math) -> dict for the template
    scenario_check: Callable | None = None  # (traces) -> problem text or None

    @property
    def template(self) -> str:
        return f"widgets/{self.name}.html"

    def __repr__(self) -> str:
        return f"WidgetSpec({self.name!r})"


def _weight_descent(traces, options, uid, math):
    from site_builder import figures

    tr = traces[0]
    return {"figure": figures.weight_descent(tr, uid)}


def _worked_steps(traces, options, uid, math):
    from site_builder.worked_example import steps_context

    return steps_context(traces[0], uid, math)


def _worked_table(traces, options, uid, math):
    from site_builder.worked_example import table_context

    return table_context(traces[0], options["table"])


def _path_sum(traces, options, uid, math):
    from site_builder.worked_example import path_sum_context

    return path_sum_context(traces[0], math)


def _learning_rates(traces, options, uid, math):
    from site_builder import figures

    etas = sorted({tr.eta for tr in traces})
    seeds = len(traces) // len(etas)
    return {"figure": figures.learning_rates(traces, uid), "etas": [f"{e:g}" for e in etas], "seeds": seeds,
            "epochs": int(traces[0].steps[-1])}


def _a_sweep(traces):
    if len({tr.eta for tr in traces}) < 2:
        return "learning-rates needs a sweep over at least two learning rates (sweep: learning_rates: [...])"
    return None


def _one_weight_net(traces):
    net = traces[0].net
    if tuple(net.sizes) != (1, 1):
        return f"weight-descent needs a 1-1 network, this scenario has {'-'.join(map(str, net.sizes))}"
    return None


def _two_two_two(traces):
    tr = traces[0]
    if tuple(tr.net.sizes) != (2, 2, 2) or 0 not in tr.detail:
        return "this widget needs a 2-2-2 network with detail recorded at step 0 (record: detail: {steps: [0]})"
    return None


WIDGETS: dict[str, WidgetSpec] = {
    spec.name: spec
    for spec in (
        WidgetSpec(
            "weight-descent",
            options={"scenario": str, "controls": list, "caption": str},
            scripts=("js/widgets/weight-descent.js",),
            choices={"controls": ("step", "play", "back", "reset")},
            fields=("steps", "loss", "params", "grads", "outputs"),
            context=_weight_descent,
            scenario_check=_one_weight_net,
        ),
        WidgetSpec(
            "learning-rates",
            options={"scenario": str, "caption": str},
            scripts=("js/widgets/learning-rates.js",),
            fields=("steps", "loss", "correct", "final", "health"),
            context=_learning_rates,
            scenario_check=_a_sweep,
        ),
        WidgetSpec(
            "worked-steps",
            options={"scenario": str, "caption": str},
            scripts=("js/widgets/worked-steps.js",),
            fields=("steps", "loss"),
            context=_worked_steps,
            scenario_check=_two_two_two,
        ),
        WidgetSpec(
            "worked-table",
            options={"scenario": str, "table": str, "caption": str},
            required=frozenset({"scenario", "table"}),
            choices={"table": ("forward", "errors", "gradients", "updates", "check")},
            context=_worked_table,
            scenario_check=_two_two_two,
        ),
        WidgetSpec(
            "path-sum",
            options={"scenario": str, "caption": str},
            context=_path_sum,
            scenario_check=_two_two_two,
        ),
    )
}
