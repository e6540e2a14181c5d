"""Trace <-> JSON. Two encodings, both described in docs/trace-format.md.

plain  For tools and the cache: numbers as JSON numbers (Python's repr, so float64 round-trips
       exactly); JSON has no NaN or Infinity, so those travel as {"$float": "NaN"},
       {"$float": "Infinity"} and {"$float": "-Infinity"}.
page   Embedded in pages, decoded by themes/default/assets/js/trace.js: every numeric array is
       {"dtype": "f64" | "f32", "shape": [...], "b64": <little-endian bytes, base64>}. float64
       keeps every digit (and NaN/Inf as themselves); sweeps store bulk arrays as float32 to
       stay small. The text is safe inside <script type="application/json">: '<', '>' and '&'
       are escaped as \\u003c, \\u003e and \\u0026, and json escapes U+2028/2029.
"""
from __future__ import annotations

import base64
import json
import math

import numpy as np

from site_builder import engine

SCHEMA = "backprop-explained/trace"
VERSION = 1
RUN_FIELDS = ("steps", "epochs", "loss", "correct", "outputs", "params", "grads", "detail", "health")


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


def _unplain(value):
    if isinstance(value, dict):
        if set(value) == {"$float"}:
            return float(value["$float"].replace("Infinity", "inf"))
        return {k: _unplain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unplain(v) for v in value]
    return value


def _net_dict(net: engine.NetSpec) -> dict:
    return {"sizes": list(net.sizes), "activations": list(net.activations), "loss": net.loss, "reduction": net.reduction}


def _run_dict(tr: engine.Trace) -> dict:
    return {
        "label": tr.label, "eta": tr.eta, "seed": tr.seed,
        "steps": tr.steps, "epochs": tr.epochs, "loss": tr.loss, "correct": tr.correct,
        "outputs": tr.outputs,
        "params": {k: v for k, v in tr.params.items()},
        "grads": {k: v for k, v in tr.grads.items()},
        "detail": {str(s): d for s, d in tr.detail.items()},
        "stopped": tr.stopped,
        "diverged": None if tr.diverged_at is None else {"step": tr.diverged_at, "reason": tr.diverged_reason},
        "dead": [d.tolist() for d in tr.dead], "saturated": [s.tolist() for s in tr.saturated],
    }


def to_plain_json(traces: list[engine.Trace], scenario=None) -> str:
    first = traces[0]
    doc = {
        "schema": SCHEMA, "version": VERSION,
        "scenario": getattr(scenario, "name", None), "title": getattr(scenario, "title", None),
        "kind": "sweep" if len(traces) > 1 or getattr(scenario, "is_sweep", False) else "run",
        "net": _net_dict(first.net), "X": first.X, "T": first.T,
        "runs": [_run_dict(tr) for tr in traces],
    }
    return json.dumps(_plain(doc), separators=(",", ":"), sort_keys=True, allow_nan=False)


def from_plain_json(text: str) -> list[engine.Trace]:
    doc = _unplain(json.loads(text))
    if doc.get("schema") != SCHEMA or doc.get("version") != VERSION:
        raise ValueError("not a trace of this schema version")
    n = doc["net"]
    net = engine.NetSpec(tuple(n["sizes"]), tuple(n["activations"]), n["loss"], n["reduction"])
    X, T = np.array(doc["X"], dtype=np.float64), np.array(doc["T"], dtype=np.float64)
    out = []
    for r in doc["runs"]:
        arr = lambda v: np.array(v, dtype=np.float64)  # noqa: E731
        out.append(engine.Trace(
            net=net, eta=r["eta"], seed=r["seed"], label=r["label"], X=X, T=T,
            steps=np.array(r["steps"], dtype=np.int64), epochs=arr(r["epochs"]), loss=arr(r["loss"]),
            outputs=arr(r["outputs"]).reshape(len(r["steps"]), *T.shape),
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
        ))
    return out


# --- page JSON ----------------------------------------------------------------------------

def _packed(value, dtype: str):
    a = np.ascontiguousarray(np.asarray(value, dtype="<f8" if dtype == "f64" else "<f4"))
    return {"dtype": dtype, "shape": list(a.shape), "b64": base64.b64encode(a.tobytes()).decode("ascii")}


def script_safe(text: str) -> str:
    """JSON text that cannot end or confuse an enclosing <script> element."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def to_page_json(traces: list[engine.Trace], scenario=None, fields=None) -> str:
    """Compact JSON for a page. `fields` limits what each run carries (see RUN_FIELDS);
    the default is everything for a single run, and for a sweep the steps, loss, correct
    count and last parameters, with float32 for its bulk arrays (loss included): a sweep is
    drawn as curves, never read to six digits."""
    sweep = len(traces) > 1 or getattr(scenario, "is_sweep", False)
    if fields is None:
        fields = ("steps", "loss", "correct", "final") if sweep else RUN_FIELDS
    bulk = "f32" if sweep else "f64"
    first = traces[0]
    runs = []
    for tr in traces:
        run = {"label": tr.label, "eta": tr.eta, "seed": tr.seed, "stopped": tr.stopped,
               "diverged": None if tr.diverged_at is None else {"step": tr.diverged_at, "reason": tr.diverged_reason}}
        if "steps" in fields:
            run["steps"] = tr.steps.astype(np.int64).tolist()
        if "epochs" in fields:
            run["epochs"] = _packed(tr.epochs, "f64")
        if "loss" in fields:
            run["loss"] = _packed(tr.loss, bulk)
        if "correct" in fields:
            run["correct"] = tr.correct.astype(np.int64).tolist()
        if "outputs" in fields:
            run["outputs"] = _packed(tr.outputs, bulk)
        for group in ("params", "grads"):
            if group in fields:
                run[group] = {k: _packed(v, bulk) for k, v in getattr(tr, group).items()}
        if "final" in fields:
            run["final"] = {k: _packed(v[-1], "f64") for k, v in tr.params.items()}
        if "health" in fields:
            run["dead"] = [d.astype(bool).tolist() for d in tr.dead]
            run["saturated"] = [x.astype(bool).tolist() for x in tr.saturated]
        if "detail" in fields:
            run["detail"] = {str(s): {"samples": list(d["samples"]),
                                      **{key: [_packed(x, "f64") for x in d[key]] for key in ("z", "a", "delta")}}
                             for s, d in tr.detail.items()}
        runs.append(run)
    doc = {
        "schema": SCHEMA, "version": VERSION,
        "scenario": getattr(scenario, "name", None), "title": getattr(scenario, "title", None),
        "kind": "sweep" if sweep else "run", "net": _net_dict(first.net),
        "X": _packed(first.X, "f64"), "T": _packed(first.T, "f64"), "runs": runs,
    }
    return script_safe(json.dumps(doc, separators=(",", ":"), sort_keys=True, ensure_ascii=True, allow_nan=False))
