"""Printing a lesson gives the static figures once and no controls: every widget's live part
is hidden, its static fallback is shown, and no button, select or input is visible."""
from __future__ import annotations

import pytest

LESSONS = ["one-weight.html", "worked-example.html", "learning-rates.html"]


@pytest.mark.parametrize("name", LESSONS)
def test_print_shows_each_figure_once_and_no_controls(page, site_url, name):
    page.goto(site_url(name))
    page.wait_for_selector("html[data-ready=true]")
    page.emulate_media(media="print")
    seen = page.evaluate("""() => {
        const visible = (e) => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
            return r.width > 0 && r.height > 0 && s.visibility !== 'hidden'; };
        return {
          live: [...document.querySelectorAll('.widget-live')].filter(visible).length,
          fallbacks: [...document.querySelectorAll('.static-fallback')].length,
          shownFallbacks: [...document.querySelectorAll('.static-fallback')].filter(visible).length,
          controls: [...document.querySelectorAll('button, select, input')].filter(visible)
                      .map((e) => e.outerHTML.slice(0, 80)),
        }; }""")
    assert seen["live"] == 0
    assert seen["shownFallbacks"] == seen["fallbacks"]
    assert seen["controls"] == []
