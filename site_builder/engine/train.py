"""Training that records a Trace.

`train` is `train_sweep` with one member, and `train_sweep` (learning rates x seeds) is
`train_members` over the members `sweep_members` lists. Members that share a network shape,
activations and data train at once: all their parameters live in one flat array theta of
shape (members, parameters), and the W1, b1, ... the layers use are views into it, with a
leading member axis. One step of the whole group is then a forward pass, a backward pass and
an update of a few numpy calls each, whether it trains one network or forty; recording a
step is a handful of array copies into buffers allocated before the loop. Learning rate,
seed, initial scale and initial scheme only change each member's starting point and step
size, so they batch; members whose network (hidden sizes, activation) or data differ train
group by group, one batched run per group.

A step is one parameter update. Record k holds the state before update steps[k] + 1: the
parameters after steps[k] updates, the full-data loss and outputs with them, and the
full-data gradient at them (with mini-batches the update itself uses the batch's gradient).
Divergence is data: when a member's loss or any parameter is NaN or infinite it stops there,
and its Trace says at which step and why; nothing is raised and no warning is printed.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

import numpy as np

from site_builder.engine.flat import FlatParams
from site_builder.engine.nn import (ACTIVATIONS, GRADIENTS, LOSSES, NetSpec, Plan, _backward, _forward, _forward_into, forward,
                                    sum_last)
from site_builder.engine.optim import OPTIMIZERS, SCHEMES, InitSpec, Optimizer, init_params
from site_builder.engine.surface import SliceSpec, SurfaceSpec, landscapes
from site_builder.engine.trace import Trace

__all__ = ["AXES", "Dataset", "FlatParams", "Member", "RecordSpec", "TrainConfig", "batch_shape", "member_net", "record_schedule",
           "shape_key", "sweep_members", "target_problem", "train", "train_many", "train_members", "train_sweep"]

SATURATION = 1e-4  # a sigmoid/tanh unit is saturated when f'(z) < this on every sample

# The axes a sweep may vary, in the order of the Cartesian product: the first is the
# outermost (slowest-changing), the last the innermost. Members that differ only in the last
# four batch together.
AXES = ("dataset", "hidden", "activation", "gradient", "init_scheme", "init_scale", "eta", "seed")


@dataclass(frozen=True)
class RecordSpec:
    """Which steps to record. Every step up to and including `every_until` (None: every step
    of the run), after that the multiples of `then_every`; the first and the last step are
    always recorded. At each of `detail_steps` the per-layer z, a and delta of the samples
    `detail_samples` are kept too. `surfaces` and `slices` (SurfaceSpec, SliceSpec) are loss
    landscapes computed for every member once it has trained (engine/surface.py)."""

    every_until: int | None = None
    then_every: int = 1
    detail_steps: tuple = ()
    detail_samples: tuple = (0,)
    surfaces: tuple[SurfaceSpec, ...] = ()
    slices: tuple[SliceSpec, ...] = ()


@dataclass(frozen=True, eq=False)  # holds arrays: compared and hashed by identity
class TrainConfig:
    """One training run. Give exactly one of `steps` (updates) and `epochs` (passes over
    the data: one update each for full batch, ceil(n / batch_size) with mini-batches).

    batch_size None is full-batch gradient descent; k draws mini-batches of k samples from a
    permutation of the data made at the start of each epoch by
    np.random.default_rng(shuffle_seed) (the last batch of an epoch may be smaller); 1 is
    one sample at a time. `frozen` names parameters that are never updated; names that are
    not parameters of the network are ignored (the classic worked example freezes b1 and b2).
    `input_labels` / `output_labels` name the input and output units (e.g. the words of a
    next-word model); they are carried into the Trace, not used in training.
    """

    X: np.ndarray
    T: np.ndarray
    eta: float = 0.5
    steps: int | None = None
    epochs: int | None = None
    optimizer: str = "sgd"
    momentum: float = 0.9
    batch_size: int | None = None
    shuffle_seed: int = 0
    frozen: frozenset = frozenset()
    stop_loss_below: float | None = None
    stop_all_correct: bool = False
    init: InitSpec = field(default_factory=InitSpec)
    record: RecordSpec = field(default_factory=RecordSpec)
    input_labels: tuple | None = None
    output_labels: tuple | None = None


@dataclass(frozen=True, eq=False)
class Dataset:
    """One value of a sweep's dataset axis: the data, how the axis names it (Trace.axes
    ["dataset"]: e.g. "xor" or {"generator": "moons", "noise": 0.2}) and its unit labels."""

    X: np.ndarray
    T: np.ndarray
    name: str | dict | None = None
    input_labels: tuple | None = None
    output_labels: tuple | None = None


@dataclass(frozen=True, eq=False)
class Member:
    """One network of a sweep, as far as it differs from the sweep's net and TrainConfig:
    its learning rate and seed, and optionally its own network, initialisation (the seed
    still comes from `seed`) and data. `axes` holds its values on the other sweep axes, in
    AXES order; Trace.axes is that plus eta and seed."""

    eta: float
    seed: int
    net: NetSpec | None = None
    init: InitSpec | None = None
    data: Dataset | None = None
    axes: dict = field(default_factory=dict)


def train(net: NetSpec, cfg: TrainConfig) -> Trace:
    """Train one network (learning rate cfg.eta, seed cfg.init.seed) and return its Trace."""
    return train_sweep(net, cfg, etas=[cfg.eta], seeds=[cfg.init.seed])[0]


def train_sweep(net: NetSpec, cfg: TrainConfig, etas, seeds) -> list[Trace]:
    """Train len(etas) x len(seeds) networks as one batched computation; return their Traces
    eta-major (for eta in etas: for seed in seeds); each member's eta and seed replace
    cfg.eta and cfg.init.seed. A member that diverges or meets a stop rule is frozen from
    then on and its Trace ends at that step."""
    return train_members(net, cfg, sweep_members(net, cfg, {"eta": etas, "seed": seeds}))


def sweep_members(net: NetSpec, cfg: TrainConfig, axes: dict) -> list[Member]:
    """The Cartesian product of the named axes, in AXES order (dataset outermost, then
    hidden, activation, init_scheme, init_scale, eta, seed innermost); eta and seed default
    to [cfg.eta] and [cfg.init.seed].

        dataset      Dataset values (or (X, T) pairs)
        hidden       hidden layer sizes, e.g. [8, 8]; every hidden layer takes the
                     activation axis value, else the base network's first activation
        activation   the activation of every hidden layer (the output layer keeps its own)
        gradient     "sum" | "overwrite": how backward gathers blame (NetSpec.gradient; the
                     second is a deliberate bug, shown beside the first in one lesson)
        init_scheme  uniform | normal | xavier | he      (replaces cfg.init.scheme)
        init_scale   a number >= 0                        (replaces cfg.init.scale)
    """
    unknown = [name for name in axes if name not in AXES]
    if unknown:
        raise ValueError(f"unknown sweep axis '{unknown[0]}'; the axes are {', '.join(AXES)}")
    values = {}
    for name in AXES:
        given = axes.get(name)
        if given is None:
            if name == "eta":
                given = [cfg.eta]
            elif name == "seed":
                given = [cfg.init.seed]
            else:
                continue
        values[name] = [_axis_value(name, v) for v in given]
        if not values[name]:
            raise ValueError(f"the sweep axis '{name}' has no values")
    members = []
    for combo in itertools.product(*values.values()):
        point = dict(zip(values, combo))
        hidden, act, grad = point.get("hidden"), point.get("activation"), point.get("gradient")
        mnet = net if hidden is None and act is None else member_net(net, hidden, act)
        if grad is not None and grad != mnet.gradient:
            mnet = replace(mnet, gradient=grad)
        init = cfg.init
        if "init_scheme" in point or "init_scale" in point:
            init = replace(init, scheme=point.get("init_scheme", init.scheme), scale=point.get("init_scale", init.scale))
        data = point.get("dataset")
        extra = {k: (v.name if k == "dataset" else list(v) if k == "hidden" else v)
                 for k, v in point.items() if k not in ("eta", "seed")}
        members.append(Member(eta=point["eta"], seed=point["seed"], net=None if mnet is net else mnet,
                              init=None if init is cfg.init else init, data=data, axes=extra))
    return members


def _axis_value(name: str, v):
    if name == "eta":
        v = float(v)
        if not np.isfinite(v) or v < 0:
            raise ValueError(f"the learning rate must be a finite number >= 0, got {v}")
        return v
    if name == "seed":
        return int(v)
    if name == "init_scale":
        v = float(v)
        if not np.isfinite(v) or v < 0:
            raise ValueError(f"an initial scale must be a finite number >= 0, got {v}")
        return v
    if name == "init_scheme":
        if v not in SCHEMES:
            raise ValueError(f"unknown init scheme '{v}'; choose from {', '.join(SCHEMES)}")
        return v
    if name == "activation":
        if v not in ACTIVATIONS or v == "softmax":
            raise ValueError(f"'{v}' cannot be a hidden activation; choose from "
                             f"{', '.join(a for a in ACTIVATIONS if a != 'softmax')}")
        return v
    if name == "gradient":
        if v not in GRADIENTS:
            raise ValueError(f"gradient must be one of {', '.join(GRADIENTS)}, got '{v}'")
        return v
    if name == "hidden":
        sizes = tuple(v) if isinstance(v, (list, tuple)) else (v,)
        if not isinstance(v, (list, tuple)) or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 1 for s in sizes):
            raise ValueError(f"hidden layer sizes are a list of whole numbers >= 1, got {list(v)}")
        return tuple(int(s) for s in sizes)
    if name == "dataset":
        return v if isinstance(v, Dataset) else Dataset(*v)
    raise AssertionError(name)


def member_net(net: NetSpec, hidden=None, activation: str | None = None) -> NetSpec:
    """`net` with other hidden layers and/or hidden activation: inputs, outputs, the output
    activation, loss and reduction stay. Every hidden layer takes `activation`, or when that
    is None the base network's first activation (its first hidden layer's)."""
    sizes = tuple(net.sizes[1:-1]) if hidden is None else tuple(int(h) for h in hidden)
    if activation is None:
        if net.layers < 2 and sizes:
            raise ValueError("the network has no hidden layer whose activation new hidden layers could take; "
                             "sweep the activations too")
        activation = net.activations[0]
    elif net.layers < 2 and hidden is None:
        raise ValueError("the network has no hidden layer whose activation could change")
    return NetSpec((net.sizes[0], *sizes, net.sizes[-1]), (activation,) * len(sizes) + (net.activations[-1],),
                   net.loss, net.reduction, net.gradient)


def train_members(net: NetSpec, cfg: TrainConfig, members) -> list[Trace]:
    """Train every member and return their Traces in the members' order. Members with the
    same network and data shape are one batched computation; each group trains in turn."""
    return train_many([(net, cfg, members)])[0]


def train_many(jobs) -> list[list[Trace]]:
    """Several trainings at once: each job is (net, cfg, members), as train_members takes
    them, and comes back as train_members would return it, to the last bit. Members of any
    job that share a network, a data shape and everything else the loop does the same for
    every member (steps, optimizer, batches, stop rules, record schedule: _loop_key) train
    as one batched computation, each on its own data from its own start; so many small
    scenarios of one shape cost about what one of them does. A job whose inputs are wrong
    raises its ValueError before anything trains."""
    jobs = [(net, cfg, list(members)) for net, cfg, members in jobs]
    groups: dict = {}
    for k, (net, cfg, members) in enumerate(jobs):
        if not members:
            raise ValueError("a sweep needs at least one member")
        loop = _loop_key(cfg)
        checked: dict = {}
        for i, m in enumerate(members):
            mnet = m.net or net
            raw = (cfg.X, cfg.T) if m.data is None else (m.data.X, m.data.T)
            if (mnet, id(raw[0]), id(raw[1])) not in checked:
                checked[mnet, id(raw[0]), id(raw[1])] = _data(mnet, *raw)
            X, T = checked[mnet, id(raw[0]), id(raw[1])]
            _length(cfg, len(X))
            _detail(cfg.record, len(X))
            if not np.isfinite(m.eta) or m.eta < 0:
                raise ValueError(f"the learning rate must be a finite number >= 0, got {m.eta}")
            labels = ((cfg.input_labels, cfg.output_labels) if m.data is None
                      else (m.data.input_labels, m.data.output_labels))
            # The member as the loop sees it: its own start and labels, whatever job it came from.
            own = replace(m, net=mnet, init=m.init or cfg.init, data=Dataset(X, T, None, *labels))
            family = groups.setdefault((shape_key(mnet), X.shape, T.shape, loop), (mnet, cfg, {}))[2]
            family.setdefault((k, id(X), id(T)), []).append((k, i, own))
    out = [[None] * len(members) for _, _, members in jobs]
    for mnet, cfg, entries in _packed(groups):
        own = [m for _, _, m in entries]
        Xs, Ts = [m.data.X for m in own], [m.data.T for m in own]
        if all(x is Xs[0] or x.tobytes() == Xs[0].tobytes() for x in Xs) and all(
                t is Ts[0] or t.tobytes() == Ts[0].tobytes() for t in Ts):
            X, T = Xs[0], Ts[0]  # one data set for all
        else:
            X, T = np.stack(Xs), np.stack(Ts)  # (M, n, d): each member's own
        for (k, i, _), tr in zip(entries, _train_group(mnet, cfg, X, T, own)):
            out[k][i] = tr
    for (net, cfg, _), traces in zip(jobs, out):
        if cfg.record.surfaces or cfg.record.slices:
            for tr in traces:
                tr.surfaces, tr.slices = landscapes(tr, cfg.record.surfaces, cfg.record.slices)
    return out


GROUP_LIVE = 8_000_000  # activations of one step of a batch made of several trainings or data sets
GROUP_RECORDED = 4_000_000  # numbers such a batch records


def _packed(groups: dict):
    """(net, cfg, entries) batches: each family's units (the members of one job on one data
    set, which always train together, as train_members always trained them) packed in turn
    while the batch stays within GROUP_LIVE and GROUP_RECORDED, or is a single unit."""
    for mnet, cfg, units in groups.values():
        batch, live, recorded = [], 0, 0
        for entries in units.values():
            X = entries[0][2].data.X
            n, k = len(X), entries[0][2].data.T.shape[1]
            total, _ = _length(cfg, n)
            unit_live = len(entries) * (n + (cfg.batch_size or 0)) * sum(mnet.sizes[1:])
            params = sum(int(np.prod(shape)) for shape in mnet.param_shapes().values())
            unit_recorded = len(entries) * len(record_schedule(total, cfg.record)) * (n * k + 2 * params)
            if batch and (live + unit_live > GROUP_LIVE or recorded + unit_recorded > GROUP_RECORDED):
                yield mnet, cfg, batch
                batch, live, recorded = [], 0, 0
            batch += entries
            live += unit_live
            recorded += unit_recorded
        yield mnet, cfg, batch


def batch_shape(net: NetSpec, cfg: TrainConfig, members) -> tuple | None:
    """(key, recorded, live) of one training, for whoever plans batches of them: trainings
    with equal keys batch completely in train_many (every member of each joins the same
    groups); `recorded` is about how many numbers its records hold, `live` how many
    activations one step holds. None when its inputs are wrong (train_many would say why)."""
    try:
        shapes, recorded, live = set(), 0, 0
        for m in members:
            mnet = m.net or net
            X, T = (cfg.X, cfg.T) if m.data is None else (m.data.X, m.data.T)
            n, d, k = len(X), np.shape(X)[-1], np.shape(T)[-1]
            shapes.add((shape_key(mnet), n, d, k))
            total, _ = _length(cfg, n)
            P = sum(int(np.prod(s)) for s in mnet.param_shapes().values())
            recorded += len(record_schedule(total, cfg.record)) * (n * k + 2 * P)
            live += n * sum(mnet.sizes[1:])
        return (_loop_key(cfg), frozenset(shapes)), recorded, live
    except (ValueError, TypeError, IndexError):
        return None


def shape_key(net: NetSpec) -> tuple:
    """What members must share to train in one batch: everything of the network but the
    activations of its hidden layers, which the loop applies member by member (so the
    sigmoid and ReLU networks of one depth train together)."""
    return net.sizes, net.activations[-1], net.loss, net.reduction, net.gradient


def _loop_key(cfg: TrainConfig) -> tuple:
    """What the training loop does alike for every member of a batch."""
    rec = cfg.record
    return (cfg.steps, cfg.epochs, cfg.optimizer, float(cfg.momentum), cfg.batch_size, cfg.shuffle_seed,
            frozenset(cfg.frozen), cfg.stop_loss_below, cfg.stop_all_correct, rec.every_until, rec.then_every,
            tuple(int(s) for s in rec.detail_steps), tuple(int(i) for i in rec.detail_samples))


RING_BYTES = 1 << 20  # the loop's working rows (see _train_group) stay about this size,
RING_STEPS = 128  # and hold at most this many steps,
RING_MIN_STEPS = 8  # but at least this many (the work after a block is then shared by them)
RING_MAX_BYTES = 1 << 24  # unless that would pass this size
GATHER_BELOW = 4  # parameters of fewer numbers go to the records by gathers, others by copies


def _train_group(net: NetSpec, cfg: TrainConfig, X: np.ndarray, T: np.ndarray, members: list[Member]) -> list[Trace]:
    """The members (all with this net and data) as one batched computation.

    The loop runs in blocks of up to RING_STEPS steps. Inside a block a step only trains:
    step j reads its parameters from row j of a ring of parameter rows and writes the
    updated ones into row j + 1, its gradient into row j of a ring of gradients, and keeps
    its outputs (and, for the cross-entropies, its z_L). After the block, a few array calls
    work out every step's loss at once, find the first step at which each member diverged
    or met a stop rule, and copy the recorded steps into the record buffers. A member that
    stopped inside a block trained on to its end, and nothing of that is kept: its Trace
    ends at the step it stopped, with that step's state, exactly as if it had stopped there
    (members never mix: every array call works member by member)."""
    n = X.shape[-2]  # X is (n, d), or (M, n, d): each member's own data
    for m in members:
        if not np.isfinite(m.eta) or m.eta < 0:
            raise ValueError(f"the learning rate must be a finite number >= 0, got {m.eta}")
    # Members whose hidden layers differ in activation (m.net; all else as `net`) train side
    # by side: those with the same activations next to each other, so each layer applies
    # each activation to one run of members (a slice: no copies).
    kinds = list(dict.fromkeys((m.net or net).activations for m in members))
    if len(kinds) > 1:
        order = sorted(range(len(members)), key=lambda i: kinds.index((members[i].net or net).activations))
        if order != list(range(len(members))):
            data_axis = X.ndim == 3
            traces = _train_group(net, cfg, X[order] if data_axis else X, T[order] if data_axis else T,
                                  [members[i] for i in order])
            out = [None] * len(members)
            for i, tr in zip(order, traces):
                out[i] = tr
            return out
    runs, start = [], 0
    for kind in kinds:
        stop = start + sum(1 for m in members if (m.net or net).activations == kind)
        runs.append((kind, slice(start, stop)))
        start = stop
    M = len(members)
    total, per_epoch = _length(cfg, n)
    batch = cfg.batch_size
    schedule = record_schedule(total, cfg.record)
    detail_at, detail_idx = _detail(cfg.record, n)
    plan = Plan(net, quiet=True, runs=runs if len(runs) > 1 else None)  # the loop runs under errstate(all="ignore")
    L, K = net.layers, net.sizes[-1]
    loss = LOSSES[net.loss]
    keep_z = net.loss != "squared_error"  # the cross-entropies' loss is computed from z_L

    flat = FlatParams(net)
    P = flat.size
    per_step = 8 * M * (2 * P + n * K * (2 if keep_z else 1))
    B = RING_BYTES // per_step
    if B < RING_MIN_STEPS:  # large steps: a few in a block all the same, within RING_MAX_BYTES
        B = min(RING_MIN_STEPS, RING_MAX_BYTES // per_step)
    B = int(max(1, min(B, RING_STEPS, total + 1)))
    ring_theta = np.empty((B + 1, M, P))  # row j: the parameters of step s0 + j
    ring_grad = np.empty((B, M, P))
    ring_out = np.empty((B, M, n, K))
    ring_z = np.empty((B, M, n, K)) if keep_z else None
    ring_theta[0] = np.stack([flat.pack(init_params(net, m.init or cfg.init, m.seed)) for m in members])
    names = [(f"W{l}", f"b{l}") for l in range(1, L + 1)]
    tv, gv = flat.views(ring_theta), flat.views(ring_grad)
    # Per ring row, every view a step uses: W, W.T and b (with a sample axis) of each layer,
    # where the gradients go, the parameters, gradient and next parameters as flat rows, and
    # where the outputs (and z_L) are kept.
    rows = [([tv[w][j] for w, _ in names], [tv[w][j].swapaxes(-1, -2) for w, _ in names],
             [tv[b][j][..., None, :] for _, b in names], [gv[w][j] for w, _ in names], [gv[b][j] for _, b in names],
             ring_theta[j], ring_grad[j], ring_theta[j + 1], ring_out[j], ring_z[j] if keep_z else None)
            for j in range(B)]
    if batch is not None:
        batch_grad = np.empty((M, P))
        bv = flat.views(batch_grad)
        bW, bb = [bv[w] for w, _ in names], [bv[b] for _, b in names]
    opt = Optimizer(cfg.optimizer, [m.eta for m in members], cfg.momentum, flat.free(cfg.frozen), (M, P))
    plain = batch is None and opt.velocity is None and opt.mask is None  # full-batch descent, nothing masked
    masked = batch is None and opt.velocity is None and opt.mask is not None  # the same, some entries kept
    eta, change, mask = opt.eta, opt._step, opt.mask

    # Member-major and one array per parameter, so each member's records of a parameter are
    # one contiguous run: its Trace holds views of them, not copies.
    R = len(schedule)
    rec_loss = np.empty((M, R))
    rec_out = np.empty((M, R, n, K))
    shapes = flat.shapes
    rec_theta = {name: np.empty((M, R, *shape)) for name, shape in shapes.items()}
    rec_grad = {name: np.empty((M, R, *shape)) for name, shape in shapes.items()}
    rec_sign = {name: np.empty((M, R, *shape), dtype=np.int8) for name, shape in shapes.items()}
    # at_param[name][m, j, ...]: where member m's `name` of ring row j sits in the flat ring
    # (rows of M x P numbers); at_out the same for the outputs (rows of M x n x K).
    at_param = {name: _gather(B, M, P, sl.start, sl.stop).reshape(M, B, *shapes[name])
                if sl.stop - sl.start < GATHER_BELOW else None for name, sl in flat.slices.items()}
    at_out = _gather(B, M, n * K, 0, n * K).reshape(M, B, n, K) if n * K < GATHER_BELOW else None
    r = 0  # records written so far
    # The sign of record i's update is that of record i + 1 - record i when record i + 1 is
    # the very next step (worked out after the loop), else from the ring's rows at the time.
    consecutive = np.diff(schedule) == 1  # (R - 1,)
    ring_signed = np.flatnonzero(~consecutive)
    active = np.ones(M, dtype=bool)
    ends: list[_End | None] = [None] * M
    details: dict[int, dict] = {}
    shuffle = np.random.default_rng(cfg.shuffle_seed)
    order = None
    why_end = "steps" if cfg.steps is not None else "epochs"

    with np.errstate(all="ignore"):  # overflow and NaN are data here, not warnings
        s0 = 0
        while True:
            nb = min(B, total + 1 - s0)  # steps s0 .. s0 + nb - 1
            for j in range(nb):
                step = s0 + j
                Ws, WTs, bs, gWs, gbs, theta_j, grad_j, theta_next, out_j, z_j = rows[j]
                z, a = _forward_into(plan, WTs, bs, X, z_j, out_j)
                _, _, delta = _backward(plan, Ws, z, a, T, gWs, gbs)
                if step in detail_at:
                    details[step] = {
                        "z": [z_l[..., detail_idx, :] for z_l in z],
                        "a": [a_l[..., detail_idx, :] for a_l in a],
                        "delta": [d_l[..., detail_idx, :] for d_l in delta],
                    }
                if step == total:
                    break
                if plain:  # W <- W - eta dW, as Optimizer.step does it
                    np.subtract(theta_j, np.multiply(eta, grad_j, out=change), out=theta_next)
                elif masked:  # W <- W - eta dW where not frozen, as Optimizer.step does it
                    np.copyto(theta_next, theta_j)
                    np.subtract(theta_next, np.multiply(eta, grad_j, out=change), out=theta_next, where=mask)
                elif batch is None:
                    opt.step(theta_j, grad_j, out=theta_next)
                else:
                    within = step % per_epoch
                    if within == 0:
                        order = shuffle.permutation(n)
                    idx = order[within * batch:(within + 1) * batch]
                    zb, ab = _forward(plan, WTs, bs, X[..., idx, :])
                    _backward(plan, Ws, zb, ab, T[..., idx, :], bW, bb)
                    opt.step(theta_j, batch_grad, out=theta_next)

            # Every step's loss, then who stopped where: divergence, the stop rules, the end.
            E = sum_last(loss.E(ring_z[:nb] if keep_z else None, ring_out[:nb], T))  # (nb, M)
            if net.reduction == "mean":
                E = E / n
            # NaN or infinite; a whole block of finite numbers (the rule) is one quick look.
            if np.isfinite(ring_theta[:nb]).all():
                bad = ~np.isfinite(E)
            else:
                bad = ~(np.isfinite(E) & np.isfinite(ring_theta[:nb]).all(axis=-1))
            stop = bad.copy()
            if cfg.stop_loss_below is not None:
                stop |= E < cfg.stop_loss_below
            if cfg.stop_all_correct:
                stop |= count_correct(ring_out[:nb], T) == n
            if s0 + nb - 1 == total:
                stop[nb - 1] = True
            stop &= active
            for m in np.flatnonzero(stop.any(axis=0)):
                j = int(np.argmax(stop[:, m]))
                if bad[j, m]:
                    why, reason = "diverged", _divergence(flat, ring_theta[j, m], E[j, m])
                elif cfg.stop_loss_below is not None and E[j, m] < cfg.stop_loss_below:
                    why, reason = "loss_below", None
                elif cfg.stop_all_correct and count_correct(ring_out[j, m], T if T.ndim == 2 else T[m]) == n:
                    why, reason = "all_correct", None
                else:
                    why, reason = why_end, None
                ends[m] = _End(s0 + j, why, reason, E[j, m], ring_out[j, m].copy(), ring_theta[j, m].copy(),
                               ring_grad[j, m].copy())
                active[m] = False

            # The recorded steps of the block.
            r1 = int(np.searchsorted(schedule, s0 + nb))
            if r1 > r:
                js = schedule[r:r1] - s0
                if js[-1] - js[0] == len(js) - 1:  # a run of steps: slices, no copies
                    js = slice(int(js[0]), int(js[-1]) + 1)
                # From step-major rows to member-major records: gathers by precomputed indices
                # for the tiniest parameters (one C loop each; a transposing copy would loop
                # over every one of their few numbers), copies for the others.
                rec_loss[:, r:r1] = E[js].T
                if at_out is None:  # many outputs per member: copies of long runs
                    rec_out[:, r:r1] = ring_out[js].swapaxes(0, 1)
                else:
                    rec_out[:, r:r1] = ring_out.reshape(-1).take(at_out[:, js])
                theta_flat, grad_flat = ring_theta.reshape(-1), ring_grad.reshape(-1)
                for name in shapes:
                    at = at_param[name]
                    if at is None:  # a larger parameter: a plain copy loops over long enough runs
                        rec_theta[name][:, r:r1] = tv[name][js].swapaxes(0, 1)
                        rec_grad[name][:, r:r1] = gv[name][js].swapaxes(0, 1)
                    else:
                        rec_theta[name][:, r:r1] = theta_flat.take(at[:, js])
                        rec_grad[name][:, r:r1] = grad_flat.take(at[:, js])
                # Signs of records whose next step is not recorded: from the ring's rows.
                lo, hi = np.searchsorted(ring_signed, (r, r1))
                if hi > lo:
                    idx = ring_signed[lo:hi]
                    rows_at = schedule[idx] - s0
                    for name, v in flat.views(_signs(ring_theta[rows_at + 1], ring_theta[rows_at])).items():
                        rec_sign[name][:, idx] = v.swapaxes(0, 1)
                r = r1
            s0 += nb
            if not active.any():
                break
            if stop.any():
                opt.set_active(active)
                plain = batch is None and opt.velocity is None and opt.mask is None
                masked = batch is None and opt.velocity is None and opt.mask is not None
                mask = opt.mask
            ring_theta[0] = ring_theta[nb]

    # The signs of records whose next step is recorded too: from the records themselves, a
    # run of them at a time (whole member-major arrays, no gathers). A member that stopped at
    # a recorded step has its end state there already; one that stopped between records
    # took its sign from the ring.
    for i0, i1 in _runs(consecutive[:max(r - 1, 0)]):
        for name in shapes:
            _signs(rec_theta[name][:, i0 + 1:i1 + 1], rec_theta[name][:, i0:i1], out=rec_sign[name][:, i0:i1])

    # Each member's end state goes right after its records before that step (a member that
    # stopped at a recorded step has it there already); no update follows it.
    last = np.empty(M, dtype=np.intp)
    for m, end in enumerate(ends):
        k = last[m] = np.searchsorted(schedule, end.step)
        rec_loss[m, k], rec_out[m, k] = end.loss, end.outputs
        for name, v in flat.views(end.theta).items():
            rec_theta[name][m, k] = v
        for name, v in flat.views(end.grad).items():
            rec_grad[name][m, k] = v
        for v in rec_sign.values():
            v[m, k] = 0
    with np.errstate(all="ignore"):
        correct = count_correct(rec_out[:, :last.max() + 1], T if T.ndim == 2 else T[:, None])
    records = _Records(schedule, rec_loss, rec_out, rec_theta, rec_grad, rec_sign, correct, details)
    return [_member_trace(member.net or net, cfg, flat, X if X.ndim == 2 else X[m], T if T.ndim == 2 else T[m], m, member, per_epoch,
                          detail_idx, records, ends[m], int(last[m]) + 1)
            for m, member in enumerate(members)]


def _gather(rows: int, M: int, width: int, start: int, stop: int) -> np.ndarray:
    """Flat positions, (M, rows, stop - start), of columns start:stop of each member in `rows`
    rows of M x width numbers."""
    return (np.arange(rows)[None, :, None] * (M * width) + np.arange(M)[:, None, None] * width
            + np.arange(start, stop)[None, None, :])


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of True in a 1-d bool array."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.view(np.int8), [0]))))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]


def _signs(new: np.ndarray, old: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """int8 sign of new - old: -1, 0 or +1, and 0 where either is NaN (np.sign would give NaN).
    Compared, not subtracted: with gradual underflow new - old is 0 only when new == old."""
    return np.subtract(np.greater(new, old).view(np.int8), np.less(new, old).view(np.int8), out=out)


@dataclass
class _End:
    """The state of a member at the step it stopped (always its last record)."""

    step: int
    why: str
    reason: str | None
    loss: float
    outputs: np.ndarray
    theta: np.ndarray
    grad: np.ndarray


@dataclass
class _Records:
    """What the loop wrote: member m's records are loss[m, :k], outputs[m, :k], ... (the
    last of them its end state), at the steps steps[:k - 1] and then the step it stopped."""

    steps: np.ndarray  # the record schedule
    loss: np.ndarray  # (M, R)
    outputs: np.ndarray
    theta: dict  # name -> (M, R, *shape)
    grad: dict
    signs: dict  # name -> int8 (M, R, *shape): the update right after each record
    correct: np.ndarray  # (M, R') samples classified right, R' >= every member's k
    details: dict


def _member_trace(net, cfg, flat, X, T, m, member: Member, per_epoch, detail_idx, rec: _Records, end: _End,
                  k: int) -> Trace:
    """Member m's Trace: its records before the step it stopped at, then its end state (k in all)."""
    steps = np.append(rec.steps[:k - 1], end.step).astype(np.int64)
    outputs = rec.outputs[m, :k]
    # signs[k]: how the update right after record k moved each parameter (the loop saw it);
    # no update follows the last record.
    init = member.init or cfg.init
    explicit = init.explicit(net)
    seed = None if explicit else member.seed
    axes = {**member.axes, "eta": member.eta, "seed": seed}
    if member.data is None:
        labels = (cfg.input_labels, cfg.output_labels)
    else:
        labels = (member.data.input_labels, member.data.output_labels)
    labels = _labels(net, *labels)
    dead, saturated = unit_health(net, flat.unpack(end.theta), X)
    return Trace(
        net=net,
        eta=member.eta,
        seed=seed,
        label=" ".join(f"{k}={_show(v)}" for k, v in axes.items() if not (k == "seed" and v is None)),
        X=X,
        T=T,
        steps=steps,
        epochs=steps / float(per_epoch),
        loss=rec.loss[m, :k],
        outputs=outputs,
        params={name: v[m, :k] for name, v in rec.theta.items()},
        grads={name: v[m, :k] for name, v in rec.grad.items()},
        detail={
            s: {"samples": [int(i) for i in detail_idx],
                # z and delta carry the member axis; a[0] (the inputs) does not.
                **{k: [v[m].copy() if v.ndim == 3 else v.copy() for v in d[k]] for k in ("z", "a", "delta")}}
            for s, d in rec.details.items() if s <= end.step
        },
        stopped=end.why,
        diverged_at=end.step if end.why == "diverged" else None,
        diverged_reason=end.reason,
        dead=dead,
        saturated=saturated,
        correct=rec.correct[m, :k],
        signs={name: v[m, :k] for name, v in rec.signs.items()},
        axes=axes,
        input_labels=labels[0],
        output_labels=labels[1],
    )


