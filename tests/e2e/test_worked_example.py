"""The worked-example lesson, driven as a learner would, checked against numpy arithmetic
written here from the textbook formulas (not the engine)."""
from __future__ import annotations

import re

import numpy as np
import pytest

SLUG = "worked-example"


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def hand_calculation():
    """Every value of the step-through, in the lesson's order, computed independently."""
    x = np.array([0.05, 0.10])
    t = np.array([0.01, 0.99])
    w = dict(w1=0.15, w2=0.20, w3=0.25, w4=0.30, w5=0.40, w6=0.45, w7=0.50, w8=0.55)
    b1, b2, eta = 0.35, 0.60, 0.5
    net_h1 = w["w1"] * x[0] + w["w2"] * x[1] + b1
    net_h2 = w["w3"] * x[0] + w["w4"] * x[1] + b1
    h1, h2 = sigmoid(net_h1), sigmoid(net_h2)
    net_o1 = w["w5"] * h1 + w["w6"] * h2 + b2
    net_o2 = w["w7"] * h1 + w["w8"] * h2 + b2
    o1, o2 = sigmoid(net_o1), sigmoid(net_o2)
    e1, e2 = 0.5 * (t[0] - o1) ** 2, 0.5 * (t[1] - o2) ** 2
    d_o1 = (o1 - t[0]) * o1 * (1 - o1)
    d_o2 = (o2 - t[1]) * o2 * (1 - o2)
    g = {
        "w5": d_o1 * h1, "w6": d_o1 * h2, "w7": d_o2 * h1, "w8": d_o2 * h2,
    }
    d_h1 = (d_o1 * w["w5"] + d_o2 * w["w7"]) * h1 * (1 - h1)
    d_h2 = (d_o1 * w["w6"] + d_o2 * w["w8"]) * h2 * (1 - h2)
    g.update({"w1": d_h1 * x[0], "w2": d_h1 * x[1], "w3": d_h2 * x[0], "w4": d_h2 * x[1]})
    values = [
        net_h1, h1, net_h2, h2, net_o1, o1, net_o2, o2, e1, e2, e1 + e2,
        o1 - t[0], o1 * (1 - o1), h1, g["w5"],
        d_o1, d_o2, d_o1 * w["w5"] + d_o2 * w["w7"], h1 * (1 - h1), x[0], g["w1"],
    ]
    values += [w[k] - eta * g[k] for k in ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8")]
    return values, g, {k: w[k] - eta * g[k] for k in w}


VALUES, GRADS, UPDATED = hand_calculation()


SUPER = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def shown_number(text: str) -> float:
    """A number as the page writes it: 0.5933, −0.02260, 3.510 × 10⁻⁵."""
    text = text.strip().replace("−", "-")
    if "×" in text:
        mantissa, power = text.split("×")
        return float(mantissa) * 10.0 ** int(power.strip()[2:].translate(SUPER))
    return float(text)


def current_value(page) -> float:
    return shown_number(page.locator(".ws-steps > li:not([hidden]) .ws-value").inner_text())


def short_form(value: float):
    """What 4 significant digits of `value` may read."""
    return pytest.approx(value, rel=5.001e-4)


def show_every_digit(page):
    page.get_by_role("button", name="Show every digit").first.click()


@pytest.fixture
def lesson(page, site_url):
    page.goto(site_url(f"{SLUG}.html"))
    page.wait_for_selector("html[data-ready=true]")
    return page


def test_every_step_by_keyboard_and_buttons(lesson):
    page = lesson
    fig = page.locator("figure[data-widget=worked-steps]")
    assert fig.locator(".ws-steps > li").count() == len(VALUES)
    assert current_value(page) == short_form(VALUES[0])

    # Forward through every step with the arrow key, focus on the Next button.
    fig.get_by_role("button", name="Next").focus()
    for i in range(1, len(VALUES)):
        page.keyboard.press("ArrowRight")
        assert fig.get_attribute("data-step") == str(i + 1)
        assert current_value(page) == short_form(VALUES[i]), f"step {i + 1}"
    assert fig.get_by_role("button", name="Next").get_attribute("aria-disabled") == "true"
    assert fig.get_by_role("button", name="Previous").get_attribute("aria-disabled") == "false"

    # Back to the start with the Previous button.
    for i in range(len(VALUES) - 2, -1, -1):
        fig.get_by_role("button", name="Previous").click()
        assert current_value(page) == short_form(VALUES[i]), f"step {i + 1}"
    # The status line repeats the shown result for screen readers.
    status = fig.locator(".ws-status")
    assert status.get_attribute("aria-live") == "polite"
    assert "Step 1 of" in status.inner_text()


def test_hash_restores_step_on_reload(lesson):
    page = lesson
    fig = page.locator("figure[data-widget=worked-steps]")
    for _ in range(14):
        fig.get_by_role("button", name="Next").click()
    assert fig.get_attribute("data-step") == "15"
    page.wait_for_url(re.compile(r"#w\d+\.step=w5-grad$"))
    page.reload()
    page.wait_for_selector("html[data-ready=true]")
    assert fig.get_attribute("data-step") == "15"
    assert current_value(page) == short_form(GRADS["w5"])
    show_every_digit(page)  # the reader checking the published example sees all nine decimals
    assert current_value(page) == pytest.approx(GRADS["w5"], abs=6e-10)
    # A plain anchor to one calculation (it works without JavaScript too) opens it as well.
    fig_id = fig.get_attribute("id")
    page.goto(page.url.split("#")[0] + f"#{fig_id}-w5-grad")
    page.reload()
    page.wait_for_selector("html[data-ready=true]")
    assert fig.get_attribute("data-step") == "15"


def test_highlights_follow_the_step(lesson):
    page = lesson
    fig = page.locator("figure[data-widget=worked-steps]")
    active = lambda: sorted(set(fig.locator("[data-edge].is-active").evaluate_all("els => els.map(e => e.dataset.edge)")))
    assert active() == ["w1", "w2"]  # net input of h1 uses w1 and w2
    for _ in range(20):
        fig.get_by_role("button", name="Next").click()
    assert active() == ["w1", "w5", "w7"]  # the gradient of w1 travels back through w5 and w7


def test_tables_without_javascript(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url(f"{SLUG}.html"))
    body = page.locator("main").inner_text()
    tables = page.locator("figure[data-widget=worked-table] table")
    assert tables.count() == 5
    # Every gradient and every updated weight appears, to nine decimals.
    for name, g in GRADS.items():
        assert f"{g:.9f}".replace("-", "−") in body, name
        assert f"{UPDATED[name]:.9f}" in body, name
    # Without JS the step-through lists every calculation at once.
    assert page.locator(".ws-steps > li:visible").count() == len(VALUES)
    context.close()


def test_path_sum_and_after_training(lesson):
    forgotten = VALUES[15] * 0.40 * VALUES[18] * 0.05  # delta_o1 * w5 * sigma'(net_h1) * x1
    cards = lesson.locator("figure[data-widget=path-sum] .ps-value")
    assert shown_number(cards.nth(0).inner_text()) == short_form(GRADS["w1"])
    assert shown_number(cards.nth(1).inner_text()) == short_form(forgotten)
    show_every_digit(lesson)
    body = lesson.locator("main").inner_text()
    assert f"{forgotten:.9f}" in body
    assert f"{GRADS['w1']:.9f}" in body
    # After 10,000 steps of the same algorithm, computed here by plain numpy.
    x = np.array([0.05, 0.10]); t = np.array([0.01, 0.99])
    W1 = np.array([[0.15, 0.20], [0.25, 0.30]]); W2 = np.array([[0.40, 0.45], [0.50, 0.55]])
    for _ in range(10000):
        h = sigmoid(W1 @ x + 0.35); o = sigmoid(W2 @ h + 0.60)
        d_o = (o - t) * o * (1 - o); d_h = (W2.T @ d_o) * h * (1 - h)
        W2 = W2 - 0.5 * np.outer(d_o, h); W1 = W1 - 0.5 * np.outer(d_h, x)
    o = sigmoid(W2 @ sigmoid(W1 @ x + 0.35) + 0.60)
    assert f"{o[0]:.9f}" in body and f"{o[1]:.9f}" in body


def test_keyboard_only(lesson):
    page = lesson
    fig = page.locator("figure[data-widget=worked-steps]")
    page.locator("main h1").focus()
    reached = []
    for _ in range(80):
        page.keyboard.press("Tab")
        info = page.evaluate("""() => { const e = document.activeElement; const s = getComputedStyle(e);
            return {label: (e.getAttribute('aria-label') || e.textContent).trim().split('\\n')[0],
                    tag: e.tagName, inWidget: !!e.closest('figure[data-widget=worked-steps]'),
                    outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2}; }""")
        if info["inWidget"]:
            assert info["outline"], info
            reached.append(info["tag"] if info["tag"] == "SELECT" else info["label"])
        elif reached:
            break
    # Previous says it is unavailable on the first step but stays in the tab order, so
    # focus never drops to the page when the learner reaches either end.
    # The diagram takes a tab stop first, so the keys work from it as from the buttons.
    assert reached[0].startswith("Network diagram"), reached
    assert reached[1:6] == ["Previous", "Play", "Next", "SELECT", "Show every digit"], reached
    assert fig.get_by_role("button", name="Previous").get_attribute("aria-disabled") == "true"
    page.keyboard.press("Shift+Tab")  # back on the digits switch
    page.keyboard.press("Shift+Tab")  # back on the speed choice
    page.keyboard.press("Shift+Tab")  # back on Next
    page.keyboard.press("Enter")
    assert fig.get_attribute("data-step") == "2"
    page.keyboard.press("End")
    assert fig.get_attribute("data-step") == str(len(VALUES))
    page.keyboard.press("Home")
    assert fig.get_attribute("data-step") == "1"
    page.keyboard.press("ArrowRight")
    assert current_value(page) == short_form(VALUES[1])
    fig.locator("svg.ws-net-wide").focus()  # the drawing shown at this width
    page.keyboard.press("ArrowRight")
    assert fig.get_attribute("data-step") == "3"
    page.keyboard.press("ArrowLeft")
    assert fig.get_attribute("data-step") == "2"


def test_reduced_motion_shows_each_line_at_once(browser, site_url):
    ctx = browser.new_context(reduced_motion="reduce")
    page = ctx.new_page()
    page.goto(site_url(f"{SLUG}.html"))
    page.wait_for_selector("html[data-ready=true]")
    fig = page.locator("figure[data-widget=worked-steps]")
    fig.get_by_role("button", name="Next").click()
    result = fig.locator(".ws-steps > li:not([hidden]) .ws-result")
    assert result.evaluate("e => getComputedStyle(e).animationName") == "none"
    assert result.evaluate("e => getComputedStyle(e).opacity") == "1"
    ctx.close()
    ctx = browser.new_context()  # and with motion allowed, the result is written last
    page = ctx.new_page()
    page.goto(site_url(f"{SLUG}.html"))
    page.wait_for_selector("html[data-ready=true]")
    fig = page.locator("figure[data-widget=worked-steps]")
    fig.get_by_role("button", name="Next").click()
    assert fig.locator(".ws-steps > li:not([hidden]) .ws-result").evaluate("e => getComputedStyle(e).animationName") == "ws-in"
    ctx.close()
