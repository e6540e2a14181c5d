"""`make offline`: a deterministic zip that, unpacked anywhere, opens from file:// with every
page self-contained and quiet."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from site_builder import bundle

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory, built_site):
    first = bundle.offline(REPO).read_bytes()
    second = bundle.offline(REPO).read_bytes()
    assert first == second  # byte-identical zips from two runs
    target = tmp_path_factory.mktemp("usb-stick")
    with zipfile.ZipFile(REPO / "dist" / "backprop-explained-offline.zip") as zf:
        assert zf.testzip() is None
        zf.extractall(target)
    return target / "backprop-explained"


def test_every_page_works_from_the_unpacked_zip(unpacked, browser):
    pages = sorted(unpacked.rglob("*.html"))
    assert {p.name for p in pages} >= {"index.html", "one-weight.html", "worked-example.html"}
    assert (unpacked / "README.txt").read_text().startswith("Backprop Explained")
    for path in pages:
        ctx = browser.new_context()
        page = ctx.new_page()
        requests, problems = [], []
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(path.as_uri())
        page.wait_for_selector("html[data-ready=true]")
        assert [u for u in requests if not u.startswith(("file:", "data:", "blob:"))] == [], path.name
        assert problems == [], (path.name, problems)
        ctx.close()


def test_links_between_unpacked_pages_work(unpacked, page):
    page.goto((unpacked / "index.html").as_uri())
    page.get_by_role("link", name="One training step, every number").click()
    page.wait_for_selector("html[data-ready=true]")
    assert page.url.endswith("/backprop-explained/worked-example.html")
