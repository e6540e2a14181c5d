"""Embedding: the snippet a teacher copies from teachers.html (on the published site) sizes the
host's iframe to the lesson after load and after it changes size, and the host ignores other
frames. Lesson pages carry no embed box; from file:// the teachers' page gives no local path."""
from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import expect

BUILD = Path(__file__).resolve().parents[2] / "build"
LESSONS = ["one-weight", "worked-example", "learning-rates", "xor-network"]


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


@pytest.fixture(scope="module")
def published(built_site):
    """build/ served over HTTP at the site's root (base_url /), as a web host would."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(built_site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def teachers_snippet(page, published, slug) -> str:
    """What the copy button puts on the clipboard, read as a teacher sees it on the page."""
    page.goto(published + "teachers.html")
    page.wait_for_selector("html[data-ready=true]")
    box = page.locator(f'.embed-code[data-embed-href="embed/{slug}.html"]')
    expect(box).to_be_visible()
    return box.locator("code").inner_text()


def frame_content_height(page) -> float:
    frame = page.frame_locator("#bpe-one-weight")
    return frame.locator("html").evaluate("e => e.getBoundingClientRect().height")


def iframe_height(page) -> float:
    return page.locator("#bpe-one-weight").evaluate("e => e.getBoundingClientRect().height")


@pytest.fixture
def host(page, tmp_path, published):
    snippet = teachers_snippet(page, published, "one-weight")
    impostor = tmp_path / "impostor.html"
    impostor.write_text("<!DOCTYPE html><title>x</title><p>impostor</p>"
                        "<script>setInterval(function(){parent.postMessage({type:'backprop-explained:height',"
                        "height:12345,page:'one-weight'},'*');},100);</script>")
    html = tmp_path / "host.html"
    html.write_text("<!DOCTYPE html><title>LMS</title><h1>Course page</h1>"
                    f"<div id='box' style='width: 900px'>{snippet}</div>"
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


def test_teachers_page_gives_every_lesson_a_published_address(page, published):
    page.goto(published + "teachers.html")
    page.wait_for_selector("html[data-ready=true]")
    for slug in LESSONS:
        code = page.locator(f'.embed-code[data-embed-href="embed/{slug}.html"] code').inner_text()
        assert f'src="{published}embed/{slug}.html"' in code
        assert "event.source !== frame.contentWindow" in code
    page.get_by_role("button", name="Copy the code for “Learning one weight”").click()
    expect(page.locator(".embed-status").first).not_to_be_empty()


def test_teachers_page_from_a_file_says_publish_first(page, site_url):
    page.goto(site_url("teachers.html"))
    page.wait_for_selector("html[data-ready=true]")
    expect(page.locator(".embed-local")).to_be_visible()
    expect(page.locator(".embed-local")).to_contain_text("publish the site first")
    assert "file://" not in page.locator("main").inner_text()
    assert page.locator(".embed-code:visible").count() == 0


@pytest.mark.parametrize("slug", LESSONS)
def test_lesson_pages_have_no_embed_box_and_link_teachers_from_the_footer(page, site_url, slug):
    page.goto(site_url(f"{slug}.html"))
    page.wait_for_selector("html[data-ready=true]")
    assert page.locator(".embed-this, .embed-code").count() == 0
    assert "Embed this lesson" not in page.content()
    assert page.locator("main a[href='teachers.html']").count() == 0  # not from the lessons themselves
    page.locator("footer").get_by_role("link", name="For teachers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("For teachers")
