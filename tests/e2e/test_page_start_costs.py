"""What keeps a page's start cheap changes nothing it shows: BPE.nn.recordOutputs gives each
record's outputs as the engine recorded them (and bit for bit what forward() gives on that
record's weights); a trace's arrays, decoded only when a widget first reads them, are the
engine's numbers; and the page, which the browser does not lay out while the scripts start,
shows at data-ready, at once without JavaScript and in print, and after 3 s even if the
scripts never finish. Expected values come from the engine's traces, trained here."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from site_builder import scenarios

ROOT = Path(__file__).resolve().parents[2]
SHOWN = "() => getComputedStyle(document.body).display !== 'none'"


@pytest.fixture(scope="module")
def runs():
    found = scenarios.load_scenarios(ROOT / "content")
    return {name: scenarios.run(found[name], ROOT / ".cache") for name in ("xor-why-hidden", "nw-landscape")}


RECORD_OUTPUTS = """(id) => {
  const tr = BPE.decodeTrace(document.getElementById(id).textContent);
  return tr.runs.map((run) => {
    const net = BPE.nn.net(run.net), all = BPE.nn.recordOutputs(net, run, run.X);
    const n = run.X.length, d = net.sizes[net.L];
    let same = true;
    for (let r = 0; r < run.steps.length; r++) {
      const a = BPE.nn.forward(net, BPE.nn.paramsAt(run, r), run.X).a[net.L];
      for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) if (!Object.is(a[i][k], all[(r * n + i) * d + k])) same = false;
    }
    return {sizes: run.net.sizes, steps: run.steps, outputs: Array.from(all), sameAsForward: same};
  });
}"""


def evaluate_at_ready(page, url: str, script: str, trace_id: str):
    """Open the page, wait for data-ready, and run the script on one of its trace blocks."""
    page.goto(url)
    page.wait_for_selector("html[data-ready=true]")
    return page.evaluate(script, trace_id)


def test_record_outputs_are_the_engines_recorded_outputs(page, site_url, runs):
    got = evaluate_at_ready(page, site_url("xor-network.html"), RECORD_OUTPUTS, "trace-xor-why-hidden")
    members = runs["xor-why-hidden"]
    assert len(got) == len(members) == 2
    for shown, tr in zip(got, members):
        assert shown["sizes"] == list(tr.net.sizes)
        assert shown["steps"] == tr.steps.tolist()
        assert shown["sameAsForward"]
        # A sweep's weights travel as float32: our own forward pass on exactly those weights,
        # and the engine's recorded outputs to float32's precision.
        ours = []
        for r in range(len(tr.steps)):
            a = tr.X
            for layer, act in enumerate(tr.net.activations, 1):
                W, b = (np.float32(tr.params[f"{k}{layer}"][r]).astype(np.float64) for k in "Wb")
                z = a @ W.T + b
                a = {"sigmoid": lambda v: 1 / (1 + np.exp(-v)), "tanh": np.tanh}[act](z)
            ours.append(a)
        np.testing.assert_allclose(shown["outputs"], np.ravel(ours), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(shown["outputs"], tr.outputs.ravel(), rtol=1e-6)
    assert page.console_messages == [] and page.page_errors == []


LAZY = """(id) => {
  const tr = BPE.decodeTrace(document.getElementById(id).textContent);
  const run = tr.runs[4];
  const keys = Object.keys(run.params);
  const W1 = run.params.W1, again = run.params.W1;
  const surface = run.surface[0];
  const plain = JSON.parse(JSON.stringify(tr.runs[2]));
  run.loss = ["replaced"];
  return {keys, W1, same: W1 === again, u: surface.u, loss: surface.loss, X: run.X, sharedX: run.X === tr.X,
          plainLoss: plain.loss, plainHasParams: Object.keys(plain.params), replaced: run.loss};
}"""


def test_arrays_decoded_when_first_read_are_the_engines_numbers(page, site_url, runs):
    got = evaluate_at_ready(page, site_url("next-word.html"), LAZY, "trace-nw-landscape")
    members = runs["nw-landscape"]
    f32 = lambda a: np.asarray(a, dtype=np.float32).astype(np.float64)  # a sweep travels as float32
    tr = members[4]
    assert sorted(got["keys"]) == sorted(tr.params)
    assert np.array_equal(got["W1"], f32(tr.params["W1"]))
    assert got["same"]                          # decoded once, then a plain property
    assert np.array_equal(got["u"], f32(tr.surfaces[0].u))
    assert np.array_equal(got["loss"], f32(tr.surfaces[0].loss))
    assert np.array_equal(got["X"], tr.X) and got["sharedX"]
    assert np.array_equal(got["plainLoss"], f32(members[2].loss))   # JSON sees every field
    assert sorted(got["plainHasParams"]) == sorted(members[2].params)
    assert got["replaced"] == ["replaced"]      # a write replaces the getter


def without_scripts(path: Path, tmp_path: Path) -> Path:
    """The page as a browser would get it if its scripts never ran (but scripting is on)."""
    text = re.sub(r"<script>.*?</script>", "", path.read_text(), flags=re.S)
    out = tmp_path / path.name
    out.write_text(text)
    return out


def test_the_lesson_shows_at_ready_and_without_scripts_after_3_s(browser, built_site, site_url, tmp_path):
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(site_url("backpropagation.html"))
    page.wait_for_selector("html[data-ready=true]")
    assert page.evaluate(SHOWN) and page.locator("main h1").is_visible()
    # Scripts that never finish: hidden while they might still run, then shown anyway.
    page.goto(without_scripts(built_site / "backpropagation.html", tmp_path).as_uri())
    assert page.get_attribute("html", "data-ready") == "false"
    assert not page.evaluate(SHOWN)
    page.emulate_media(media="print")
    assert page.evaluate(SHOWN)  # print never waits
    page.emulate_media(media="screen")
    page.wait_for_function(SHOWN, timeout=10_000)
    assert page.locator("main h1").is_visible()
    ctx.close()
    # Without JavaScript: shown at once.
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(site_url("backpropagation.html"))
    assert page.evaluate(SHOWN) and page.locator("main h1").is_visible()
    ctx.close()
