"""Hardening of the scenario side (issue 10): the YAML loader's limits and number rules, every
scenario limit refused at its line before anything trains, files that are not scenarios,
errors from training workers coming back as ContentError lines, and harmless inputs (a BOM,
CRLF line ends, 1e-3) that must still build."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from site_builder import build, cli, engine, scenarios, yamlsrc
from site_builder.errors import ContentError, ContentErrors, ErrorCollector
from site_builder.schema import Field, check

REPO = Path(__file__).resolve().parents[2]
PARSERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if getattr(yaml, "CSafeLoader", None) else [])


@pytest.fixture(params=PARSERS, ids=lambda p: p.__name__)
def parser(request, monkeypatch):
    """Every loader test runs with libyaml's parser and with the pure-Python one."""
    monkeypatch.setattr(yamlsrc, "_FAST", request.param)


def errors_of(fn, *args) -> list[tuple[int | None, str]]:
    with pytest.raises((ContentError, ContentErrors)) as info:
        fn(*args)
    exc = info.value
    return [(e.line, e.message) for e in (exc.errors if isinstance(exc, ContentErrors) else [exc])]


# --- the YAML loader -------------------------------------------------------------------------

@pytest.mark.parametrize("text,value", [
    ("1e-3", 0.001), ("2E5", 200000.0), ("1.5e3", 1500.0), ("-1e-3", -0.001), (".5", 0.5), ("1.0e-6", 1e-6),
    ("1_000", 1000), ("010", 10), ("0x1F", 31), ("0o17", 15), ("-7", -7), ("0.1", 0.1),
    ("1:30", "1:30"), ("2024-01-01", "2024-01-01"), ("=", "="), ("e3", "e3"), ("1e", "1e"), (".", "."),
    ("'1e-3'", "1e-3"), ("!!str 12", "12"), ("!!float 3", 3.0), ("!!int 12", 12),
    ("yes", True), ("off", False), ("~", None), ("", None), ("null", None),
])
def test_scalars_read_as_an_author_means_them(parser, text, value):
    got = yamlsrc.load(f"x: {text}\n", "f.yaml").data["x"]
    assert got == value and type(got) is type(value)


def test_inf_and_nan(parser):
    d = yamlsrc.load("a: .inf\nb: -.Inf\nc: .nan\n", "f.yaml").data
    assert d["a"] == np.inf and d["b"] == -np.inf and np.isnan(d["c"])


@pytest.mark.parametrize("text,line,message", [
    ("a: 1\nb: [" + "[" * 40 + "]" * 41 + "\n", 2, "nested more than 32 levels deep"),
    ("a:\n" + "".join(" " * i + "b:\n" for i in range(1, 60)), 33, "nested more than 32 levels deep"),
    ("a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(6)), 6,
     "more than 250,000 values"),
    ("a: &a [1, *a]\n", 1, "the alias *a repeats the list or mapping it is inside"),
    ("a: *nowhere\n", 1, "unknown alias *nowhere"),
    ("a: 1\nb: !!python/object:os.system ls\n", 2, "the YAML tag '!!python/object:os.system' is not supported"),
    ("a: !!binary aGVsbG8=\n", 1, "the YAML tag '!!binary' is not supported"),
    ("a: !!set {x, y}\n", 1, "the YAML tag '!!set' is not supported"),
    ("a: !mine x\n", 1, "the YAML tag '!mine' is not supported"),
    ("a: !!int abc\n", 1, "'abc' is not a valid !!int"),
    ("base: &b {x: 1}\nc:\n  <<: *b\n", 3, "merge keys (<<) are not supported"),
    ("a: 1\na: 2\n", 2, "duplicate key 'a'"),
    ("[a]: 1\n", 1, "keys must be plain words"),
    ("a: 1\n---\nb: 2\n", 2, "a second YAML document starts here"),
    ("a: 1\nb: x\x00y\n", 2, "the character U+0000 is not allowed in YAML"),
    ("a: 1\nb: \x07\n", 2, "the character U+0007 is not allowed in YAML"),
    ("a: [1, 2\nb: 3\n", 2, "YAML syntax error"),
    ("a: 1\n\tb: 2\n", 2, "YAML syntax error"),
])
def test_each_problem_is_one_error_at_its_line(parser, text, line, message):
    (found,) = errors_of(yamlsrc.load, text, "f.yaml")
    assert found[0] == line and message in found[1], found


def test_line_offset_applies_to_every_error(parser):
    (found,) = errors_of(yamlsrc.load, "a: 1\nb: !!set {x}\n", "f.md", 1)
    assert found[0] == 3


