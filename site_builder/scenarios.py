"""Scenarios: YAML specs in content/scenarios/ -> validated -> engine calls -> cached Traces.

The format is documented in docs/internals.md ("Scenarios"). A sweep names any of the axes
in SWEEP_AXES; its members are their Cartesian product in engine.AXES order (datasets
outermost, seeds innermost), at most MAX_MEMBERS of them. Every problem is a ContentError
naming the file and line of the offending key or value; all problems of all files are
reported at once.

Limits. A scenario is trained at build time, so what it asks for is bounded before anything
is trained (docs/authoring.md, "Limits"), each refused at the line to change:

    MAX_SAMPLES       samples in one data set (inline rows or a generator's n)
    MAX_LAYERS        layers of one network;  MAX_UNITS  units in one layer
    MAX_MEMBERS       members of one sweep
    MAX_LAYER_STEPS   training steps x layers, summed over the networks and data sets a
                      sweep trains in turn (x 2 with mini-batches; the gradient check's
                      forward passes count half a step each): the training loop's own time
    MAX_WORK          steps x members x samples x (parameters + 10 x units), summed likewise,
                      with the loss landscapes and the gradient check: the arithmetic
    MAX_LIVE          members x samples x units: the activations one step holds in memory
    MAX_RECORDED      numbers the trace keeps: records x members x (outputs + 2 x parameters),
                      plus detail and landscapes (the trace's size on disk and in pages)

The gradient check compares at most CHECK_SAMPLES samples and CHECK_ENTRIES entries of each
parameter, evenly spread, so it too takes a bounded time.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from site_builder import engine
from site_builder.datasets import GENERATORS
from site_builder.engine.surface import MAX_SLICE_POINTS, MAX_SURFACE_POINTS
from site_builder.sources import editor_file, read_text
from site_builder.errors import ContentError, ContentErrors, ErrorCollector, did_you_mean
from site_builder.schema import Field, check
from site_builder.yamlsrc import MAX_CHARS, Located, load

# Starting weights are drawn at most this many times their scheme's size: beyond it every unit
# saturates at the first step, and near 1e308 the draw itself overflows.
MAX_INIT_SCALE = 1000
NUM = (int, float)
MAX_MEMBERS = 400  # members of one sweep (the product of its axes' lengths)
MAX_SAMPLES = 10_000
MAX_LAYERS = 32
MAX_UNITS = 4096
MAX_LAYER_STEPS = 400_000
MAX_WORK = 1e9
MAX_LIVE = 4_000_000
MAX_RECORDED = 2_000_000
CHECK_SAMPLES = 16
CHECK_ENTRIES = 24
MAX_FILE_BYTES = 4 * MAX_CHARS  # a file larger than this is refused unread (UTF-8: at most 4 bytes a character)

TOP = {
    "title": Field(str, default=""),
    "description": Field(str, default=""),
    "network": Field(dict, required=True),
    "data": Field(dict, default=None),  # required unless the sweep gives datasets
    "init": Field(dict, default=None),
    "train": Field(dict, required=True),
    "sweep": Field(dict, default=None),
    "record": Field(dict, default=None),
}
NETWORK = {
    "sizes": Field(list, required=True),
    "activations": Field(list, required=True),
    "loss": Field(str, choices=tuple(engine.LOSSES), default="squared_error"),
    "reduction": Field(str, choices=("sum", "mean"), default="sum"),
    # "overwrite" is a deliberate bug for one lesson (engine NetSpec.gradient); its gradient
    # check fails and is shown on the page instead of stopping the build.
    "gradient": Field(str, choices=engine.GRADIENTS, default="sum"),
}
DATA = {
    "inputs": Field(list), "targets": Field(list),
    "generator": Field(str, choices=tuple(GENERATORS)),
    "n": Field(int), "noise": Field(NUM, default=None), "seed": Field(int, default=0),
    "input_labels": Field(list, default=None), "output_labels": Field(list, default=None),
}
DATASET = {**DATA, "name": Field(str, default=None)}  # an entry of sweep: datasets:
INIT = {
    "weights": Field(dict), "scheme": Field(str, choices=engine.SCHEMES, default="xavier"),
    "distribution": Field(str, choices=("uniform", "normal"), default="uniform"),
    "scale": Field(NUM, default=1.0), "seed": Field(int, default=0),
}
TRAIN = {
    "optimizer": Field(str, choices=("sgd", "momentum"), default="sgd"),
    "momentum": Field(NUM, default=0.9),
    "batch": Field((str, int), default="full"),
    "learning_rate": Field(NUM), "steps": Field(int), "epochs": Field(int),
    "freeze": Field(list, default=[]),
    "stop": Field(dict, default=None),
    "shuffle_seed": Field(int, default=0),
}
STOP = {"loss_below": Field(NUM), "all_correct": Field(bool, default=False)}
# sweep key -> engine axis. The members are the Cartesian product in engine.AXES order:
# datasets outermost, then hidden, activations, init_schemes, init_scales, learning_rates,
# seeds innermost (so a sweep of learning rates and seeds is eta-major, as it always was).
SWEEP_AXES = {"datasets": "dataset", "hidden": "hidden", "activations": "activation", "gradients": "gradient",
              "init_schemes": "init_scheme",
              "init_scales": "init_scale", "learning_rates": "eta", "seeds": "seed"}
SWEEP = {key: Field(list, default=None) for key in
         ("learning_rates", "seeds", "init_scales", "init_schemes", "gradients", "activations", "hidden", "datasets")}
RECORD = {"every_until": Field(int), "then_every": Field(int, default=1), "detail": Field(dict, default=None),
          "surface": Field((dict, list), default=None), "slice": Field((dict, list), default=None)}
DETAIL = {"steps": Field(list, default=[0]), "samples": Field(list, default=[0])}
SURFACE = {"weights": Field(list, required=True), "range": Field(list, default=None),
           "points": Field(int, default=41), "at": Field((int, str), default=0)}
SLICE = {"weight": Field(str, required=True), "range": Field(list, default=None),
         "points": Field(int, default=81), "at": Field((int, str), default=0)}


@dataclass
class Scenario:
    name: str
    path: Path
    title: str
    spec: dict  # validated, canonical (plain JSON types)
    net: engine.NetSpec
    config: engine.TrainConfig  # the first member's data (X, T) and labels
    etas: list[float]
    seeds: list[int]
    members: list = field(default_factory=list)  # engine.Member, in sweep order
    axes: dict = field(default_factory=dict)  # sweep key -> values, for the axes the sweep names

    @property
    def is_sweep(self) -> bool:
        return len(self.members) > 1 or self.spec.get("sweep") is not None

    @property
    def key(self) -> str:
        """The cache key: a digest of the canonical spec and the engine's version. Worked out
        once (a build asks for it hundreds of times); the spec is not changed after loading."""
        cached = self.__dict__.get("_key")
        if cached is None or cached[0] is not self.spec:
            canon = json.dumps({"spec": self.spec, "engine": engine.ENGINE_VERSION}, sort_keys=True)
            cached = self.__dict__["_key"] = (self.spec, hashlib.sha256(canon.encode()).hexdigest()[:24])
        return cached[1]

    def __repr__(self) -> str:
        return f"Scenario({self.name!r}, {self.net!r}, {len(self.members)} member(s))"


def _is_num(v) -> bool:
    return isinstance(v, NUM) and not isinstance(v, bool)


def _is_whole(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_finite(v) -> bool:
    return _is_num(v) and math.isfinite(v)


def _matrix(loc: Located, keys, value, errors, what, cols=None):
    """A list of equal-length lists of numbers -> float64 array, or None after an error."""
    if not isinstance(value, list) or not value or not all(isinstance(r, list) for r in value):
        errors.add(loc.path, loc.line(*keys), f"{what} should be a list of rows, e.g. [[0, 1], [1, 0]]")
        return None
    if len(value) > MAX_SAMPLES:
        errors.add(loc.path, loc.line(*keys), f"{what} has {len(value):,} rows; the limit is {MAX_SAMPLES:,} samples")
        return None
    for i, row in enumerate(value):
        if not all(_is_num(v) for v in row):
            errors.add(loc.path, loc.line(*keys, i), f"{what} row {i + 1} should hold only numbers, got {row!r}")
            return None
        if not all(math.isfinite(v) for v in row):
            errors.add(loc.path, loc.line(*keys, i), f"{what} row {i + 1} holds {row!r}; every value must be a finite number")
            return None
        if cols is not None and len(row) != cols:
            errors.add(loc.path, loc.line(*keys, i), f"{what} row {i + 1} has {len(row)} values; the network wants {cols}")
            return None
    return np.array(value, dtype=np.float64)


def _unit_labels(loc, keys, value, units, what, errors):
    """input_labels / output_labels: one word per unit -> tuple of str, or None."""
    if value is None:
        return None
    if not all(isinstance(x, (str, int)) and not isinstance(x, bool) for x in value):
        errors.add(loc.path, loc.line(*keys), f"{what} labels should be words, one per {what} unit, got {value!r}")
        return None
    if units is not None and len(value) != units:
        errors.add(loc.path, loc.line(*keys),
                   f"{len(value)} {what} label(s) for {units} {what} unit(s); give one label per {what} unit")
        return None
    return tuple(str(x) for x in value)


@dataclass
class _Data:
    X: np.ndarray
    T: np.ndarray
    input_labels: tuple | None = None
    output_labels: tuple | None = None


def _generated(loc, keys, d, sizes, errors, line_keys, loss=None):
    gen = GENERATORS[d["generator"]]
    kwargs = {"seed": d.get("seed") or 0}
    ok = True
    if d.get("n") is not None:
        if not 2 <= d["n"] <= MAX_SAMPLES:
            errors.add(loc.path, loc.line(*keys, "n"), f"'n' must be from 2 to {MAX_SAMPLES:,}, got {d['n']}")
            ok = False
        kwargs["n"] = d["n"]
    if d.get("noise") is not None:
        if not (math.isfinite(d["noise"]) and d["noise"] >= 0):
            errors.add(loc.path, loc.line(*keys, "noise"), f"'noise' must be a finite number >= 0, got {d['noise']}")
            ok = False
        kwargs["noise"] = float(d["noise"])
    if kwargs["seed"] < 0:
        errors.add(loc.path, loc.line(*keys, "seed"), f"'seed' must be a whole number >= 0, got {kwargs['seed']}")
        ok = False
    if not ok:
        return None
    X, T = gen(**kwargs)
    if sizes and (X.shape[1] != sizes[0] or T.shape[1] != sizes[-1]):
        errors.add(loc.path, loc.line(*line_keys),
                   f"generator '{d['generator']}' gives {X.shape[1]} inputs and {T.shape[1]} target(s); "
                   f"the network has {sizes[0]} and {sizes[-1]}")
        return None
    problem = engine.target_problem(loss, T) if loss else None
    if problem is not None:
        errors.add(loc.path, loc.line(*line_keys), f"generator '{d['generator']}': {problem[1]}")
        return None
    return X, T


def _data(loc, keys, sizes, errors, schema=DATA, what="data", loss=None) -> _Data | None:
    """The data mapping at `keys` (inline inputs and targets, or a generator), or None."""
    raw = loc.data
    for k in keys:
        raw = raw[k]
    d = check(loc, keys, schema, errors, what)
    if not d:
        return None
    labels = (_unit_labels(loc, keys + ("input_labels",), d.get("input_labels"), sizes[0] if sizes else None, "input", errors),
              _unit_labels(loc, keys + ("output_labels",), d.get("output_labels"), sizes[-1] if sizes else None, "output", errors))
    if d.get("generator"):
        if d.get("inputs") is not None or d.get("targets") is not None:
            errors.add(loc.path, loc.line(*keys), "give either a generator or inputs and targets, not both")
            return None
        XT = _generated(loc, keys, d, sizes, errors, keys + ("generator",), loss)
        return None if XT is None else _Data(*XT, *labels)
    if "generator" in (raw or {}):
        return None  # an invalid generator was reported by the schema check
    if d.get("inputs") is None or d.get("targets") is None:
        errors.add(loc.path, loc.line(*keys), f"{what} needs 'inputs' and 'targets', or a 'generator'")
        return None
    X = _matrix(loc, keys + ("inputs",), d["inputs"], errors, "inputs", sizes[0] if sizes else None)
    T = _matrix(loc, keys + ("targets",), d["targets"], errors, "targets", sizes[-1] if sizes else None)
    if X is not None and T is not None and len(X) != len(T):
        errors.add(loc.path, loc.line(*keys, "targets"), f"{len(X)} inputs but {len(T)} targets")
        return None
    if X is None or T is None:
        return None
    problem = engine.target_problem(loss, T) if loss else None
    if problem is not None:
        errors.add(loc.path, loc.line(*keys, "targets", problem[0]), problem[1])
        return None
    return _Data(X, T, *labels)


def _dataset_entry(loc, i, entry, sizes, errors, loss=None) -> tuple[object, _Data] | None:
    """One value of sweep: datasets: a generator name, or a data mapping (a generator with
    its options, or inline inputs and targets with a `name`). Returns (axis value, data)."""
    keys = ("sweep", "datasets", i)
    if isinstance(entry, str):
        if entry not in GENERATORS:
            errors.add(loc.path, loc.line(*keys),
                       f"unknown data generator '{entry}'{did_you_mean(entry, GENERATORS)}; "
                       f"choose from {', '.join(GENERATORS)}")
            return None
        XT = _generated(loc, keys, {"generator": entry}, sizes, errors, keys, loss)
        return None if XT is None else (entry, _Data(*XT))
    if not isinstance(entry, dict):
        errors.add(loc.path, loc.line(*keys),
                   f"a data set should be a generator name or a mapping like {{generator: moons, noise: 0.2}}, got {entry!r}")
        return None
    data = _data(loc, keys, sizes, errors, DATASET, f"data set {i + 1}", loss)
    if data is None:
        return None
    if entry.get("name") is not None:
        value = entry["name"]
    elif entry.get("generator") is not None:
        value = {k: v for k, v in entry.items() if k not in ("input_labels", "output_labels")}
    else:
        errors.add(loc.path, loc.line(*keys), "a data set given by inputs and targets needs a 'name' (how the sweep shows it)")
        return None
    return value, data


def _sweep_axes(loc, sweep, weights, base_net, sizes, errors, loss=None) -> dict:
    """Validate the axes a sweep names; returns engine axis -> values (datasets as (value, _Data))."""
    path = loc.path
    named = [k for k in SWEEP_AXES if sweep.get(k) is not None]  # in product order
    if not named:
        errors.add(path, loc.line("sweep"), f"a sweep names at least one axis: {', '.join(SWEEP_AXES)}")
    axes = {}
    for key in named:
        values = sweep[key]
        if not values:
            errors.add(path, loc.line("sweep", key), f"'{key}' needs at least one value")
            continue
        seen = {}
        for i, v in enumerate(values):
            canon = json.dumps(v, sort_keys=True, default=str)
            if canon in seen:
                errors.add(path, loc.line("sweep", key, i), f"{v!r} appears twice in '{key}' (first as value {seen[canon] + 1})")
            seen.setdefault(canon, i)
        good = []
        for i, v in enumerate(values):
            at = ("sweep", key, i)
            if key == "learning_rates":
                good.append(v)  # checked with train.learning_rate, below
            elif key == "seeds":
                if not isinstance(v, int) or isinstance(v, bool):
                    errors.add(path, loc.line(*at), f"a seed should be a whole number, got {v!r}")
                elif v < 0:
                    errors.add(path, loc.line(*at), f"a seed should be a whole number >= 0, got {v!r}")
                else:
                    good.append(v)
            elif key == "init_scales":
                if not _is_num(v) or not math.isfinite(v) or not 0 <= v <= MAX_INIT_SCALE:
                    errors.add(path, loc.line(*at), f"an initial scale should be a number from 0 to {MAX_INIT_SCALE:,}, got {v!r}")
                else:
                    good.append(float(v))
            elif key == "init_schemes":
                if not isinstance(v, str) or v not in engine.SCHEMES:
                    errors.add(path, loc.line(*at), f"unknown init scheme {v!r}{did_you_mean(v, engine.SCHEMES)}; "
                                                    f"choose from {', '.join(engine.SCHEMES)}")
                else:
                    good.append(v)
            elif key == "gradients":
                if not isinstance(v, str) or v not in engine.GRADIENTS:
                    errors.add(path, loc.line(*at), f"unknown gradient {v!r}{did_you_mean(v, engine.GRADIENTS)}; "
                                                    f"choose from {', '.join(engine.GRADIENTS)}")
                else:
                    good.append(v)
            elif key == "activations":
                hidden_acts = [a for a in engine.ACTIVATIONS if a != "softmax"]
                if not isinstance(v, str) or v not in hidden_acts:
                    extra = "" if v == "softmax" else did_you_mean(v, hidden_acts)
                    errors.add(path, loc.line(*at), f"{v!r} cannot be a hidden layer's activation{extra}; "
                                                    f"choose from {', '.join(hidden_acts)}")
                else:
                    good.append(v)
            elif key == "hidden":
                if not isinstance(v, list) or not all(isinstance(h, int) and not isinstance(h, bool) and h >= 1 for h in v):
                    errors.add(path, loc.line(*at),
                               f"each hidden entry is a list of layer sizes (whole numbers >= 1), e.g. [8, 8]; got {v!r}")
                elif _layers_problem([0, *v, 0], errors, path, loc.line(*at)):
                    pass
                else:
                    good.append(v)
            elif key == "datasets":
                got = _dataset_entry(loc, i, v, sizes, errors, loss)
                if got is not None:
                    good.append(got)
        axes[SWEEP_AXES[key]] = good
    if weights is not None:
        # The scheme, scale and seed draw only the weights not given (biases not given start at 0).
        explicit = base_net is not None and {n for n in base_net.param_shapes() if n.startswith("W")} <= set(weights)
        for key in ("init_scales", "init_schemes", "seeds"):
            if key in named and explicit:
                every = ("every parameter is given in init.weights" if set(base_net.param_shapes()) <= set(weights)
                         else "every weight is given in init.weights (biases not given start at 0)")
                errors.add(path, loc.line("sweep", key), f"{every}, so '{key}' would change nothing")
        if "hidden" in named:
            errors.add(path, loc.line("sweep", "hidden"),
                       "init.weights cannot be combined with a sweep over hidden sizes (each size needs other shapes)")
    if base_net is not None and base_net.layers < 2:
        if "activations" in named and "hidden" not in named:
            errors.add(path, loc.line("sweep", "activations"), "this network has no hidden layer whose activation could change")
        if "hidden" in named and "activations" not in named:
            for i, h in enumerate(sweep["hidden"]):
                if isinstance(h, list) and h:
                    errors.add(path, loc.line("sweep", "hidden", i),
                               "the network has no hidden layer whose activation new hidden layers could take; "
                               "sweep 'activations' too")
                    break
    if "datasets" in named and loc.data.get("data") is not None:
        errors.add(path, loc.line("data"), "the sweep's datasets replace 'data'; remove one of them")
    if named and not errors.errors:
        count = math.prod(len(v) for v in axes.values())
        if count > MAX_MEMBERS:
            shape = " x ".join(str(len(v)) for v in axes.values())
            errors.add(path, loc.line("sweep"), f"this sweep has {count} members ({shape}); the limit is {MAX_MEMBERS}")
    return axes


def _layers_problem(sizes, errors, path, line) -> bool:
    """Too many layers or units (sizes includes inputs and outputs; 0 stands for one not
    known here). True after reporting."""
    if len(sizes) - 1 > MAX_LAYERS:
        errors.add(path, line, f"{len(sizes) - 1} layers; the limit is {MAX_LAYERS}")
        return True
    big = [s for s in sizes if s > MAX_UNITS]
    if big:
        errors.add(path, line, f"a layer of {big[0]:,} units; the limit is {MAX_UNITS:,} per layer")
        return True
    return False


def _landscapes(loc, rec, nets, schedules, errors) -> tuple[tuple, tuple]:
    """record: surface / slice -> (SurfaceSpec, ...), (SliceSpec, ...)."""
    out = {"surface": [], "slice": []}
    for kind, schema in (("surface", SURFACE), ("slice", SLICE)):
        value = rec.get(kind)
        if value is None:
            continue
        entries = [("record", kind)] if isinstance(value, dict) else [("record", kind, i) for i in range(len(value))]
        if isinstance(value, list) and not value:
            errors.add(loc.path, loc.line("record", kind), f"'{kind}' needs at least one entry")
        for keys in entries:
            d = check(loc, keys, schema, errors, kind)
            if not d:
                continue
            refs = d.get("weights") if kind == "surface" else ([d["weight"]] if d.get("weight") is not None else None)
            if refs is None:
                continue
            if kind == "surface" and len(refs) != 2:
                errors.add(loc.path, loc.line(*keys, "weights"), f"a surface needs two weights, e.g. [\"W1[0,0]\", \"W2[0,1]\"], got {len(refs)}")
                continue
            ok = True
            for j, ref in enumerate(refs):
                where = loc.line(*keys, "weights", j) if kind == "surface" else loc.line(*keys, "weight")
                for net in nets:
                    try:
                        engine.weight_index(str(ref), net)
                    except ValueError as exc:
                        extra = "" if net is nets[0] else f" (in the sweep's network {'-'.join(map(str, net.sizes))})"
                        errors.add(loc.path, where, str(exc) + extra)
                        ok = False
                        break
            if ok and kind == "surface" and nets and engine.weight_index(str(refs[0]), nets[0]) == engine.weight_index(str(refs[1]), nets[0]):
                errors.add(loc.path, loc.line(*keys, "weights"), f"a surface needs two different weights, got {refs[0]} twice")
                ok = False
            span = d.get("range")
            pairs = None
            if span is not None:
                want = 2 if kind == "surface" else 1
                pairs = [span] if kind == "slice" else span
                good = len(pairs) == want and all(
                    isinstance(p, list) and len(p) == 2 and all(_is_finite(x) for x in p) and p[0] < p[1] for p in pairs)
                if not good:
                    example = "[[-6, 6], [-6, 6]] (one [low, high] per weight)" if kind == "surface" else "[-4, 4]"
                    errors.add(loc.path, loc.line(*keys, "range"), f"range should be {example}, got {span!r}")
                    ok = False
            limit = MAX_SURFACE_POINTS if kind == "surface" else MAX_SLICE_POINTS
            points = d.get("points")
            if points is not None and not 2 <= points <= limit:
                errors.add(loc.path, loc.line(*keys, "points"), f"points must be from 2 to {limit}, got {points}")
                ok = False
            at = d.get("at")
            if isinstance(at, str):
                if at != "last":
                    errors.add(loc.path, loc.line(*keys, "at"), f"at should be a step number or 'last', got '{at}'")
                    ok = False
            elif at is not None:
                for schedule in schedules:
                    if at < 0 or at > schedule[-1]:
                        errors.add(loc.path, loc.line(*keys, "at"), f"step {at} is not in the run (steps 0 to {schedule[-1]})")
                        ok = False
                        break
                    if at not in set(schedule.tolist()):
                        errors.add(loc.path, loc.line(*keys, "at"),
                                   f"step {at} is not recorded (record every_until / then_every choose the steps)")
                        ok = False
                        break
            if not ok:
                continue
            span = None if pairs is None else tuple(tuple(float(x) for x in p) for p in pairs)
            if kind == "surface":
                out[kind].append(engine.SurfaceSpec(tuple(str(r) for r in refs), span, d["points"], d["at"]))
            else:
                out[kind].append(engine.SliceSpec(str(refs[0]), None if span is None else span[0], d["points"], d["at"]))
    return tuple(out["surface"]), tuple(out["slice"])


def _read(path: Path) -> str:
    """The file's text, or one ContentError saying why it cannot be read (sources.read_text;
    control characters are left to the YAML reader, which names them)."""
    content = path.parent.parent if path.parent.name == "scenarios" else None
    return read_text(path, "scenario", content, MAX_FILE_BYTES, hint=" (scenarios are files NAME.yaml)",
                     characters=False)


def _weights(loc, init_raw, net, errors) -> dict | None:
    """init.weights -> {name: float64 array}, every entry a finite number of the right shape."""
    if init_raw.get("weights") is None or net is None:
        return None
    path, weights, shapes = loc.path, {}, net.param_shapes()

    def numbers(v) -> bool:
        return _is_num(v) or (isinstance(v, list) and all(numbers(x) for x in v))

    for name, value in init_raw["weights"].items():
        keys = ("init", "weights", name)
        if name not in shapes:
            errors.add(path, loc.line(*keys, "__key__"),
                       f"unknown parameter '{name}'{did_you_mean(name, shapes)}; this network has {', '.join(shapes)}")
            continue
        arr = None
        if numbers(value):
            try:
                arr = np.array(value, dtype=np.float64)
            except (ValueError, TypeError):  # rows of different lengths
                arr = None
        if arr is None:
            errors.add(path, loc.line(*keys), f"{name} should be numbers in rows, got {value!r}")
            continue
        if arr.shape != shapes[name]:
            errors.add(path, loc.line(*keys),
                       f"{name} should have shape {list(shapes[name])} for layer sizes {list(net.sizes)}, got {list(arr.shape)}")
            continue
        if not np.isfinite(arr).all():
            errors.add(path, loc.line(*keys), f"{name} holds a NaN or infinite value; every weight must be a finite number")
            continue
        weights[name] = arr
    return weights


def _given(loc, *keys) -> bool:
    """Whether the author wrote a value at `keys` (a wrong one included), so that a value
    the schema refused is not reported a second time as missing."""
    value = loc.data
    for k in keys:
        if not isinstance(value, dict) or value.get(k) is None:
            return False
        value = value[k]
    return True


def _nonnegative_seed(loc, keys, value, errors) -> None:
    if value is not None and value < 0:
        errors.add(loc.path, loc.line(*keys), f"'{keys[-1]}' must be a whole number >= 0, got {value}")


def parse(path: Path, text: str | None = None) -> Scenario:
    path = Path(path)
    text = _read(path) if text is None else text
    loc = load(text, path)
    errors = ErrorCollector()
    top = check(loc, (), TOP, errors, "the scenario")
    errors.raise_if_any()

    net_raw = check(loc, ("network",), NETWORK, errors, "network")
    sizes = net_raw.get("sizes")
    if sizes is not None and not (len(sizes) >= 2 and all(isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes)):
        errors.add(path, loc.line("network", "sizes"), f"sizes should be two or more positive whole numbers, got {sizes!r}")
        sizes = None
    if sizes is not None and _layers_problem(sizes, errors, path, loc.line("network", "sizes")):
        sizes = None
    acts = net_raw.get("activations")
    if acts is not None:
        for i, a in enumerate(acts):
            if not isinstance(a, str):
                errors.add(path, loc.line("network", "activations", i),
                           f"an activation is a name ({', '.join(engine.ACTIVATIONS)}), got {a!r}")
            elif a not in engine.ACTIVATIONS:
                errors.add(path, loc.line("network", "activations", i),
                           f"unknown activation '{a}'{did_you_mean(a, engine.ACTIVATIONS)}")
        if sizes and len(acts) != len(sizes) - 1:
            errors.add(path, loc.line("network", "activations"),
                       f"{len(sizes) - 1} layer(s) need {len(sizes) - 1} activation(s), got {len(acts)}")
    net = None
    if not errors.errors and sizes and acts:
        try:
            net = engine.NetSpec(tuple(sizes), tuple(acts), net_raw["loss"], net_raw["reduction"], net_raw["gradient"])
        except ValueError as exc:
            errors.add(path, loc.line("network"), str(exc))
    loss = net.loss if net is not None else None

    base = _data(loc, ("data",), sizes, errors, loss=loss) if top.get("data") is not None else None
    sweep_given = top.get("sweep") is not None
    if not _given(loc, "data") and not _given(loc, "sweep", "datasets"):
        errors.add(path, loc.line(), "the scenario is missing 'data'")

    init_raw = check(loc, ("init",), INIT, errors, "init") if top.get("init") is not None else check(
        Located({"init": {}}, {}, path), ("init",), INIT, errors, "init")
    weights = _weights(loc, init_raw, net, errors)
    if init_raw.get("scale") is not None and not (math.isfinite(init_raw["scale"]) and 0 <= init_raw["scale"] <= MAX_INIT_SCALE):
        errors.add(path, loc.line("init", "scale"), f"'scale' must be a number from 0 to {MAX_INIT_SCALE:,}, got {init_raw['scale']}")
    _nonnegative_seed(loc, ("init", "seed"), init_raw.get("seed"), errors)

    tr = check(loc, ("train",), TRAIN, errors, "train")
    batch = tr.get("batch", "full")
    batch_size = None
    if isinstance(batch, str):
        if batch != "full":
            errors.add(path, loc.line("train", "batch"), f"batch should be 'full' or a whole number, got '{batch}'")
    elif batch < 1:
        errors.add(path, loc.line("train", "batch"), "batch must be at least 1")
    else:
        batch_size = int(batch)
    if _given(loc, "train", "steps") == _given(loc, "train", "epochs"):  # as written: a wrong value is its own error
        errors.add(path, loc.line("train"), "train needs exactly one of 'steps' and 'epochs'")
    for key in ("steps", "epochs"):
        if tr.get(key) is not None and tr[key] < 1:
            errors.add(path, loc.line("train", key), f"'{key}' must be at least 1, got {tr[key]}")
    if tr.get("momentum") is not None and not (0 <= tr["momentum"] < 1):
        errors.add(path, loc.line("train", "momentum"), f"momentum must be in [0, 1), got {tr['momentum']}")
    _nonnegative_seed(loc, ("train", "shuffle_seed"), tr.get("shuffle_seed"), errors)
    for i, name in enumerate(tr.get("freeze") or []):
        if not isinstance(name, str):
            errors.add(path, loc.line("train", "freeze", i), f"freeze lists parameter names such as b1 or W2, got {name!r}")
    stop = check(loc, ("train", "stop"), STOP, errors, "stop") if tr.get("stop") is not None else {}
    if stop.get("loss_below") is not None and not math.isfinite(stop["loss_below"]):
        errors.add(path, loc.line("train", "stop", "loss_below"), f"loss_below must be a finite number, got {stop['loss_below']}")

    sweep = check(loc, ("sweep",), SWEEP, errors, "sweep") if sweep_given else None
    axes = _sweep_axes(loc, sweep, weights, net, sizes, errors, loss) if sweep is not None else {}
    if sweep is not None and sweep.get("learning_rates") is not None:
        etas = sweep.get("learning_rates") or []
        if tr.get("learning_rate") is not None:
            errors.add(path, loc.line("train", "learning_rate"), "a sweep gives the learning rates; remove 'learning_rate' from train")
    else:
        if not _given(loc, "train", "learning_rate") and not _given(loc, "sweep", "learning_rates") and (sweep is not None or not _given(loc, "sweep")):
            errors.add(path, loc.line("train"), "train is missing 'learning_rate' (or give a sweep)" if sweep is None
                       else "train is missing 'learning_rate' (the sweep names no learning_rates)")
        etas = [tr.get("learning_rate")] if tr.get("learning_rate") is not None else []
    for i, eta in enumerate(etas):
        keys = ("sweep", "learning_rates", i) if sweep is not None and sweep.get("learning_rates") is not None else ("train", "learning_rate")
        if not _is_num(eta):
            errors.add(path, loc.line(*keys), f"a learning rate should be a number, got {eta!r}")
        elif not math.isfinite(eta):
            errors.add(path, loc.line(*keys), f"the learning rate must be a finite number, got {eta}")
        elif not eta > 0:
            errors.add(path, loc.line(*keys), f"the learning rate must be positive, got {eta}")
    seeds = axes.get("seed") or [init_raw["seed"]]

    # Every network and data set the members will have.
    nets = [net] if net is not None else []
    if net is not None and not errors.errors and ("hidden" in axes or "activation" in axes):
        nets = []
        for hidden in axes.get("hidden") or [None]:
            for act in axes.get("activation") or [None]:
                try:
                    mnet = engine.member_net(net, hidden, act)
                except ValueError as exc:
                    errors.add(path, loc.line("sweep", "hidden" if "hidden" in axes else "activations"), str(exc))
                    continue
                if mnet not in nets:
                    nets.append(mnet)
    if "gradient" in axes and not errors.errors:  # each way of gathering blame is its own network
        nets = list(dict.fromkeys(dataclasses.replace(n, gradient=g) for n in nets for g in axes["gradient"]))
    datas = [d for _, d in axes["dataset"]] if "dataset" in axes else ([base] if base is not None else [])
    dataset_keys = [("sweep", "datasets", i) for i in range(len(datas))] if "dataset" in axes else [("data",)]

    if nets:
        names = {name for n in nets for name in n.param_shapes()}
        for i, name in enumerate(tr.get("freeze") or []):
            if isinstance(name, str) and name not in names:
                errors.add(path, loc.line("train", "freeze", i),
                           f"cannot freeze '{name}': no such parameter{did_you_mean(name, sorted(names))}")

    rec = check(loc, ("record",), RECORD, errors, "record") if top.get("record") is not None else {}
    detail = check(loc, ("record", "detail"), DETAIL, errors, "detail") if rec.get("detail") is not None else {}
    for key in ("steps", "samples"):
        if detail and detail.get(key) is not None and not detail[key]:
            errors.add(path, loc.line("record", "detail", key), f"detail '{key}' needs at least one entry (or leave it out)")
    for data, keys in zip(datas, dataset_keys):
        n = len(data.X)
        for i, s in enumerate(detail.get("samples") or []):
            if not _is_whole(s) or not 0 <= s < n:
                errors.add(path, loc.line("record", "detail", "samples", i), f"sample {s!r} does not exist (there are {n})")
        if batch_size is not None and batch_size > n:
            errors.add(path, loc.line("train", "batch"),
                       f"batch {batch_size} is more than the {n} samples of the data" + (f" (data set {keys[-1] + 1})" if len(keys) == 3 else ""))
    for i, s in enumerate(detail.get("steps") or []):
        if not _is_whole(s) or s < 0:
            errors.add(path, loc.line("record", "detail", "steps", i), f"a detail step is a step number >= 0, got {s!r}")
    every_until, then_every = rec.get("every_until"), rec.get("then_every", 1)
    if every_until is not None and every_until < 0:
        errors.add(path, loc.line("record", "every_until"), f"every_until must be at least 0, got {every_until}")
    if then_every is not None and then_every < 1:
        errors.add(path, loc.line("record", "then_every"), f"then_every must be at least 1, got {then_every}")
    record_spec = engine.RecordSpec(every_until=every_until, then_every=then_every or 1)

    # How long each data set's run is (steps, or epochs x batches per epoch), and the loop's
    # cost: steps x layers for every network and data set (they train in turn).
    totals = []
    if not errors.errors:
        count = tr["steps"] if tr.get("steps") is not None else tr["epochs"]
        for data in datas:
            per_epoch = 1 if batch_size is None else -(-len(data.X) // batch_size)
            totals.append(count if tr.get("steps") is not None else count * per_epoch)
        _check_loop(loc, tr, nets, datas, totals, batch_size, errors)
    if totals and not errors.errors:
        for i, s in enumerate(detail.get("steps") or []):
            if s > min(totals):
                errors.add(path, loc.line("record", "detail", "steps", i), f"step {s} is not in the run (steps 0 to {min(totals)})")
    surfaces, slices = (), ()
    if (rec.get("surface") is not None or rec.get("slice") is not None) and not errors.errors:
        schedules = [engine.record_schedule(total, record_spec) for total in totals]
        surfaces, slices = _landscapes(loc, rec, nets, schedules, errors)
    errors.raise_if_any()

    first = datas[0]
    config = engine.TrainConfig(
        X=first.X, T=first.T, eta=float(etas[0]), steps=tr.get("steps"), epochs=tr.get("epochs"),
        optimizer=tr["optimizer"], momentum=float(tr["momentum"]), batch_size=batch_size,
        shuffle_seed=tr["shuffle_seed"], frozen=frozenset(tr.get("freeze") or []),
        stop_loss_below=stop.get("loss_below"), stop_all_correct=bool(stop.get("all_correct")),
        init=engine.InitSpec(weights=weights, scheme=init_raw["scheme"], distribution=init_raw["distribution"],
                             scale=float(init_raw["scale"]), seed=init_raw["seed"]),
        record=engine.RecordSpec(every_until=every_until, then_every=then_every,
                                 detail_steps=tuple(detail.get("steps") or ()) if detail else (),
                                 detail_samples=tuple(detail.get("samples") or (0,)) if detail else (0,),
                                 surfaces=surfaces, slices=slices),
        input_labels=first.input_labels, output_labels=first.output_labels,
    )
    engine_axes = {name: list(values) for name, values in axes.items()}
    if "dataset" in engine_axes:
        engine_axes["dataset"] = [engine.Dataset(d.X, d.T, value, d.input_labels, d.output_labels)
                                  for value, d in axes["dataset"]]
    engine_axes["eta"] = [float(e) for e in etas]
    engine_axes["seed"] = [int(s) for s in seeds]
    try:
        members = engine.sweep_members(net, config, engine_axes)
    except ValueError as exc:  # everything it checks was checked above; just in case
        raise ContentError(path, loc.line("sweep") if sweep is not None else None, str(exc)) from None
    _check_budget(loc, tr, rec, config, net, members, totals, datas)
    extra = {"_data": [first.X.tolist(), first.T.tolist()]}
    if "dataset" in axes:
        extra["_datasets"] = [[d.X.tolist(), d.T.tolist()] for _, d in axes["dataset"]]
    spec = json.loads(json.dumps({**loc.data, **extra}, sort_keys=True, default=str))
    named = {key: [v[0] if key == "datasets" else v for v in axes[axis]]
             for key, axis in SWEEP_AXES.items() if axis in axes}
    return Scenario(path.stem, path, top.get("title") or path.stem, spec, net, config,
                    [float(e) for e in etas], [int(s) for s in seeds], members, named)


# --- limits ------------------------------------------------------------------------------

def _size(net) -> tuple[int, int]:
    """(parameters, units) of a network: units are its hidden and output units."""
    return sum(math.prod(s) for s in net.param_shapes().values()), sum(net.sizes[1:])


def _check_entries(net) -> int:
    """Entries the gradient check compares (at most CHECK_ENTRIES per parameter)."""
    return sum(min(math.prod(s), CHECK_ENTRIES) for s in net.param_shapes().values())


def _steps_line(loc, tr):
    return loc.line("train", "steps" if tr.get("steps") is not None else "epochs")


def _check_loop(loc, tr, nets, datas, totals, batch_size, errors) -> None:
    """MAX_LAYER_STEPS: the training loop's own time, which grows with steps x layers
    whatever the sizes (a few numpy calls per layer and step), for every network and data
    set in turn, and the gradient check's forward passes (half a step each)."""
    layer_steps = 0
    for net in nets:
        for total in totals:
            layer_steps += total * net.layers * (2 if batch_size is not None else 1)
            layer_steps += 2 * _check_entries(net) * net.layers
    if layer_steps > MAX_LAYER_STEPS:
        groups = len(nets) * len(datas)
        each = f", for each of {groups} networks x data sets" if groups > 1 else ""
        batch = " x 2 with mini-batches" if batch_size is not None else ""
        errors.add(loc.path, _steps_line(loc, tr),
                   f"too many training steps: {max(totals):,} steps x {max(n.layers for n in nets)} layer(s){batch}{each} "
                   f"make {layer_steps:,} step-layers; the limit is {MAX_LAYER_STEPS:,}: train for fewer steps or epochs"
                   + (" or sweep fewer hidden sizes, activations or data sets" if groups > 1 else ""))


