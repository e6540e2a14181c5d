"""one-neuron, driven by keys on the sliders, pointer drags on the plot, clicks and the URL.
The expected numbers are computed here: the line w1·x + w2·y + b = 0 and z, a by plain
arithmetic from the values the page shows, and the trained neuron by a plain numpy training
loop (a hand-written sigmoid forward and backward, full-batch gradient descent on
E = 1/2 sum (t - o)^2) from the scenario's explicit start. The fixture site is
tests/sites/one-neuron/ with the repository's theme and content/scenarios/one-neuron.yaml."""
from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from site_builder import build as build_mod

REPO = Path(__file__).resolve().parents[2]
SCENARIO = yaml.safe_load((REPO / "content/scenarios/one-neuron.yaml").read_text())
X = np.array(SCENARIO["data"]["inputs"], dtype=float)
T = np.array(SCENARIO["data"]["targets"], dtype=float)
START = (SCENARIO["init"]["weights"]["W1"][0][0], SCENARIO["init"]["weights"]["W1"][0][1],
         SCENARIO["init"]["weights"]["b1"][0])
PINNED = ("with the bias at 0 the line is pinned through the origin: only w1 and w2 can turn it; "
          "the bias is what lets it move")


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def train():
    W = np.array([[START[0], START[1]]])
    b = np.array([START[2]])
    eta = SCENARIO["train"]["learning_rate"]
    for _ in range(SCENARIO["train"]["steps"]):
        o = sig(X @ W.T + b)
        d = (o - T) * o * (1 - o)
        W, b = W - eta * d.T @ X, b - eta * d.sum(0)
    return float(W[0, 0]), float(W[0, 1]), float(b[0])


FINAL = train()


def right(w1, w2, b):
    """Points on the right side; a point exactly on the line (z = 0) is undecided, never right."""
    z = X @ np.array([w1, w2]) + b
    return int(sum((zi > 1e-9 and t >= 0.5) or (zi < -1e-9 and t < 0.5) for zi, t in zip(z, T[:, 0])))


def number(text: str) -> float:
    return float(text.strip().replace("\u2212", "-"))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("one-neuron") / "site"
    shutil.copytree(REPO / "themes", root / "themes")
    shutil.copytree(REPO / "tests" / "sites" / "one-neuron", root, dirs_exist_ok=True)
    (root / "content" / "scenarios").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "content" / "scenarios" / "one-neuron.yaml", root / "content" / "scenarios")
    build_mod.build(root)
    return (root / "build" / "one-neuron.html").as_uri()


def open_page(page, url):
    page.goto(url)
    page.wait_for_selector("html[data-ready=true]")
    fig = page.locator("figure[data-widget=one-neuron]")
    assert fig.get_attribute("data-enhanced") == "true"
    return fig


def shown(fig):
    return tuple(number(fig.locator(f'output[data-readout="{k}"]').inner_text()) for k in ("w1", "w2", "b"))


def geometry(fig):
    svg = fig.locator("svg.on-svg")
    l, t, w, h = (float(v) for v in svg.get_attribute("data-box").split())
    lo, hi = (float(v) for v in svg.get_attribute("data-domain").split())
    return l, t, w, h, lo, hi


def to_plane(fig, px, py):
    l, t, w, h, lo, hi = geometry(fig)
    return lo + (px - l) / w * (hi - lo), hi - (py - t) / h * (hi - lo)


def to_svg(fig, x, y):
    l, t, w, h, lo, hi = geometry(fig)
    return l + (x - lo) / (hi - lo) * w, t + (hi - y) / (hi - lo) * h


def line_ends(fig):
    """The boundary's two ends, read from the SVG, in SVG units and in the plane."""
    line = fig.locator("line.on-boundary")
    assert line.is_visible()
    svg_pts = [(float(line.get_attribute(f"x{i}")), float(line.get_attribute(f"y{i}"))) for i in (1, 2)]
    return svg_pts, [to_plane(fig, *p) for p in svg_pts]


def assert_line_is(fig, w1, w2, b, tol=1e-6):
    _, ends = line_ends(fig)
    assert math.dist(*ends) > 0.5  # a real segment across the square
    for x, y in ends:
        assert abs(w1 * x + w2 * y + b) < tol, (w1, w2, b, ends)


def screen_of(fig, x, y):
    """Page pixels of the plane point (x, y)."""
    box = fig.locator("svg.on-svg").bounding_box()
    sx, sy = to_svg(fig, x, y)
    return box["x"] + sx / 400 * box["width"], box["y"] + sy / 400 * box["height"]


