"""Training that records a Trace.

`train` is `train_sweep` with one member. A sweep (learning rates x seeds) trains every member
at once: all parameters live in one flat array theta of shape (members, parameters), and the
W1, b1, ... the layers use are views into it, with a leading member axis. One step of the
whole sweep is then a forward pass, a backward pass and an update of a few numpy calls each,
whether it trains one network or forty; recording a step is a handful of array copies into
buffers allocated before the loop.

A step is one parameter update. Record k holds the state before update steps[k] + 1: the
parameters after steps[k] updates, the full-data loss and outputs with them, and the
full-data gradient at them (with mini-batches the update itself uses the batch's gradient).
Divergence is data: when a member's loss or any parameter is NaN or infinite it stops there,
and its Trace says at which step and why; nothing is raised and no warning is printed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from math import prod

import numpy as np

from site_builder.engine.nn import ACTIVATIONS, NetSpec, backward, forward, loss_value
from site_builder.engine.optim import OPTIMIZERS, InitSpec, Optimizer, init_params
from site_builder.engine.trace import Trace

SATURATION = 1e-4  # a sigmoid/tanh unit is saturated when f'(z) < this on every sample


@dataclass(frozen=True)
class RecordSpec:
    """Which steps to record. Every step up to and including `every_until` (None: every step
    of the run), after that the multiples of `then_every`; the first and the last step are
    always recorded. At each of `detail_steps` the per-layer z, a and delta of the samples
    `detail_samples` are kept too."""

    every_until: int | None = None
    then_every: int = 1
    detail_steps: tuple = ()
    detail_samples: tuple = (0,)


@dataclass(frozen=True, eq=False)  # holds arrays: compared and hashed by identity
class TrainConfig:
    """One training run. Give exactly one of `steps` (updates) and `epochs` (passes over
    the data: one update each for full batch, ceil(n / batch_size) with mini-batches).

    batch_size None is full-batch gradient descent; k draws mini-batches of k samples from a
    permutation of the data made at the start of each epoch by
    np.random.default_rng(shuffle_seed) (the last batch of an epoch may be smaller); 1 is
    one sample at a time. `frozen` names parameters that are never updated; names that are
    not parameters of the network are ignored (the classic worked example freezes b1 and b2).
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


def train(net: NetSpec, cfg: TrainConfig) -> Trace:
    """Train one network (learning rate cfg.eta, seed cfg.init.seed) and return its Trace."""
    return train_sweep(net, cfg, etas=[cfg.eta], seeds=[cfg.init.seed])[0]


def train_sweep(net: NetSpec, cfg: TrainConfig, etas, seeds) -> list[Trace]:
    """Train len(etas) x len(seeds) networks as one batched computation; return their Traces
    eta-major (for eta in etas: for seed in seeds); each member's eta and seed replace
    cfg.eta and cfg.init.seed. A member that diverges or meets a stop rule is frozen from
    then on and its Trace ends at that step."""
    X, T = _data(net, cfg)
    n = len(X)
    members = _members(etas, seeds)
    M = len(members)
    total, per_epoch = _length(cfg, n)
    batch = cfg.batch_size
    schedule = record_schedule(total, cfg.record)
    detail_at, detail_idx = _detail(cfg.record, n)

    flat = FlatParams(net)
    theta = np.stack([flat.pack(init_params(net, cfg.init, seed)) for _, seed in members])  # (M, P)
    grad, batch_grad = np.empty_like(theta), np.empty_like(theta)
    params, grads, bgrads = flat.views(theta), flat.views(grad), flat.views(batch_grad)
    opt = Optimizer(cfg.optimizer, [eta for eta, _ in members], cfg.momentum, flat.free(cfg.frozen), theta.shape)

    R = len(schedule)
    rec_loss = np.empty((R, M))
    rec_out = np.empty((R, M, n, net.sizes[-1]))
    rec_theta = np.empty((R, M, flat.size))
    rec_grad = np.empty((R, M, flat.size))
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

    records = _Records(schedule[:r], rec_loss[:r], rec_out[:r], rec_theta[:r], rec_grad[:r], details)
    return [_member_trace(net, cfg, flat, X, T, m, eta, seed, per_epoch, detail_idx, records, ends[m])
            for m, (eta, seed) in enumerate(members)]


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
    details: dict


