"""Hostile strings in titles, prose, scenario titles and data cannot break a page: it still
parses, its trace JSON still decodes, and no script runs that the builder did not write."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from site_builder import cli

REPO = Path(__file__).resolve().parents[2]
EVIL = "</script><script>alert(1)</script><!-- \u2028\u2029 \"quotes\" 'single' & <b>bold</b>"


def test_hostile_strings_stay_text(tmp_path, page):
    root = tmp_path / "site"
    shutil.copytree(REPO / "tests/sites/mini", root)
    shutil.copytree(REPO / "themes", root / "themes")
    lesson = root / "content/lessons/01-first.md"
    text = lesson.read_text()
    text = text.replace("title: First lesson", f"title: {json.dumps(EVIL)}")
    text = text.replace("summary: The first one.", "summary: \"--> <!-- </title>\"")
    text = text.replace("caption: Tiny run.", "caption: \"</figure></script><!--\"")
    text += "\n\nA very long line: " + ("x" * 20000) + "\n\nProse with `</script>` in code and &lt;script&gt; escaped.\n"
    lesson.write_text(text)
    scenario = root / "content/scenarios/tiny.yaml"
    scenario.write_text(scenario.read_text().replace("title: Tiny", "title: \"</script><!-- \\u2028\""))
    assert cli.main(["build", "--quiet", "--root", str(root)]) == 0

    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto((root / "build/first.html").as_uri())
    page.wait_for_selector("html[data-ready=true]")
    assert dialogs == [] and page.page_errors == []
    assert "</script><script>alert(1)</script><!--" in page.locator("h1").inner_text()
    assert "\"quotes\" 'single' & <b>bold</b>" in page.locator("h1").inner_text()
    assert page.locator("b").count() == 0  # the <b> in the title is text, not markup
    fig = page.locator("figure[data-widget=weight-descent]")
    assert fig.get_attribute("data-enhanced") == "true"  # the trace JSON decoded
    assert "</figure></script><!--" in fig.locator("figcaption").inner_text()
    # Only the builder's scripts exist: core, trace decoder, the widget, boot (lesson pages
    # carry no embed dialog since the snippets moved to teachers.html).
    assert page.locator("script:not([type])").count() == 4
