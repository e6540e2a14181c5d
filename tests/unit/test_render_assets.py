"""Theme scripts reach pages without their comment-only lines, empty lines and indentation,
and never lose code or a string's spaces; theme style sheets without their comments, and
never lose a rule."""
from __future__ import annotations

import pytest

from site_builder.errors import ContentError
from site_builder.render import without_comment_lines, without_css_comments


def test_comment_lines_go_and_code_stays():
    js = """/* header
 * more header */
(function () {
  // a note
  var a = 1; // trailing comments stay with their code
  /* one-line block */
  var s = "/* not a comment */", t = '// nor this';
  return a * 2;
})();"""
    assert without_comment_lines(js, "x.js") == """(function () {
var a = 1; // trailing comments stay with their code
var s = "/* not a comment */", t = '// nor this';
return a * 2;
})();"""


def test_indentation_goes_except_where_a_string_could_hold_it():
    # A string continued by a backslash keeps the next line whole (its spaces are the
    # string's); empty lines go.
    js = 'var a = "one \\\n    two";\n\n    var b = 1;'
    assert without_comment_lines(js, "x.js") == 'var a = "one \\\n    two";\nvar b = 1;'
    # A template literal's strings may span lines: that script keeps its layout.
    js = "var t = `first\n    second`;\n    var c = 2;"
    assert without_comment_lines(js, "x.js") == js


def test_code_after_a_block_comment_is_refused_at_its_line():
    with pytest.raises(ContentError) as info:
        without_comment_lines("var a;\n/* note */ var b = 2;\n", "theme/x.js")
    assert str(info.value).startswith("theme/x.js:2: code after the end of a block comment")


def test_css_comments_go_and_strings_stay():
    css = """/* The theme's colours.
   Two lines of comment. */
:root { --ink: #111; } /* trailing */
a::before { content: "/* not a comment */"; }
b::after { content: '\\'/* nor this'; }

/* between rules */
c { color: red; /* inside a rule */ margin: 0; }"""
    assert without_css_comments(css) == """:root { --ink: #111; } 
a::before { content: "/* not a comment */"; }
b::after { content: '\\'/* nor this'; }
c { color: red;  margin: 0; }"""


def test_pages_carry_the_theme_css_without_its_comments(tmp_path):
    """Every rule of main.css reaches a built page (the same rules as the source, parsed by
    the same count of braces), and none of its comments."""
    import shutil
    from pathlib import Path

    from site_builder import build

    repo = Path(__file__).resolve().parents[2]
    site = tmp_path / "site"
    shutil.copytree(repo / "themes", site / "themes")
    (site / "content" / "lessons").mkdir(parents=True)
    (site / "content" / "site.yaml").write_text("title: CSS\n")
    (site / "content" / "lessons" / "01-a.md").write_text("---\ntitle: A\n---\n\nWords.\n")
    build.build(site)
    page = (site / "build" / "a.html").read_text()
    source = (repo / "themes/default/assets/css/main.css").read_text()
    assert source.count("/*") > 5  # the source has comments to leave out
    head = page.split("</head>")[0]
    assert "/*" not in head.replace('"/*', "").replace("'/*", "")
    kept = without_css_comments(source)
    assert kept in page and kept.count("{") == kept.count("}") and kept.count("{") > 50