def centre(locator):
    b = locator.bounding_box()
    return b["x"] + b["width"] / 2, b["y"] + b["height"] / 2


def drag(page, frm, to, steps=8):
    page.mouse.move(*frm)
    page.mouse.down()
    page.mouse.move(*to, steps=steps)


def test_the_scenario_does_what_the_widget_says():
    assert right(*START) == 2 and right(*FINAL) == 4
    assert all(abs(v) <= 4 for v in START + FINAL)  # inside the sliders' range


def test_keys_on_the_sliders_move_the_line(site, page):
    fig = open_page(page, site)
    assert shown(fig) == pytest.approx(START)
    assert_line_is(fig, *START)
    before, _ = line_ends(fig)
    w1 = fig.get_by_label("w1, the weight on x1")
    assert w1.get_attribute("type") == "range"
    w1.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert shown(fig) == pytest.approx((START[0] + 0.3, START[1], START[2]))
    assert w1.get_attribute("aria-valuetext") == "\u22121.20"
    assert_line_is(fig, *shown(fig))
    after, _ = line_ends(fig)
    assert before != after  # it turned
    b = fig.get_by_label("b, the bias")
    b.focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert shown(fig)[2] == pytest.approx(START[2] - 0.2)
    assert_line_is(fig, *shown(fig))
    # The slider shows a focus ring.
    assert page.evaluate("() => { const s = getComputedStyle(document.activeElement); "
                         "return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; }")
    assert fig.get_by_role("button", name="Reset").get_attribute("aria-disabled") == "false"
    assert page.console_messages == [] and page.page_errors == []


def test_dragging_the_arrow_tip_and_the_line_handle(site, page):
    fig = open_page(page, site)
    region = fig.locator("[data-announce]")
    assert region.get_attribute("aria-live") == "polite"
    # The tip sits at half the weight vector, (w1, w2) / 2: drag it to (1.0, 0.75) -> w = (2, 1.5).
    tip = fig.locator('[data-drag="tip"]')
    assert centre(tip) == pytest.approx(screen_of(fig, START[0] / 2, START[1] / 2), abs=1.0)
    drag(page, centre(tip), screen_of(fig, 1.0, 0.75))
    assert region.inner_text() == ""  # nothing announced while dragging
    page.mouse.up()
    w1, w2, b = shown(fig)
    assert (w1, w2, b) == pytest.approx((2.0, 1.5, START[2]))
    assert_line_is(fig, w1, w2, b)
    page.wait_for_function("el => el.textContent.length > 0", arg=region.element_handle())
    assert "points right" in region.inner_text()
    # The line handle: drag it so the line passes through (0.5, 0.5): b = -(2 * 0.5 + 1.5 * 0.5).
    handle = fig.locator('[data-drag="line"]')
    drag(page, centre(handle), screen_of(fig, 0.5, 0.5))
    page.mouse.up()
    w1, w2, b = shown(fig)
    assert (w1, w2) == pytest.approx((2.0, 1.5))
    assert b == pytest.approx(-1.8)  # -1.75, to the sliders' 0.1 (a pixel either way rounds the same)
    assert_line_is(fig, w1, w2, b)
    assert fig.get_by_label("b, the bias").input_value() == "-1.8"
    # The arrow points to the side that answers 1: its tip is on the positive side.
    tx, ty = to_plane(fig, *(float(v) for v in (fig.locator('[data-drag="tip"]').get_attribute("cx"),
                                                fig.locator('[data-drag="tip"]').get_attribute("cy"))))
    assert (tx, ty) == pytest.approx((1.0, 0.75))
    # A finger: the same drag as touch pointer events (pointerType "touch").
    tip = fig.locator('[data-drag="tip"]')
    (fx, fy), (gx, gy) = centre(tip), screen_of(fig, -0.5, 1.0)
    for kind, x, y in (("pointerdown", fx, fy), ("pointermove", (fx + gx) / 2, (fy + gy) / 2), ("pointermove", gx, gy)):
        target = tip if kind == "pointerdown" else fig.locator("svg.on-svg")
        target.dispatch_event(kind, {"pointerType": "touch", "pointerId": 7, "isPrimary": True, "button": 0,
                                     "clientX": x, "clientY": y, "bubbles": True})
    fig.locator("svg.on-svg").dispatch_event("pointerup", {"pointerType": "touch", "pointerId": 7, "bubbles": True})
    assert shown(fig) == pytest.approx((-1.0, 2.0, -1.8))
    assert_line_is(fig, *shown(fig))
    tip.scroll_into_view_if_needed()
    drag(page, centre(tip), screen_of(fig, 1.0, 0.75))
    page.mouse.up()
    page.wait_for_url(re.compile(r"#w1\.w1=2&w1\.w2=1\.5&w1\.b=-1\.8&w1\.x1=-?\d"))
    assert page.console_messages == [] and page.page_errors == []