def _show(v) -> str:
    """An axis value in a member's label: eta=0.5, hidden=8x8, dataset=moons(noise=0.2)."""
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, (list, tuple)):
        return "x".join(map(str, v)) if v else "none"
    if isinstance(v, dict):
        rest = ", ".join(f"{k}={_show(x)}" for k, x in v.items() if k not in ("generator", "name"))
        head = str(v.get("name") or v.get("generator") or "data")
        return f"{head}({rest})" if rest and not v.get("name") else head
    return str(v)


def _labels(net: NetSpec, inputs, outputs) -> tuple[list[str] | None, list[str] | None]:
    out = []
    for labels, units, what in ((inputs, net.sizes[0], "input"), (outputs, net.sizes[-1], "output")):
        if labels is None:
            out.append(None)
            continue
        labels = [str(x) for x in labels]
        if len(labels) != units:
            raise ValueError(f"{len(labels)} {what} label(s) for {units} {what} unit(s)")
        out.append(labels)
    return out[0], out[1]


def _divergence(flat: FlatParams, theta: np.ndarray, E: float) -> str | None:
    """Why a member's state is not finite, parameters first (in layer order), then the loss;
    None when everything is finite after all (theta's sum merely overflowed)."""
    for name, v in flat.views(theta).items():
        if np.isnan(v).any():
            return f"{name} is NaN"
        if not np.isfinite(v).all():
            return f"{name} is infinite"
    if np.isnan(E):
        return "loss is NaN"
    if not np.isfinite(E):
        return "loss is infinite"
    return None