def _member_trace(net, cfg, flat, X, T, m, eta, seed, per_epoch, detail_idx, rec: _Records, end: _End) -> Trace:
    """Member m's Trace: its records before the step it stopped at, then its end state."""
    rows = np.flatnonzero(rec.steps < end.step)
    steps = np.append(rec.steps[rows], end.step).astype(np.int64)
    outputs = np.concatenate([rec.outputs[rows, m], end.outputs[None]])
    explicit = cfg.init.explicit(net)
    dead, saturated = unit_health(net, flat.unpack(end.theta), X)
    return Trace(
        net=net,
        eta=eta,
        seed=None if explicit else seed,
        label=f"eta={eta:g}" if explicit else f"eta={eta:g} seed={seed}",
        X=X,
        T=T,
        steps=steps,
        epochs=steps / float(per_epoch),
        loss=np.append(rec.loss[rows, m], end.loss),
        outputs=outputs,
        params=flat.unpack(np.concatenate([rec.theta[rows, m], end.theta[None]])),
        grads=flat.unpack(np.concatenate([rec.grad[rows, m], end.grad[None]])),
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
    )


class FlatParams:
    """Where each parameter lives in one flat vector: W1, b1, W2, b2, ... in order."""

    def __init__(self, net: NetSpec):
        self.shapes = net.param_shapes()
        self.slices, offset = {}, 0
        for name, shape in self.shapes.items():
            self.slices[name] = slice(offset, offset + prod(shape))
            offset += prod(shape)
        self.size = offset

    def pack(self, params: dict[str, np.ndarray]) -> np.ndarray:
        return np.concatenate([np.ravel(params[name]) for name in self.shapes])

    def views(self, flat: np.ndarray) -> dict[str, np.ndarray]:
        """(..., P) -> {name: (..., *shape)}, views that write through to `flat`."""
        out = {}
        for name, shape in self.shapes.items():
            v = flat[..., self.slices[name]].reshape(flat.shape[:-1] + shape)
            assert np.may_share_memory(v, flat), name  # reshape of a contiguous run is a view
            out[name] = v
        return out

    def unpack(self, flat: np.ndarray) -> dict[str, np.ndarray]:
        """(..., P) -> {name: (..., *shape)}, contiguous copies."""
        return {name: v.copy() for name, v in self.views(flat).items()}

    def free(self, frozen) -> np.ndarray:
        """(P,) bool: True where the parameter may be updated."""
        free = np.ones(self.size, dtype=bool)
        for name in frozen:
            if name in self.slices:
                free[self.slices[name]] = False
        return free


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


def _data(net: NetSpec, cfg: TrainConfig) -> tuple[np.ndarray, np.ndarray]:
    X = np.array(cfg.X, dtype=np.float64)
    T = np.array(cfg.T, dtype=np.float64)
    if X.ndim != 2 or T.ndim != 2 or len(X) != len(T) or len(X) == 0:
        raise ValueError(f"inputs and targets must be tables with one row per sample, got shapes {X.shape} and {T.shape}")
    if X.shape[1] != net.sizes[0] or T.shape[1] != net.sizes[-1]:
        raise ValueError(
            f"the data has {X.shape[1]} input(s) and {T.shape[1]} target(s) per sample; "
            f"the network takes {net.sizes[0]} and gives {net.sizes[-1]}"
        )
    if not (np.isfinite(X).all() and np.isfinite(T).all()):
        raise ValueError("the data contains NaN or infinite values")
    # The simple output delta a - t of the cross-entropies assumes these targets.
    if net.loss == "binary_cross_entropy" and ((T < 0) | (T > 1)).any():
        raise ValueError("binary_cross_entropy needs targets between 0 and 1")
    if net.loss == "cross_entropy" and (((T < 0) | (T > 1)).any() or not np.allclose(T.sum(axis=1), 1.0, atol=1e-9)):
        raise ValueError("cross_entropy needs targets that are probabilities summing to 1 per sample (e.g. one-hot)")
    return X, T


def _members(etas, seeds) -> list[tuple[float, int]]:
    etas, seeds = [float(e) for e in etas], [int(s) for s in seeds]
    if not etas or not seeds:
        raise ValueError("a sweep needs at least one learning rate and one seed")
    for eta in etas:
        if not np.isfinite(eta) or eta < 0:
            raise ValueError(f"the learning rate must be a finite number >= 0, got {eta}")
    return [(eta, seed) for eta in etas for seed in seeds]


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
