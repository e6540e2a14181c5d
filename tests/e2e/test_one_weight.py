"""The first lesson, as a learner uses it. Expected values come from the scenario's numbers and
a few lines of plain Python here, not from the page or the engine."""
from __future__ import annotations

import re

from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect

SCENARIO = yaml.safe_load((Path(__file__).resolve().parents[2] / "content/scenarios/one-weight.yaml").read_text())


def expected_run():
    """w <- w - eta * dL/dw with L = 1/2 (t - w x)^2, so dL/dw = -(t - w x) x."""
    x, t = SCENARIO["data"]["inputs"][0][0], SCENARIO["data"]["targets"][0][0]
    w, eta = SCENARIO["init"]["weights"]["W1"][0][0], SCENARIO["train"]["learning_rate"]
    rows = []
    for _ in range(SCENARIO["train"]["steps"] + 1):
        slope = -(t - w * x) * x
        rows.append({"w": w, "loss": 0.5 * (t - w * x) ** 2, "slope": slope})
        w = w - eta * slope
    return rows


RUN = expected_run()


def shown(fig, name) -> float:
    return float(fig.locator(f'[data-readout="{name}"]').inner_text().replace("−", "-"))


@pytest.fixture
def widget(page, site_url):
    page.goto(site_url("one-weight.html"))
    page.wait_for_selector("html[data-ready=true]")
    fig = page.locator("figure[data-widget=weight-descent]")
    assert fig.get_attribute("data-enhanced") == "true"
    return fig


def check_step(fig, i):
    assert fig.get_attribute("data-step") == str(i)
    assert shown(fig, "w") == pytest.approx(RUN[i]["w"], abs=5e-5)
    assert shown(fig, "loss") == pytest.approx(RUN[i]["loss"], abs=5e-5)
    assert shown(fig, "slope") == pytest.approx(RUN[i]["slope"], abs=5e-5)


def test_starts_at_three_with_negative_slope(widget):
    check_step(widget, 0)
    assert RUN[0]["slope"] < 0 and "goes up" in widget.locator('[data-readout="direction"]').inner_text()
    assert widget.locator(".static-fallback").is_hidden()


def test_step_by_click_and_key(widget, page):
    widget.get_by_role("button", name="Step", exact=True).click()
    check_step(widget, 1)
    page.keyboard.press("s")  # focus is on the Step button inside the widget
    check_step(widget, 2)
    page.keyboard.press("ArrowRight")
    check_step(widget, 3)
    page.keyboard.press("ArrowLeft")
    check_step(widget, 2)
    widget.get_by_role("button", name="Step back").click()
    check_step(widget, 1)
    widget.get_by_role("button", name="Reset").click()
    check_step(widget, 0)


def test_play_reaches_the_last_step(widget):
    widget.get_by_role("button", name="Play").click()
    last = len(RUN) - 1
    expect(widget).to_have_attribute("data-step", str(last), timeout=30_000)
    check_step(widget, last)
    assert abs(RUN[last]["w"] - 5) < abs(RUN[0]["w"] - 5) / 10  # carried most of the way to 5
    assert widget.get_by_role("button", name="Play").get_attribute("aria-pressed") == "false"


def test_keyboard_reaches_every_control_with_visible_focus(widget, page):
    names = []
    page.locator("main h1").focus()
    for _ in range(60):
        page.keyboard.press("Tab")
        info = page.evaluate("""() => { const e = document.activeElement; const s = getComputedStyle(e);
            const title = e.querySelector && e.querySelector('title');
            return {tag: e.tagName, text: title ? 'chart' : e.textContent.trim(),
                    inWidget: !!e.closest('figure[data-widget=weight-descent]'),
                    outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2}; }""")
        if info["inWidget"]:
            assert info["outline"], info
            names.append(info["text"])
        if names and not info["inWidget"]:
            break
    # Both charts take focus, and the keys work there too.
    assert names == ["chart", "chart", "Step back", "Step", "Play", "Reset"]
    widget.locator("svg.wd-loss").focus()
    page.keyboard.press("s")
    check_step(widget, 1)
    page.keyboard.press("End")
    check_step(widget, len(RUN) - 1)
    assert widget.get_by_role("button", name="Step", exact=True).get_attribute("aria-disabled") == "true"
    page.keyboard.press("s")  # at the end nothing moves
    check_step(widget, len(RUN) - 1)
    page.keyboard.press("Home")
    check_step(widget, 0)
    assert widget.get_by_role("button", name="Step back").get_attribute("aria-disabled") == "true"
    assert widget.get_by_role("button", name="Reset").get_attribute("aria-disabled") == "true"


def test_step_lives_in_the_url(widget, page):
    for _ in range(3):
        widget.get_by_role("button", name="Step", exact=True).click()
    expect(page).to_have_url(re.compile(r"#w1\.step=3$"))
    page.reload()
    page.wait_for_selector("html[data-ready=true]")
    check_step(page.locator("figure[data-widget=weight-descent]"), 3)
    page.goto(page.url.split("#")[0] + "#w1.step=5")  # a teacher's link to step 5
    page.reload()
    page.wait_for_selector("html[data-ready=true]")
    check_step(page.locator("figure[data-widget=weight-descent]"), 5)


def test_prose_numbers_match_the_run(page, site_url):
    page.goto(site_url("one-weight.html"))
    text = page.locator("main").inner_text()
    assert f"{RUN[0]['loss']:.4f}" in text
    assert f"{RUN[0]['slope']:.4f}" in text.replace("−", "-")
    assert f"{RUN[-1]['w']:.4f}" in text


def test_screen_reader_hears_each_step_once(widget, page):
    region = widget.locator("[data-announce]")
    assert region.get_attribute("aria-live") == "polite"
    widget.get_by_role("button", name="Step", exact=True).click()
    expect(region).to_have_text(f"Step 1: w {RUN[1]['w']:.4f}, loss {RUN[1]['loss']:.4f}, "
                                f"slope {RUN[1]['slope']:.4f}.".replace("-", "−"))
    assert widget.locator(".readouts").get_attribute("aria-live") is None  # no stream of updates
