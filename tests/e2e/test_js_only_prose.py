"""Prose that asks the learner to press or drag something is marked js-only: it shows once
the page's scripts run, and never without JavaScript or in print."""
from __future__ import annotations


def test_instructions_show_only_when_the_controls_exist(browser, site_url):
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(site_url("xor-network.html"))
    marked = page.locator(".js-only")
    assert marked.count() == 3
    assert all(not marked.nth(i).is_visible() for i in range(marked.count()))
    text = page.locator("main").inner_text()
    for word in ("Press", "press", "Drag", "slider", "button"):
        assert word not in text, word
    ctx.close()
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(site_url("xor-network.html"))
    page.wait_for_selector("html[data-ready=true]")
    assert all(page.locator(".js-only").nth(i).is_visible() for i in range(3))
    page.emulate_media(media="print")
    assert not any(page.locator(".js-only").nth(i).is_visible() for i in range(3))
    ctx.close()
