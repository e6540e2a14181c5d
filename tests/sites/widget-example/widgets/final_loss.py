"""final-loss: the loss after the last recorded step and how many epochs it took, read from
the trace in the page. The smallest useful widget: the example of docs/adding-a-widget.md."""
from site_builder.widgets import WidgetSpec


def context(traces, options, uid, math):
    # The static fallback: the same sentence, computed at build time, for no-JS and print.
    tr = traces[0]
    digits = options.get("digits", 4)
    return {"digits": digits, "text": f"After {tr.epochs[-1]:g} epochs the loss is {tr.loss[-1]:.{digits}f}."}


def has_epochs(traces):
    return None if len(traces) == 1 else "final-loss shows one run, not a sweep"


SPEC = WidgetSpec(
    "final-loss",
    options={"scenario": str, "caption": str, "digits": int},
    fields=("epochs", "loss"),  # weight-descent on the same page does not ask for epochs
    context=context,
    scenario_check=has_epochs,
)
