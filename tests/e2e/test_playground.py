"""playground: a 2-8-1 network trained live in the page on the learner's own points.

Parity: each preset trained in the page for the engine's 1,000 steps lands on the engine's
recorded weights (the trace's `final`, computed here by the engine itself). As a learner:
points placed by click, right-click and keys on an XOR layout are learned (loss falls, every
point right), the single neuron cannot separate them, Clear empties the board. A URL reopens
the same board. No console errors; with JavaScript off the static figure shows. Screenshots at
1280 and 375 px, light and dark, mid-training (set PG_SHOTS=folder to keep them).
The fixture site is tests/sites/playground/ with the repository's theme and
content/scenarios/playground-*.yaml."""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from site_builder import build as build_mod
from site_builder import scenarios as sc

REPO = Path(__file__).resolve().parents[2]
LO, HI = -1.5, 1.5


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("playground") / "site"
    shutil.copytree(REPO / "themes", root / "themes")
    shutil.copytree(REPO / "tests" / "sites" / "playground", root, dirs_exist_ok=True)
    (root / "content" / "scenarios").mkdir(parents=True, exist_ok=True)
    for path in (REPO / "content" / "scenarios").glob("playground-*.yaml"):
        shutil.copy(path, root / "content" / "scenarios")
    build_mod.build(root)
    return root


@pytest.fixture(scope="module")
def engine_runs(site):
    """The engine's own traces of the presets (from the build's cache)."""
    scenario = sc.load_scenarios(site / "content")["playground-presets"]
    return sc.run(scenario, site / ".cache")


def url_of(site, hash_=""):
    return (site / "build" / "playground.html").as_uri() + hash_


def open_page(page, url):
    page.goto(url)
    page.wait_for_selector("html[data-ready=true]")
    fig = page.locator("figure[data-widget=playground]")
    assert fig.get_attribute("data-enhanced") == "true"
    return fig


def attr_at_least(page, fig, name, value):
    page.wait_for_function("([el, k, v]) => Number(el.getAttribute(k)) >= v", arg=[fig.element_handle(), name, value],
                           timeout=60_000)


def pause(page, fig):
    if fig.locator("button[data-action=train]").get_attribute("aria-pressed") == "true":
        fig.locator("button[data-action=train]").click()
    page.wait_for_selector("figure.playground button[data-action=train][aria-pressed=false]")


def number(text: str) -> float:
    return float(text.strip().replace("\u2212", "-"))


def click_at(fig, x, y, button="left"):
    """Click the board at board coordinates (x, y)."""
    board = fig.locator(".pg-board")
    box = board.bounding_box()
    px = (x - LO) / (HI - LO) * box["width"]
    py = (HI - y) / (HI - LO) * box["height"]
    board.click(position={"x": px, "y": py}, button=button)


def listed_points(fig):
    """(x, y, class, right) from the list of points in words."""
    out = []
    for li in fig.locator("[data-points] li").all():
        text = li.text_content().replace("\u2212", "-")
        m = re.match(r"\((-?[\d.]+), (-?[\d.]+)\), class (\d)", text)
        out.append((float(m.group(1)), float(m.group(2)), int(m.group(3)), li.get_attribute("data-right")))
    return out


