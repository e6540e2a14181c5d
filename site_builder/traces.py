"""Trace <-> JSON. Two encodings, both described in docs/trace-format.md.

plain  For tools: numbers as JSON numbers (Python's repr, so float64 round-trips
       exactly); JSON has no NaN or Infinity, so those travel as {"$float": "NaN"},
       {"$float": "Infinity"} and {"$float": "-Infinity"}.
page   Embedded in pages, decoded by themes/default/assets/js/trace.js: every numeric array is
       {"dtype": "f64" | "f32" | "i8", "shape": [...], "b64": <little-endian bytes, base64>}.
       float64 keeps every digit (and NaN/Inf as themselves); sweeps store bulk arrays as
       float32 to stay small. What each run carries is chosen by field name from PAGE_FIELDS.
       The text is safe inside <script type="application/json">: '<', '>' and '&' are escaped
       as \\u003c, \\u003e and \\u0026, and json escapes U+2028/2029.
cache  The build's own store (.cache/traces/): the plain document with every numpy array as
       {"$array": numpy dtype string, "shape": [...], "b64": <bytes, base64>}, so it loads
       with one json.loads of a few hundred strings and np.frombuffer, never a Python call
       per number, and round-trips every array exactly (dtype, NaN and Inf included).

Both put the first member's net, X, T and labels at the top of the document; when a sweep's
members differ in one of these (a sweep over hidden sizes or data sets), every run carries
its own as well.
"""
from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from site_builder import engine
from site_builder.errors import did_you_mean

SCHEMA = "backprop-explained/trace"
VERSION = 2  # 2: gradient norms, update signs, axes, labels, surfaces, slices; per-run net/X/T
# The default fields of a single run's page encoding (a sweep's default is SWEEP_FIELDS).
RUN_FIELDS = ("steps", "epochs", "loss", "correct", "outputs", "params", "grads", "detail", "health")
SWEEP_FIELDS = ("steps", "loss", "correct", "final")


# --- plain JSON ---------------------------------------------------------------------------