def test_text_over_the_limit_is_refused_unread(monkeypatch):
    monkeypatch.setattr(yamlsrc, "MAX_CHARS", 100)
    (found,) = errors_of(yamlsrc.load, "a: " + "x" * 200, "f.yaml")
    assert found[0] is None and "the limit is 100" in found[1]


def test_deep_nesting_is_refused_fast():
    """A megabyte of '[' would take libyaml minutes (quadratic) and overflow the C stack
    of its composer; the event loop stops at the first list too deep."""
    import time

    t = time.perf_counter()
    (found,) = errors_of(yamlsrc.load, "a: " + "[" * 499_000 + "]" * 499_000, "f.yaml")
    assert "nested more than" in found[1] and time.perf_counter() - t < 5


def test_both_parsers_give_the_same_lines():
    text = (REPO / "content" / "scenarios" / "xor-learning-rates.yaml").read_text()
    got = []
    for p in PARSERS:
        yamlsrc._FAST, old = p, yamlsrc._FAST
        try:
            loc = yamlsrc.load(text, "x.yaml")
        finally:
            yamlsrc._FAST = old
        got.append((loc.data, loc.lines))
    assert all(g == got[0] for g in got)


def test_schema_reports_all_missing_keys_in_one_message():
    loc = yamlsrc.load("title: x\n", "f.yaml")
    errs = ErrorCollector()
    check(loc, (), {"title": Field(str), "a": Field(int, required=True), "b": Field(int, required=True),
                    "c": Field(int, required=True)}, errs, "the thing")
    assert [(e.line, e.message) for e in errs.errors] == [(1, "the thing is missing 'a', 'b' and 'c'")]


def test_schema_takes_a_whole_float_where_a_whole_number_is_wanted():
    loc = yamlsrc.load("steps: 1e4\nn: 2.5\n", "f.yaml")
    errs = ErrorCollector()
    out = check(loc, (), {"steps": Field(int), "n": Field(int)}, errs, "x")
    assert out["steps"] == 10000 and type(out["steps"]) is int
    assert [e.message for e in errs.errors] == ["'n' should be a whole number, got 2.5"]


# --- scenario limits, each at its line --------------------------------------------------------

BASE = """\
network: {sizes: [2, 4, 1], activations: [tanh, sigmoid]}
data: {generator: moons, n: 50}
train:
  learning_rate: 0.5
  steps: 100
"""


def parse_text(tmp_path: Path, text: str, name="s.yaml"):
    p = tmp_path / name
    p.write_text(text)
    return scenarios.parse(p)


@pytest.mark.parametrize("old,new,line,message", [
    ("n: 50", "n: 1000000000", 2, "'n' must be from 2 to 10,000, got 1000000000"),
    ("n: 50", "n: 1", 2, "'n' must be from 2 to 10,000, got 1"),
    ("n: 50", "n: 50, noise: -0.1", 2, "'noise' must be a finite number >= 0, got -0.1"),
    ("n: 50", "n: 50, noise: .nan", 2, "'noise' must be a finite number >= 0, got nan"),
    ("n: 50", "n: 50, seed: -1", 2, "'seed' must be a whole number >= 0, got -1"),
    ("sizes: [2, 4, 1]", "sizes: [2, 1000000, 1]", 1, "a layer of 1,000,000 units; the limit is 4,096"),
    ("[2, 4, 1], activations: [tanh, sigmoid]", "[2" + ", 2" * 40 + ", 1], activations: [" + "tanh, " * 40 + "sigmoid]",
     1, "41 layers; the limit is 32"),
    ("steps: 100", "steps: 100000000", 5, "too many training steps"),
    ("steps: 100", "epochs: 5000\n  batch: 1", 5, "too many training steps"),
    ("steps: 100", "steps: 150000", 5, "the trace would keep"),
    ("steps: 100", "steps: 100\nrecord: {detail: {steps: [0, 101]}}", 6, "step 101 is not in the run (steps 0 to 100)"),
    ("steps: 100", "steps: 100\nrecord: {detail: {steps: [zero]}}", 6, "a detail step is a step number >= 0, got 'zero'"),
    ("steps: 100", "steps: 100\nrecord: {detail: {samples: [true]}}", 6, "sample True does not exist"),
    ("steps: 100", "steps: 100\nrecord: {detail: {samples: []}}", 6, "detail 'samples' needs at least one entry"),
    ("steps: 100", "steps: 100\nrecord: {every_until: 5, then_every: 0}", 6, "then_every must be at least 1, got 0"),
    ("steps: 100", "steps: 100\nrecord:\n  slice: {weight: 'W1[0,0]', range: [-.inf, .inf]}", 7, "range should be [-4, 4]"),
    ("learning_rate: 0.5", "learning_rate: .inf", 4, "the learning rate must be a finite number, got inf"),
    ("learning_rate: 0.5", "learning_rate: .nan", 4, "the learning rate must be a finite number, got nan"),
    ("learning_rate: 0.5", "learning_rate: 0.5\n  optimizer: momentum\n  momentum: .nan", 6, "momentum must be in [0, 1), got nan"),
    ("learning_rate: 0.5", "learning_rate: 0.5\n  shuffle_seed: -2", 5, "'shuffle_seed' must be a whole number >= 0, got -2"),
    ("learning_rate: 0.5", "learning_rate: 0.5\n  stop: {loss_below: .nan}", 5, "loss_below must be a finite number"),
    ("learning_rate: 0.5", "learning_rate: 0.5\n  freeze: [[b1]]", 5, "freeze lists parameter names"),
    ("learning_rate: 0.5", "learning_rate: 0.5\n  batch: 60", 5, "batch 60 is more than the 50 samples"),
    ("learning_rate: 0.5", "learning_rate: 1:30", 4, "'learning_rate' should be a number, got '1:30'"),
    ("steps: 100", "steps: twelve", 5, "'steps' should be a whole number, got 'twelve'"),
    ("activations: [tanh, sigmoid]", "activations: [[tanh], sigmoid]", 1, "an activation is a name"),
])
def test_each_limit_and_value_is_refused_at_its_line(tmp_path, old, new, line, message):
    assert old in BASE
    found = errors_of(parse_text, tmp_path, BASE.replace(old, new))
    assert len(found) == 1 and found[0][0] == line and message in found[0][1], found


