"""Whole-site checks, for every built page: no request leaves the page, no console noise,
ready state reached, readable without JavaScript, and alive inside a sandboxed iframe."""
from __future__ import annotations

from pathlib import Path

import pytest

BUILD = Path(__file__).resolve().parents[2] / "build"
PAGES = sorted(p.relative_to(BUILD).as_posix() for p in BUILD.rglob("*.html")) if BUILD.exists() else []


def test_site_has_pages():
    """The pages below are collected from build/ when the tests start: every page the course
    promises must be among them, or the checks below would silently cover less."""
    import yaml

    course = yaml.safe_load((BUILD.parent / "content" / "site.yaml").read_text())["lessons"]
    want = {"index.html", "404.html", "teachers.html", "glossary.html",
            *[f"{slug}.html" for slug in course], *[f"embed/{slug}.html" for slug in course]}
    assert want <= set(PAGES), sorted(want - set(PAGES))


@pytest.mark.parametrize("name", PAGES)
def test_page_is_self_contained_and_quiet(page, site_url, name):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(site_url(name))
    page.wait_for_selector("html[data-ready=true]", timeout=10_000)
    # Let any late script or lazy resource show itself before judging.
    page.wait_for_load_state("load")
    offsite = [u for u in requests if not u.startswith(("file:", "data:", "blob:"))]
    assert offsite == [], offsite
    noisy = [m for m in page.console_messages if m.split(":")[0] in ("error", "warning")]
    assert noisy == [] and page.page_errors == [], (noisy, page.page_errors)


@pytest.mark.parametrize("name", PAGES)
def test_page_without_javascript(browser, site_url, name):
    ctx = browser.new_context(java_script_enabled=False)
    pg = ctx.new_page()
    pg.goto(site_url(name))
    assert pg.locator("h1").first.is_visible()
    assert len(pg.locator("main").inner_text()) > (500 if name not in ("index.html", "404.html") else 80)
    # Widgets keep their static content: a figure, a table or a list of calculations.
    for fig in pg.locator("figure[data-widget]").all():
        assert fig.locator("svg, table, ol, .ps-cards").first.is_visible()
        fallback = fig.locator(".static-fallback svg")
        if fallback.count():
            assert fallback.first.is_visible()
            box = fallback.first.bounding_box()
            assert box["width"] > 200 and box["height"] > 80
    assert pg.locator("html").get_attribute("data-ready") == "false"
    ctx.close()


@pytest.mark.parametrize("name", PAGES)
def test_page_in_sandboxed_iframe(page, tmp_path, site_url, name):
    host = tmp_path / "host.html"
    host.write_text(f'<!DOCTYPE html><title>host</title><iframe sandbox="allow-scripts" '
                    f'src="{site_url(name)}" width="900" height="700"></iframe>')
    page.goto(host.as_uri())
    frame = page.frame_locator("iframe")
    frame.locator("html[data-ready=true]").wait_for(state="attached", timeout=10_000)
    assert page.page_errors == []
