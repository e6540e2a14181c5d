"""path-sum: the gradient of w1 with both paths through the outputs, beside the wrong value
you get when the path through o2 is forgotten; static, no script."""
from __future__ import annotations

from site_builder.widgets import WidgetSpec
from site_builder.widgets._worked_example import path_sum_context, two_two_two


def context(traces, options, uid, math):
    return path_sum_context(traces[0], math)


SPEC = WidgetSpec(
    "path-sum",
    options={"scenario": str, "caption": str},
    context=context,
    scenario_check=two_two_two,
)