def test_too_much_work_is_refused_at_the_steps(tmp_path):
    text = BASE.replace("n: 50", "n: 5000").replace("steps: 100", "steps: 10000\nrecord: {every_until: 0, then_every: 5000}")
    (found,) = errors_of(parse_text, tmp_path, text)
    assert found[0] == 5 and found[1].startswith("too much to train at build time: 10,000 steps x 1 member(s) x 5,000 samples")


def test_a_costly_landscape_is_refused_at_its_entry(tmp_path):
    text = BASE.replace("n: 50", "n: 2000").replace("steps: 100", "steps: 10\nrecord:\n  slice: {weight: 'W1[0,0]'}\n"
                                                    "  surface:\n    - {weights: ['W1[0,0]', 'W1[0,1]'], points: 5}\n"
                                                    "    - {weights: ['W1[0,0]', 'W1[1,1]'], points: 201}")
    (found,) = errors_of(parse_text, tmp_path, text)
    assert found[0] == 10 and found[1].startswith("this surface costs 5.41e+09 (points x points x members x samples")


def test_too_many_activations_at_once_is_refused_at_the_sizes(tmp_path):
    text = BASE.replace("n: 50", "n: 10000").replace("[2, 4, 1]", "[2, 400, 1]").replace("steps: 100", "steps: 1")
    (found,) = errors_of(parse_text, tmp_path, text)
    assert found[0] == 1 and "activations (members x samples x units)" in found[1]


@pytest.mark.parametrize("text,line,message", [
    ("init: {seed: -3}\n", 6, "'seed' must be a whole number >= 0, got -3"),
    ("init: {scale: .inf}\n", 6, "'scale' must be a number from 0 to 1,000, got inf"),
    ("init: {scale: -1, scheme: normal}\n", 6, "'scale' must be a number from 0 to 1,000, got -1"),
    ("init:\n  weights:\n    W1: [[1, 2], [3, 4], [5, 6], [7, .nan]]\n", 8, "W1 holds a NaN or infinite value"),
    ("init:\n  weights:\n    W1: [['1', '2'], [3, 4], [5, 6], [7, 8]]\n", 8, "W1 should be numbers in rows"),
    ("init:\n  weights:\n    W1: [[true, false], [3, 4], [5, 6], [7, 8]]\n", 8, "W1 should be numbers in rows"),
    ("init:\n  weights:\n    W1: [[1, 2], [3, 4], [5, 6], [7, 8]]\n    W2: [[1, 2, 3, 4]]\nsweep: {seeds: [1, 2]}\n", 10,
     "every weight is given in init.weights (biases not given start at 0), so 'seeds' would change nothing"),
    ("sweep: {seeds: [1, -2]}\n", 6, "a seed should be a whole number >= 0, got -2"),
    ("sweep:\n  learning_rates: [0.1, .inf]\n", 6, "the learning rate must be a finite number, got inf"),
    ("sweep: {hidden: [[4], [100000]]}\n", 6, "a layer of 100,000 units"),
    ("sweep: {datasets: []}\n", 5, "'datasets' needs at least one value"),
])
def test_more_values_refused_at_their_line(tmp_path, text, line, message):
    body = BASE
    if "learning_rates" in text:
        body = body.replace("  learning_rate: 0.5\n", "")
    if "datasets" in text:
        body = body.replace("data: {generator: moons, n: 50}\n", "")
    found = errors_of(parse_text, tmp_path, body + text)
    assert len(found) == 1 and found[0][0] == line and message in found[0][1], found