def _check_budget(loc, tr, rec, config, net, members, totals, datas) -> None:
    """MAX_WORK, MAX_LIVE and MAX_RECORDED over the members grouped as train_members groups
    them (by network and data set); one ContentError at the line to change."""
    total_of = {id(d.X): t for d, t in zip(datas, totals)}
    groups: dict = {}
    for m in members:
        mnet = m.net or net
        X, T = (config.X, config.T) if m.data is None else (m.data.X, m.data.T)
        groups.setdefault((mnet, id(X)), [mnet, X, T, 0])[3] += 1
    cfg_rec = config.record
    batch = config.batch_size or 0
    # The landscapes in the order _landscapes made them, each with the keys of its entry.
    lands = []
    for kind, specs, grid in (("surface", cfg_rec.surfaces, lambda s: s.points ** 2), ("slice", cfg_rec.slices, lambda s: 2 * s.points)):
        entries = rec.get(kind) if rec else None
        for i, spec in enumerate(specs):
            keys = ("record", kind) if isinstance(entries, dict) else ("record", kind, i)
            lands.append((keys, grid(spec), 0.0))
    work = live = recorded = checking = 0.0
    worst = None
    for mnet, X, T, M in groups.values():
        n, P, U = len(X), *_size(mnet)
        total = total_of.get(id(X), totals[0])
        R = len(engine.record_schedule(total, cfg_rec))
        per = P + 10 * U
        w = total * M * (n + batch) * per
        c = 4 * _check_entries(mnet) * min(n, CHECK_SAMPLES) * per
        work += w + c
        checking += c
        if worst is None or w > worst[0]:
            worst = (w, total, M, n, P, U)
        for j, (keys, points, cost) in enumerate(lands):
            lands[j] = (keys, points, cost + M * points * n * per)
            work += M * points * n * per
        live = max(live, M * (n + batch) * U)
        details = len({int(s) for s in cfg_rec.detail_steps if s <= total})
        recorded += M * (R * (n * T.shape[1] + 2 * P)
                         + details * len(cfg_rec.detail_samples) * (3 * U + mnet.sizes[0])
                         + sum(s.points ** 2 for s in cfg_rec.surfaces) + sum(3 * s.points for s in cfg_rec.slices))
    path = loc.path
    land = max(lands, key=lambda x: x[2], default=None)
    if work > MAX_WORK and land is not None and land[2] > worst[0]:
        kind = land[0][1]
        grid = "points x points" if kind == "surface" else "points (loss and slope)"
        raise ContentError(path, loc.line(*land[0]),
                           f"this {kind} costs {land[2]:.3g} ({grid} x members x samples x (parameters + 10 x units)), "
                           f"and the scenario {work:.3g} in all; the limit is {MAX_WORK:.3g}: use fewer points")
    if work > MAX_WORK:
        _, total, M, n, P, U = worst
        more = f" (the largest of {len(groups)} networks x data sets)" if len(groups) > 1 else ""
        raise ContentError(path, _steps_line(loc, tr),
                           f"too much to train at build time: {total:,} steps x {M} member(s) x {n + batch:,} samples x "
                           f"({P:,} parameters + 10 x {U:,} units){more}, with the gradient check ({checking:.3g}) and "
                           f"any landscapes, make {work:.3g}; the limit is {MAX_WORK:.3g}: "
                           "fewer steps, members or samples, or smaller layers")
    if live > MAX_LIVE:
        raise ContentError(path, loc.line("network", "sizes"),
                           f"one training step would hold {live:,.0f} activations (members x samples x units); "
                           f"the limit is {MAX_LIVE:,}")
    if recorded > MAX_RECORDED:
        where = loc.line("record") if rec else _steps_line(loc, tr)
        raise ContentError(path, where,
                           f"the trace would keep {recorded:,.0f} numbers (records x members x (outputs + 2 x parameters), "
                           f"with detail and landscapes); the limit is {MAX_RECORDED:,}: record fewer steps "
                           "(record: every_until, then_every), or train fewer members or a smaller network")


NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def load_scenarios(content_dir: Path) -> dict[str, Scenario]:
    """Every content/scenarios/*.yaml, validated; all problems raised together. Editors'
    lock and backup files are ignored; a .yml file is an error (it would be ignored)."""
    folder = Path(content_dir) / "scenarios"
    out, errors = {}, ErrorCollector()
    found = sorted(p for p in folder.iterdir() if not editor_file(p.name)) if folder.is_dir() else []
    for path in found:
        if path.suffix == ".yml":
            errors.add(path, None, f"scenario files end in .yaml; rename this one {path.stem}.yaml")
            continue
        if path.suffix != ".yaml":
            continue
        if not NAME.match(path.stem):
            errors.add(path, None, "scenario file names are lowercase words with dashes (the name is used in lessons and page ids)")
            continue
        try:
            out[path.stem] = parse(path)
        except (ContentError, ContentErrors) as exc:
            errors.extend(exc)
    errors.raise_if_any()
    return out


# --- training with a cache ---------------------------------------------------------------

def _train(s: Scenario) -> list[engine.Trace]:
    """The engine's own checks are a last wall behind parse(): whatever still escapes it is
    one ContentError naming the scenario, never a traceback."""
    try:
        return engine.train_members(s.net, s.config, s.members)
    except ValueError as exc:
        raise ContentError(s.path, None, str(exc)) from None
    except MemoryError:
        raise ContentError(s.path, None, "training ran out of memory; make the scenario smaller") from None
    except Exception as exc:  # an engine bug: say so, at the scenario  # noqa: BLE001
        raise ContentError(s.path, None, f"training failed ({type(exc).__name__}: {exc}); "
                                         "this is a bug in the engine, please report it") from exc


