"""The other side of hardening: inputs a careful author writes must build, and show exactly
what was written. Every check here reads the built page with a real HTML parser."""
from __future__ import annotations

import os
from pathlib import Path

import html5lib
import pytest

from site_builder import build as build_mod

from test_pipeline import site  # noqa: F401  (the mini site, copied with the theme: a fixture)

NS = "{http://www.w3.org/1999/xhtml}"


def lesson(root: Path) -> Path:
    return root / "content/lessons/02-second.md"


def add(root: Path, text: str, newline: str = "\n", bom: bool = False) -> None:
    path = lesson(root)
    body = path.read_text().replace("## More", "## More\n\n" + text, 1)
    data = body.replace("\n", newline).encode()
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)


def main_of(page: Path):
    doc = html5lib.parse(page.read_text(), namespaceHTMLElements=True)
    (main,) = [e for e in doc.iter(f"{NS}main")]
    return main


def text_of(element) -> str:
    return " ".join("".join(element.itertext()).split())


def test_bom_and_crlf_lesson_builds(site):
    add(site, "Line one.\n\nLine two, with a weight of {{ tiny.W1[0,0] @0 :.2f }}.", newline="\r\n", bom=True)
    build_mod.build(site)
    shown = text_of(main_of(site / "build/second.html"))
    assert "Line one." in shown and "Line two, with a weight of" in shown
    assert "\ufeff" not in (site / "build/second.html").read_text()


def test_less_than_sign_and_kbd_and_plain_url_show_as_written(site):
    add(site, "If a < b then press <kbd>Space</kbd>. See https://example.org/page for more.")
    build_mod.build(site)
    main = main_of(site / "build/second.html")
    assert "If a < b then press Space." in text_of(main)
    assert [text_of(k) for k in main.iter(f"{NS}kbd")] == ["Space"]
    assert "https://example.org/page" in text_of(main)


def test_inline_svg_drawing_is_kept(site):
    add(site, '<svg viewBox="0 0 10 10" width="40" height="40" role="img" aria-label="a dot">'
              '<circle cx="5" cy="5" r="4" fill="currentColor"/></svg>')
    build_mod.build(site)
    main = main_of(site / "build/second.html")
    circles = list(main.iter("{http://www.w3.org/2000/svg}circle"))
    assert [c.get("r") for c in circles] == ["4"]


def test_html_inside_tex_text_is_shown_as_text(site):
    add(site, r"Inline $\text{<img src=x onerror=alert(1)>}$ maths.")
    build_mod.build(site)
    main = main_of(site / "build/second.html")
    assert not list(main.iter(f"{NS}img"))
    mtexts = [text_of(m) for m in main.iter("{http://www.w3.org/1998/Math/MathML}mtext")]
    assert "<img src=x onerror=alert(1)>" in mtexts


def test_expressions_inside_code_stay_literal(site):
    add(site, "Inline: `{{ tiny.W1[0,0] @last }}`.\n\n```text\n{{ tiny.W1[0,0] @last }}\n```")
    build_mod.build(site)
    main = main_of(site / "build/second.html")
    codes = [text_of(c) for c in main.iter(f"{NS}code")]
    assert codes.count("{{ tiny.W1[0,0] @last }}") == 2


def test_unicode_file_name_gives_unicode_page(site):
    src = site / "content/lessons/03-café.md"
    src.write_text("---\ntitle: Café lesson\nsummary: Accents in the name.\n---\n\nBonjour.\n")
    build_mod.build(site)
    assert (site / "build/café.html").is_file()
    index = (site / "build/index.html").read_text()
    assert "Café lesson" in index


def test_editor_lock_file_is_ignored(site):
    # Emacs leaves '.#name.md' as a dangling symlink while a file is being edited.
    os.symlink("root@host.1234:1700000000", site / "content/lessons/.#02-second.md")
    build_mod.build(site)
    assert sorted(p.name for p in (site / "build").glob("*.html")) == ["404.html", "first.html", "index.html",
                                                                       "second.html", "teachers.html"]