def computation(fig):
    return number(fig.locator('[data-readout="z"]').inner_text()), number(fig.locator('[data-readout="a"]').inner_text())


def test_the_written_computation_matches_arithmetic(site, page):
    fig = open_page(page, site)
    for label, k in (("(1, \u22121)", 2), ("(1, 1)", 3), ("(\u22121, 1)", 1)):
        fig.get_by_role("radio", name=re.compile(re.escape(label))).check()
        w1, w2, b = shown(fig)
        x1, x2 = X[k]
        z = w1 * x1 + w2 * x2 + b
        assert computation(fig) == (round(z, 3), round(float(sig(z)), 3))
        point = fig.locator('[data-readout="point"]').inner_text().replace("\u00a0", " ")
        assert label in point
        verdict = fig.locator('[data-readout="verdict"]').inner_text()
        says = 1 if z > 0 else 0
        assert f"so the neuron answers {says}" in verdict
        assert ("right ✓" in verdict) == (says == T[k, 0])
    # The trained neuron, at the same point: z from numpy's weights.
    fig.get_by_role("button", name="Show the trained neuron").click()
    z = FINAL[0] * X[1, 0] + FINAL[1] * X[1, 1] + FINAL[2]
    assert computation(fig) == (round(z, 3), round(float(sig(z)), 3))
    # A point of one's own: a click on the plot, then the arrow keys on it.
    fig.locator("svg.on-svg").scroll_into_view_if_needed()
    page.mouse.click(*screen_of(fig, 0.5, -1.5))
    assert fig.locator('[data-readout="point"]').inner_text().replace("\u00a0", " ").startswith(
        "For the point (x1, x2) = (0.5, −1.5), your own")
    assert all(not r.is_checked() for r in fig.get_by_role("radio").all())
    page.keyboard.press("ArrowUp")
    z = FINAL[0] * 0.5 + FINAL[1] * -1.4 + FINAL[2]
    assert computation(fig) == (round(z, 3), round(float(sig(z)), 3))
    assert page.console_messages == [] and page.page_errors == []


def test_a_bias_of_zero_pins_the_line_through_the_origin(site, page):
    fig = open_page(page, site)
    pinned = fig.locator("[data-pinned]")
    assert not pinned.is_visible()
    b = fig.get_by_label("b, the bias")
    b.focus()
    for _ in range(round(START[2] * 10)):
        page.keyboard.press("ArrowLeft")
    assert shown(fig)[2] == 0
    assert pinned.is_visible()
    assert PINNED in pinned.inner_text()
    (ax, ay), (bx, by) = line_ends(fig)[0]
    ox, oy = to_svg(fig, 0, 0)
    # The origin is on the drawn segment: collinear, and between its ends.
    assert abs((bx - ax) * (oy - ay) - (by - ay) * (ox - ax)) / math.dist((ax, ay), (bx, by)) < 1e-6
    assert min(ax, bx) <= ox <= max(ax, bx) and min(ay, by) <= oy <= max(ay, by)
    assert "through the origin" in fig.locator("svg.on-svg").get_attribute("aria-label")
    page.keyboard.press("ArrowLeft")
    assert shown(fig)[2] == pytest.approx(-0.1)
    assert not pinned.is_visible()
    assert PINNED not in fig.locator(".on-live").inner_text()
    assert page.console_messages == [] and page.page_errors == []