def _plain(value):
    """numpy -> JSON-ready lists, non-finite floats made explicit."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            return _plain(value.tolist())
        return value.tolist()
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return {"$float": "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (np.floating,)):
        return _plain(float(value))
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _unplain(value, arrays: bool = False):
    """The plain JSON form back to Python values ({"$float": "NaN"} and the infinities). With
    arrays (the cache form), {"$array": dtype, "shape", "b64"} comes back as a read-only
    numpy array: _from_doc copies each into the dtype its field has, so a trace's arrays stay
    writable."""
    if isinstance(value, dict):
        if arrays and "$array" in value:
            a = np.frombuffer(base64.b64decode(value["b64"]), dtype=np.dtype(value["$array"]))
            return a.reshape(value["shape"])
        if set(value) == {"$float"}:
            return float(value["$float"].replace("Infinity", "inf"))
        return {k: _unplain(v, arrays) for k, v in value.items()}
    if isinstance(value, list):
        return [_unplain(v, arrays) for v in value]
    return value


def _net_dict(net: engine.NetSpec) -> dict:
    out = {"sizes": list(net.sizes), "activations": list(net.activations), "loss": net.loss, "reduction": net.reduction}
    if net.gradient != "sum":  # only the teaching bug writes it, so every other trace reads as before
        out["gradient"] = net.gradient
    return out


def _labels(tr: engine.Trace) -> dict:
    return {"inputs": tr.input_labels, "outputs": tr.output_labels}


def _surface_plain(s: engine.Surface) -> dict:
    return {"weights": list(s.weights), "at": s.at, "centre": list(s.centre), "u": s.u, "v": s.v, "loss": s.loss}


def _slice_plain(s: engine.Slice) -> dict:
    return {"weight": s.weight, "at": s.at, "centre": s.centre, "values": s.values, "loss": s.loss, "slope": s.slope}


def _run_dict(tr: engine.Trace) -> dict:
    return {
        "label": tr.label, "eta": tr.eta, "seed": tr.seed, "axes": tr.axes,
        "steps": tr.steps, "epochs": tr.epochs, "loss": tr.loss, "correct": tr.correct,
        "outputs": tr.outputs,
        "params": {k: v for k, v in tr.params.items()},
        "grads": {k: v for k, v in tr.grads.items()},
        "grad_norms": tr.grad_norms, "bias_grad_norms": tr.bias_grad_norms,
        "signs": {k: v for k, v in tr.signs.items()},
        "detail": {str(s): d for s, d in tr.detail.items()},
        "stopped": tr.stopped,
        "diverged": None if tr.diverged_at is None else {"step": tr.diverged_at, "reason": tr.diverged_reason},
        "dead": [d.tolist() for d in tr.dead], "saturated": [s.tolist() for s in tr.saturated],
        "surfaces": [_surface_plain(s) for s in tr.surfaces],
        "slices": [_slice_plain(s) for s in tr.slices],
    }


def _varies(traces: list[engine.Trace]) -> dict[str, bool]:
    """Which of net, data and labels differ between the members (then each run carries its own)."""
    first = traces[0]
    return {
        "net": any(tr.net != first.net for tr in traces),
        "data": any(tr.X.shape != first.X.shape or tr.T.shape != first.T.shape
                    or tr.X.tobytes() != first.X.tobytes() or tr.T.tobytes() != first.T.tobytes() for tr in traces),
        "labels": any(_labels(tr) != _labels(first) for tr in traces),
    }


def _kind(traces, scenario) -> str:
    return "sweep" if len(traces) > 1 or getattr(scenario, "is_sweep", False) else "run"


def to_plain_json(traces: list[engine.Trace], scenario=None) -> str:
    return json.dumps(_plain(_trace_doc(traces, scenario)), separators=(",", ":"), sort_keys=True, allow_nan=False)


def _netspec(n: dict) -> engine.NetSpec:
    return engine.NetSpec(tuple(n["sizes"]), tuple(n["activations"]), n["loss"], n["reduction"], n.get("gradient", "sum"))


def _cache_arrays(value):
    """numpy arrays -> {"$array": dtype, "shape", "b64"} (lossless, any dtype); the rest as _plain."""
    if isinstance(value, np.ndarray):
        a = np.ascontiguousarray(value)
        return {"$array": a.dtype.str, "shape": list(a.shape), "b64": base64.b64encode(a.tobytes()).decode("ascii")}
    if isinstance(value, (list, tuple)):
        return [_cache_arrays(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _cache_arrays(v) for k, v in value.items()}
    return _plain(value)


def _trace_doc(traces: list[engine.Trace], scenario=None) -> dict:
    first = traces[0]
    varies = _varies(traces)
    runs = []
    for tr in traces:
        run = _run_dict(tr)
        if varies["net"]:
            run["net"] = _net_dict(tr.net)
        if varies["data"]:
            run["X"], run["T"] = tr.X, tr.T
        if varies["labels"]:
            run["labels"] = _labels(tr)
        runs.append(run)
    return {
        "schema": SCHEMA, "version": VERSION,
        "scenario": getattr(scenario, "name", None), "title": getattr(scenario, "title", None),
        "kind": _kind(traces, scenario),
        "net": _net_dict(first.net), "X": first.X, "T": first.T, "labels": _labels(first),
        "runs": runs,
    }


def to_cache_json(traces: list[engine.Trace], scenario=None) -> str:
    """The build cache's form of a trace document (see the module's docstring)."""
    doc = _cache_arrays(_trace_doc(traces, scenario))
    doc["encoding"] = "cache"
    return json.dumps(doc, separators=(",", ":"), sort_keys=True, allow_nan=False)


def from_cache_json(text: str) -> list[engine.Trace]:
    """Read the cache form. Anything else (a plain document an older build left in the cache)
    is a ValueError, so the caller trains again and stores the fast form."""
    doc = json.loads(text)
    if doc.get("encoding") != "cache":
        raise ValueError("not the cache encoding")
    return _from_doc(_unplain(doc, arrays=True))


def from_plain_json(text: str) -> list[engine.Trace]:
    return _from_doc(_unplain(json.loads(text)))


def _from_doc(doc: dict) -> list[engine.Trace]:
    if doc.get("schema") != SCHEMA or doc.get("version") != VERSION:
        raise ValueError("not a trace of this schema version")
    net = _netspec(doc["net"])
    X, T = np.array(doc["X"], dtype=np.float64), np.array(doc["T"], dtype=np.float64)
    labels = doc["labels"]
    out = []
    for r in doc["runs"]:
        arr = lambda v: np.array(v, dtype=np.float64)  # noqa: E731
        rnet = _netspec(r["net"]) if "net" in r else net
        rX, rT = (arr(r["X"]), arr(r["T"])) if "X" in r else (X, T)
        rlabels = r.get("labels", labels)
        R = len(r["steps"])
        out.append(engine.Trace(
            net=rnet, eta=r["eta"], seed=r["seed"], label=r["label"], X=rX, T=rT,
            steps=np.array(r["steps"], dtype=np.int64), epochs=arr(r["epochs"]), loss=arr(r["loss"]),
            outputs=arr(r["outputs"]).reshape(R, *rT.shape),
            params={k: arr(v) for k, v in r["params"].items()},
            grads={k: arr(v) for k, v in r["grads"].items()},
            correct=np.array(r["correct"], dtype=np.int64),
            detail={int(s): {"samples": d["samples"], **{key: [arr(x) for x in d[key]] for key in ("z", "a", "delta")}}
                    for s, d in r["detail"].items()},
            stopped=r["stopped"],
            diverged_at=None if r["diverged"] is None else r["diverged"]["step"],
            diverged_reason=None if r["diverged"] is None else r["diverged"]["reason"],
            dead=[np.array(d, dtype=bool) for d in r["dead"]],
            saturated=[np.array(s, dtype=bool) for s in r["saturated"]],
            signs={k: np.array(v, dtype=np.int8) for k, v in r["signs"].items()},
            axes={k: r["axes"][k] for k in engine.AXES if k in r["axes"]},  # JSON sorted them
            input_labels=rlabels["inputs"], output_labels=rlabels["outputs"],
            surfaces=[engine.Surface(tuple(s["weights"]), s["at"], tuple(s["centre"]), arr(s["u"]), arr(s["v"]),
                                     arr(s["loss"]).reshape(len(s["u"]), len(s["v"]))) for s in r["surfaces"]],
            slices=[engine.Slice(s["weight"], s["at"], s["centre"], arr(s["values"]), arr(s["loss"]), arr(s["slope"]))
                    for s in r["slices"]],
        ))
    return out


# --- page JSON ----------------------------------------------------------------------------

DTYPES = {"f64": "<f8", "f32": "<f4", "i8": "i1"}


def _packed(value, dtype: str):
    a = np.ascontiguousarray(np.asarray(value, dtype=DTYPES[dtype]))
    return {"dtype": dtype, "shape": list(a.shape), "b64": base64.b64encode(a.tobytes()).decode("ascii")}


def script_safe(text: str) -> str:
    """JSON text that cannot end or confuse an enclosing <script> element."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@dataclass(frozen=True)
