"""worked-steps: every calculation of one training step of the classic 2-2-2 network, one at
a time, with the units and weights it uses lit in a diagram."""
from __future__ import annotations

from site_builder.widgets import WidgetSpec
from site_builder.widgets._worked_example import steps_context, two_two_two


def context(traces, options, uid, math):
    return steps_context(traces[0], uid, math)


SPEC = WidgetSpec(
    "worked-steps",
    options={"scenario": str, "caption": str},
    fields=("steps", "loss"),
    context=context,
    scenario_check=two_two_two,
)