def test_show_the_trained_neuron_sets_numpys_final_weights(site, page):
    fig = open_page(page, site)
    assert fig.locator('[data-readout="right"]').inner_text() == f"{right(*START)} of 4 points right"
    fig.get_by_role("button", name="Show the trained neuron").click()
    w1, w2, b = shown(fig)
    assert (w1, w2, b) == tuple(round(v, 2) for v in FINAL)
    for key, value in zip(("w1", "w2", "b"), FINAL):
        slider = fig.locator(f'input[data-param="{key}"]')
        assert float(slider.input_value()) == pytest.approx(value, abs=0.05)  # the thumb, to its 0.1 steps
        assert number(slider.get_attribute("aria-valuetext")) == round(value, 2)
    assert fig.locator('[data-readout="right"]').inner_text() == f"{right(*FINAL)} of 4 points right"
    assert fig.get_attribute("data-right") == str(right(*FINAL)) == "4"
    assert_line_is(fig, *FINAL)
    label = fig.locator("svg.on-svg").get_attribute("aria-label").replace("\u00a0", " ")
    assert "On the side that answers 1: (1, 1)." in label
    assert "On the side that answers 0: (−1, −1), (−1, 1), (1, −1)." in label
    # Reset (button, then key) returns to the recorded start and is then unavailable.
    reset = fig.get_by_role("button", name="Reset")
    reset.click()
    assert shown(fig) == pytest.approx(START)
    assert reset.get_attribute("aria-disabled") == "true"
    page.keyboard.press("t")
    assert shown(fig) == tuple(round(v, 2) for v in FINAL)
    page.keyboard.press("r")
    assert shown(fig) == pytest.approx(START)
    assert page.console_messages == [] and page.page_errors == []


def test_a_url_reopens_the_same_line(site, page):
    open_page(page, site)
    page.goto(site + "#w1.w1=0.7&w1.w2=-1.3&w1.b=0.4&w1.x1=1&w1.x2=-1")
    page.reload()
    page.wait_for_selector("html[data-ready=true]")
    fig = page.locator("figure[data-widget=one-neuron]")
    assert shown(fig) == pytest.approx((0.7, -1.3, 0.4))
    assert_line_is(fig, 0.7, -1.3, 0.4)
    assert fig.get_by_role("radio", name=re.compile(r"\(1, −1\)")).is_checked()
    z = 0.7 * 1 - 1.3 * -1 + 0.4
    assert computation(fig) == (round(z, 3), round(float(sig(z)), 3))
    assert fig.locator('[data-readout="right"]').inner_text() == f"{right(0.7, -1.3, 0.4)} of 4 points right"
    # The trained neuron survives a reload through the URL, to the digit shown.
    fig.get_by_role("button", name="Show the trained neuron").click()
    page.wait_for_url(re.compile(r"w1\.w1=2\.4"))
    page.reload()
    page.wait_for_selector("html[data-ready=true]")
    assert shown(fig) == tuple(round(v, 2) for v in FINAL)
    assert page.console_messages == [] and page.page_errors == []


def test_phone_width_targets_and_no_sideways_scroll(site, browser):
    for scheme in ("light", "dark"):
        ctx = browser.new_context(viewport={"width": 375, "height": 800}, color_scheme=scheme)
        try:
            pg = ctx.new_page()
            errors = []
            pg.on("pageerror", lambda e: errors.append(str(e)))
            pg.goto(site)
            pg.wait_for_selector("html[data-ready=true]")
            assert pg.evaluate("document.documentElement.scrollWidth") <= 375
            fig = pg.locator("figure[data-widget=one-neuron]")
            for el in fig.locator("input[type=range], .on-point, button").all():
                assert el.bounding_box()["height"] >= 44, el.inner_text()
            for handle in ("tip", "line"):
                assert fig.locator(f'[data-drag="{handle}"]').bounding_box()["width"] >= 44
            assert errors == []
        finally:
            ctx.close()


def test_without_javascript_the_static_figure_tells_the_same_story(site, browser):
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    try:
        pg = ctx.new_page()
        pg.goto(site)
        fig = pg.locator("figure[data-widget=one-neuron]")
        assert fig.locator(".static-fallback svg.static-figure").is_visible()
        assert not fig.locator(".on-live").is_visible()
        words = fig.locator(".static-fallback").inner_text().replace("\u00a0", " ")
        assert f"{right(*START)} of 4 points right" in words
        steps = SCENARIO["train"]["steps"]
        assert f"After {steps} steps of gradient descent (solid): w1 = {FINAL[0]:.2f}, w2 = {FINAL[1]:.2f}" in words
        assert f"{right(*FINAL)} of 4 points right" in words
        label = fig.locator("svg.static-figure").get_attribute("aria-label")
        assert "Dashed, the starting line" in label and "Solid, the trained line" in label
    finally:
        ctx.close()