class PageField:
    """How one requested field is written into each run: encode(trace, bulk) -> JSON value,
    stored as run[name]; with `spread` the value is a dict whose keys go into the run
    directly (health -> dead, saturated); a `shared` value that all members agree on is
    written once, at the top of the document, instead of in every run."""

    encode: Callable
    spread: bool = False
    shared: bool = False


def _surface_page(s: engine.Surface, bulk: str) -> dict:
    return {"weights": list(s.weights), "at": s.at, "centre": list(s.centre),
            "u": _packed(s.u, "f64"), "v": _packed(s.v, "f64"), "loss": _packed(s.loss, bulk)}


def _slice_page(s: engine.Slice, bulk: str) -> dict:
    return {"weight": s.weight, "at": s.at, "centre": s.centre, "values": _packed(s.values, "f64"),
            "loss": _packed(s.loss, bulk), "slope": _packed(s.slope, bulk)}


def _forward_page(tr: engine.Trace) -> dict | None:
    """The detail's forward pass only (z and a, no deltas), one array per layer over the detail
    steps: z[l-1] is (steps, samples, units_l), a[l] likewise with a[0] the inputs. Far smaller
    than `detail` when it is recorded at many steps (one array per layer, not per step)."""
    steps = sorted(tr.detail)
    if not steps:
        return None
    first = tr.detail[steps[0]]
    return {"steps": [int(s) for s in steps], "samples": [int(i) for i in first["samples"]],
            **{key: [_packed(np.stack([tr.detail[s][key][l] for s in steps]), "f64") for l in range(len(first[key]))]
               for key in ("z", "a")}}


