"""The backprop engine: numpy only, no I/O. The contract is docs/internals.md, "Engine".

    nn.py         activations and losses as value/derivative pairs; forward, backward
    flat.py       all parameters in one flat vector; names of single weights ("W1[0,1]")
    optim.py      initialisation (explicit or seeded) and the update rule
    train.py      train / train_sweep / train_members / train_many: the batched training loop
                  that records Traces (train_many: several trainings of one shape at once);
                  sweep_members: the Cartesian product of a sweep's axes
    surface.py    loss surfaces over two weights and slices along one
    trace.py      the Trace (and its Surface and Slice)
    gradcheck.py  backprop against finite differences
"""
from site_builder.engine.flat import FlatParams, weight_index
from site_builder.engine.gradcheck import GradCheck, gradcheck
from site_builder.engine.nn import ACTIVATIONS, GRADIENTS, LOSSES, NetSpec, backward, forward, loss_value
from site_builder.engine.optim import SCHEMES, InitSpec, init_params
from site_builder.engine.surface import SliceSpec, SurfaceSpec, loss_slice, loss_surface
from site_builder.engine.trace import Slice, Surface, Trace
from site_builder.engine.train import (
    AXES, Dataset, Member, RecordSpec, TrainConfig, batch_shape, member_net, record_schedule, shape_key, sweep_members,
    target_problem, train, train_many, train_members, train_sweep,
)

# Bump when a change could alter any recorded number: cached traces are keyed by it.
# 3: traces also record gradient norms, update signs, sweep axes, labels and landscapes.
# 4: cross_entropy's output delta is a * sum(t) - t (exact for soft targets that sum to 1
#    only to rounding; unchanged for one-hot targets).
ENGINE_VERSION = "4"

__all__ = [
    "ACTIVATIONS", "AXES", "Dataset", "ENGINE_VERSION", "FlatParams", "GRADIENTS", "GradCheck", "InitSpec", "LOSSES", "Member",
    "NetSpec", "RecordSpec", "SCHEMES", "Slice", "SliceSpec", "Surface", "SurfaceSpec", "Trace", "TrainConfig",
    "backward", "batch_shape", "forward", "gradcheck", "init_params", "loss_slice", "loss_surface", "loss_value",
    "member_net", "record_schedule", "shape_key", "sweep_members", "target_problem", "train", "train_many", "train_members",
    "train_sweep", "weight_index",
]