def record_schedule(total: int, rec: RecordSpec) -> np.ndarray:
    """The step numbers 0..total that are recorded, ascending (0 and total always)."""
    if rec.every_until is None or rec.every_until >= total:
        return np.arange(total + 1)
    k = rec.then_every
    tail = np.arange((rec.every_until // k + 1) * k, total + 1, k)
    return np.unique(np.concatenate([np.arange(rec.every_until + 1), tail, [total]]))


def count_correct(o: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Samples classified right, over the last two axes (samples, outputs): a single output
    unit is thresholded at 0.5, several are compared by argmax."""
    if o.shape[-1] == 1:
        if T.ndim == 2 and o.ndim >= 3 and o.shape[-2] <= 16:
            # Many rows of at most 16 samples: samples above 0.5 weighted +1 where the target is
            # above 0.5 and -1 where not, plus the number of targets below: small whole
            # numbers, so the count is exact, and one matmul instead of a slow short sum.
            above = T[:, 0] >= 0.5
            w = np.where(above, 1, -1).astype(np.int16)
            return ((o[..., 0] >= 0.5).view(np.uint8) @ w).astype(np.int64) + int((~above).sum())
        right = (o[..., 0] >= 0.5) == (T[..., 0] >= 0.5)
    else:
        right = o.argmax(axis=-1) == T.argmax(axis=-1)
    return right.sum(axis=-1).astype(np.int64)


def unit_health(net: NetSpec, params: dict, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per layer, bool (units,): dead = a ReLU unit whose z <= 0 on every sample (it passes
    no gradient, so it never recovers); saturated = a sigmoid/tanh unit whose f'(z) is below
    SATURATION on every sample."""
    with np.errstate(all="ignore"):
        z, a = forward(net, params, X)
        dead, saturated = [], []
        for l, name in enumerate(net.activations):
            units = net.sizes[l + 1]
            dead.append(~(z[l] > 0).any(axis=0) if name == "relu" else np.zeros(units, dtype=bool))
            if name in ("sigmoid", "tanh"):
                saturated.append((ACTIVATIONS[name].df(z[l], a[l + 1]) < SATURATION).all(axis=0))
            else:
                saturated.append(np.zeros(units, dtype=bool))
    return dead, saturated


# ---- checks on the inputs (each a ValueError with a message an author can act on) ----------


def _data(net: NetSpec, X, T) -> tuple[np.ndarray, np.ndarray]:
    X = np.array(X, dtype=np.float64)
    T = np.array(T, dtype=np.float64)
    if X.ndim != 2 or T.ndim != 2 or len(X) != len(T) or len(X) == 0:
        raise ValueError(f"inputs and targets must be tables with one row per sample, got shapes {X.shape} and {T.shape}")
    if X.shape[1] != net.sizes[0] or T.shape[1] != net.sizes[-1]:
        raise ValueError(
            f"the data has {X.shape[1]} input(s) and {T.shape[1]} target(s) per sample; "
            f"the network takes {net.sizes[0]} and gives {net.sizes[-1]}"
        )
    if not (np.isfinite(X).all() and np.isfinite(T).all()):
        raise ValueError("the data contains NaN or infinite values")
    problem = target_problem(net.loss, T)
    if problem is not None:
        raise ValueError(problem[1])
    return X, T


TARGET_SUM_TOLERANCE = 1e-9  # cross_entropy: |sum of a sample's targets - 1| at most this


def target_problem(loss: str, T: np.ndarray) -> tuple[int, str] | None:
    """(row, message) for the first sample whose targets the loss cannot take, else None.
    binary_cross_entropy: every target in [0, 1]. cross_entropy: every target in [0, 1] and
    each sample's targets summing to 1 within TARGET_SUM_TOLERANCE (absolute): the
    probabilities of one answer, one-hot or soft."""
    T = np.asarray(T, dtype=np.float64)
    if loss not in ("binary_cross_entropy", "cross_entropy") or T.ndim != 2:
        return None
    outside = ((T < 0) | (T > 1)).any(axis=1)
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        return i, f"{loss} needs targets between 0 and 1; sample {i + 1} has {_show_row(T[i])}"
    if loss == "cross_entropy":
        off = np.abs(T.sum(axis=1) - 1.0) > TARGET_SUM_TOLERANCE
        if off.any():
            i = int(np.flatnonzero(off)[0])
            return i, (f"cross_entropy needs targets that are probabilities summing to 1 per sample (e.g. one-hot); "
                       f"sample {i + 1} has {_show_row(T[i])}, which sums to {float(T[i].sum())!r}")
    return None


def _show_row(row: np.ndarray) -> str:
    return "[" + ", ".join(repr(float(v)) if not float(v).is_integer() else str(int(v)) for v in row) + "]"


def _length(cfg: TrainConfig, n: int) -> tuple[int, int]:
    """(total steps, steps per epoch)."""
    if cfg.optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer '{cfg.optimizer}'; choose from {', '.join(OPTIMIZERS)}")
    if not 0 <= cfg.momentum < 1:
        raise ValueError(f"momentum must be in [0, 1), got {cfg.momentum}")
    b = cfg.batch_size
    if b is not None and not (isinstance(b, (int, np.integer)) and 1 <= b <= n):
        raise ValueError(f"batch_size must be a whole number from 1 to {n} (the number of samples), got {b}")
    per_epoch = 1 if b is None else -(-n // b)
    if (cfg.steps is None) == (cfg.epochs is None):
        raise ValueError("give exactly one of steps and epochs")
    count = cfg.steps if cfg.steps is not None else cfg.epochs
    if not isinstance(count, (int, np.integer)) or count < 1:
        raise ValueError(f"{'steps' if cfg.steps is not None else 'epochs'} must be a whole number >= 1, got {count}")
    rec = cfg.record
    if rec.every_until is not None and rec.every_until < 0:
        raise ValueError(f"record every_until must be >= 0, got {rec.every_until}")
    if rec.then_every < 1:
        raise ValueError(f"record then_every must be >= 1, got {rec.then_every}")
    return int(count) * (1 if cfg.steps is not None else per_epoch), per_epoch


def _detail(rec: RecordSpec, n: int) -> tuple[set[int], np.ndarray]:
    idx = [int(i) for i in rec.detail_samples]
    bad = [i for i in idx if not 0 <= i < n]
    if bad:
        raise ValueError(f"detail samples {bad} do not exist; samples are numbered 0 to {n - 1}")
    return {int(s) for s in rec.detail_steps}, np.array(idx, dtype=np.intp)
