"""Training that records a Trace.

`train` is `train_sweep` with one member: a sweep (several learning rates x several seeds)
trains every member at once, the member axis leading every parameter array, so forty
networks cost a few numpy calls per step instead of forty Python loops.

A step is one parameter update. Record k is the state after steps[k] updates: its params,
the full-data loss and outputs with them, and the full-data gradient at them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from site_builder.engine.nn import ACTIVATIONS, NetSpec, backward, forward, loss_value
from site_builder.engine.optim import InitSpec, Optimizer, init_params
from site_builder.engine.trace import Trace

SATURATION = 1e-4  # sigmoid/tanh units whose derivative is below this on every sample


@dataclass(frozen=True)
class RecordSpec:
    """Record every step up to `every_until` (None: every step, always), then every
    `then_every`-th step; the first and the last step are always kept. At `detail_steps`
    the per-layer z, a and delta are kept for `detail_samples`."""

    every_until: int | None = None
    then_every: int = 1
    detail_steps: tuple = ()
    detail_samples: tuple = (0,)


@dataclass(frozen=True)
class TrainConfig:
    X: np.ndarray
    T: np.ndarray
    eta: float = 0.5
    steps: int | None = None
    epochs: int | None = None
    optimizer: str = "sgd"
    momentum: float = 0.9
    batch_size: int | None = None  # None: full batch; 1: one sample at a time
    shuffle_seed: int = 0
    frozen: frozenset = frozenset()
    stop_loss_below: float | None = None
    stop_all_correct: bool = False
    init: InitSpec = field(default_factory=InitSpec)
    record: RecordSpec = field(default_factory=RecordSpec)

    def __hash__(self):
        return id(self)

    def total_steps(self) -> int:
        n = len(self.X)
        per_epoch = 1 if self.batch_size is None else -(-n // self.batch_size)
        if (self.steps is None) == (self.epochs is None):
            raise ValueError("give exactly one of steps and epochs")
        total = self.steps if self.steps is not None else self.epochs * per_epoch
        if total < 1:
            raise ValueError("training needs at least one step")
        return int(total)


def _schedule(total: int, rec: RecordSpec) -> np.ndarray:
    """Which step numbers 0..total are recorded (first and last always)."""
    if rec.every_until is None or rec.then_every <= 1:
        return np.arange(total + 1)
    head = np.arange(min(rec.every_until, total) + 1)
    tail = np.arange(rec.every_until + rec.then_every, total + 1, rec.then_every)
    return np.unique(np.concatenate([head, tail, [total]]))


def count_correct(o: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Samples classified right: one output thresholded at 0.5, several by argmax."""
    if o.shape[-1] == 1:
        right = (o[..., 0] >= 0.5) == (T[..., 0] >= 0.5)
    else:
        right = o.argmax(axis=-1) == T.argmax(axis=-1)
    return right.sum(axis=-1)


def train(net: NetSpec, cfg: TrainConfig) -> Trace:
    return train_sweep(net, cfg, etas=[cfg.eta], seeds=[cfg.init.seed])[0]


