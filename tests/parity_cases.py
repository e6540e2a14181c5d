"""Random training scenarios for the nn.js <-> numpy parity tests (unit: node; e2e: Chromium).

`cases()` draws the scenarios from a seeded numpy RNG: every activation, every loss and
reduction, sgd and momentum, full batch, mini-batches and online, frozen parameters, stop
rules, and runs that diverge. `run_numpy` trains each with the engine; `payload` is the JSON
the JavaScript side gets (with numpy's exact mini-batch permutations); RUNNER_JS defines
`runParity(text)`, which trains the same scenarios with BPE.nn and returns JSON; `compare`
holds the two to the tolerance and returns the worst relative error. No number on either side
is written by hand.
"""
from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from site_builder import engine

ROOT = Path(__file__).resolve().parent.parent
NN_JS = ROOT / "themes/default/assets/js/nn.js"
TRACE_JS = ROOT / "themes/default/assets/js/trace.js"

STEPS = 200
REL = 1e-12       # the target: relative error per number ...
ABS = 1e-15       # ... or this absolute error for numbers near zero
HARD_REL = 1e-10  # the limit the tests hold (see `compare`)

HIDDEN = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
LOSSES = (("squared_error", "sum"), ("squared_error", "mean"), ("binary_cross_entropy", "sum"),
          ("binary_cross_entropy", "mean"), ("cross_entropy", "sum"), ("cross_entropy", "mean"))
BATCHES = ("full", "mini", "online")


@dataclass
class Case:
    name: str
    net: engine.NetSpec
    params: dict
    X: np.ndarray
    T: np.ndarray
    eta: float
    optimizer: str = "sgd"
    momentum: float = 0.9
    batch_size: int | None = None
    shuffle_seed: int = 0
    frozen: tuple = ()
    stop_loss_below: float | None = None
    stop_all_correct: bool = False
    expect: str | None = None   # "diverged", "loss_below", "all_correct": the test checks numpy got there
    steps: int = STEPS
    extra: dict = field(default_factory=dict)


def _targets(rng, loss: str, n: int, d_out: int) -> np.ndarray:
    if loss == "binary_cross_entropy":
        T = rng.uniform(0, 1, size=(n, d_out))
        T[rng.uniform(size=T.shape) < 0.3] = 0.0
        T[rng.uniform(size=T.shape) < 0.3] = 1.0
        return T
    if loss == "cross_entropy":
        if rng.uniform() < 0.5:
            return np.eye(d_out)[rng.integers(0, d_out, size=n)]
        return rng.dirichlet(np.ones(d_out), size=n)
    return rng.normal(0, 1, size=(n, d_out))


def _weights(rng, sizes) -> dict:
    params = {}
    for l in range(1, len(sizes)):
        fan_in = sizes[l - 1]
        params[f"W{l}"] = rng.normal(0, 1 / math.sqrt(fan_in), size=(sizes[l], fan_in)) * rng.uniform(0.5, 2.0)
        params[f"b{l}"] = rng.normal(0, 0.5, size=sizes[l])
    return params


