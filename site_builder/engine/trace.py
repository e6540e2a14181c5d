"""The record of one training run: what every page shows comes from here."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from site_builder.engine.nn import NetSpec


@dataclass
class Trace:
    """Recorded steps of one run. Record k holds the state after `steps[k]` updates:
    params[name][k], the loss and outputs computed with them, and the gradient at them.
    """

    net: NetSpec
    eta: float
    seed: int | None
    label: str
    X: np.ndarray
    T: np.ndarray
    steps: np.ndarray  # int64 (R,)
    epochs: np.ndarray  # float64 (R,)
    loss: np.ndarray  # (R,)
    outputs: np.ndarray  # (R, n, d_out)
    params: dict[str, np.ndarray]  # name -> (R, *shape)
    grads: dict[str, np.ndarray]  # name -> (R, *shape)
    correct: np.ndarray  # (R,) int64
    detail: dict[int, dict] = field(default_factory=dict)
    stopped: str = "steps"
    diverged_at: int | None = None
    diverged_reason: str | None = None
    dead: list[np.ndarray] = field(default_factory=list)
    saturated: list[np.ndarray] = field(default_factory=list)

    @property
    def diverged(self) -> bool:
        return self.stopped == "diverged"

    @property
    def last_step(self) -> int:
        return int(self.steps[-1])

    def at(self, step) -> int:
        """Record index of a step number ('last' or -1 for the final record)."""
        if step in ("last", -1):
            return len(self.steps) - 1
        step = int(step)
        i = int(np.searchsorted(self.steps, step))
        if i < len(self.steps) and self.steps[i] == step:
            return i
        raise KeyError(f"step {step} was not recorded")

    def __repr__(self) -> str:
        end = f"diverged at step {self.diverged_at} ({self.diverged_reason})" if self.diverged else self.stopped
        return (
            f"Trace({self.net!r}, {self.label}, {len(self.steps)} records to step {self.last_step}, "
            f"loss {self.loss[0]:.4g} -> {self.loss[-1]:.4g}, {end})"
        )
