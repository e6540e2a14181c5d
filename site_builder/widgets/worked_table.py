"""worked-table: one table of the 2-2-2 worked example (forward, errors, gradients,
updates, or the finite-difference check); static, no script."""
from __future__ import annotations

from site_builder.widgets import WidgetSpec
from site_builder.widgets._worked_example import table_context, two_two_two


def context(traces, options, uid, math):
    return table_context(traces[0], options["table"])


SPEC = WidgetSpec(
    "worked-table",
    options={"scenario": str, "table": str, "caption": str},
    required=frozenset({"scenario", "table"}),
    choices={"table": ("forward", "errors", "gradients", "updates", "check")},
    context=context,
    scenario_check=two_two_two,
)