def run(scenario: Scenario, cache_dir: Path | None = None) -> list[engine.Trace]:
    """The scenario's traces: from the cache when its key is there, else trained (and stored)."""
    cached = _from_cache(scenario, cache_dir)
    if cached is not None:
        return cached
    result = _train(scenario)
    _store(scenario, result, cache_dir)
    return result


def run_many(scenarios: list[Scenario], cache_dir: Path | None = None) -> list:
    """run() for each scenario, with those not in the cache trained together by
    engine.train_many (scenarios of one shape as one batched computation; each result is
    bitwise what run() gives). A scenario that fails comes back as its ContentError, in its
    place in the list; the others are not affected."""
    out: list = [None] * len(scenarios)
    todo = []
    for i, s in enumerate(scenarios):
        out[i] = _from_cache(s, cache_dir)
        if out[i] is None:
            todo.append(i)
    if len(todo) > 1:
        try:
            trained = engine.train_many([(scenarios[i].net, scenarios[i].config, scenarios[i].members) for i in todo])
        except Exception:  # noqa: BLE001 - one of them cannot train: each alone says which, and why
            trained = None
        if trained is not None:
            for i, result in zip(todo, trained):
                _store(scenarios[i], result, cache_dir)
                out[i] = result
            todo = []
    for i in todo:
        try:
            out[i] = run(scenarios[i], cache_dir)
        except (ContentError, ContentErrors) as exc:
            out[i] = exc
    return out


