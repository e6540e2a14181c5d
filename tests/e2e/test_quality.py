"""Quality gates for every page: axe-core finds nothing (light and dark, desktop and phone),
the Nu HTML checker finds no error, and a phone can use every page."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "build"
PAGES = sorted(p.relative_to(BUILD).as_posix() for p in BUILD.rglob("*.html")) if BUILD.exists() else []
VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = Axe()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violation(browser, site_url, name, scheme, width):
    ctx = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": 800})
    page = ctx.new_page()
    page.goto(site_url(name))
    page.wait_for_selector("html[data-ready=true]")
    result = AXE.run(page)
    found = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result.response["violations"]]
    ctx.close()
    assert found == []


def test_nu_html_checker_finds_no_error():
    assert VNU.exists(), "make test installs the Nu HTML checker (npm package vnu-jar)"
    proc = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--also-check-svg", "--format", "json",
                           *[str(BUILD / p) for p in PAGES]], capture_output=True, text=True)
    messages = json.loads(proc.stderr or proc.stdout or '{"messages": []}')["messages"]
    errors = [f"{m.get('url', '').rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m.get('message')}" for m in messages]
    assert errors == [] and proc.returncode == 0


UNDER_MISMATCHES = """() => {
  const probe = document.createElement('div');
  document.body.appendChild(probe);
  const colour = (v) => { probe.style.backgroundColor = v; return getComputedStyle(probe).backgroundColor; };
  const bad = [];
  for (const box of document.querySelectorAll('.math-block, .table-scroll, .scroll-box')) {
    let e = box.parentElement, behind = colour(getComputedStyle(document.body).backgroundColor);
    for (; e && e !== document.body; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      if (c !== 'rgba(0, 0, 0, 0)') { behind = c; break; }
    }
    const under = colour(getComputedStyle(box).getPropertyValue('--under').trim());
    if (under !== behind) bad.push(`${box.parentElement.className}: covers ${under} on ${behind}`);
  }
  probe.remove();
  return bad;
}"""


CAPTIONS_PAST_THE_BOX = """() => [...document.querySelectorAll('.table-scroll caption')].filter((c) => {
    const r = c.getBoundingClientRect(), box = c.closest('.table-scroll').getBoundingClientRect();
    return r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1);
  }).map((c) => c.textContent.trim().slice(0, 40))"""


@pytest.mark.parametrize("name", PAGES)
def test_phone_fits_and_controls_are_big_enough(browser, site_url, name):
    ctx = browser.new_context(viewport={"width": 375, "height": 667}, has_touch=True, is_mobile=True)
    page = ctx.new_page()
    page.goto(site_url(name))
    page.wait_for_selector("html[data-ready=true]")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow}px of horizontal scrolling"
    # A box that scrolls sideways hides its edge shadows under covers of --under: that must be
    # the colour the box sits on, or the covers show as patches.
    assert page.evaluate(UNDER_MISMATCHES) == []
    # A wide table scrolls; its caption wraps within what the box shows, and stays there.
    assert page.evaluate(CAPTIONS_PAST_THE_BOX) == []
    small = page.evaluate("""() => Array.from(document.querySelectorAll(
            'button, select, input, .widget-controls a, .pager a, .site-title, .lesson-list a'))
        .filter(e => e.offsetParent !== null)
        .map(e => [e.textContent.trim().slice(0, 30), e.getBoundingClientRect()])
        .filter(([t, r]) => r.height < 44 || r.width < 44)
        .map(([t, r]) => `${t}: ${Math.round(r.width)}x${Math.round(r.height)}`)""")
    ctx.close()
    assert small == []


def test_phone_tap_steps_the_widgets(browser, site_url):
    ctx = browser.new_context(viewport={"width": 375, "height": 667}, has_touch=True, is_mobile=True)
    page = ctx.new_page()
    page.goto(site_url("one-weight.html"))
    page.wait_for_selector("html[data-ready=true]")
    fig = page.locator("figure[data-widget=weight-descent]")
    fig.get_by_role("button", name="Step", exact=True).tap()
    fig.get_by_role("button", name="Step", exact=True).tap()
    assert fig.get_attribute("data-step") == "2"
    page.goto(site_url("worked-example.html"))
    page.wait_for_selector("html[data-ready=true]")
    steps = page.locator("figure[data-widget=worked-steps]")
    steps.get_by_role("button", name="Next").tap()
    assert steps.get_attribute("data-step") == "2"
    ctx.close()