@pytest.mark.parametrize("rows,loss,line,message", [
    ("[0]\n    - [2]", "binary_cross_entropy", 6, "binary_cross_entropy needs targets between 0 and 1; sample 2 has [2]"),
    ("[.inf]\n    - [1]", "squared_error", 5, "targets row 1 holds [inf]; every value must be a finite number"),
    ("[1]\n    - [.nan]", "squared_error", 6, "targets row 2 holds [nan]; every value must be a finite number"),
])
def test_targets_are_refused_at_their_row(tmp_path, rows, loss, line, message):
    text = (f"network: {{sizes: [1, 1], activations: [sigmoid], loss: {loss}}}\ndata:\n  inputs: [[0], [1]]\n"
            f"  targets:\n    - {rows}\ntrain: {{learning_rate: 0.1, steps: 3}}\n")
    found = errors_of(parse_text, tmp_path, text)
    assert found == [(line, message)]


def test_cross_entropy_on_a_generator_is_refused_at_the_generator(tmp_path):
    text = "network: {sizes: [2, 1], activations: [softmax], loss: cross_entropy}\ndata: {generator: xor}\ntrain: {learning_rate: 1, steps: 3}\n"
    (found,) = errors_of(parse_text, tmp_path, text)
    assert found[0] == 2 and "generator 'xor': cross_entropy needs targets" in found[1]


def test_limits_leave_the_real_scenarios_alone():
    found = scenarios.load_scenarios(REPO / "content")
    assert {"one-weight", "worked-example", "xor-learning-rates"} <= set(found)