def member_batches(scenario: Scenario) -> list[list[int]]:
    """The scenario's members (indices into scenario.members) as the engine batches them:
    members of one batch train as one computation, so a training split over workers (see
    run_part) is best split between these lists, never inside one. deep-gradients: its 9
    depths, 4 members each."""
    groups: dict = {}
    for i, m in enumerate(scenario.members):
        net = m.net or scenario.net
        X = scenario.config.X if m.data is None else m.data.X
        groups.setdefault((engine.shape_key(net), np.shape(X)), []).append(i)
    return list(groups.values())


def run_part(scenario: Scenario, members) -> list[engine.Trace]:
    """Train only the members at these indices of scenario.members (in this order): each
    Trace bitwise the one run() gives that member. For splitting one large scenario over
    several workers; merge_parts puts the parts together. Engine problems are a
    ContentError at the scenario, as in run()."""
    members = [int(i) for i in members]
    if not members or sorted(set(members)) != sorted(members) or not all(0 <= i < len(scenario.members) for i in members):
        raise ValueError(f"a part names distinct members 0..{len(scenario.members) - 1}, got {members}")
    part = dataclasses.replace(scenario, members=[scenario.members[i] for i in members])
    part.__dict__.pop("_key", None)
    return _train(part)


def merge_parts(scenario: Scenario, parts, cache_dir: Path | None = None) -> list[engine.Trace]:
    """The scenario's traces in member order from parts [(member indices, traces from
    run_part), ...] that together name every member once; stored in cache_dir as exactly the
    file run() / run_many() would write for the whole scenario."""
    out: list = [None] * len(scenario.members)
    for indices, traces in parts:
        indices = [int(i) for i in indices]
        if len(indices) != len(traces):
            raise ValueError(f"a part of {len(indices)} member(s) came back with {len(traces)} trace(s)")
        for i, tr in zip(indices, traces):
            if out[i] is not None:
                raise ValueError(f"member {i} is in two parts")
            out[i] = tr
    missing = [i for i, tr in enumerate(out) if tr is None]
    if missing:
        raise ValueError(f"no part trained member(s) {missing}")
    _store(scenario, out, cache_dir)
    return out