@pytest.mark.parametrize("k", [0, 1, 2])
def test_a_preset_trained_in_the_page_lands_on_the_engines_weights(site, engine_runs, page, k):
    fig = open_page(page, url_of(site))
    tr = engine_runs[k]
    assert int(tr.steps[-1]) == 1000
    fig.locator(f"[data-preset='{k}']").click()
    assert fig.get_attribute("data-points") == str(len(tr.X))
    start = json.loads(fig.get_attribute("data-weights"))
    for name, v in tr.params.items():
        assert np.array_equal(np.asarray(start[name]), v[0])  # the engine's starting weights, exactly
    fig.locator("button[data-action=train]").click()
    # Train runs until the Player stops by itself at the engine's last step.
    page.wait_for_selector("figure.playground button[data-action=train][aria-pressed=false]", timeout=60_000)
    assert fig.get_attribute("data-steps") == "1000"
    assert fig.locator("[data-readout=steps]").inner_text() == "1000"
    got = json.loads(fig.get_attribute("data-weights"))
    worst = each = 0.0
    for name, v in tr.params.items():
        want, have = v[-1], np.asarray(got[name])
        worst = max(worst, float(np.abs(have - want).max() / np.abs(want).max()))
        each = max(each, float((np.abs(have - want) / np.abs(want)).max()))
    print(f"preset {k}: largest difference {worst:.2e} of the largest weight in its array, {each:.2e} of itself")
    assert worst <= 1e-12
    assert number(fig.locator("[data-readout=loss]").inner_text()) == pytest.approx(tr.loss[-1], abs=5e-5)
    assert fig.locator("[data-readout=right]").inner_text() == f"{int(tr.correct[-1])} of {len(tr.X)}"
    assert "the same weights as the engine's run" in fig.locator("[data-readout=status]").inner_text()
    # Train again goes on past the engine's last step.
    fig.locator("button[data-action=train]").click()
    attr_at_least(page, fig, "data-steps", 1010)
    pause(page, fig)
    assert page.console_messages == [] and page.page_errors == []


XOR = [(-0.7, 0.7, 1), (0.7, -0.7, 1), (0.7, 0.7, 0), (-0.7, -0.7, 0)]


def test_a_learner_places_xor_points_trains_and_clears(site, page):
    fig = open_page(page, url_of(site))
    assert fig.get_attribute("data-points") == "0"
    assert "empty" in fig.locator("[data-readout=status]").inner_text()
    # By click: class 1 is chosen; right-click places the other class.
    click_at(fig, -0.7, 0.7)
    click_at(fig, 0.7, -0.7)
    click_at(fig, 0.7, 0.7, button="right")
    click_at(fig, -0.7, -0.7, button="right")
    # By keys: the crosshair starts where the last click was; choose class 0 with the radio.
    fig.locator("input[type=radio][value='0']").check()
    board = fig.locator(".pg-board")
    board.focus()
    # Move to (0.6, 0.6): from (-0.7, -0.7) that is 13 steps right and 13 up.
    for _ in range(13):
        board.press("ArrowRight")
        board.press("ArrowUp")
    board.press("Enter")
    fig.locator("input[type=radio][value='1']").check()
    board.focus()
    for _ in range(12):
        board.press("ArrowLeft")  # to (-0.6, 0.6)
    board.press(" ")
    for _ in range(12):
        board.press("ArrowDown")  # to (-0.6, -0.6): one class 1 point too many
    board.press("Enter")
    assert fig.get_attribute("data-points") == "7"
    board.press("Delete")  # removes the nearest point, the one just placed
    assert fig.get_attribute("data-points") == "6"
    for _ in range(12):
        board.press("ArrowRight")  # to (0.6, -0.6)
    board.press("Enter")
    pts = listed_points(fig)
    want = [(-0.7, 0.7, 1), (0.7, -0.7, 1), (0.7, 0.7, 0), (-0.7, -0.7, 0), (0.6, 0.6, 0), (-0.6, 0.6, 1), (0.6, -0.6, 1)]
    assert [c for *_, c, _ in pts] == [c for *_, c in want]
    assert np.abs(np.array([p[:2] for p in pts]) - np.array([w[:2] for w in want])).max() <= 0.011
    assert fig.get_attribute("data-points") == "7"
    assert "w1.pts=" in page.url

    loss0 = number(fig.locator("[data-readout=loss]").inner_text())
    fig.locator("button[data-action=train]").click()
    page.wait_for_function("el => el.getAttribute('data-right') === '7' && Number(el.getAttribute('data-steps')) >= 50",
                           arg=fig.element_handle(), timeout=60_000)
    pause(page, fig)
    loss1 = number(fig.locator("[data-readout=loss]").inner_text())
    assert loss1 < loss0 / 2
    assert fig.locator("[data-readout=right]").inner_text() == "7 of 7"
    assert fig.locator("[data-readout=status]").inner_text().startswith("All 7 points right after")
    assert [r for *_, r in listed_points(fig)] == ["true"] * 7

    # The single neuron: the same points, one straight line, never all right.
    fig.locator("[data-single]").check()
    assert fig.get_attribute("data-steps") == "0" and fig.get_attribute("data-points") == "7"
    assert len(json.loads(fig.get_attribute("data-weights"))) == 2  # W1 and b1 only
    fig.locator("button[data-action=train]").click()
    attr_at_least(page, fig, "data-steps", 1500)
    pause(page, fig)
    assert int(fig.get_attribute("data-right")) < 7
    assert "no straight line" in fig.locator("[data-readout=status]").inner_text()
    assert "false" in [r for *_, r in listed_points(fig)]

    # Clear, by its key.
    board.press("c")
    assert fig.get_attribute("data-points") == "0"
    assert fig.locator("[data-points] li").count() == 0
    assert fig.locator("[data-readout=right]").inner_text() == "–"
    assert page.console_messages == [] and page.page_errors == []


