"""The record of one training run: every number a page shows comes from here."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from site_builder.engine.nn import NetSpec


@dataclass(eq=False)
class Surface:
    """The full-data loss over a grid of two weights, every other parameter held at its value
    at step `at`: loss[i, j] is the loss with weights[0] = u[i] and weights[1] = v[j]."""

    weights: tuple[str, str]  # e.g. ("W1[0,0]", "W2[0,1]")
    at: int  # the step whose parameters the grid starts from
    centre: tuple[float, float]  # the two weights' values at that step
    u: np.ndarray  # (points,) values of weights[0]
    v: np.ndarray  # (points,) values of weights[1]
    loss: np.ndarray  # (points, points)


@dataclass(eq=False)
class Slice:
    """The full-data loss and its slope dE/dw along one weight, every other parameter held at
    its value at step `at`. The slope comes from backprop at each point, not from differences."""

    weight: str  # e.g. "W1[0,0]"
    at: int
    centre: float  # the weight's value at that step
    values: np.ndarray  # (points,) the weight's values
    loss: np.ndarray  # (points,)
    slope: np.ndarray  # (points,) dE/dw


@dataclass(eq=False)
class Trace:
    """Recorded steps of one run (R records). A step is one parameter update; record k holds
    the state *before* update steps[k] + 1: params[name][k] after steps[k] updates, the
    full-data loss, outputs and correct count computed with them, and the full-data gradient
    at them. For plain full-batch descent params[k+1] = params[k] - eta * grads[k] whenever
    steps[k+1] = steps[k] + 1.

    detail[step] = {"samples": [i, ...], "z": [...], "a": [...], "delta": [...]}: per layer,
    arrays (len(samples), units). z[0] and delta[0] belong to layer 1; a[0] is the input.
    delta is dE/dz of the total E (so it carries the 1/n of reduction "mean").
    dead / saturated: per layer, bool (units,), judged with the parameters of the last record.

    grad_norms[k, l-1] = ||dW_l||_F and bias_grad_norms[k, l-1] = ||db_l|| at record k
    (properties, worked out from grads).
    signs[name][k] = sign(theta after update steps[k] + 1 - theta after steps[k] updates), int8
    -1/0/+1: the direction each parameter actually moved right after record k (0 when frozen,
    when the change rounded away, or at the last record, which no update follows).
    axes: the member's value on each sweep axis ({"eta": 0.5, "seed": 3, "hidden": [8, 8]}).
    """

    net: NetSpec
    eta: float
    seed: int | None
    label: str
    X: np.ndarray  # (n, d_in)
    T: np.ndarray  # (n, d_out)
    steps: np.ndarray  # int64 (R,), ascending, steps[0] == 0
    epochs: np.ndarray  # float64 (R,)
    loss: np.ndarray  # (R,)
    outputs: np.ndarray  # (R, n, d_out)
    params: dict[str, np.ndarray]  # name -> (R, *shape)
    grads: dict[str, np.ndarray]  # name -> (R, *shape)
    detail: dict[int, dict] = field(default_factory=dict)
    stopped: str = "steps"  # steps | epochs | loss_below | all_correct | diverged
    diverged_at: int | None = None
    diverged_reason: str | None = None  # e.g. "loss is NaN", "W1 is infinite"
    dead: list[np.ndarray] = field(default_factory=list)
    saturated: list[np.ndarray] = field(default_factory=list)
    correct: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # (R,)
    signs: dict[str, np.ndarray] = field(default_factory=dict)  # name -> int8 (R, *shape)
    axes: dict = field(default_factory=dict)  # axis name -> value, in sweep order
    input_labels: list[str] | None = None  # one per input unit, e.g. ["The", "capital", "is"]
    output_labels: list[str] | None = None  # one per output unit
    surfaces: list[Surface] = field(default_factory=list)
    slices: list[Slice] = field(default_factory=list)

    @property
    def grad_norms(self) -> np.ndarray:
        """(R, layers): ||dW_l||_F, the Frobenius norm of layer l's weight gradient, per record."""
        return self._norms("W")

    @property
    def bias_grad_norms(self) -> np.ndarray:
        """(R, layers): ||db_l||, the Euclidean norm of layer l's bias gradient, per record."""
        return self._norms("b")

    def _norms(self, kind: str) -> np.ndarray:
        # Worked out from `grads` when asked (it costs the training loop nothing, and cannot
        # disagree with the gradients it describes).
        R = len(self.steps)
        out = np.empty((R, self.net.layers))
        with np.errstate(all="ignore"):  # a diverged record's gradient may overflow
            for l in range(1, self.net.layers + 1):
                g = self.grads[f"{kind}{l}"].reshape(R, -1)
                out[:, l - 1] = np.sqrt(np.einsum("ij,ij->i", g, g))
        return out

    @property
    def diverged(self) -> bool:
        return self.stopped == "diverged"

    @property
    def last_step(self) -> int:
        return int(self.steps[-1])

    def at(self, step) -> int:
        """Record index of a step number; "last" is the final record. KeyError if not recorded."""
        if isinstance(step, str) and step == "last":
            return len(self.steps) - 1
        try:
            s = int(step)
        except (TypeError, ValueError):
            raise KeyError(f"not a step number: {step!r}") from None
        i = int(np.searchsorted(self.steps, s))
        if s >= 0 and i < len(self.steps) and self.steps[i] == s:
            return i
        raise KeyError(f"step {s} was not recorded (recorded: {_ranges(self.steps)})")

    def __repr__(self) -> str:
        end = f"diverged at step {self.diverged_at} ({self.diverged_reason})" if self.diverged else f"stopped: {self.stopped}"
        return (
            f"<Trace {self.net!r} {self.label}: {len(self.steps)} records, steps 0..{self.last_step}, "
            f"loss {self.loss[0]:.6g} -> {self.loss[-1]:.6g}, {end}>"
        )


def _ranges(steps: np.ndarray) -> str:
    """The recorded steps, shortened when long: '0, 1, ..., 9990, 10000'."""
    if len(steps) <= 6:
        return ", ".join(map(str, steps))
    return f"{steps[0]}, {steps[1]}, ..., {steps[-2]}, {steps[-1]}"