def _from_cache(scenario: Scenario, cache_dir: Path | None) -> list[engine.Trace] | None:
    from site_builder import traces as trace_io

    if cache_dir is not None:
        cached = Path(cache_dir) / f"{scenario.name}-{scenario.key}.json"
        if cached.exists():
            try:
                return trace_io.from_cache_json(cached.read_text(encoding="utf-8"))
            except (ValueError, KeyError, TypeError, IndexError, AttributeError, OSError):
                pass  # a damaged cache entry is simply retrained
    return None


def _store(scenario: Scenario, result: list[engine.Trace], cache_dir: Path | None) -> None:
    from site_builder import traces as trace_io

    if cache_dir is not None:
        cached = Path(cache_dir) / f"{scenario.name}-{scenario.key}.json"
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        for old in Path(cache_dir).glob(f"{scenario.name}-*.json"):
            old.unlink()
        fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(trace_io.to_cache_json(result, scenario))
        os.replace(tmp, cached)


def check_gradients(scenario: Scenario) -> engine.GradCheck:
    """Backprop vs finite differences at the initial parameters of the first member of each
    kind of network the scenario trains on each data set (one for most); the worst check is
    returned. At most CHECK_SAMPLES samples (evenly spread) and CHECK_ENTRIES entries of each
    parameter are compared, so a large scenario's check takes a bounded time.

    Networks of one kind (the same hidden activations, output activation, loss and
    reduction) run the same backprop code, layer for layer: a deeper one only runs more of
    it. So of each kind only the deepest (then largest) is checked: a sweep over nine depths
    checks its deepest network, not all nine, and still every activation it uses, every
    layer-to-layer step and the loss (a broken gradient of any of them fails the build;
    tests/unit/test_engine_gradient_overwrite.py).

    A network with `gradient: overwrite` (the deliberate teaching bug) is left out: its check
    fails by design, and the page that shows it says so with its own number. A scenario with
    only such networks returns a check with nothing compared (max_rel_error 0)."""
    chosen: dict = {}  # kind -> (rank, net, member, X, T)
    for m in scenario.members or [engine.Member(scenario.config.eta, scenario.seeds[0])]:
        net = m.net or scenario.net
        if net.gradient != "sum":
            continue
        X, T = (scenario.config.X, scenario.config.T) if m.data is None else (m.data.X, m.data.T)
        kind = (frozenset(net.activations[:-1]), net.activations[-1], net.loss, net.reduction, id(X))
        rank = (net.layers, sum(math.prod(s) for s in net.param_shapes().values()))
        if kind not in chosen or rank > chosen[kind][0]:
            chosen[kind] = (rank, net, m, X, T)
    worst = None
    for _, net, m, X, T in chosen.values():
        if len(X) > CHECK_SAMPLES:
            rows = np.unique(np.linspace(0, len(X) - 1, CHECK_SAMPLES).round().astype(np.intp))
            X, T = X[rows], T[rows]
        params = engine.init_params(net, m.init or scenario.config.init, m.seed)
        check = engine.gradcheck(net, params, X, T, entries=CHECK_ENTRIES)
        if worst is None or check.max_rel_error > worst.max_rel_error:
            worst = check
    return worst if worst is not None else engine.GradCheck(0.0, {}, {}, {})


def trace_main(args) -> int:
    from site_builder import traces as trace_io

    path = Path(args.scenario)
    if not path.exists() and not path.is_symlink():
        raise ContentError(path, None, "no such scenario file")
    scenario = parse(path)
    cache = None if args.no_cache else Path(".cache") / "traces"
    hit = cache is not None and (cache / f"{scenario.name}-{scenario.key}.json").exists()
    t0 = time.perf_counter()
    result = run(scenario, cache)
    seconds = time.perf_counter() - t0
    if args.json:
        sys.stdout.write(trace_io.to_plain_json(result, scenario) + "\n")
        return 0
    print(f"{scenario.name}: {scenario.net!r}, {len(result)} member(s), "
          f"{'from cache' if hit else 'trained'} in {seconds:.3f} s")
    for tr in result:
        end = f"diverged at step {tr.diverged_at} ({tr.diverged_reason})" if tr.stopped == "diverged" else f"stopped: {tr.stopped}"
        print(f"  {tr.label:>22}  steps {tr.last_step:>6} ({len(tr.steps)} recorded)  "
              f"loss {tr.loss[0]:.6g} -> {tr.loss[-1]:.6g}  {end}")
    return 0