def test_a_link_reopens_the_same_board(site, page):
    hash_ = "#w1.pts=0.5_0.5_1~-0.5_-0.25_0~1.2_-1.1_1&w1.rate=1&w1.single=1&w1.cls=0"
    fig = open_page(page, url_of(site, hash_))
    assert fig.get_attribute("data-points") == "3"
    assert [(x, y, c) for x, y, c, _ in listed_points(fig)] == [(0.5, 0.5, 1), (-0.5, -0.25, 0), (1.2, -1.1, 1)]
    assert fig.locator("[data-rate]").input_value() == "1"
    assert fig.locator("[data-single]").is_checked()
    assert fig.locator("input[type=radio][value='0']").is_checked()
    # The board's own words name the points.
    assert "3 points (2 of class 1, 1 of class 0)" in fig.locator(".pg-board").get_attribute("aria-label")
    # A placed point goes into the link, and the link reopens it.
    click_at(fig, -1.0, 1.0)
    page.wait_for_url(re.compile(r"w1\.pts=.*~-[\d.]+_[\d.]+_0&"))
    link = page.url
    placed = listed_points(fig)[-1][:3]
    assert placed == pytest.approx((-1.0, 1.0, 0), abs=0.011)
    page.goto("about:blank")
    fig = open_page(page, link)
    assert fig.get_attribute("data-points") == "4"
    assert listed_points(fig)[-1][:3] == placed
    # A preset travels by name.
    fig.locator("[data-preset='1']").click()
    page.wait_for_url(re.compile(r"w1\.preset=1"))
    assert page.console_messages == [] and page.page_errors == []


def test_without_javascript_the_static_figure_shows(site, browser):
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 800})
    pg = ctx.new_page()
    pg.goto(url_of(site))
    fig = pg.locator("figure[data-widget=playground]")
    assert fig.locator(".static-fallback svg.static-figure").is_visible()
    assert not fig.locator(".pg-live").is_visible()
    assert "points right" in fig.locator(".pg-static-words").inner_text()
    assert pg.evaluate("document.documentElement.scrollWidth") <= 375
    ctx.close()


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_mid_training(site, browser, tmp_path, width, scheme):
    folder = Path(os.environ.get("PG_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    pg = ctx.new_page()
    errors = []
    pg.on("console", lambda m: errors.append(m.text))
    pg.on("pageerror", lambda e: errors.append(str(e)))
    fig = open_page(pg, url_of(site))
    fig.locator("[data-preset='1']").click()
    fig.locator("button[data-action=train]").click()
    attr_at_least(pg, fig, "data-steps", 150)
    fig.screenshot(path=str(folder / f"playground-{width}-{scheme}.png"))
    pause(pg, fig)
    assert pg.evaluate("document.documentElement.scrollWidth") <= width
    # 44 px targets: every button, the class choices, the rate and the switch.
    small = pg.evaluate("""() => Array.from(document.querySelectorAll(
        'figure.playground button, figure.playground .pg-seg, figure.playground select, figure.playground .pg-single'))
        .filter((e) => e.offsetParent !== null && e.getBoundingClientRect().height < 44).map((e) => e.textContent)""")
    assert small == []
    assert errors == []
    ctx.close()
