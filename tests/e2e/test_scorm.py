"""SCORM 1.2: each package's launch page, in an iframe of a host page that provides a real
SCORM 1.2 runtime (scorm-again), reports incomplete at launch, completed at the end, and has
its lesson_location restored on relaunch. Outside an LMS the same page stays quiet."""
from __future__ import annotations

import json
import shutil
import threading
import xml.etree.ElementTree as ET
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import expect

from site_builder import scorm

REPO = Path(__file__).resolve().parents[2]
RUNTIME = REPO / "node_modules" / "scorm-again" / "dist" / "scorm12.min.js"
NS = {"cp": "http://www.imsproject.org/xsd/imscp_rootv1p1p2"}

HOST = """<!DOCTYPE html><html><head><title>LMS</title><script src="scorm12.min.js"></script>
<script>
  window.API = new Scorm12API({autocommit: false, logLevel: 5});
  if (location.hash.length > 1) window.API.loadFromFlattenedJSON(JSON.parse(decodeURIComponent(location.hash.slice(1))));
</script></head><body><h1>Course</h1>
<iframe id="sco" src="%s" width="1000" height="600"></iframe></body></html>"""


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


@pytest.fixture(scope="module")
def lms(tmp_path_factory, built_site):
    assert RUNTIME.exists(), "make test installs scorm-again (package.json)"
    first = [p.read_bytes() for p in scorm.packages(REPO)]
    again = [p.read_bytes() for p in scorm.packages(REPO)]
    assert first == again  # deterministic zips
    root = tmp_path_factory.mktemp("lms")
    shutil.copy(RUNTIME, root / "scorm12.min.js")
    launches = {}
    for zpath in sorted((REPO / "dist" / "scorm").glob("*.zip")):
        with zipfile.ZipFile(zpath) as zf:
            names = zf.namelist()
            assert "imsmanifest.xml" in names
            manifest = ET.fromstring(zf.read("imsmanifest.xml"))
            zf.extractall(root / zpath.stem)
        hrefs = [r.get("href") for r in manifest.iterfind(".//cp:resource", NS)]
        assert hrefs and all(h in names for h in hrefs)
        launches[zpath.stem] = f"{zpath.stem}/{hrefs[0]}"
        (root / f"host-{zpath.stem}.html").write_text(HOST % launches[zpath.stem])
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", launches
    server.shutdown()


def cmi(page, element):
    return page.evaluate(f"window.API.cmi.core.{element}")


@pytest.mark.parametrize("package", ["one-weight", "worked-example", "course"])
def test_status_location_and_resume(lms, page, package):
    base, launches = lms
    page.goto(f"{base}/host-{package}.html")
    frame = page.frame_locator("#sco")
    frame.locator("html[data-ready=true]").wait_for(state="attached")
    page.wait_for_function("() => window.API.isInitialized()")
    assert cmi(page, "lesson_status") == "incomplete"

    # Read to the middle: the section in view becomes the lesson location.
    headings = frame.locator(".lesson-body h2[id]")
    middle = headings.nth(headings.count() // 2)
    target = middle.get_attribute("id")
    middle.scroll_into_view_if_needed()
    middle.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_function(f"() => window.API.cmi.core.lesson_location === {json.dumps(target)}")
    assert cmi(page, "lesson_status") == "incomplete"

    # Reach the end: completed.
    frame.locator("#end-of-lesson").evaluate("e => e.scrollIntoView({block: 'end'})")
    page.wait_for_function("() => window.API.cmi.core.lesson_status === 'completed'")
    frame.locator(f"#{target}").evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_function(f"() => window.API.cmi.core.lesson_location === {json.dumps(target)}")

    # Relaunch with what the LMS kept: the learner is back at that section.
    saved = {"cmi.core.lesson_location": target, "cmi.core.lesson_status": "incomplete"}
    page.goto("about:blank")
    page.goto(f"{base}/host-{package}.html#" + json.dumps(saved))
    frame = page.frame_locator("#sco")
    frame.locator("html[data-ready=true]").wait_for(state="attached")
    page.wait_for_function("() => window.API.isInitialized()")
    top = frame.locator(f"#{target}").evaluate("e => e.getBoundingClientRect().top")
    assert -2 <= top <= 60, top
    assert frame.locator("html").evaluate("() => window.scrollY") > 200
    assert page.page_errors == []


def test_outside_an_lms_nothing_runs(lms, page):
    base, launches = lms
    page.goto(f"{base}/{launches['one-weight']}")
    page.wait_for_selector("html[data-ready=true]")
    assert page.evaluate("() => typeof window.API") == "undefined"
    assert page.page_errors == [] and [m for m in page.console_messages if m.startswith(("error", "warning"))] == []
