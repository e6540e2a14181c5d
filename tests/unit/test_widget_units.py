"""A widget is one unit: a site adds its own by following docs/adding-a-widget.md (one module
in <root>/widgets/, one folder in its theme), and the builder discovers it, checks its
options at their line, inlines its script and CSS once, and embeds the union of the trace
fields that every widget on the page asks for."""
from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import html5lib
import numpy as np
import pytest

from site_builder import build as build_mod
from site_builder.errors import ContentError, ContentErrors

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "tests" / "sites" / "widget-example"
NS = {"h": "http://www.w3.org/1999/xhtml"}


@pytest.fixture
def site(tmp_path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(REPO / "themes", root / "themes")
    shutil.copytree(EXAMPLE, root, dirs_exist_ok=True)  # the site's own widget folder on top
    return root


def parse(path: Path):
    return html5lib.parse(path.read_bytes(), namespaceHTMLElements=True)


def decode(packed):
    raw = base64.b64decode(packed["b64"])
    return np.frombuffer(raw, dtype="<f8" if packed["dtype"] == "f64" else "<f4").reshape(packed["shape"])


def test_the_site_widget_is_discovered_and_rendered(site):
    build_mod.build(site)
    doc = parse(site / "build" / "two-widgets.html")
    figures = [f.get("data-widget") for f in doc.iterfind(".//h:figure", NS)]
    assert figures == ["weight-descent", "final-loss"]
    scripts = [s.text or "" for s in doc.iterfind(".//h:script", NS) if s.get("type") is None]
    assert sum('BPE.widgets["final-loss"]' in s for s in scripts) == 1
    assert sum('BPE.widgets["weight-descent"]' in s for s in scripts) == 1
    styles = "".join(s.text or "" for s in doc.iterfind(".//h:style", NS))
    assert ".fl-text" in styles and ".wd-charts" in styles
    # The static sentence, from the build: the loss after 12 steps of w <- w - 0.05 * dE/dw.
    w, X, T = 0.5, np.array([1.0, 2.0]), np.array([2.0, 4.0])
    for _ in range(12):
        w -= 0.05 * float(((w * X - T) * X).sum())
    loss = 0.5 * float(((T - w * X) ** 2).sum())
    text = "".join(doc.find(".//h:p[@class='fl-text']", NS).itertext())
    assert text == f"After 12 epochs the loss is {loss:.6f}."


def test_a_page_embeds_the_union_of_its_widgets_fields(site):
    build_mod.build(site)
    doc = parse(site / "build" / "two-widgets.html")
    blocks = {s.get("id"): s.text for s in doc.iterfind(".//h:script[@type='application/json']", NS)}
    assert list(blocks) == ["trace-tiny"]  # one block per scenario, however many widgets use it
    run = json.loads(blocks["trace-tiny"])["runs"][0]
    # weight-descent asks for steps, loss, params, grads, outputs; final-loss for epochs, loss.
    for key in ("steps", "loss", "params", "grads", "outputs", "epochs"):
        assert key in run, key
    assert "detail" not in run and "correct" not in run  # nobody asked for these
    assert decode(run["epochs"]).tolist() == list(range(13))


def test_the_site_widget_options_are_checked_at_their_line(site):
    lesson = site / "content" / "lessons" / "01-two-widgets.md"
    text = lesson.read_text()
    lesson.write_text(text.replace("digits: 6", "digts: 6"))
    line = text.split("\n").index("digits: 6") + 1
    with pytest.raises((ContentError, ContentErrors)) as info:
        build_mod.build(site)
    assert str(info.value).endswith(f"01-two-widgets.md:{line}: unknown option 'digts' for widget 'final-loss' "
                                    "(did you mean 'digits'?)")
    lesson.write_text(text.replace("digits: 6", "digits: six"))
    with pytest.raises((ContentError, ContentErrors)) as info:
        build_mod.build(site)
    assert f":{line}: option 'digits' should be" in str(info.value)


def test_a_widget_module_that_fails_names_its_file_and_line(site):
    module = site / "widgets" / "final_loss.py"
    module.write_text(module.read_text().replace('fields=("epochs", "loss"),', "fields=undefined_name,"))
    with pytest.raises((ContentError, ContentErrors)) as info:
        build_mod.build(site)
    line = next(i for i, l in enumerate(module.read_text().split("\n"), 1) if "undefined_name" in l)
    assert str(info.value).endswith(f"final_loss.py:{line}: widget module failed to load: NameError: "
                                    "name 'undefined_name' is not defined")


def test_a_widget_without_its_template_is_an_error(site):
    shutil.rmtree(site / "themes" / "default" / "widgets" / "final-loss")
    with pytest.raises((ContentError, ContentErrors)) as info:
        build_mod.build(site)
    assert "final-loss/final-loss.html" in str(info.value) and "has no template" in str(info.value)
    assert not (site / "build").exists()


def test_every_scroller_in_a_widget_template_is_reachable_and_named():
    """A box that may scroll sideways on a phone (a table, a static figure) must be reachable
    by keyboard and named for a screen reader, in every widget: not only where a page happens
    to overflow today (tests/e2e/test_course.py checks the built pages)."""
    import html5lib

    bad = []
    for template in sorted((REPO / "themes" / "default" / "widgets").glob("*/*.html")):
        doc = html5lib.parseFragment(template.read_text(), namespaceHTMLElements=False)
        for el in doc.iter():
            classes = (el.get("class") or "").split() if isinstance(el.tag, str) else []
            if {"table-scroll", "static-fallback"} & set(classes):
                if el.get("tabindex") != "0" or not (el.get("aria-label") or el.get("aria-labelledby")):
                    bad.append(f"{template.parent.name}: <{el.tag} class={el.get('class')!r}>")
    assert bad == []
