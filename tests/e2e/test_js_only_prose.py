"""Prose that asks the learner to press, pick or drag something is marked js-only: it shows
once the page's scripts run, and never without JavaScript or in print."""
from __future__ import annotations

import pytest

# lesson -> how many paragraphs name a control (each marked {: .js-only } in the lesson),
# counting the widgets' own notes about their buttons
MARKED = {"one-weight.html": 1, "worked-example.html": 7, "learning-rates.html": 1, "xor-network.html": 3}
WORDS = ("Press", "press", "Drag", "slider", "button", "Log scale", "Next and", "while you step")


@pytest.mark.parametrize("name", sorted(MARKED))
def test_instructions_show_only_when_the_controls_exist(browser, site_url, name):
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(site_url(name))
    marked = page.locator(".js-only")
    assert marked.count() == MARKED[name]
    assert all(not marked.nth(i).is_visible() for i in range(marked.count()))
    text = page.locator("main").inner_text()
    for word in WORDS:
        assert word not in text, word
    ctx.close()
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(site_url(name))
    page.wait_for_selector("html[data-ready=true]")
    assert all(page.locator(".js-only").nth(i).is_visible() for i in range(MARKED[name]))
    page.emulate_media(media="print")
    assert not any(page.locator(".js-only").nth(i).is_visible() for i in range(MARKED[name]))
    ctx.close()
