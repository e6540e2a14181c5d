"""The backprop engine: numpy only, no I/O. The contract is docs/internals.md, "Engine".

    nn.py         activations and losses as value/derivative pairs; forward, backward
    optim.py      initialisation (explicit or seeded) and the update rule
    train.py      train / train_sweep: the batched training loop that records a Trace
    trace.py      the Trace
    gradcheck.py  backprop against finite differences
"""
from site_builder.engine.gradcheck import GradCheck, gradcheck
from site_builder.engine.nn import ACTIVATIONS, LOSSES, NetSpec, backward, forward, loss_value
from site_builder.engine.optim import InitSpec, init_params
from site_builder.engine.trace import Trace
from site_builder.engine.train import RecordSpec, TrainConfig, train, train_sweep

# Bump when a change could alter any recorded number: cached traces are keyed by it.
ENGINE_VERSION = "2"

__all__ = [
    "ACTIVATIONS", "ENGINE_VERSION", "GradCheck", "InitSpec", "LOSSES", "NetSpec", "RecordSpec",
    "Trace", "TrainConfig", "backward", "forward", "gradcheck", "init_params", "loss_value",
    "train", "train_sweep",
]
