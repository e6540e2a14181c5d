"""Theme scripts reach pages without their comment-only lines, and never lose code."""
from __future__ import annotations

import pytest

from site_builder.errors import ContentError
from site_builder.render import without_comment_lines


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


def test_code_after_a_block_comment_is_refused_at_its_line():
    with pytest.raises(ContentError) as info:
        without_comment_lines("var a;\n/* note */ var b = 2;\n", "theme/x.js")
    assert str(info.value).startswith("theme/x.js:2: code after the end of a block comment")