def cases(count: int = 36, seed: int = 20240611) -> list[Case]:
    """`count` random scenarios, then hand-shaped (but randomly filled) diverging and
    stopping ones."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        loss, reduction = LOSSES[i % len(LOSSES)]
        hidden = int(rng.integers(1, 4))
        d_in = int(rng.integers(1, 9))
        d_out = int(rng.integers(2, 9)) if loss == "cross_entropy" else int(rng.integers(1, 9))
        sizes = [d_in] + [int(rng.integers(1, 9)) for _ in range(hidden)] + [d_out]
        acts = [HIDDEN[i % len(HIDDEN)]] + [HIDDEN[int(rng.integers(0, len(HIDDEN)))] for _ in range(hidden - 1)]
        if loss == "binary_cross_entropy":
            acts.append("sigmoid")
        elif loss == "cross_entropy":
            acts.append("softmax")
        else:
            acts.append(HIDDEN[(i // len(LOSSES)) % len(HIDDEN)])
        net = engine.NetSpec(tuple(sizes), tuple(acts), loss, reduction)
        n = int(rng.integers(1, 41))
        X = rng.normal(0, 1, size=(n, d_in))
        T = _targets(rng, loss, n, d_out)
        mode = BATCHES[(i // len(LOSSES)) % len(BATCHES)]
        batch = None if mode == "full" else (1 if mode == "online" else int(rng.integers(1, n + 1)))
        optimizer = ("sgd", "momentum")[(i // 2) % 2]
        per_update = n if batch is None else batch
        eta = 10 ** rng.uniform(-2.0, -0.5)
        if reduction == "sum":
            eta /= per_update
        eta /= d_out  # the per-sample loss sums over output units
        if optimizer == "momentum":
            eta *= 0.3
        names = list(net.param_shapes())
        frozen = ()
        if i % 4 == 3:
            frozen = tuple(sorted(rng.choice(names, size=int(rng.integers(1, len(names))), replace=False))) + ("b9",)
        out.append(Case(f"random-{i:02d} {net!r} {optimizer} batch={batch}", net, _weights(rng, sizes), X, T,
                        eta=float(eta), optimizer=optimizer, momentum=float(rng.uniform(0.5, 0.95)),
                        batch_size=batch, shuffle_seed=int(rng.integers(0, 1000)), frozen=frozen))

    # Diverging: learning rates far too large for squared error on unbounded outputs.
    for j, (sizes, acts, opt, batch, eta) in enumerate([
        ((2, 4, 1), ("relu", "linear"), "sgd", None, 3.0),
        ((3, 5, 2), ("tanh", "linear"), "momentum", None, 5.0),
        ((2, 3, 3, 1), ("leaky_relu", "linear", "linear"), "sgd", 2, 20.0),
        ((2, 3, 1), ("sigmoid", "linear"), "sgd", None, 1e308),  # the first update overflows the weights
    ]):
        net = engine.NetSpec(sizes, acts, "squared_error", "sum")
        n = 12
        out.append(Case(f"diverging-{j} {net!r} eta={eta}", net, _weights(rng, sizes),
                        rng.normal(0, 2, size=(n, sizes[0])), rng.normal(0, 3, size=(n, sizes[-1])),
                        eta=eta, optimizer=opt, batch_size=batch, shuffle_seed=j, expect="diverged"))

    # Stop rules: separable two-class data.
    for j, rule in enumerate(("loss_below", "all_correct")):
        net = engine.NetSpec((2, 4, 1), ("tanh", "sigmoid"), "binary_cross_entropy", "mean")
        X = rng.normal(0, 1, size=(30, 2))
        T = (X[:, :1] + X[:, 1:] > 0).astype(np.float64)
        out.append(Case(f"stop-{rule} {net!r}", net, _weights(rng, (2, 4, 1)), X, T, eta=1.0,
                        optimizer="momentum", momentum=0.8,
                        stop_loss_below=0.05 if rule == "loss_below" else None,
                        stop_all_correct=rule == "all_correct", expect=rule))

    # ReLU kinks: samples at the origin and zero biases put z exactly at 0, where the
    # derivative is 0 (relu) or 0.01 (leaky_relu), as in nn.py.
    for j, act in enumerate(("relu", "leaky_relu")):
        net = engine.NetSpec((3, 4, 2), (act, "linear"), "squared_error", "mean")
        params = _weights(rng, (3, 4, 2))
        params["b1"][[0, 2]] = 0.0
        X = rng.normal(0, 1, size=(9, 3))
        X[:3] = 0.0
        out.append(Case(f"kink-{act} {net!r}", net, params, X, rng.normal(0, 1, size=(9, 2)), eta=0.05,
                        frozen=("b1",) if j else ()))
    return out


@functools.lru_cache(maxsize=1)
def default_cases() -> tuple[list[Case], list[engine.Trace]]:
    """The scenarios both parity tests use, with their numpy traces (computed once)."""
    case_list = cases()
    return case_list, [run_numpy(c) for c in case_list]


def run_numpy(case: Case) -> engine.Trace:
    cfg = engine.TrainConfig(
        X=case.X, T=case.T, eta=case.eta, steps=case.steps, optimizer=case.optimizer, momentum=case.momentum,
        batch_size=case.batch_size, shuffle_seed=case.shuffle_seed, frozen=frozenset(case.frozen),
        stop_loss_below=case.stop_loss_below, stop_all_correct=case.stop_all_correct,
        init=engine.InitSpec(weights=case.params), record=engine.RecordSpec())
    return engine.train(case.net, cfg)


def batches(case: Case) -> list[list[int]] | None:
    """The sample indices of every update, drawn exactly as train.py draws them: a
    permutation from np.random.default_rng(shuffle_seed) at the start of each epoch."""
    if case.batch_size is None:
        return None
    n = len(case.X)
    per_epoch = -(-n // case.batch_size)  # ceil(n / batch): the last batch of an epoch may be smaller
    shuffle = np.random.default_rng(case.shuffle_seed)
    out, order = [], None
    b = case.batch_size
    for step in range(case.steps):
        within = step % per_epoch
        if within == 0:
            order = shuffle.permutation(n)
        out.append([int(i) for i in order[within * b:(within + 1) * b]])
    return out


def payload(case_list: list[Case]) -> str:
    docs = []
    for c in case_list:
        docs.append({
            "net": {"sizes": list(c.net.sizes), "activations": list(c.net.activations), "loss": c.net.loss,
                    "reduction": c.net.reduction},
            "params": {k: np.asarray(v).tolist() for k, v in c.params.items()},
            "X": c.X.tolist(), "T": c.T.tolist(), "eta": c.eta, "optimizer": c.optimizer, "momentum": c.momentum,
            "batchSize": c.batch_size, "batches": batches(c), "frozen": list(c.frozen), "steps": c.steps,
            "stopLossBelow": c.stop_loss_below, "stopAllCorrect": c.stop_all_correct,
        })
    return json.dumps(docs, allow_nan=False)


# Trains every scenario with BPE.nn and returns, per scenario, every record flattened
# (params and grads in W1, b1, W2, ... order), non-finite numbers as strings.
RUNNER_JS = r"""
function runParity(text) {
  var docs = JSON.parse(text), out = [];
  function flat(params, names) {
    var v = [];
    names.forEach(function (name) {
      var p = params[name];
      for (var i = 0; i < p.length; i++) {
        if (Array.isArray(p[i])) for (var j = 0; j < p[i].length; j++) v.push(p[i][j]); else v.push(p[i]);
      }
    });
    return v;
  }
  docs.forEach(function (d) {
    var net = BPE.nn.net(d.net), list = d.batches;
    var tr = BPE.nn.trainer(net, d.params, d.X, d.T, {
      eta: d.eta, optimizer: d.optimizer, momentum: d.momentum, batchSize: d.batchSize,
      batches: list ? function (step) { return list[step]; } : null, frozen: d.frozen,
      stopLossBelow: d.stopLossBelow, stopAllCorrect: d.stopAllCorrect
    });
    var rec = { steps: [], loss: [], params: [], grads: [], correct: [] };
    for (var s = 0; ; s++) {
      var st = tr.state();
      rec.steps.push(st.step); rec.loss.push(st.loss); rec.correct.push(st.correct);
      rec.params.push(flat(st.params, net.names)); rec.grads.push(flat(st.grads, net.names));
      if (tr.stopped || s === d.steps) break;
      tr.step();
    }
    rec.stopped = tr.stopped; rec.diverged = tr.diverged;
    out.push(rec);
  });
  return JSON.stringify(out, function (k, v) {
    return typeof v === "number" && !isFinite(v) ? String(v) : v;
  });
}
"""


def decode(text: str) -> list[dict]:
    def num(v):
        if isinstance(v, str) and v in ("NaN", "Infinity", "-Infinity"):
            return float(v.replace("Infinity", "inf"))
        if isinstance(v, list):
            return [num(x) for x in v]
        return v

    docs = json.loads(text)
    for d in docs:
        for key in ("loss", "params", "grads"):
            d[key] = np.array(num(d[key]), dtype=np.float64)
    return docs


KINDS = ("loss", "params", "grads")


@dataclass
class Errors:
    """What a comparison found: per kind of number (loss, params, grads) the worst relative
    error |js - np| / |np| over numbers with |np| > ABS / REL and where it was, the worst
    absolute error over the numbers nearer zero, and how many numbers are bit-identical."""

    worst_rel: dict = field(default_factory=lambda: {k: (0.0, "") for k in KINDS})
    worst_abs_small: dict = field(default_factory=lambda: {k: 0.0 for k in KINDS})
    worst_scaled: dict = field(default_factory=lambda: {k: 0.0 for k in KINDS})  # |js - np| / max |np| of the record
    bit_exact: int = 0
    total: int = 0
    failures: list = field(default_factory=list)

    @property
    def worst(self) -> float:
        return max(v for v, _ in self.worst_rel.values())

    def merge(self, other: "Errors") -> None:
        for k in KINDS:
            if other.worst_rel[k][0] > self.worst_rel[k][0]:
                self.worst_rel[k] = other.worst_rel[k]
            self.worst_abs_small[k] = max(self.worst_abs_small[k], other.worst_abs_small[k])
            self.worst_scaled[k] = max(self.worst_scaled[k], other.worst_scaled[k])
        self.bit_exact += other.bit_exact
        self.total += other.total
        self.failures += other.failures

    def summary(self) -> str:
        lines = [f"worst relative error {self.worst:.3g} (target {REL:g}, hard limit {HARD_REL:g}); "
                 f"bit-identical numbers {self.bit_exact}/{self.total} ({100 * self.bit_exact / max(self.total, 1):.1f}%)"]
        for k in KINDS:
            rel, where = self.worst_rel[k]
            lines.append(f"  {k:6s} worst relative {rel:.3g}, worst absolute near zero {self.worst_abs_small[k]:.3g}"
                         + (f", worst relative to the record's largest |value| {self.worst_scaled[k]:.3g}"
                            if k != "loss" else "")
                         + (f"  [{where}]" if where else ""))
        return "\n".join(lines)


def _check(errs: Errors, kind: str, where: str, js: np.ndarray, ref: np.ndarray, rel_limit: float) -> None:
    js, ref = np.asarray(js, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    errs.total += ref.size
    same = (js == ref) | (np.isnan(js) & np.isnan(ref))
    errs.bit_exact += int(same.sum())
    if same.all():
        return
    if not (np.isfinite(js) == np.isfinite(ref)).all() or not (same | np.isfinite(ref)).all():
        errs.failures.append(f"{where}: non-finite values differ: js {js[~same][:4]} numpy {ref[~same][:4]}")
        return
    diff = np.abs(js - ref)
    fin = np.isfinite(ref)
    if kind != "loss" and fin.any() and np.abs(ref[fin]).max() > 0:
        errs.worst_scaled[kind] = max(errs.worst_scaled[kind], float(diff[fin].max() / np.abs(ref[fin]).max()))
    small = np.abs(ref) <= ABS / REL
    if small.any():
        errs.worst_abs_small[kind] = max(errs.worst_abs_small[kind], float(diff[small].max()))
    if (~small).any():
        worst = float((diff[~small] / np.abs(ref[~small])).max())
        if worst > errs.worst_rel[kind][0]:
            errs.worst_rel[kind] = (worst, where)
    bad = (diff > rel_limit * np.abs(ref)) & (diff > ABS * rel_limit / REL)
    if bad.any():
        errs.failures.append(f"{where}: js {js[bad][:3]} numpy {ref[bad][:3]}")


def compare(case: Case, tr: engine.Trace, js: dict, rel_limit: float = HARD_REL) -> Errors:
    """Every record of the numpy trace against the JavaScript run. A number passes when its
    relative error is at most rel_limit, or (near zero) its absolute error at most
    ABS * rel_limit / REL (1e-15 for the target 1e-12)."""
    errs = Errors()
    name = case.name
    if case.expect is not None and tr.stopped != case.expect:
        errs.failures.append(f"{name}: numpy stopped '{tr.stopped}', the scenario expects '{case.expect}'")
    if js["steps"] != tr.steps.tolist():
        errs.failures.append(f"{name}: js recorded steps {js['steps'][:3]}..{js['steps'][-1]}, "
                             f"numpy {tr.steps[:3].tolist()}..{tr.steps[-1]} (numpy stopped '{tr.stopped}' "
                             f"{tr.diverged_reason or ''}, js '{js['stopped']}' {js['diverged']})")
        return errs
    np_stop = None if tr.stopped in ("steps", "epochs") else tr.stopped
    if js["stopped"] != np_stop:
        errs.failures.append(f"{name}: js stopped {js['stopped']!r}, numpy {tr.stopped!r}")
    want_div = None if tr.diverged_at is None else {"step": tr.diverged_at, "reason": tr.diverged_reason}
    if js["diverged"] != want_div:
        errs.failures.append(f"{name}: js diverged {js['diverged']}, numpy {want_div}")
    theta = np.concatenate([tr.params[k].reshape(len(tr.steps), -1) for k in case.net.param_shapes()], axis=1)
    grad = np.concatenate([tr.grads[k].reshape(len(tr.steps), -1) for k in case.net.param_shapes()], axis=1)
    with np.errstate(all="ignore"):
        _check(errs, "loss", f"{name}: loss", js["loss"], tr.loss, rel_limit)
        for r, step in enumerate(tr.steps):
            _check(errs, "params", f"{name}: params @{step}", js["params"][r], theta[r], rel_limit)
            _check(errs, "grads", f"{name}: grads @{step}", js["grads"][r], grad[r], rel_limit)
    if js["correct"] != tr.correct.tolist():
        errs.failures.append(f"{name}: correct counts differ")
    return errs


def check_all(case_list: list[Case], traces: list[engine.Trace], results: list[dict], label: str) -> Errors:
    """Compare every scenario; print the worst errors (visible with pytest -s) and return them."""
    total = Errors()
    for case, tr, js in zip(case_list, traces, results, strict=True):
        total.merge(compare(case, tr, js))
    print(f"\nnn.js parity ({label}, {len(case_list)} scenarios, up to {STEPS} steps each): {total.summary()}")
    return total


def coverage(case_list: list[Case]) -> dict:
    """What the scenarios exercise, for the test that they exercise everything."""
    return {
        "activations": {a for c in case_list for a in c.net.activations},
        "losses": {(c.net.loss, c.net.reduction) for c in case_list},
        "optimizers": {c.optimizer for c in case_list},
        "batches": {"full" if c.batch_size is None else ("online" if c.batch_size == 1 else "mini") for c in case_list},
        "frozen": any(set(c.frozen) & set(c.net.param_shapes()) for c in case_list),
        "expect": {c.expect for c in case_list} - {None},
    }


def node_script(code: str = RUNNER_JS, function: str = "runParity") -> str:
    """A node program that loads nn.js and `code`, passes stdin to `function` and writes
    what it returns on stdout."""
    return ("globalThis.window = globalThis;\n"
            f"require({json.dumps(str(NN_JS))});\n"
            f"{code}\n"
            f"process.stdout.write({function}(require('fs').readFileSync(0, 'utf8')));\n")
