"""Lesson 05, "From one neuron to a network you train", driven as a learner.

- one-neuron: a slider moved by its keys moves the boundary line; the line's drawn endpoints
  satisfy w1·x1 + w2·x2 + b = 0 for the weights the test expects from the scenario's start and
  the keys pressed (x2 = -(w1·x1 + b)/w2); with b at 0 the page says the line is pinned and the
  line passes through the origin.
- layer-matmul: every number shown (W, the input vector, b, z, the unit-by-unit sums) equals,
  to the three decimals shown, W·a + b computed here by numpy from the trace embedded in the
  page (decoded with the page's own decoder) and from the engine's own run of the scenario;
  choosing the start weights and another point changes them accordingly; hovering or focusing
  a row lights the matching unit.
- forward-steps: Step (button, then key S) reveals the next layer, whose values equal a plain
  numpy forward pass (sigmoid(W·a + b)) with the engine's recorded weights; Back and the URL.
- JavaScript off: both new widgets read whole (every layer's values), with no controls.
The page is the site's own build (tests/conftest.py: built_site)."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from site_builder import scenarios as sc

REPO = Path(__file__).resolve().parents[2]
PAGE = "neuron-to-network.html"
ONE = yaml.safe_load((REPO / "content/scenarios/one-neuron.yaml").read_text())
START = (ONE["init"]["weights"]["W1"][0][0], ONE["init"]["weights"]["W1"][0][1], ONE["init"]["weights"]["b1"][0])


@pytest.fixture(scope="module")
def n2n():
    """The engine's own run of the lesson's 2-3-2 scenario (not the page's copy)."""
    scenario = sc.load_scenarios(REPO / "content")["n2n-network"]
    return sc.run(scenario, None)[0]


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def fmt(v: float) -> str:
    s = f"{v:.3f}"
    if float(s) == 0:
        s = s.lstrip("-")
    return s.replace("-", "\u2212")


def number(text: str) -> float:
    return float(text.strip().replace("\u2212", "-"))


def numbers(text: str) -> list[float]:
    return [number(t) for t in re.findall(r"[\u2212-]?\d+(?:\.\d+)?", text)]


def open_page(page, site_url, hash_=""):
    page.goto(site_url(PAGE) + hash_)
    page.wait_for_selector("html[data-ready=true]")
    for name in ("one-neuron", "layer-matmul", "forward-steps", "loss-moves"):
        assert page.locator(f"figure[data-widget={name}]").get_attribute("data-enhanced") == "true", name


# --- one neuron -----------------------------------------------------------------------------

def line_endpoints(fig):
    """The boundary line's drawn endpoints in the plane's coordinates."""
    svg = fig.locator("svg.on-svg")
    left, top, size, _ = (float(v) for v in svg.get_attribute("data-box").split())
    lo, hi = (float(v) for v in svg.get_attribute("data-domain").split())
    line = fig.locator("line.on-boundary")
    pts = []
    for k in ("1", "2"):
        px, py = float(line.get_attribute("x" + k)), float(line.get_attribute("y" + k))
        pts.append((lo + (px - left) / size * (hi - lo), hi - (py - top) / size * (hi - lo)))
    return pts


def test_a_slider_turns_the_line_and_the_bias_at_zero_pins_it(page, site_url):
    open_page(page, site_url)
    fig = page.locator("figure[data-widget=one-neuron]")
    w1, w2, b = START
    for x, y in line_endpoints(fig):
        assert y == pytest.approx(-(w1 * x + b) / w2, abs=1e-6)
    before = line_endpoints(fig)

    # w2 up by 0.5 with its slider's keys: the line turns.
    slider = fig.locator('input[data-param="w2"]')
    slider.focus()
    for _ in range(5):
        slider.press("ArrowRight")
    w2 = round(w2 + 0.5, 1)
    assert number(fig.locator('output[data-readout="w2"]').inner_text()) == pytest.approx(w2)
    after = line_endpoints(fig)
    assert after != before
    for x, y in after:
        assert y == pytest.approx(-(w1 * x + b) / w2, abs=1e-6)
    slope = (after[1][1] - after[0][1]) / (after[1][0] - after[0][0])
    assert slope == pytest.approx(-w1 / w2, rel=1e-6)
    assert fig.locator("[data-pinned]").is_hidden()

    # b down to 0: the line slides (same slope) to pass through the origin, and the page says so.
    slider = fig.locator('input[data-param="b"]')
    slider.focus()
    for _ in range(round(b * 10)):
        slider.press("ArrowLeft")
    assert number(fig.locator('output[data-readout="b"]').inner_text()) == 0
    pinned = line_endpoints(fig)
    for x, y in pinned:
        assert w1 * x + w2 * y == pytest.approx(0, abs=1e-6)
    assert (pinned[1][1] - pinned[0][1]) / (pinned[1][0] - pinned[0][0]) == pytest.approx(slope, rel=1e-6)
    assert fig.locator("[data-pinned]").is_visible()
    assert "pinned through the origin" in fig.locator("[data-pinned]").inner_text()
    slider.press("ArrowRight")
    assert fig.locator("[data-pinned]").is_hidden()
    assert page.console_messages == [] and page.page_errors == []


# --- layer-matmul ---------------------------------------------------------------------------

def page_trace(page):
    return page.evaluate("() => BPE.decodeTrace(document.getElementById('trace-n2n-network').textContent)")


def check_layer(fig, trace, engine, at, p):
    """Every shown number of layer 2 for weights `at` and detail point position p."""
    run = trace["runs"][0]
    k, step = (0, run["steps"][0]) if at == "start" else (-1, run["steps"][-1])
    params = run["start"] if at == "start" else run["final"]
    W, b = np.array(params["W2"]), np.array(params["b2"])
    a = np.array(run["detail"][str(step)]["a"][1][p])
    z = W @ a + b  # the layer, by numpy
    # The page's trace is the engine's run.
    assert np.array_equal(W, engine.params["W2"][k]) and np.array_equal(b, engine.params["b2"][k])
    assert np.allclose(z, engine.detail[step]["z"][1][p], rtol=0, atol=1e-12)
    cell = lambda name: fig.locator(f'[data-cell="{name}"]').inner_text()  # noqa: E731
    for i in range(W.shape[0]):
        for j in range(W.shape[1]):
            assert cell(f"W-{i}-{j}") == fmt(W[i, j])
        assert cell(f"b-{i}") == fmt(b[i])
        assert cell(f"z-{i}") == fmt(z[i])
        assert cell(f"uz-{i}") == fmt(z[i])
        assert cell(f"ua-{i}") == fmt(sig(z[i]))
        terms = numbers(cell(f"terms-{i}").replace("\u00d7", " "))
        assert terms == [float(fmt(v).replace("\u2212", "-")) for pair in zip(W[i], a) for v in pair]
    for j in range(len(a)):
        assert cell(f"in-{j}") == fmt(a[j])
    assert numbers(cell("aout-all")) == [float(fmt(v).replace("\u2212", "-")) for v in sig(z)]
    return z


def test_layer_matmul_shows_w_dot_a_plus_b(page, site_url, n2n):
    open_page(page, site_url)
    fig = page.locator("figure[data-widget=layer-matmul]")
    trace = page_trace(page)
    z = check_layer(fig, trace, n2n, "trained", 0)
    assert fig.get_attribute("data-at") == "trained"
    # The start weights, by click; then the third point.
    fig.get_by_label("at the start").check()
    z0 = check_layer(fig, trace, n2n, "start", 0)
    assert not np.allclose(z0, z)
    fig.locator('input[name$="-point"][value="2"]').check()
    check_layer(fig, trace, n2n, "start", 2)
    fig.locator('input[name$="-at"][value="trained"]').check()
    check_layer(fig, trace, n2n, "trained", 2)
    assert "at=trained" in page.url and "point=2" in page.url
    # Focusing a row of W lights its unit below; hovering the other unit moves the light.
    fig.locator("tr.lm-wrow").nth(1).focus()
    assert fig.locator("li.lm-on").get_attribute("data-row") == "1"
    assert fig.locator('tr.lm-on [data-cell="z-1"]').count() == 1
    assert fig.locator('tr.lm-on [data-cell="b-1"]').count() == 1
    fig.locator(".lm-units li").nth(0).hover()
    assert fig.locator("li.lm-on").get_attribute("data-row") == "0"
    assert fig.locator("tr.lm-wrow.lm-on").get_attribute("data-row") == "0"
    assert page.console_messages == [] and page.page_errors == []


# --- forward-steps --------------------------------------------------------------------------

def forward(engine, p):
    """A plain numpy forward pass with the engine's trained weights: a0 = x, a_l = sigmoid(W_l a + b_l)."""
    sample = int(engine.detail[int(engine.steps[-1])]["samples"][p])
    a = [engine.X[sample]]
    for l in (1, 2):
        a.append(sig(engine.params[f"W{l}"][-1] @ a[-1] + engine.params[f"b{l}"][-1]))
    return a, engine.T[sample]


def shown_layer(fig, l):
    li = fig.locator(f'.fs-layers li[data-layer="{l}"]')
    if li.locator(".fs-vals").is_hidden():
        assert li.locator(".fs-wait").is_visible()
        return None
    return numbers(li.locator(f'[data-vals="a-{l}"]').inner_text())


def test_forward_steps_reveals_one_layer_per_step(page, site_url, n2n):
    open_page(page, site_url)
    fig = page.locator("figure[data-widget=forward-steps]")
    a, t = forward(n2n, 0)
    assert fig.get_attribute("data-stage") == "0"
    assert shown_layer(fig, 0) == [round(v, 3) for v in a[0]]
    assert shown_layer(fig, 1) is None and shown_layer(fig, 2) is None
    assert fig.locator(".fs-node.fs-off").count() == 5  # three hidden units, two outputs
    # Step (the button): the hidden layer, as numpy computes it.
    fig.locator("button[data-action=step]").click()
    assert fig.get_attribute("data-stage") == "1"
    assert shown_layer(fig, 1) == pytest.approx([round(v, 3) for v in a[1]], abs=1e-9)
    assert shown_layer(fig, 2) is None
    status = fig.locator('[data-readout="status"]')
    assert status.get_attribute("aria-live") == "polite"
    assert numbers(status.inner_text())[-3:] == pytest.approx([round(v, 3) for v in a[1]], abs=1e-9)
    circles = [number(fig.locator(f'[data-node="1-{u}"]').text_content()) for u in range(3)]
    assert circles == pytest.approx([round(v, 2) for v in a[1]], abs=1e-9)
    # Step by key S: the outputs, and the right answer beside them.
    fig.locator("button[data-action=step]").focus()
    page.keyboard.press("s")
    assert fig.get_attribute("data-stage") == "2"
    assert shown_layer(fig, 2) == pytest.approx([round(v, 3) for v in a[2]], abs=1e-9)
    assert "right answer" in status.inner_text()
    assert fig.locator("button[data-action=step]").get_attribute("aria-disabled") == "true"
    # Another point: the shown layers follow it.
    fig.locator('input[name$="-point"][value="3"]').check()
    a3, _ = forward(n2n, 3)
    assert shown_layer(fig, 2) == pytest.approx([round(v, 3) for v in a3[2]], abs=1e-9)
    assert shown_layer(fig, 0) == [round(v, 3) for v in a3[0]]
    # Back by key ←, then Reset.
    fig.locator("button[data-action=step]").focus()
    page.keyboard.press("ArrowLeft")
    assert fig.get_attribute("data-stage") == "1"
    assert shown_layer(fig, 2) is None
    fig.locator("button[data-action=reset]").click()
    assert fig.get_attribute("data-stage") == "0"
    assert shown_layer(fig, 1) is None
    assert page.console_messages == [] and page.page_errors == []


def test_forward_steps_opens_at_the_linked_layer_and_point(page, site_url, n2n):
    open_page(page, site_url, "#w3.layer=1&w3.point=2")
    fig = page.locator("figure[data-widget=forward-steps]")
    a, _ = forward(n2n, 2)
    assert fig.get_attribute("data-stage") == "1"
    assert fig.locator('input[name$="-point"][value="2"]').is_checked()
    assert shown_layer(fig, 1) == pytest.approx([round(v, 3) for v in a[1]], abs=1e-9)
    assert shown_layer(fig, 2) is None


# --- without JavaScript ---------------------------------------------------------------------

def test_without_javascript_both_widgets_read_whole(browser, site_url, n2n):
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 800})
    pg = ctx.new_page()
    pg.goto(site_url(PAGE))
    fs = pg.locator("figure[data-widget=forward-steps]")
    a, _ = forward(n2n, 0)
    for l in (0, 1, 2):
        li = fs.locator(f'.fs-layers li[data-layer="{l}"]')
        assert numbers(li.locator(f'[data-vals="a-{l}"]').inner_text()) == pytest.approx([round(v, 3) for v in a[l]], abs=1e-9)
        assert li.locator(".fs-wait").is_hidden()
    assert fs.locator("svg.fs-svg").is_visible()
    assert fs.locator(".fs-node.fs-off").count() == 0
    assert fs.locator("button").count() == 0 or not fs.locator("button").first.is_visible()
    assert fs.locator(".fs-choice").is_hidden()
    lm = pg.locator("figure[data-widget=layer-matmul]")
    W, b = n2n.params["W2"][-1], n2n.params["b2"][-1]
    z = W @ n2n.detail[int(n2n.steps[-1])]["a"][1][0] + b
    assert [lm.locator(f'[data-cell="z-{i}"]').inner_text() for i in range(2)] == [fmt(v) for v in z]
    assert lm.locator(".lm-choices").is_hidden()
    # The one-neuron fallback is its figure.
    assert pg.locator("figure[data-widget=one-neuron] .static-fallback svg").first.is_visible()
    assert pg.evaluate("document.documentElement.scrollWidth") <= 375
    # The next lesson (weight-descent and the playground moved there with the chain rule).
    pg.goto(site_url("backpropagation.html"))
    for name in ("weight-descent", "playground"):
        assert pg.locator(f"figure[data-widget={name}] .static-fallback svg").first.is_visible(), name
    assert pg.evaluate("document.documentElement.scrollWidth") <= 375
    ctx.close()