def test_a_scenario_just_inside_the_limits_trains_quickly(tmp_path):
    """The loop limit with the smallest network: the longest a scenario may train."""
    import time

    steps = scenarios.MAX_LAYER_STEPS // 2 - 2 * 4 * 2  # 2 layers; the gradient check's share
    s = parse_text(tmp_path, BASE.replace("steps: 100", f"steps: {steps // 10}").replace("n: 50", "n: 4"))
    t = time.perf_counter()
    scenarios.run(s)
    per_step = (time.perf_counter() - t) / (steps // 10)
    assert per_step * steps < 60  # seconds, at the limit, on a slow shared machine


# --- files that are not scenarios ------------------------------------------------------------

GOOD = "network: {sizes: [1, 1], activations: [linear]}\ndata: {inputs: [[1]], targets: [[2]]}\ntrain: {learning_rate: 0.1, steps: 3}\n"


def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content" / "scenarios"
    folder.mkdir(parents=True)
    (folder / "good.yaml").write_text(GOOD)
    return folder


def test_editor_files_are_ignored(tmp_path):
    folder = content(tmp_path)
    (folder / ".#good.yaml").symlink_to("someone@host.1234:1700000000")  # an Emacs lock: a dangling link
    (folder / "good.yaml~").write_text("broken: [")
    (folder / "#good.yaml#").write_text("broken: [")
    (folder / ".good.yaml.swp").write_bytes(b"\x00\xff")
    (folder / ".hidden.yaml").write_text("broken: [")
    assert list(scenarios.load_scenarios(tmp_path / "content")) == ["good"]


@pytest.mark.parametrize("make,message", [
    (lambda f: (f / "x.yaml").mkdir(), "this is a folder, not a scenario file"),
    (lambda f: (f / "x.yaml").symlink_to("nowhere.yaml"), "a link to a file that does not exist"),
    (lambda f: os.mkfifo(f / "x.yaml"), "this is not a regular file"),
    (lambda f: (f / "x.yml").write_text(GOOD), "scenario files end in .yaml; rename this one x.yaml"),
    (lambda f: (f / "x.yaml").write_bytes(b"title: ok\ndata: \xff\n"), "not valid UTF-8"),
])
def test_what_is_not_a_scenario_file_is_one_error(tmp_path, make, message):
    folder = content(tmp_path)
    make(folder)
    (found,) = errors_of(scenarios.load_scenarios, tmp_path / "content")
    assert message in found[1]


def test_a_huge_file_is_refused_unread(tmp_path, monkeypatch):
    folder = content(tmp_path)
    monkeypatch.setattr(scenarios, "MAX_FILE_BYTES", 1000)
    (folder / "big.yaml").write_text("title: " + "x" * 2000 + "\n")
    (found,) = errors_of(scenarios.load_scenarios, tmp_path / "content")
    assert found[0] is None and "bytes" in found[1]


# --- training in workers: errors come back as lines, all of them -------------------------------

def test_worker_errors_come_back_as_content_errors(tmp_path, monkeypatch):
    """Whatever a worker raises comes back as plain lines (a ContentError does not survive
    pickling; before, it broke the pool with a traceback), every failing scenario reported."""
    folder = content(tmp_path)
    for name in ("bad-one", "bad-two", "fine"):
        (folder / f"{name}.yaml").write_text(GOOD)
    found = scenarios.load_scenarios(tmp_path / "content")
    real = scenarios._train

    def fail_some(s):  # runs in the worker: it is forked, so the patch is there too
        if s.name == "bad-one":
            raise ContentError(s.path, 7, "the engine refuses bad-one")
        if s.name == "bad-two":
            raise ContentErrors([ContentError(s.path, 2, "first"), ContentError(s.path, 3, "second")])
        return real(s)

    monkeypatch.setattr(scenarios, "_train", fail_some)
    # The three have one shape, so they would train as one batch (scenarios.run_many): when a
    # batch fails, each of its scenarios trains alone, through _train, and says its own problem.
    monkeypatch.setattr(scenarios.engine, "train_many", lambda jobs: (_ for _ in ()).throw(ValueError("a batch")))
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    with pytest.raises(ContentErrors) as info:
        build.stage_train(found, tmp_path / ".cache")
    lines = [str(e) for e in info.value.errors]
    assert len(lines) == 3, lines
    assert lines[0].endswith("bad-one.yaml:7: the engine refuses bad-one")
    assert lines[1].endswith("bad-two.yaml:2: first") and lines[2].endswith("bad-two.yaml:3: second")
    assert list((tmp_path / ".cache" / "traces").glob("fine-*.json"))


def test_a_worker_that_dies_is_an_error_not_a_traceback(tmp_path, monkeypatch):
    folder = content(tmp_path)
    (folder / "dies.yaml").write_text(GOOD.replace("steps: 3", "steps: 4"))
    found = scenarios.load_scenarios(tmp_path / "content")
    real = scenarios._train
    monkeypatch.setattr(scenarios, "_train", lambda s: os._exit(3) if s.name == "dies" else real(s))
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    with pytest.raises(ContentErrors) as info:
        build.stage_train(found, tmp_path / ".cache")
    assert any("dies.yaml: training stopped: its worker process died" in str(e) for e in info.value.errors)


def test_an_engine_error_that_escapes_validation_names_the_scenario(tmp_path, monkeypatch):
    s = parse_text(tmp_path, GOOD)
    monkeypatch.setattr(engine, "train_members", lambda *a: (_ for _ in ()).throw(ValueError("no good")))
    (found,) = errors_of(scenarios.run, s)
    assert found == (None, "no good")
    monkeypatch.setattr(engine, "train_members", lambda *a: (_ for _ in ()).throw(ZeroDivisionError("oops")))
    (found,) = errors_of(scenarios.run, s)
    assert "training failed (ZeroDivisionError: oops)" in found[1]


# --- harmless inputs still build ---------------------------------------------------------------

@pytest.fixture
def mini(tmp_path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(REPO / "tests" / "sites" / "mini", root)
    shutil.copytree(REPO / "themes", root / "themes")
    return root


@pytest.mark.parametrize("bom,newline", [(True, "\n"), (False, "\r\n"), (True, "\r\n")])
def test_bom_crlf_and_1e_minus_3_build(mini, bom, newline):
    path = mini / "content" / "scenarios" / "tiny.yaml"
    text = path.read_text().replace("learning_rate: 0.05", "learning_rate: 1e-3").replace("steps: 12", "steps: 1.2e1")
    path.write_bytes((("\ufeff" if bom else "") + text.replace("\n", newline)).encode("utf-8"))
    assert cli.main(["build", "--quiet", "--root", str(mini)]) == 0
    s = scenarios.load_scenarios(mini / "content")["tiny"]
    assert s.etas == [0.001] and s.config.steps == 12 and s.title == "Tiny"
    (tr,) = scenarios.run(s, mini / ".cache" / "traces")
    assert tr.eta == 0.001 and tr.last_step == 12
