"""Scenario validation (message, file and line for each mistake), the trace cache, and the
two trace encodings."""
from __future__ import annotations

import base64
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from site_builder import engine, scenarios, traces
from site_builder.errors import ContentError, ContentErrors

GOOD = """\
title: Tiny
network:
  sizes: [1, 1]
  activations: [linear]
data:
  inputs: [[1.0], [2.0]]
  targets: [[2.0], [4.0]]
init:
  weights:
    W1: [[0.5]]
    b1: [0.0]
train:
  learning_rate: 0.05
  steps: 12
  freeze: [b1]
"""


def write(tmp_path: Path, text: str, name="s.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def problems(path: Path) -> list[tuple[int | None, str]]:
    with pytest.raises((ContentError, ContentErrors)) as info:
        scenarios.parse(path)
    exc = info.value
    errs = exc.errors if isinstance(exc, ContentErrors) else [exc]
    for e in errs:
        assert e.path.endswith(path.name)
    return [(e.line, e.message) for e in errs]


def test_good_scenario_parses(tmp_path):
    s = scenarios.parse(write(tmp_path, GOOD))
    assert s.name == "s" and not s.is_sweep
    assert s.net.sizes == (1, 1) and s.config.frozen == frozenset({"b1"})


@pytest.mark.parametrize("old,new,line,message", [
    ("  learning_rate: 0.05", "  learnin_rate: 0.05", 13,
     "unknown key 'learnin_rate' in train (did you mean 'learning_rate'?)"),
    ("  learning_rate: 0.05", "  learning_rate: -0.5", 13, "the learning rate must be positive, got -0.5"),
    ("  steps: 12", "  steps: 0", 14, "'steps' must be at least 1, got 0"),
    ("  activations: [linear]", "  activations: [sigmod]", 4, "unknown activation 'sigmod' (did you mean 'sigmoid'?)"),
    ("    W1: [[0.5]]", "    W1: [[0.5, 1.0]]", 10, "W1 should have shape [1, 1] for layer sizes [1, 1], got [1, 2]"),
    ("  steps: 12", "  steps: twelve", 14, "'steps' should be a whole number, got 'twelve'"),
    ("  targets: [[2.0], [4.0]]", "  targets: [[2.0]]", 7, "2 inputs but 1 targets"),
    ("  freeze: [b1]", "  freeze: [b2]", 15, "cannot freeze 'b2': no such parameter"),
    ("title: Tiny", "title: Tiny\ntitle: Again", 2, "duplicate key 'title'"),
    ("  steps: 12", "  steps: [12", 15, "YAML syntax error"),
])
def test_each_mistake_names_its_line(tmp_path, old, new, line, message):
    assert old in GOOD
    found = problems(write(tmp_path, GOOD.replace(old, new)))
    assert any(l == line and m.startswith(message) for l, m in found), found


def test_several_mistakes_reported_together(tmp_path):
    text = GOOD.replace("  steps: 12", "  epochs: 3\n  steps: 12").replace("learning_rate: 0.05", "learning_rate: 0")
    found = problems(write(tmp_path, text))
    assert (12, "train needs exactly one of 'steps' and 'epochs'") in found
    assert (13, "the learning rate must be positive, got 0") in found


def test_cli_error_is_one_line(tmp_path):
    path = write(tmp_path, GOOD.replace("sizes: [1, 1]", "sizes: [1, 0]"))
    proc = subprocess.run([sys.executable, "-m", "site_builder", "trace", str(path)], capture_output=True, text=True)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().endswith("s.yaml:3: sizes should be two or more positive whole numbers, got [1, 0]")


def test_second_run_comes_from_cache(tmp_path, monkeypatch):
    s = scenarios.parse(write(tmp_path, GOOD))
    first = scenarios.run(s, tmp_path / "cache")

    def refuse(*a, **k):
        raise AssertionError("trained again")

    monkeypatch.setattr(engine, "train", refuse)
    monkeypatch.setattr(engine, "train_sweep", refuse)
    monkeypatch.setattr(engine, "train_members", refuse)
    again = scenarios.run(s, tmp_path / "cache")
    assert again[0].loss.tobytes() == first[0].loss.tobytes()
    assert again[0].params["W1"].tobytes() == first[0].params["W1"].tobytes()


def test_plain_json_round_trips_nan_and_inf(tmp_path):
    s = scenarios.parse(write(tmp_path, GOOD.replace("learning_rate: 0.05", "learning_rate: 50").replace("steps: 12", "steps: 400")))
    (tr,) = scenarios.run(s)
    assert tr.stopped == "diverged"
    tr.loss[-1] = np.nan
    tr.params["W1"][-1, 0, 0] = -np.inf
    text = traces.to_plain_json([tr], s)
    json.loads(text)  # strict JSON: no bare NaN
    assert '{"$float":"NaN"}' in text and '{"$float":"-Infinity"}' in text
    (back,) = traces.from_plain_json(text)
    assert math.isnan(back.loss[-1]) and back.params["W1"][-1, 0, 0] == -np.inf
    assert back.loss[:-1].tobytes() == tr.loss[:-1].tobytes()
    assert back.diverged_at == tr.diverged_at and back.diverged_reason == tr.diverged_reason


def test_page_json_is_exact_and_script_safe(tmp_path):
    s = scenarios.parse(write(tmp_path, GOOD.replace("title: Tiny", 'title: "</script><!-- \\u2028"')))
    runs = scenarios.run(s)
    text = traces.to_page_json(runs, s)
    assert "</" not in text and "<!--" not in text and "\u2028" not in text
    doc = json.loads(text)
    assert doc["title"] == "</script><!-- \u2028"
    packed = doc["runs"][0]["loss"]
    loss = np.frombuffer(base64.b64decode(packed["b64"]), dtype="<f8")
    assert loss.tobytes() == runs[0].loss.tobytes()


def test_shipped_scenarios_pass_gradcheck():
    found = scenarios.load_scenarios(Path(__file__).resolve().parents[2] / "content")
    assert {"worked-example", "one-weight"} <= set(found)
    for s in found.values():
        assert scenarios.check_gradients(s).max_rel_error < 1e-6, s.name
