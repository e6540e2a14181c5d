"""The next-word lesson's widget modules on their own: what they compute at build time, and the
scenarios they refuse, checked against the engine's runs and a little numpy."""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from site_builder import scenarios
from site_builder.widgets import generalise, landscape, next_word, wiggle

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def runs():
    found = scenarios.load_scenarios(ROOT / "content")
    return {name: scenarios.run(found[name], ROOT / ".cache") for name in ("nw-guess", "nw-capitals", "nw-landscape")}


def no_math(tex, display):
    return tex


def test_generalise_reports_the_held_out_sentence_with_numpy_s_forward_pass(runs):
    tr = runs["nw-capitals"][0]
    ctx = generalise.context([tr], {"test": ["Germany", "city", "is"], "answer": "Berlin"}, "w1", no_math)
    rows = ctx["rows"]
    assert len(rows) == len(tr.X) + 1 and rows[-1]["held_out"] and not any(r["held_out"] for r in rows[:-1])
    p = {k: v[-1] for k, v in tr.params.items()}
    x = np.array([1.0 if w in ("Germany", "city", "is") else 0.0 for w in tr.input_labels])
    h = 1 / (1 + np.exp(-(p["W1"] @ x + p["b1"])))
    z = p["W2"] @ h + p["b2"]
    o = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    assert rows[-1]["answer_p"] == f"{o[tr.output_labels.index('Berlin')]:.1%}"
    assert rows[-1]["guess"] == tr.output_labels[int(np.argmax(o))]
    assert [r["answer"] for r in rows[:-1]] == [tr.output_labels[int(np.argmax(t))] for t in tr.T]


@pytest.mark.parametrize("options,word", [({"test": ["Spain", "is"], "answer": "Madrid"}, "'Spain'"),
                                          ({"test": ["Italy", "is"], "answer": "Oslo"}, "'Oslo'")])
def test_generalise_refuses_words_the_scenario_lacks(runs, options, word):
    with pytest.raises(ValueError, match=word):
        generalise.context(runs["nw-capitals"], options, "w1", no_math)


def test_wiggle_names_the_weight_with_the_scenario_s_words(runs):
    tr = runs["nw-capitals"][0]
    assert wiggle.describe(tr, "W2[0,2]") == "the weight from hidden unit 3 to “Paris”"
    assert wiggle.describe(tr, "W1[1,4]") == "the weight from “city” to hidden unit 2"
    assert wiggle.describe(tr, "b2[1]") == "the bias of “Rome”"
    assert wiggle.check(runs["nw-guess"]) is not None          # records no slice
    assert wiggle.check(runs["nw-capitals"]) is None


def test_next_word_needs_detail_at_every_step_and_one_run(runs):
    tr = runs["nw-guess"][0]
    assert next_word.check([tr]) is None
    assert next_word.check(runs["nw-capitals"]) is not None     # detail only where recorded, not every step
    assert next_word.check([tr, tr]) is not None
    ctx = next_word.context([tr], {"mode": "guess"}, "w1", no_math)
    assert ctx["word"] == "Paris" and ctx["words"] == ["France", "capital", "is"]
    assert ctx["first"] == f"{tr.outputs[0, 0, 0]:.1%}"


def test_landscape_refuses_a_run_that_trains_more_than_the_map_s_two_weights(runs):
    members = runs["nw-landscape"]
    assert landscape.check(members) is None
    moved = [replace(t, params={**t.params, "b1": t.params["b1"] + np.arange(len(t.steps))[:, None]}) for t in members]
    assert "only trained parameters" in landscape.check(moved)


def test_landscape_figure_ids_are_unique(runs):
    svg = landscape.figure(runs["nw-landscape"], "w9", [0.5, 1.5, 4.0], [3, 4], ["a", "b"])
    ids = re.findall(r'id="([^"]+)"', svg)
    assert len(ids) == len(set(ids))


def test_what_the_lesson_says_in_words_is_what_the_engine_recorded(runs):
    """The prose names words and trends (numbers come from expressions); keep them true."""
    guess = runs["nw-guess"][0]
    assert guess.output_labels[int(np.argmax(guess.outputs[0, 0]))] == "London"     # "its favourite is London"
    assert guess.outputs[0, 0, 0] < 0.2                                               # "about as good as knowing nothing"
    cap = runs["nw-capitals"][0]
    assert cap.grads["W2"][0][0, 2] < 0                                               # "negative, so training will raise it"
    sl = cap.slices[0]
    low = int(np.argmin(sl.loss))
    assert 0 < low < len(sl.values) - 1                                               # a valley inside the slider's range
    ctx = generalise.context([cap], {"test": ["Germany", "city", "is"], "answer": "Berlin"}, "w1", no_math)
    assert ctx["rows"][-1]["right"] and all(r["right"] for r in ctx["rows"])           # "puts Berlin first"
    members = runs["nw-landscape"]
    by_eta = {}
    for t in members:
        by_eta.setdefault(t.eta, []).append(t)
    small, moderate, large = (by_eta[e] for e in sorted(by_eta))
    best = min(t.loss[-1] for t in moderate)
    assert all(t.loss[-1] == pytest.approx(best, abs=1e-3) for t in moderate)       # "reaches the bottom"
    def arrival(t):
        return int(np.argmax(t.loss < best + 0.01))
    for slow, quick in zip(small, moderate):                                          # same start, eta-major
        assert 0 < arrival(quick) < arrival(slow)                                     # "many short steps ... fewer"
    assert all(any(np.diff(t.loss) > 0) and t.loss[-1] > best + 0.5 for t in large)   # "jumps over the valley"


def test_the_forward_page_field_is_the_detail_s_z_and_a_by_layer(runs):
    import base64
    import json

    from site_builder import traces

    found = scenarios.load_scenarios(ROOT / "content")
    tr = runs["nw-guess"][0]
    page = json.loads(traces.to_page_json([tr], found["nw-guess"], fields=("forward",)))
    fwd = page["runs"][0]["forward"]
    assert fwd["steps"] == sorted(tr.detail) and fwd["samples"] == [0]

    def unpack(p):
        return np.frombuffer(base64.b64decode(p["b64"]), dtype="<f8").reshape(p["shape"])
    for key in ("z", "a"):
        assert len(fwd[key]) == len(tr.detail[0][key])
        for layer, packed in enumerate(fwd[key]):
            got = unpack(packed)
            for k, step in enumerate(fwd["steps"]):
                assert np.array_equal(got[k], tr.detail[step][key][layer])   # bit for bit
    assert "delta" not in fwd
    assert traces.PAGE_FIELDS["forward"].encode(runs["nw-capitals"][0], "f64") is None   # no detail, no field
