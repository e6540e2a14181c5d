"""Scenarios: YAML specs in content/scenarios/ -> validated -> engine calls -> cached Traces.

The format is documented in docs/internals.md. Every problem is a ContentError naming the
file and line of the offending key or value; all problems of all files are reported at once.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from site_builder import engine
from site_builder.datasets import GENERATORS
from site_builder.errors import ContentError, ContentErrors, ErrorCollector, did_you_mean
from site_builder.schema import Field, check
from site_builder.yamlsrc import Located, load

NUM = (int, float)

TOP = {
    "title": Field(str, default=""),
    "description": Field(str, default=""),
    "network": Field(dict, required=True),
    "data": Field(dict, required=True),
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
}
DATA = {
    "inputs": Field(list), "targets": Field(list),
    "generator": Field(str, choices=tuple(GENERATORS)),
    "n": Field(int), "noise": Field(NUM, default=None), "seed": Field(int, default=0),
}
INIT = {
    "weights": Field(dict), "scheme": Field(str, choices=("uniform", "normal", "xavier", "he"), default="xavier"),
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
SWEEP = {"learning_rates": Field(list, required=True), "seeds": Field(list, default=None)}
RECORD = {"every_until": Field(int), "then_every": Field(int, default=1), "detail": Field(dict, default=None)}
DETAIL = {"steps": Field(list, default=[0]), "samples": Field(list, default=[0])}


@dataclass
class Scenario:
    name: str
    path: Path
    title: str
    spec: dict  # validated, canonical (plain JSON types)
    net: engine.NetSpec
    config: engine.TrainConfig
    etas: list[float]
    seeds: list[int]

    @property
    def is_sweep(self) -> bool:
        return len(self.etas) * len(self.seeds) > 1 or self.spec.get("sweep") is not None

    @property
    def key(self) -> str:
        canon = json.dumps({"spec": self.spec, "engine": engine.ENGINE_VERSION}, sort_keys=True)
        return hashlib.sha256(canon.encode()).hexdigest()[:24]

    def __repr__(self) -> str:
        return f"Scenario({self.name!r}, {self.net!r}, {len(self.etas) * len(self.seeds)} member(s))"


def _matrix(loc: Located, keys, value, errors, what, cols=None):
    """A list of equal-length lists of numbers -> float64 array, or None after an error."""
    if not isinstance(value, list) or not value or not all(isinstance(r, list) for r in value):
        errors.add(loc.path, loc.line(*keys), f"{what} should be a list of rows, e.g. [[0, 1], [1, 0]]")
        return None
    for i, row in enumerate(value):
        if not all(isinstance(v, NUM) and not isinstance(v, bool) for v in row):
            errors.add(loc.path, loc.line(*keys, i), f"{what} row {i + 1} should hold only numbers, got {row!r}")
            return None
        if cols is not None and len(row) != cols:
            errors.add(loc.path, loc.line(*keys, i), f"{what} row {i + 1} has {len(row)} values; the network wants {cols}")
            return None
    return np.array(value, dtype=np.float64)


def _data(loc, raw, sizes, errors):
    d = check(loc, ("data",), DATA, errors, "data")
    if d.get("generator"):
        if d.get("inputs") is not None or d.get("targets") is not None:
            errors.add(loc.path, loc.line("data"), "give either a generator or inputs and targets, not both")
            return None, None
        gen = GENERATORS[d["generator"]]
        kwargs = {"seed": d["seed"]}
        if d.get("n") is not None:
            if d["n"] < 1:
                errors.add(loc.path, loc.line("data", "n"), "'n' must be at least 1")
                return None, None
            kwargs["n"] = d["n"]
        if d.get("noise") is not None:
            kwargs["noise"] = float(d["noise"])
        X, T = gen(**kwargs)
        if sizes and (X.shape[1] != sizes[0] or T.shape[1] != sizes[-1]):
            errors.add(loc.path, loc.line("data", "generator"),
                       f"generator '{d['generator']}' gives {X.shape[1]} inputs and {T.shape[1]} target(s); "
                       f"the network has {sizes[0]} and {sizes[-1]}")
            return None, None
        return X, T
    if "generator" in (raw or {}):
        return None, None  # an invalid generator was reported by the schema check
    if d.get("inputs") is None or d.get("targets") is None:
        errors.add(loc.path, loc.line("data"), "data needs 'inputs' and 'targets', or a 'generator'")
        return None, None
    X = _matrix(loc, ("data", "inputs"), d["inputs"], errors, "inputs", sizes[0] if sizes else None)
    T = _matrix(loc, ("data", "targets"), d["targets"], errors, "targets", sizes[-1] if sizes else None)
    if X is not None and T is not None and len(X) != len(T):
        errors.add(loc.path, loc.line("data", "targets"), f"{len(X)} inputs but {len(T)} targets")
        return None, None
    return X, T


def parse(path: Path, text: str | None = None) -> Scenario:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8") if text is None else text
    except UnicodeDecodeError as exc:
        raise ContentError(path, None, f"not valid UTF-8 text ({exc.reason} at byte {exc.start})") from None
    loc = load(text, path)
    errors = ErrorCollector()
    top = check(loc, (), TOP, errors, "the scenario")
    errors.raise_if_any()

    net_raw = check(loc, ("network",), NETWORK, errors, "network")
    sizes = net_raw.get("sizes")
    if sizes is not None and not (len(sizes) >= 2 and all(isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes)):
        errors.add(path, loc.line("network", "sizes"), f"sizes should be two or more positive whole numbers, got {sizes!r}")
        sizes = None
    acts = net_raw.get("activations")
    if acts is not None:
        for i, a in enumerate(acts):
            if a not in engine.ACTIVATIONS:
                errors.add(path, loc.line("network", "activations", i),
                           f"unknown activation '{a}'{did_you_mean(a, engine.ACTIVATIONS)}")
        if sizes and len(acts) != len(sizes) - 1:
            errors.add(path, loc.line("network", "activations"),
                       f"{len(sizes) - 1} layer(s) need {len(sizes) - 1} activation(s), got {len(acts)}")
    net = None
    if not errors.errors and sizes and acts:
        try:
            net = engine.NetSpec(tuple(sizes), tuple(acts), net_raw["loss"], net_raw["reduction"])
        except ValueError as exc:
            errors.add(path, loc.line("network"), str(exc))

    X, T = _data(loc, top["data"], sizes, errors)

    init_raw = check(loc, ("init",), INIT, errors, "init") if top.get("init") is not None else check(
        Located({"init": {}}, {}, path), ("init",), INIT, errors, "init")
    weights = None
    if init_raw.get("weights") is not None and net is not None:
        weights = {}
        shapes = net.param_shapes()
        for name, value in init_raw["weights"].items():
            keys = ("init", "weights", name)
            if name not in shapes:
                errors.add(path, loc.line(*keys, "__key__"),
                           f"unknown parameter '{name}'{did_you_mean(name, shapes)}; this network has {', '.join(shapes)}")
                continue
            try:
                arr = np.array(value, dtype=np.float64)
            except (ValueError, TypeError):
                errors.add(path, loc.line(*keys), f"{name} should be numbers in rows, got {value!r}")
                continue
            if arr.shape != shapes[name]:
                errors.add(path, loc.line(*keys),
                           f"{name} should have shape {list(shapes[name])} for layer sizes {list(net.sizes)}, got {list(arr.shape)}")
                continue
            weights[name] = arr

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
    if (tr.get("steps") is None) == (tr.get("epochs") is None):
        errors.add(path, loc.line("train"), "train needs exactly one of 'steps' and 'epochs'")
    for key in ("steps", "epochs"):
        if tr.get(key) is not None and tr[key] < 1:
            errors.add(path, loc.line("train", key), f"'{key}' must be at least 1, got {tr[key]}")
    if tr.get("momentum") is not None and not (0 <= tr["momentum"] < 1):
        errors.add(path, loc.line("train", "momentum"), f"momentum must be in [0, 1), got {tr['momentum']}")
    if net is not None:
        for i, name in enumerate(tr.get("freeze") or []):
            if name not in net.param_shapes():
                errors.add(path, loc.line("train", "freeze", i),
                           f"cannot freeze '{name}': no such parameter{did_you_mean(name, net.param_shapes())}")
    stop = check(loc, ("train", "stop"), STOP, errors, "stop") if tr.get("stop") is not None else {}

    sweep = check(loc, ("sweep",), SWEEP, errors, "sweep") if top.get("sweep") is not None else None
    if sweep:
        etas = sweep.get("learning_rates") or []
        if tr.get("learning_rate") is not None:
            errors.add(path, loc.line("train", "learning_rate"), "a sweep gives the learning rates; remove 'learning_rate' from train")
        seeds = sweep.get("seeds") or [init_raw["seed"]]
        for i, s in enumerate(seeds):
            if not isinstance(s, int) or isinstance(s, bool):
                errors.add(path, loc.line("sweep", "seeds", i), f"a seed should be a whole number, got {s!r}")
    else:
        if tr.get("learning_rate") is None:
            errors.add(path, loc.line("train"), "train is missing 'learning_rate' (or give a sweep)")
        etas = [tr.get("learning_rate")] if tr.get("learning_rate") is not None else []
        seeds = [init_raw["seed"]]
    for i, eta in enumerate(etas):
        keys = ("sweep", "learning_rates", i) if sweep else ("train", "learning_rate")
        if not isinstance(eta, NUM) or isinstance(eta, bool):
            errors.add(path, loc.line(*keys), f"a learning rate should be a number, got {eta!r}")
        elif not eta > 0:
            errors.add(path, loc.line(*keys), f"the learning rate must be positive, got {eta}")

    rec = check(loc, ("record",), RECORD, errors, "record") if top.get("record") is not None else {}
    detail = check(loc, ("record", "detail"), DETAIL, errors, "detail") if rec.get("detail") is not None else {}
    if X is not None:
        for i, s in enumerate(detail.get("samples") or []):
            if not isinstance(s, int) or not 0 <= s < len(X):
                errors.add(path, loc.line("record", "detail", "samples", i), f"sample {s!r} does not exist (there are {len(X)})")
    errors.raise_if_any()

    config = engine.TrainConfig(
        X=X, T=T, eta=float(etas[0]), steps=tr.get("steps"), epochs=tr.get("epochs"),
        optimizer=tr["optimizer"], momentum=float(tr["momentum"]), batch_size=batch_size,
        shuffle_seed=tr["shuffle_seed"], frozen=frozenset(tr.get("freeze") or []),
        stop_loss_below=stop.get("loss_below"), stop_all_correct=bool(stop.get("all_correct")),
        init=engine.InitSpec(weights=weights, scheme=init_raw["scheme"], distribution=init_raw["distribution"],
                             scale=float(init_raw["scale"]), seed=init_raw["seed"]),
        record=engine.RecordSpec(every_until=rec.get("every_until"), then_every=rec.get("then_every") or 1,
                                 detail_steps=tuple(detail.get("steps") or ()) if detail else (),
                                 detail_samples=tuple(detail.get("samples") or (0,)) if detail else (0,)),
    )
    spec = json.loads(json.dumps({**loc.data, "_data": [X.tolist(), T.tolist()]}, sort_keys=True, default=str))
    return Scenario(path.stem, path, top.get("title") or path.stem, spec, net, config,
                    [float(e) for e in etas], [int(s) for s in seeds])


NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def load_scenarios(content_dir: Path) -> dict[str, Scenario]:
    """Every content/scenarios/*.yaml, validated; all problems raised together."""
    folder = Path(content_dir) / "scenarios"
    out, errors = {}, ErrorCollector()
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
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
    try:
        if s.is_sweep:
            return engine.train_sweep(s.net, s.config, s.etas, s.seeds)
        return [engine.train(s.net, s.config)]
    except ValueError as exc:
        raise ContentError(s.path, None, str(exc)) from None


def run(scenario: Scenario, cache_dir: Path | None = None) -> list[engine.Trace]:
    """The scenario's traces: from the cache when its key is there, else trained (and stored)."""
    from site_builder import traces as trace_io

    if cache_dir is not None:
        cached = Path(cache_dir) / f"{scenario.name}-{scenario.key}.json"
        if cached.exists():
            try:
                return trace_io.from_plain_json(cached.read_text(encoding="utf-8"))
            except (ValueError, KeyError):
                pass  # a damaged cache entry is simply retrained
    result = _train(scenario)
    if cache_dir is not None:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        for old in Path(cache_dir).glob(f"{scenario.name}-*.json"):
            old.unlink()
        fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(trace_io.to_plain_json(result, scenario))
        os.replace(tmp, cached)
    return result


def check_gradients(scenario: Scenario) -> engine.GradCheck:
    """Backprop vs finite differences at the first member's initial parameters."""
    params = engine.init_params(scenario.net, scenario.config.init, scenario.seeds[0])
    return engine.gradcheck(scenario.net, params, scenario.config.X, scenario.config.T)


def trace_main(args) -> int:
    from site_builder import traces as trace_io

    path = Path(args.scenario)
    if not path.exists():
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
