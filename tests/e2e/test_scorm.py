"""SCORM 1.2: each package's manifest is well-formed, names no schema files and every file it
names is in the zip; each package's launch page, in an iframe of a host page that provides a
real SCORM 1.2 runtime (scorm-again), reports incomplete at launch, completed at the end, has
its lesson_location restored on relaunch, and reports the time spent as cmi.core.session_time
when it is left. Outside an LMS the same page stays quiet."""
from __future__ import annotations

import json
import re
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
CP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
NS = {"cp": CP, "adlcp": ADLCP}
# SCORM 1.2 CMITimespan: HHHH:MM:SS.SS (hours two to four digits, optional hundredths).
TIMESPAN = re.compile(r"^(\d{2,4}):([0-5]\d):([0-5]\d)(\.\d{1,2})?$")

# The host records every LMS call the SCO makes (element, value, result) in window.calls.
HOST = """<!DOCTYPE html><html><head><title>LMS</title><script src="scorm12.min.js"></script>
<script>
  window.API = new Scorm12API({autocommit: false, logLevel: 5});
  if (location.hash.length > 1) window.API.loadFromFlattenedJSON(JSON.parse(decodeURIComponent(location.hash.slice(1))));
  window.calls = [];
  ["LMSInitialize", "LMSSetValue", "LMSCommit", "LMSFinish"].forEach(function (name) {
    var real = window.API[name].bind(window.API);
    window.API[name] = function () {
      var result = real.apply(null, arguments);
      window.calls.push([name].concat(Array.prototype.slice.call(arguments), [String(result)]));
      return result;
    };
  });
</script></head><body><h1>Course</h1>
<iframe id="sco" src="%s" width="1000" height="600"></iframe></body></html>"""


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


@pytest.fixture(scope="module")
def zips(built_site) -> list[Path]:
    first = scorm.packages(REPO)
    again = [p.read_bytes() for p in scorm.packages(REPO)]
    assert [p.read_bytes() for p in first] == again  # deterministic zips
    assert sorted(first) == sorted((REPO / "dist" / "scorm").glob("*.zip"))
    return sorted(first)


def test_manifests_name_no_schemas_and_only_files_in_the_zip(zips):
    assert {z.stem for z in zips} >= {"course", "one-weight", "worked-example"}
    for zpath in zips:
        with zipfile.ZipFile(zpath) as zf:
            names = set(zf.namelist())
            raw = zf.read("imsmanifest.xml")
        manifest = ET.fromstring(raw)
        where = zpath.name
        # SCORM 1.2 content packaging: the IMS CP 1.1.2 root, ADL's adlcp namespace, the metadata.
        assert manifest.tag == f"{{{CP}}}manifest", where
        assert manifest.findtext("cp:metadata/cp:schema", namespaces=NS) == "ADL SCORM", where
        assert manifest.findtext("cp:metadata/cp:schemaversion", namespaces=NS) == "1.2", where
        # No schema files are named (the zips do not carry ADL's XSDs), nor the xsi namespace.
        for el in manifest.iter():
            assert not [a for a in el.attrib if a.rsplit("}", 1)[-1].lower() == "schemalocation"], (where, el.tag)
        assert b"schemaLocation" not in raw and b"XMLSchema-instance" not in raw, where
        # Items point at resources; every file a resource names is in the zip, and nothing else is.
        resources = {r.get("identifier"): r for r in manifest.iterfind("cp:resources/cp:resource", NS)}
        default = manifest.find("cp:organizations", NS).get("default")
        org = manifest.find(f"cp:organizations/cp:organization[@identifier='{default}']", NS)
        items = list(org.iterfind(".//cp:item", NS))
        assert items and all(i.get("identifierref") in resources for i in items), where
        named = set()
        for res in resources.values():
            assert res.get(f"{{{ADLCP}}}scormtype") == "sco" and res.get("type") == "webcontent", where
            files = [f.get("href") for f in res.iterfind("cp:file", NS)]
            assert res.get("href") in files, (where, res.get("href"))
            named.update(files + [res.get("href")])
        assert named and named <= names, (where, named - names)
        assert names == named | {"imsmanifest.xml"}, (where, names - named)


@pytest.fixture(scope="module")
def lms(tmp_path_factory, zips):
    assert RUNTIME.exists(), "make test installs scorm-again (package.json)"
    root = tmp_path_factory.mktemp("lms")
    shutil.copy(RUNTIME, root / "scorm12.min.js")
    launches = {}
    for zpath in zips:
        with zipfile.ZipFile(zpath) as zf:
            manifest = ET.fromstring(zf.read("imsmanifest.xml"))
            zf.extractall(root / zpath.stem)
        hrefs = [r.get("href") for r in manifest.iterfind(".//cp:resource", NS)]
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


def seconds(timespan: str) -> float:
    h, m, s, frac = TIMESPAN.match(timespan).groups()
    return int(h) * 3600 + int(m) * 60 + int(s) + float(frac or 0)


@pytest.mark.parametrize("leave", ["navigate", "remove"])
@pytest.mark.parametrize("package", ["one-weight", "course"])
def test_session_time_is_reported_on_leaving(lms, page, package, leave):
    base, launches = lms
    page.goto(f"{base}/host-{package}.html")
    page.frame_locator("#sco").locator("html[data-ready=true]").wait_for(state="attached")
    page.wait_for_function("() => window.API.isInitialized()")
    page.wait_for_timeout(1200)  # the learner reads for a measurable while
    if leave == "navigate":
        page.evaluate("() => { document.getElementById('sco').src = 'about:blank'; }")
    else:
        page.evaluate("() => document.getElementById('sco').remove()")
    page.wait_for_function("() => window.API.isTerminated()")

    calls = page.evaluate("window.calls")
    names = [c[0] for c in calls]
    sets = [c for c in calls if c[0] == "LMSSetValue" and c[1] == "cmi.core.session_time"]
    assert len(sets) == 1, calls
    _, _, sent, result = sets[0]
    assert TIMESPAN.match(sent), f"not a SCORM 1.2 CMITimespan: {sent!r}"
    assert result == "true", (sent, page.evaluate("window.API.LMSGetLastError()"))
    assert 1.2 <= seconds(sent) < 60, sent
    # Reported before the closing commit and finish, measured from LMSInitialize.
    at = calls.index(sets[0])
    assert names.index("LMSInitialize") < at < len(names) - 2, names
    assert names[-2:] == ["LMSCommit", "LMSFinish"] and "LMSFinish" not in names[:-1], names
    # What the runtime kept (write-only through the API; its JSON export reads it).
    kept = page.evaluate("() => JSON.parse(JSON.stringify(window.API.cmi)).core.session_time")
    assert TIMESPAN.match(kept) and seconds(kept) == pytest.approx(seconds(sent), abs=0.011), (kept, sent)
    assert page.page_errors == []
    print(f"{package} ({leave}): cmi.core.session_time = {sent} (runtime keeps {kept})")