def train_sweep(net: NetSpec, cfg: TrainConfig, etas, seeds) -> list[Trace]:
    """Train len(etas) x len(seeds) members at once, eta-major; return one Trace each."""
    X = np.asarray(cfg.X, dtype=np.float64)
    T = np.asarray(cfg.T, dtype=np.float64)
    if X.ndim != 2 or T.ndim != 2 or len(X) != len(T):
        raise ValueError(f"data must be (n, d) arrays with one target row per input, got {X.shape} and {T.shape}")
    if X.shape[1] != net.sizes[0] or T.shape[1] != net.sizes[-1]:
        raise ValueError(
            f"data has {X.shape[1]} inputs and {T.shape[1]} targets; the network wants {net.sizes[0]} and {net.sizes[-1]}"
        )
    members = [(float(e), s) for e in etas for s in seeds]
    M, n = len(members), len(X)
    total = cfg.total_steps()

    inits = [init_params(net, cfg.init, seed) for _, seed in members]
    params = {k: np.stack([p[k] for p in inits]) for k in inits[0]}
    opt = Optimizer(cfg.optimizer, np.array([e for e, _ in members]), cfg.momentum, frozenset(cfg.frozen), params)

    schedule = _schedule(total, cfg.record)
    R = len(schedule)
    rec_loss = np.empty((R, M))
    rec_out = np.empty((R, M, n, net.sizes[-1]))
    rec_correct = np.empty((R, M), dtype=np.int64)
    rec_params = {k: np.empty((R,) + v.shape) for k, v in params.items()}
    rec_grads = {k: np.empty((R,) + v.shape) for k, v in params.items()}
    final = [None] * M  # (step, loss, out, correct, params, grads) of a member that stopped early
    stopped = ["epochs" if cfg.epochs is not None else "steps"] * M
    diverged_reason = [None] * M
    detail = {}
    active = np.ones(M, dtype=bool)

    batch = cfg.batch_size
    per_epoch = 1 if batch is None else -(-n // batch)
    rng = np.random.default_rng(cfg.shuffle_seed)
    order = None
    detail_steps = set(int(s) for s in cfg.record.detail_steps)

    r = 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for step in range(total + 1):
            z, a = forward(net, params, X)
            grads, delta = backward(net, params, z, a, T)
            E = loss_value(net, a[-1], T)
            correct = count_correct(a[-1], T)

            if step in detail_steps:
                idx = list(cfg.record.detail_samples)
                detail[step] = {
                    "samples": idx,
                    "z": [zl[..., idx, :].copy() for zl in z],
                    "a": [al[..., idx, :].copy() if al.ndim == 3 else np.broadcast_to(al[idx], (M, len(idx), al.shape[-1])).copy() for al in a],
                    "delta": [dl[..., idx, :].copy() for dl in delta],
                }

            if r < R and schedule[r] == step:
                rec_loss[r] = E
                rec_out[r] = a[-1]
                rec_correct[r] = correct
                for k in params:
                    rec_params[k][r] = params[k]
                    rec_grads[k][r] = grads[k]
                r += 1

            # Which active members end here: divergence first, then the stop rules.
            finite = np.isfinite(E)
            bad_param = {}
            for k, p in params.items():
                ok = np.isfinite(p).reshape(M, -1).all(axis=1)
                finite &= ok
                for m in np.flatnonzero(~ok):
                    bad_param.setdefault(m, k)
            ending = active & ~finite
            for m in np.flatnonzero(ending):
                stopped[m] = "diverged"
                if m in bad_param:
                    diverged_reason[m] = f"{bad_param[m]} is {'NaN' if np.isnan(params[bad_param[m]][m]).any() else 'infinite'}"
                else:
                    diverged_reason[m] = f"loss is {'NaN' if np.isnan(E[m]) else 'infinite'}"
            if cfg.stop_loss_below is not None:
                hit = active & finite & (E < cfg.stop_loss_below)
                for m in np.flatnonzero(hit & ~ending):
                    stopped[m] = "loss_below"
                ending |= hit
            if cfg.stop_all_correct:
                hit = active & finite & (correct == n)
                for m in np.flatnonzero(hit & ~ending):
                    stopped[m] = "all_correct"
                ending |= hit
            if step == total:
                ending = active.copy()
            for m in np.flatnonzero(ending):
                final[m] = (step, E[m], a[-1][m].copy(), correct[m], {k: v[m].copy() for k, v in params.items()},
                            {k: v[m].copy() for k, v in grads.items()})
            active &= ~ending
            if not active.any():
                break

            # The update: the full-data gradient, or one mini-batch's.
            if batch is not None:
                within = step % per_epoch
                if within == 0:
                    order = rng.permutation(n)
                idx = order[within * batch:(within + 1) * batch]
                zb, ab = forward(net, params, X[idx])
                grads, _ = backward(net, params, zb, ab, T[idx])
            opt.step(params, grads, None if active.all() else active)

    traces = []
    for m, (eta, seed) in enumerate(members):
        last_step = final[m][0]
        keep = schedule[:r] < last_step
        rows = np.flatnonzero(keep)
        f_step, f_loss, f_out, f_correct, f_params, f_grads = final[m]
        steps = np.concatenate([schedule[rows], [f_step]]).astype(np.int64)
        tr_params = {k: np.concatenate([rec_params[k][rows, m], f_params[k][None]]) for k in params}
        trace = Trace(
            net=net,
            eta=eta,
            seed=seed,
            label=f"eta={eta:g}" + ("" if len(seeds) == 1 else f" seed={seed}"),
            X=X,
            T=T,
            steps=steps,
            epochs=steps.astype(np.float64) / per_epoch,
            loss=np.concatenate([rec_loss[rows, m], [f_loss]]),
            outputs=np.concatenate([rec_out[rows, m], f_out[None]]),
            params=tr_params,
            grads={k: np.concatenate([rec_grads[k][rows, m], f_grads[k][None]]) for k in params},
            correct=np.concatenate([rec_correct[rows, m], [f_correct]]).astype(np.int64),
            detail={s: {"samples": d["samples"], **{key: [x[m] for x in d[key]] for key in ("z", "a", "delta")}}
                    for s, d in sorted(detail.items()) if s <= last_step},
            stopped=stopped[m],
            diverged_at=last_step if stopped[m] == "diverged" else None,
            diverged_reason=diverged_reason[m],
        )
        trace.dead, trace.saturated = unit_health(net, f_params, X)
        traces.append(trace)
    return traces


def unit_health(net: NetSpec, params: dict, X: np.ndarray):
    """Per layer: dead (ReLU-family unit never active on any sample) and saturated
    (sigmoid/tanh derivative below SATURATION on every sample)."""
    with np.errstate(all="ignore"):
        z, a = forward(net, params, X)
    dead, saturated = [], []
    for l, name in enumerate(net.activations):
        if name in ("relu", "leaky_relu"):
            dead.append(~(z[l] > 0).any(axis=0))
        else:
            dead.append(np.zeros(net.sizes[l + 1], dtype=bool))
        if name in ("sigmoid", "tanh"):
            with np.errstate(all="ignore"):
                d = ACTIVATIONS[name].df(z[l], a[l + 1])
            saturated.append((d < SATURATION).all(axis=0))
        else:
            saturated.append(np.zeros(net.sizes[l + 1], dtype=bool))
    return dead, saturated
