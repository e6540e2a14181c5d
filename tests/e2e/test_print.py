"""Printing a lesson gives a clean handout: every figure once (its static version), every
number table, the think-first questions and the prose that answers them, no controls and no
sentence that names one, and figures that a page break does not cut."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
LESSONS = [f"{slug}.html" for slug in yaml.safe_load((ROOT / "content/site.yaml").read_text())["lessons"]]
# A sentence that tells the reader to operate something that print (or a page without
# JavaScript) does not have.
NAMES_A_CONTROL = re.compile(r"\b(press|click|tap|drag|slider|button|switch the|pick a learning rate|"
                             r"use \w+ and \w+|while you step)\b", re.I)

SEEN = """() => {
    const visible = (e) => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
        return r.width > 0 && r.height > 0 && s.visibility !== 'hidden'; };
    return {
      live: [...document.querySelectorAll('.widget-live')].filter(visible).length,
      fallbacks: [...document.querySelectorAll('.static-fallback')].length,
      shownFallbacks: [...document.querySelectorAll('.static-fallback')].filter(visible).length,
      drawings: [...document.querySelectorAll('figure[data-widget]')].map((f) => [f.id, f.dataset.widget,
          [...f.querySelectorAll('svg.static-figure, svg.lr-chart, svg.wd-curve, canvas')].filter(visible).length]),
      tables: [...document.querySelectorAll('main table')].filter(visible).length,
      allTables: [...document.querySelectorAll('main table')].filter((t) => !t.closest('.widget-live')).length,
      controls: [...document.querySelectorAll('button, select, input, [role=slider]')].filter(visible)
                  .map((e) => e.outerHTML.slice(0, 80)),
      breaks: [...document.querySelectorAll('figure')].map((f) => getComputedStyle(f).breakInside),
    }; }"""


@pytest.mark.parametrize("name", LESSONS)
def test_print_is_a_clean_handout(page, site_url, name):
    page.goto(site_url(name))
    page.wait_for_selector("html[data-ready=true]")
    page.emulate_media(media="print")
    seen = page.evaluate(SEEN)
    assert seen["live"] == 0
    assert seen["shownFallbacks"] == seen["fallbacks"]
    # each figure with a drawing shows it once (the learning-rates chart used to print twice)
    for fig_id, widget, count in seen["drawings"]:
        if widget in ("learning-rates", "weight-descent", "xor-circuit", "xor-hidden-layer"):
            assert count == 1, (fig_id, widget, count)
    assert seen["tables"] == seen["allTables"]  # every number table is printed
    assert seen["controls"] == []
    assert set(seen["breaks"]) == {"avoid"}
    text = page.locator("main").inner_text()
    assert not NAMES_A_CONTROL.search(text), NAMES_A_CONTROL.search(text).group(0)
    for callout in page.locator(".admonition").all():  # the think-first questions are printed
        assert callout.is_visible()


@pytest.mark.parametrize("name", LESSONS)
def test_without_javascript_no_control_and_no_sentence_naming_one(browser, site_url, name):
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(site_url(name))
    seen = page.evaluate(SEEN)
    assert seen["controls"] == []
    for fig_id, widget, count in seen["drawings"]:
        if widget in ("learning-rates", "weight-descent", "xor-circuit", "xor-hidden-layer"):
            assert count == 1, (fig_id, widget, count)
    text = page.locator("main").inner_text()
    assert not NAMES_A_CONTROL.search(text), NAMES_A_CONTROL.search(text).group(0)
    ctx.close()
