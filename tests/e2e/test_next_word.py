"""The next-word lesson, driven as a learner would. Expected values come from the engine's
trace (trained here from the scenario) and from a few lines of numpy in this file that redo
the forward pass, the slope and the updates by themselves; never from the page."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from site_builder import scenarios

ROOT = Path(__file__).resolve().parents[2]
PAGE = "next-word.html"


@pytest.fixture(scope="module")
def runs():
    found = scenarios.load_scenarios(ROOT / "content")
    return {name: scenarios.run(found[name], ROOT / ".cache") for name in ("nw-guess", "nw-capitals", "nw-landscape")}


def shown(fig, name) -> str:
    return fig.locator(f'[data-readout="{name}"]').inner_text()


def number(text: str) -> float:
    return float(text.replace("−", "-").replace("%", "").split()[0])


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def forward(p, X):
    """Our own 6-3-5 sigmoid/softmax forward pass: hidden outputs, probabilities."""
    h = sigmoid(X @ p["W1"].T + p["b1"])
    z = h @ p["W2"].T + p["b2"]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return h, e / e.sum(axis=1, keepdims=True)


def loss(p, X, T):
    return float(-(T * np.log(forward(p, X)[1])).sum())


def gradient_step(p, X, T, eta):
    """One step of full-batch gradient descent, backprop written out by hand."""
    h, o = forward(p, X)
    d2 = o - T                       # softmax + cross-entropy
    d1 = (d2 @ p["W2"]) * h * (1 - h)
    g = {"W2": d2.T @ h, "b2": d2.sum(0), "W1": d1.T @ X, "b1": d1.sum(0)}
    return {k: p[k] - eta * g[k] for k in p}


@pytest.fixture
def lesson(page, site_url):
    page.goto(site_url(PAGE))
    page.wait_for_selector("html[data-ready=true]")
    return page


def test_confidence_slider_at_one_tenth_shows_loss_2_30(lesson):
    fig = lesson.locator("figure[data-widget=scorecard]")
    slider = fig.get_by_label("Confidence in the right word")
    slider.focus()
    lesson.keyboard.press("Home")            # p = 0.01
    for _ in range(9):
        lesson.keyboard.press("ArrowRight")  # + 0.01 each
    assert shown(fig, "p") == "0.10"
    assert shown(fig, "loss") == f"{-math.log(0.10):.2f}" == "2.30"
    lesson.keyboard.press("End")
    assert shown(fig, "loss") == "0.00"      # a sure, right answer costs nothing


def test_wiggle_slope_is_the_engines_gradient(lesson, runs):
    tr = runs["nw-capitals"][0]
    sl = tr.slices[0]
    fig = lesson.locator("figure[data-widget=wiggle]")
    slider = fig.get_by_label("Weight w")
    slider.focus()
    mid = len(sl.values) // 2
    assert fig.get_attribute("data-index") == str(mid)
    # The middle point is the start, where the slope is the recorded gradient dE/dW2[0,2].
    assert number(shown(fig, "slope")) == pytest.approx(tr.grads["W2"][0][0, 2], abs=5e-5)
    for _ in range(12):
        lesson.keyboard.press("ArrowRight")
    i = mid + 12
    assert fig.get_attribute("data-index") == str(i)
    assert number(shown(fig, "w")) == pytest.approx(sl.values[i], abs=5e-4)
    assert number(shown(fig, "slope")) == pytest.approx(sl.slope[i], abs=5e-5)
    assert number(shown(fig, "loss")) == pytest.approx(sl.loss[i], abs=5e-5)
    # And our own numpy: the loss there, and a centred difference for the slope.
    p0 = {k: v[0].copy() for k, v in tr.params.items()}
    def at(w):
        q = {k: v.copy() for k, v in p0.items()}
        q["W2"][0, 2] = w
        return loss(q, tr.X, tr.T)
    w = sl.values[i]
    assert number(shown(fig, "loss")) == pytest.approx(at(w), abs=5e-5)
    assert number(shown(fig, "slope")) == pytest.approx((at(w + 1e-5) - at(w - 1e-5)) / 2e-5, abs=5e-4)
    direction = shown(fig, "direction")
    assert ("moves w down" in direction) == (sl.slope[i] > 0)


def test_ten_steps_raise_paris_to_the_traced_value(lesson, runs):
    tr = runs["nw-guess"][0]
    fig = lesson.locator("figure[data-widget=next-word][data-mode=train]")
    start = number(shown(fig, "target")) / 100
    assert start == pytest.approx(tr.outputs[0][0, 0], abs=5e-4)
    step = fig.get_by_role("button", name="Step", exact=True)
    for _ in range(10):
        step.click()
    assert fig.get_attribute("data-step") == "10"
    p10 = tr.outputs[tr.at(10)][0, 0]
    assert shown(fig, "target") == f"{100 * p10:.1f}%"
    assert number(shown(fig, "loss")) == pytest.approx(tr.loss[tr.at(10)], abs=5e-5)
    # Our own ten steps of gradient descent from the recorded start agree.
    p = {k: v[0] for k, v in tr.params.items()}
    for _ in range(10):
        p = gradient_step(p, tr.X, tr.T, tr.eta)
    assert forward(p, tr.X)[1][0, 0] == pytest.approx(p10, rel=1e-9)
    assert p10 > start + 0.3
    # Arrows: a weight from a word in the sentence went up or down, one from a missing word did not.
    signs = tr.signs["W1"][tr.at(9)]
    words = tr.input_labels
    italy, france = words.index("Italy"), words.index("France")
    marks = fig.locator(".nx-l1 .nx-mark")
    # W1 edges are drawn hidden-unit-major: edge (j, i) is number j * inputs + i.
    assert marks.nth(0 * len(words) + italy).text_content() == ""
    assert marks.nth(0 * len(words) + france).text_content() == ("▲" if signs[0, france] > 0 else "▼")


def test_run_forward_shows_the_first_guess(lesson, runs):
    tr = runs["nw-guess"][0]
    fig = lesson.locator("figure[data-widget=next-word][data-mode=guess]")
    assert fig.locator(".nx-pv").first.inner_text() == "?"
    fig.get_by_role("button", name="Run forward").click()
    lesson.wait_for_selector("figure[data-mode=guess][data-forward=done]")
    _, o = forward({k: v[0] for k, v in tr.params.items()}, tr.X)
    values = [number(t) / 100 for t in fig.locator(".nx-pv").all_inner_texts()]
    assert values == pytest.approx(list(o[0]), abs=5e-4)
    best = tr.output_labels[int(np.argmax(o[0]))]
    assert shown(fig, "guess").startswith(best + "?")


def test_hover_and_focus_show_the_same_unit_math(lesson, runs):
    tr = runs["nw-guess"][0]
    fig = lesson.locator("figure[data-widget=next-word][data-mode=guess]")
    h, o = forward({k: v[0] for k, v in tr.params.items()}, tr.X)
    unit = fig.locator('.nx-item[aria-label="hidden unit 2"]')
    unit.hover()
    hovered = shown(fig, "info")
    assert hovered.startswith("Hidden unit 2")
    assert f"σ(z) = 1 / (1 + e^−z) = {h[0, 1]:.3f}" in hovered
    z = (tr.params["W1"][0] @ tr.X[0] + tr.params["b1"][0])[1]
    assert f"= {z:.3f};".replace("-", "−") in hovered
    lesson.mouse.move(0, 0)
    shown_before = shown(fig, "info")
    # Keyboard: Tab into the diagram (its first item), then ArrowDown until hidden unit 2.
    fig.get_by_role("button", name="Run forward").focus()
    lesson.keyboard.press("Shift+Tab")
    first = lesson.evaluate("document.activeElement.getAttribute('aria-label')")
    assert first == "“" + tr.input_labels[0] + "”"
    for _ in range(60):
        if lesson.evaluate("document.activeElement.getAttribute('aria-label')") == "hidden unit 2":
            break
        lesson.keyboard.press("ArrowDown")
    assert unit.evaluate("el => el === document.activeElement")
    assert shown(fig, "info") == hovered and shown_before == hovered  # leaving keeps the text; focus gives the same
    # A weight: hover and focus both name it with its value.
    edge = fig.locator('.nx-item[aria-label="weight from “capital” to hidden unit 1"]')
    edge.hover()
    by_hover = shown(fig, "info")
    france = fig.locator('.nx-item[aria-label="“France”"]')
    france.focus()
    assert shown(fig, "info") != by_hover
    edge.focus()
    assert shown(fig, "info") == by_hover
    assert f"{tr.params['W1'][0][0, 3]:.3f}".replace("-", "−") in by_hover and "capital" in by_hover
    # An output word shows its softmax probability, by hover and by focus alike.
    paris = fig.locator('.nx-item[aria-label="“Paris”"]')
    paris.hover()
    assert f"{100 * o[0, 0]:.1f}%" in shown(fig, "info")
    by_hover = shown(fig, "info")
    france.focus()
    paris.focus()
    assert shown(fig, "info") == by_hover


@pytest.mark.parametrize("eta_index,start_index,n", [(0, 0, 7), (2, 1, 5)])
def test_ball_after_n_steps_sits_at_the_traced_weights(lesson, runs, eta_index, start_index, n):
    members = runs["nw-landscape"]
    seeds = len(members) // 3
    tr = members[eta_index * seeds + start_index]
    fig = lesson.locator("figure[data-widget=landscape]")
    fig.locator(f'input[name$="-eta"][value="{eta_index}"]').check()
    fig.locator(f'input[name$="-start"][value="{start_index}"]').check()
    for _ in range(n):
        fig.get_by_role("button", name="Step", exact=True).click()
    assert fig.get_attribute("data-step") == str(n)
    wa, wb = tr.params["W1"][tr.at(n)][0]
    assert float(fig.get_attribute("data-wa")) == pytest.approx(wa, rel=1e-6)
    assert float(fig.get_attribute("data-wb")) == pytest.approx(wb, rel=1e-6)
    assert number(shown(fig, "wa")) == pytest.approx(wa, abs=5e-4)
    assert number(shown(fig, "wb")) == pytest.approx(wb, abs=5e-4)
    # Our own gradient descent on p = sigmoid(X w), binary cross-entropy, no bias.
    w = tr.params["W1"][0][0].copy()
    for _ in range(n):
        w = w - tr.eta * tr.X.T @ (sigmoid(tr.X @ w) - tr.T[:, 0])
    assert (wa, wb) == pytest.approx(tuple(w), rel=1e-9)
    # The ball is drawn where the map's own tick labels put those weights.
    ball = fig.locator(".ls-ball")
    ticks = fig.locator(".ls-map .axes text.tick").evaluate_all(
        "els => els.map(e => [e.getAttribute('text-anchor'), +e.getAttribute('x'), +e.getAttribute('y'), e.textContent])")
    xs = [(float(t.replace("−", "-")), x) for anchor, x, y, t in ticks if anchor == "middle"]
    ys = [(float(t.replace("−", "-")), y - 4) for anchor, x, y, t in ticks if anchor == "end"]  # labels sit 4 below their tick
    fx, fy = np.polyfit(*zip(*xs), 1), np.polyfit(*zip(*ys), 1)
    inside = abs(wa) <= 6 and abs(wb) <= 6
    cx, cy = float(ball.get_attribute("cx")), float(ball.get_attribute("cy"))
    assert cx == pytest.approx(np.polyval(fx, np.clip(wa, -6, 6)), abs=0.5)
    assert cy == pytest.approx(np.polyval(fy, np.clip(wb, -6, 6)), abs=0.5)
    assert ("ls-off" in ball.get_attribute("class")) == (not inside)


def test_too_large_a_rate_makes_the_loss_rise(lesson, runs):
    members = runs["nw-landscape"]
    seeds = len(members) // 3
    tr = members[2 * seeds]
    rises = [k for k in range(1, len(tr.loss)) if tr.loss[k] > tr.loss[k - 1]]
    assert rises, "the largest learning rate should overshoot at least once"
    fig = lesson.locator("figure[data-widget=landscape]")
    fig.locator('input[name$="-eta"][value="2"]').check()
    for _ in range(rises[0]):
        fig.get_by_role("button", name="Step", exact=True).click()
    assert "went up" in shown(fig, "note")


def test_held_out_sentence_is_reported_as_the_engine_computed_it(lesson, runs):
    tr = runs["nw-capitals"][0]
    final = {k: v[-1] for k, v in tr.params.items()}
    x = np.array([[1.0 if w in ("Germany", "city", "is") else 0.0 for w in tr.input_labels]])
    _, o = forward(final, x)
    table = lesson.locator("figure[data-widget=generalise] table")
    held = table.locator("tr.gn-held")
    assert held.locator("td[data-prob]").inner_text() == f"{o[0, tr.output_labels.index('Berlin')]:.1%}"
    top = tr.output_labels[int(np.argmax(o[0]))]
    assert held.locator("td").nth(1).inner_text().startswith(top)
    assert table.locator("tbody tr").count() == len(tr.X) + 1


def test_without_javascript_every_widget_has_its_static_figure(browser, site_url):
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 800})
    page = ctx.new_page()
    page.goto(site_url(PAGE))
    figs = page.locator("figure.widget")
    assert figs.count() == 6
    for i in range(figs.count()):
        fig = figs.nth(i)
        assert fig.locator("svg.static-figure, table").first.is_visible()
        assert fig.locator(".widget-live").count() == 0 or fig.locator(".widget-live").is_hidden()
    assert page.locator("figure[data-widget=scorecard] table").is_visible()
    told = page.get_by_text("to watch the signal travel")
    assert told.count() == 1 and not told.is_visible()     # no talk of a button that is not there
    ctx.close()


def test_reduced_motion_and_a_link_to_a_moment(browser, site_url, runs):
    """With reduced motion the forward pass lands at once; a link with #w4.step=12 opens the
    training replay at step 12 and the landscape at its recorded run and step."""
    tr = runs["nw-guess"][0]
    ctx = browser.new_context(reduced_motion="reduce")
    page = ctx.new_page()
    page.goto(site_url(PAGE) + "#w4.step=12&w5.run=4&w5.step=3")
    page.wait_for_selector("html[data-ready=true]")
    guess = page.locator("figure[data-mode=guess]")
    guess.get_by_role("button", name="Run forward").click()
    assert guess.get_attribute("data-forward") == "done"     # no timers to wait for
    train = page.locator("figure[data-mode=train]")
    assert train.get_attribute("id") == "w4" and train.get_attribute("data-step") == "12"
    assert shown(train, "target") == f"{100 * tr.outputs[tr.at(12)][0, 0]:.1f}%"
    land = page.locator("figure[data-widget=landscape]")
    member = runs["nw-landscape"][4]
    assert land.get_attribute("data-run") == "4" and land.get_attribute("data-step") == "3"
    assert float(land.get_attribute("data-wa")) == pytest.approx(member.params["W1"][member.at(3)][0, 0], rel=1e-6)
    assert land.locator('input[name$="-eta"]:checked').get_attribute("value") == "2"
    ctx.close()
