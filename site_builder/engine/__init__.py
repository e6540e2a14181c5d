"""The backprop engine: numpy only, no I/O. See docs/internals.md for the contract."""
from site_builder.engine.gradcheck import GradCheck, gradcheck
from site_builder.engine.nn import ACTIVATIONS, LOSSES, NetSpec, backward, forward, loss_value
from site_builder.engine.optim import InitSpec, init_params
from site_builder.engine.trace import Trace
from site_builder.engine.train import RecordSpec, TrainConfig, train, train_sweep

# Bump when a change could alter any recorded number: cached traces are keyed by it.
ENGINE_VERSION = "1"

__all__ = [
    "ACTIVATIONS", "LOSSES", "ENGINE_VERSION", "GradCheck", "InitSpec", "NetSpec", "RecordSpec",
    "Trace", "TrainConfig", "backward", "forward", "gradcheck", "init_params", "loss_value",
    "train", "train_sweep",
]
