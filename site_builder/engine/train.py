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
from site_builder.engine.nn import ACTIVATIONS, GRADIENTS, NetSpec, backward, forward, loss_value
from site_builder.engine.optim import OPTIMIZERS, SCHEMES, InitSpec, Optimizer, init_params
from site_builder.engine.surface import SliceSpec, SurfaceSpec, landscapes
from site_builder.engine.trace import Trace

__all__ = ["AXES", "Dataset", "FlatParams", "Member", "RecordSpec", "TrainConfig", "member_net", "record_schedule",
           "sweep_members", "target_problem", "train", "train_members", "train_sweep"]

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
    same network and data are one batched computation; each group trains in turn."""
    members = list(members)
    if not members:
        raise ValueError("a sweep needs at least one member")
    groups: dict = {}
    for i, m in enumerate(members):
        mnet = m.net or net
        X, T = _data(mnet, *((cfg.X, cfg.T) if m.data is None else (m.data.X, m.data.T)))
        key = (mnet, X.shape, X.tobytes(), T.shape, T.tobytes())
        groups.setdefault(key, (mnet, X, T, []))[3].append(i)
    out: list[Trace | None] = [None] * len(members)
    for mnet, X, T, idx in groups.values():
        for i, tr in zip(idx, _train_group(mnet, cfg, X, T, [members[i] for i in idx])):
            out[i] = tr
    if cfg.record.surfaces or cfg.record.slices:
        for tr in out:
            tr.surfaces, tr.slices = landscapes(tr, cfg.record.surfaces, cfg.record.slices)
    return out


def _train_group(net: NetSpec, cfg: TrainConfig, X: np.ndarray, T: np.ndarray, members: list[Member]) -> list[Trace]:
    """The members (all with this net and data) as one batched computation."""
    n = len(X)
    for m in members:
        if not np.isfinite(m.eta) or m.eta < 0:
            raise ValueError(f"the learning rate must be a finite number >= 0, got {m.eta}")
    M = len(members)
    total, per_epoch = _length(cfg, n)
    batch = cfg.batch_size
    schedule = record_schedule(total, cfg.record)
    detail_at, detail_idx = _detail(cfg.record, n)

    flat = FlatParams(net)
    theta = np.stack([flat.pack(init_params(net, m.init or cfg.init, m.seed)) for m in members])  # (M, P)
    grad, batch_grad = np.empty_like(theta), np.empty_like(theta)
    params, grads, bgrads = flat.views(theta), flat.views(grad), flat.views(batch_grad)
    opt = Optimizer(cfg.optimizer, [m.eta for m in members], cfg.momentum, flat.free(cfg.frozen), theta.shape)

    R = len(schedule)
    rec_loss = np.empty((R, M))
    rec_out = np.empty((R, M, n, net.sizes[-1]))
    rec_theta = np.empty((R, M, flat.size))
    rec_grad = np.empty((R, M, flat.size))
    # Update signs are taken from consecutive records after the loop; only where the next
    # step is not recorded (the schedule thins out) does the loop work them out itself.
    rec_sign = np.zeros((R, M, flat.size), dtype=np.int8)
    gap = np.ones(R, dtype=bool)
    gap[:-1] = np.diff(schedule) != 1
    pending = -1  # the record whose update signs the coming update decides
    r = 0  # records written so far
    active = np.ones(M, dtype=bool)
    ends: list[_End | None] = [None] * M
    details: dict[int, dict] = {}
    shuffle = np.random.default_rng(cfg.shuffle_seed)
    order = None

    with np.errstate(all="ignore"):  # overflow and NaN are data here, not warnings
        for step in range(total + 1):
            z, a = forward(net, params, X)
            _, delta = backward(net, params, z, a, T, out=grads)
            E = loss_value(net, z, a, T)  # (M,)

            if step == schedule[r]:
                rec_loss[r], rec_out[r], rec_theta[r], rec_grad[r] = E, a[-1], theta, grad
                if gap[r]:
                    pending = r
                r += 1
            if step in detail_at:
                details[step] = {
                    "z": [z_l[..., detail_idx, :] for z_l in z],
                    "a": [a_l[..., detail_idx, :] for a_l in a],
                    "delta": [d_l[..., detail_idx, :] for d_l in delta],
                }

            # Who stops here: divergence, the stop rules, the end of the run.
            ending = {}
            health = E + theta.sum(axis=1)  # NaN or infinite when E or any parameter is
            if not np.isfinite(health).all():
                for m in np.flatnonzero(active & ~np.isfinite(health)):
                    reason = _divergence(flat, theta[m], E[m])
                    if reason:
                        ending[m] = ("diverged", reason)
            if cfg.stop_loss_below is not None:
                for m in np.flatnonzero(active & (E < cfg.stop_loss_below)):
                    ending.setdefault(m, ("loss_below", None))
            if cfg.stop_all_correct:
                for m in np.flatnonzero(active & (count_correct(a[-1], T) == n)):
                    ending.setdefault(m, ("all_correct", None))
            if step == total:
                why = "steps" if cfg.steps is not None else "epochs"
                for m in np.flatnonzero(active):
                    ending.setdefault(m, (why, None))
            if ending:
                for m, (why, reason) in ending.items():
                    ends[m] = _End(step, why, reason, E[m], a[-1][m].copy(), theta[m].copy(), grad[m].copy())
                    active[m] = False
                if not active.any():
                    break
                opt.set_active(active)

            if batch is None:
                opt.step(theta, grad)
            else:
                within = step % per_epoch
                if within == 0:
                    order = shuffle.permutation(n)
                idx = order[within * batch:(within + 1) * batch]
                zb, ab = forward(net, params, X[idx])
                backward(net, params, zb, ab, T[idx], out=bgrads)
                opt.step(theta, batch_grad)
            if pending >= 0:
                _signs(theta, rec_theta[pending], out=rec_sign[pending])
                pending = -1

    # Signs of the records followed by the very next step, from consecutive records.
    # (In blocks of rows, so the temporaries stay small.)
    follow = np.flatnonzero(~gap[:r - 1])
    block = max(1, (1 << 20) // (M * flat.size))
    with np.errstate(all="ignore"):
        for start in range(0, len(follow), block):
            k = follow[start:start + block]
            if k[-1] - k[0] == len(k) - 1:  # a run of rows: slices, no copies
                a, b = k[0], k[-1] + 1
                _signs(rec_theta[a + 1:b + 1], rec_theta[a:b], out=rec_sign[a:b])
            else:
                rec_sign[k] = _signs(rec_theta[k + 1], rec_theta[k])
    records = _Records(schedule[:r], rec_loss[:r], rec_out[:r], rec_theta[:r], rec_grad[:r], rec_sign[:r], details)
    return [_member_trace(net, cfg, flat, X, T, m, member, per_epoch, detail_idx, records, ends[m])
            for m, member in enumerate(members)]


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
    """What the loop wrote: record i of member m is loss[i, m], outputs[i, m], ..."""

    steps: np.ndarray
    loss: np.ndarray
    outputs: np.ndarray
    theta: np.ndarray
    grad: np.ndarray
    signs: np.ndarray  # int8 (R, M, P): the update right after each record
    details: dict


def _member_trace(net, cfg, flat, X, T, m, member: Member, per_epoch, detail_idx, rec: _Records, end: _End) -> Trace:
    """Member m's Trace: its records before the step it stopped at, then its end state."""
    rows = slice(0, int(np.searchsorted(rec.steps, end.step)))  # the records before it (steps ascend)
    steps = np.append(rec.steps[rows], end.step).astype(np.int64)
    outputs = np.concatenate([rec.outputs[rows, m], end.outputs[None]])
    theta = np.concatenate([rec.theta[rows, m], end.theta[None]])
    grad = np.concatenate([rec.grad[rows, m], end.grad[None]])
    # signs[k]: how the update right after record k moved each parameter (the loop saw it);
    # no update follows the last record.
    signs = np.concatenate([rec.signs[rows, m], np.zeros((1, flat.size), dtype=np.int8)])
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
        loss=np.append(rec.loss[rows, m], end.loss),
        outputs=outputs,
        params=flat.unpack(theta),
        grads=flat.unpack(grad),
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
        correct=count_correct(outputs, T),
        signs=flat.unpack(signs),
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
