"""Embedding: the chrome-less page sizes the host's iframe (the README's snippet) to its
content after load and after it changes size, and the host ignores other frames."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from site_builder.render import host_snippet

BUILD = Path(__file__).resolve().parents[2] / "build"


def frame_content_height(page) -> float:
    frame = page.frame_locator("#bpe-one-weight")
    return frame.locator("html").evaluate("e => e.getBoundingClientRect().height")


def iframe_height(page) -> float:
    return page.locator("#bpe-one-weight").evaluate("e => e.getBoundingClientRect().height")


@pytest.fixture
def host(page, tmp_path):
    src = (BUILD / "embed" / "one-weight.html").as_uri()
    impostor = tmp_path / "impostor.html"
    impostor.write_text("<!DOCTYPE html><title>x</title><p>impostor</p>"
                        "<script>setInterval(function(){parent.postMessage({type:'backprop-explained:height',"
                        "height:12345,page:'one-weight'},'*');},100);</script>")
    html = tmp_path / "host.html"
    html.write_text("<!DOCTYPE html><title>LMS</title><h1>Course page</h1>"
                    f"<div id='box' style='width: 900px'>{host_snippet('one-weight', src, 'Learning one weight')}</div>"
                    f"<iframe src='{impostor.as_uri()}' width=50 height=50></iframe>")
    page.goto(html.as_uri())
    frame = page.frame_locator("#bpe-one-weight")
    frame.locator("html[data-ready=true]").wait_for(state="attached")
    return page


def test_iframe_fits_content_after_load(host):
    page = host
    expect(page.locator("#bpe-one-weight")).not_to_have_attribute("style", "width: 100%; border: 0px;")
    page.wait_for_timeout(300)  # the impostor has had time to send several messages
    assert abs(iframe_height(page) - frame_content_height(page)) <= 4
    assert iframe_height(page) != 12345  # messages from another frame are ignored
    assert iframe_height(page) > 1500  # the lesson is long; the default 900 px would clip it


def test_iframe_follows_a_size_change(host):
    page = host
    before = iframe_height(page)
    page.locator("#box").evaluate("e => e.style.width = '380px'")  # charts stack, text rewraps
    expect_taller = before + 300
    for _ in range(50):
        if iframe_height(page) > expect_taller:
            break
        page.wait_for_timeout(100)
    assert iframe_height(page) > expect_taller
    assert abs(iframe_height(page) - frame_content_height(page)) <= 4


def test_embed_page_has_no_site_chrome_and_links_back():
    html = (BUILD / "embed" / "one-weight.html").read_text()
    assert 'class="site-header"' not in html and 'class="pager"' not in html
    assert 'href="../one-weight.html"' in html


def test_lesson_offers_the_snippet(page, site_url):
    page.goto(site_url("one-weight.html"))
    page.wait_for_selector("html[data-ready=true]")
    page.get_by_text("Embed this lesson").click()
    code = page.locator(".embed-this code").inner_text()
    assert (BUILD / "embed" / "one-weight.html").as_uri() in code
    assert "event.source !== frame.contentWindow" in code
    page.get_by_role("button", name="Copy the code").click()
    expect(page.locator(".embed-status")).not_to_be_empty()