# Field name -> encoder. `bulk` is "f64" for a single run and "f32" for a sweep.
PAGE_FIELDS: dict[str, PageField] = {
    "steps": PageField(lambda tr, bulk: tr.steps.astype(np.int64).tolist()),
    "epochs": PageField(lambda tr, bulk: _packed(tr.epochs, "f64")),
    "loss": PageField(lambda tr, bulk: _packed(tr.loss, bulk)),
    "correct": PageField(lambda tr, bulk: tr.correct.astype(np.int64).tolist()),
    "outputs": PageField(lambda tr, bulk: _packed(tr.outputs, bulk)),
    "params": PageField(lambda tr, bulk: {k: _packed(v, bulk) for k, v in tr.params.items()}),
    "grads": PageField(lambda tr, bulk: {k: _packed(v, bulk) for k, v in tr.grads.items()}),
    "final": PageField(lambda tr, bulk: {k: _packed(v[-1], "f64") for k, v in tr.params.items()}),
    "start": PageField(lambda tr, bulk: {k: _packed(v[0], "f64") for k, v in tr.params.items()}),
    "health": PageField(lambda tr, bulk: {"dead": [d.astype(bool).tolist() for d in tr.dead],
                                          "saturated": [x.astype(bool).tolist() for x in tr.saturated]}, spread=True),
    "detail": PageField(lambda tr, bulk: {
        str(s): {"samples": list(d["samples"]), **{key: [_packed(x, "f64") for x in d[key]] for key in ("z", "a", "delta")}}
        for s, d in tr.detail.items()}),
    "forward": PageField(lambda tr, bulk: _forward_page(tr)),
    "gradnorms": PageField(lambda tr, bulk: {"W": _packed(tr.grad_norms, bulk), "b": _packed(tr.bias_grad_norms, bulk)}),
    "signs": PageField(lambda tr, bulk: {k: _packed(v, "i8") for k, v in tr.signs.items()}),
    "surface": PageField(lambda tr, bulk: [_surface_page(s, bulk) for s in tr.surfaces]),
    "slice": PageField(lambda tr, bulk: [_slice_page(s, bulk) for s in tr.slices]),
    "axes": PageField(lambda tr, bulk: _plain(tr.axes)),
    "labels": PageField(lambda tr, bulk: _labels(tr), shared=True),
}


def _sweep_grid(traces: list[engine.Trace]) -> dict:
    """The sweep's axes in order and each axis's distinct values (first appearance first)."""
    names = list(traces[0].axes)
    values: dict[str, list] = {name: [] for name in names}
    seen: dict[str, set] = {name: set() for name in names}
    for tr in traces:
        for name in names:
            v = _plain(tr.axes.get(name))
            key = json.dumps(v, sort_keys=True)
            if key not in seen[name]:
                seen[name].add(key)
                values[name].append(v)
    return {"axes": names, "values": values}


def to_page_json(traces: list[engine.Trace], scenario=None, fields=None) -> str:
    """Compact JSON for a page. `fields` (any iterable of PAGE_FIELDS names) chooses what each
    run carries; the default is RUN_FIELDS for a single run, and for a sweep SWEEP_FIELDS
    (steps, loss, correct count and last parameters), with float32 for its bulk arrays
    (loss included): a sweep is drawn as curves, never read to six digits. An unknown field
    name is a ValueError."""
    kind = _kind(traces, scenario)
    sweep = kind == "sweep"
    fields = tuple((SWEEP_FIELDS if sweep else RUN_FIELDS) if fields is None else fields)
    for name in fields:
        if name not in PAGE_FIELDS:
            raise ValueError(f"unknown trace field '{name}'{did_you_mean(name, PAGE_FIELDS)}; "
                             f"the fields are {', '.join(PAGE_FIELDS)}")
    bulk = "f32" if sweep else "f64"
    first = traces[0]
    varies = _varies(traces)
    runs = []
    for tr in traces:
        run = {"label": tr.label, "eta": tr.eta, "seed": tr.seed, "stopped": tr.stopped,
               "diverged": None if tr.diverged_at is None else {"step": tr.diverged_at, "reason": tr.diverged_reason}}
        if varies["net"]:
            run["net"] = _net_dict(tr.net)
        if varies["data"]:
            run["X"], run["T"] = _packed(tr.X, "f64"), _packed(tr.T, "f64")
        for name in fields:
            spec = PAGE_FIELDS[name]
            if spec.shared and not varies.get(name):
                continue  # written once, below
            value = spec.encode(tr, bulk)
            if spec.spread:
                run.update(value)
            else:
                run[name] = value
        runs.append(run)
    doc = {
        "schema": SCHEMA, "version": VERSION,
        "scenario": getattr(scenario, "name", None), "title": getattr(scenario, "title", None),
        "kind": kind, "net": _net_dict(first.net),
        "X": _packed(first.X, "f64"), "T": _packed(first.T, "f64"), "runs": runs,
    }
    for name in fields:
        if PAGE_FIELDS[name].shared:
            doc[name] = PAGE_FIELDS[name].encode(first, bulk)
    if "axes" in fields:
        doc["sweep"] = _sweep_grid(traces)
    return script_safe(json.dumps(doc, separators=(",", ":"), sort_keys=True, ensure_ascii=True, allow_nan=False))
