"""Helpers for the fuzz tests (tests/unit/test_fuzz.py): mutations of the mini-site, Hypothesis
strategies that generate them, an in-process build with its time and memory measured, and
whole-site checks of the pages with a real HTML parser (html5lib).

The property: every build of a mutated mini-site either succeeds, and then every page is safe
(`check_pages`), or fails with exit code 1 and stderr made only of `path:line: message` /
`path: message` lines, with build/ untouched, never a traceback; and never takes more than
TIME_LIMIT seconds or MEMORY_LIMIT bytes. `examine` returns the broken promises as `Problem`s.
"""
from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import io
import json
import os
import re
import resource
import shutil
import signal
import time
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

import html5lib
import yaml
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "sites" / "mini"

TIME_LIMIT = 10.0            # seconds of wall time per build
MEMORY_LIMIT = 1 << 30       # bytes of peak RSS growth per build
ADDRESS_SPACE_SLACK = 2 << 30  # a hard cap on address-space growth, so a runaway build fails instead of swapping

LESSON1 = "content/lessons/01-first.md"
LESSON2 = "content/lessons/02-second.md"
SCENARIO = "content/scenarios/tiny.yaml"
SITE = "content/site.yaml"
LESSONS = (LESSON1, LESSON2)
YAML_FILES = (SCENARIO, SITE)
FILES = (LESSON1, LESSON2, SCENARIO, SITE)


# --- the good site, built once, copied per example -------------------------------------------

def make_good_site(folder: Path) -> Path:
    """The mini-site with the repository's themes, built once so build/ and .cache/ are warm."""
    from site_builder import cli

    root = Path(folder) / "good"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(MINI, root)
    shutil.copytree(REPO / "themes", root / "themes")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["build", "--quiet", "--root", str(root)])
    assert code == 0, err.getvalue()
    return root


def clone(good: Path, dest: Path) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(good, dest, symlinks=True)
    return dest


def tree_hash(folder: Path) -> dict:
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --- mutations ---------------------------------------------------------------------------------
# Each mutation changes one file's bytes; str() says what it did (Hypothesis prints the list).

def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _front_matter_end(lines: list[bytes]) -> int:
    """Index of the closing '---' of a lesson's front matter (0 when there is none)."""
    if not lines or lines[0].strip() != b"---":
        return 0
    for i in range(1, len(lines)):
        if lines[i].strip() == b"---":
            return i
    return 0


@dataclass(frozen=True)
class ByteFlip:
    file: str
    at: int
    byte: int

    def apply(self, data: bytes) -> bytes:
        if not data:
            return bytes([self.byte])
        i = self.at % len(data)
        return data[:i] + bytes([self.byte]) + data[i + 1:]

    def __str__(self):
        return f"ByteFlip({self.file}: byte {self.at} (mod size) -> {self.byte:#04x})"


@dataclass(frozen=True)
class Truncate:
    file: str
    keep: int

    def apply(self, data: bytes) -> bytes:
        return data[: self.keep % (len(data) + 1)]

    def __str__(self):
        return f"Truncate({self.file}: keep {self.keep} (mod size+1) bytes)"


@dataclass(frozen=True)
class Insert:
    """Text put into a file: a line of its own (`column` None) or inside a line. In a lesson
    the position counts lines of the body (after the front matter) unless `anywhere`."""
    file: str
    family: str  # html | tex | expr | yaml | text
    text: str
    line: int
    column: int | None = None
    anywhere: bool = False

    def apply(self, data: bytes) -> bytes:
        lines = _lines(data)
        start = 0 if (self.anywhere or self.file not in LESSONS) else _front_matter_end(lines) + 1
        start = min(start, len(lines))
        i = start + self.line % (len(lines) - start + 1)
        new = self.text.encode("utf-8")
        if self.column is None or i >= len(lines):
            lines[i:i] = new.split(b"\n")
        else:
            line = lines[i]
            c = self.column % (len(line) + 1)
            lines[i] = line[:c] + new + line[c:]
        return b"\n".join(lines)

    def __str__(self):
        where = f"line {self.line}" + (f" col {self.column}" if self.column is not None else "") + \
                (" (anywhere)" if self.anywhere else "")
        return f"Insert[{self.family}]({self.file} {where}: {self.text!r})"


@dataclass(frozen=True)
class Replace:
    """The `nth` match of `pattern` (mod the number of matches) replaced by `text`."""
    file: str
    family: str  # number | key | value
    pattern: str
    nth: int
    text: str

    def apply(self, data: bytes) -> bytes:
        s = data.decode("utf-8", "surrogateescape")
        found = list(re.finditer(self.pattern, s, re.M))
        if not found:
            return data
        m = found[self.nth % len(found)]
        return (s[:m.start()] + self.text + s[m.end():]).encode("utf-8", "surrogateescape")

    def __str__(self):
        return f"Replace[{self.family}]({self.file}: match {self.nth} of /{self.pattern}/ -> {self.text!r})"


@dataclass(frozen=True)
class DuplicateKey:
    """A `key: value` line repeated right after itself (same value, or `value` when given)."""
    file: str
    nth: int
    value: str | None = None

    def apply(self, data: bytes) -> bytes:
        lines = _lines(data)
        keyed = [i for i, l in enumerate(lines) if re.match(rb"^\s*[A-Za-z_][\w-]*\s*:", l)]
        if not keyed:
            return data
        i = keyed[self.nth % len(keyed)]
        dup = lines[i]
        if self.value is not None:
            dup = dup.split(b":", 1)[0] + b": " + self.value.encode("utf-8")
        lines.insert(i + 1, dup)
        return b"\n".join(lines)

    def __str__(self):
        return f"DuplicateKey({self.file}: keyed line {self.nth}" + (f", value {self.value!r})" if self.value is not None else ")")


@dataclass(frozen=True)
class SwapValue:
    """The YAML value at the `nth` key path (mod the number of paths; containers included)
    replaced by `value`, a value of another type; the YAML is written again. In a lesson the
    front matter is rewritten and the body kept. A file that no longer parses is left alone."""
    file: str
    nth: int
    value: object
    flow: bool = False

    def apply(self, data: bytes) -> bytes:
        if self.file in LESSONS:
            lines = _lines(data)
            end = _front_matter_end(lines)
            if not end:
                return data
            head, tail = b"\n".join(lines[1:end]), lines[end:]
        else:
            head, tail = data, None
        try:
            doc = yaml.safe_load(head.decode("utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError):
            return data
        paths = list(_paths(doc))
        if not paths:
            return data
        path = paths[self.nth % len(paths)]
        doc = _set(doc, path, self.value)
        text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=4096,
                              default_flow_style=None if self.flow else False).encode("utf-8")
        if tail is None:
            return text
        return b"\n".join([b"---", text.rstrip(b"\n")] + tail)

    def __str__(self):
        return f"SwapValue({self.file}: value {self.nth} (mod count) -> {self.value!r})"


@dataclass(frozen=True)
class SetTopLevel:
    """The first line that starts with `key:` (the key of `line`) replaced by `line`; `line`
    added after the first line when no such line is there (in a lesson: in the front matter)."""
    file: str
    line: str

    def apply(self, data: bytes) -> bytes:
        key = self.line.split(":", 1)[0].strip()
        lines = _lines(data)
        end = _front_matter_end(lines) if self.file in LESSONS else len(lines)
        for i in range(min(end, len(lines))):
            if lines[i].split(b":", 1)[0].strip() == key.encode() and not lines[i][:1].isspace():
                lines[i:i + 1] = self.line.encode("utf-8").split(b"\n")
                return b"\n".join(lines)
        lines[1:1] = self.line.encode("utf-8").split(b"\n")
        return b"\n".join(lines)

    def __str__(self):
        return f"SetTopLevel({self.file}: {self.line!r})"


def _paths(doc, prefix=()):
    if prefix:
        yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, prefix + (i,))


def _set(doc, path, value):
    if not path:
        return value
    target = doc
    for k in path[:-1]:
        target = target[k]
    target[path[-1]] = value
    return doc


def apply_all(root: Path, mutations) -> None:
    for m in mutations:
        path = Path(root) / m.file
        path.write_bytes(m.apply(path.read_bytes()))


# --- strategies --------------------------------------------------------------------------------

INTERESTING_BYTES = [0x00, 0x01, 0x0C, 0x1B, 0x7F, 0x80, 0xC3, 0xE2, 0xFF, 0xFE,
                     ord("\n"), ord("\r"), ord("\t"), ord(" "), ord(":"), ord("-"), ord("{"), ord("}"),
                     ord("["), ord("]"), ord('"'), ord("'"), ord("$"), ord("<"), ord(">"), ord("\\"),
                     ord("&"), ord("#"), ord("|"), ord("/"), ord("@"), ord("*"), ord("!"), ord("%")]

HUGE_NUMBERS = ["0", "-1", "-0", "1e308", "1e309", "-1e400", "1e-320", "5e-324", ".inf", "-.inf", ".nan",
                "2147483648", "4294967297", "9223372036854775808", "99999999999999999999999999999999",
                "1000000", "100000000", "1e9", "0x7fffffff", "0o777", "1_000_000", "3.0", "007"]

# Values of another type than the one a field wants.
SWAP_VALUES = st.one_of(
    st.sampled_from([None, True, False, 0, -1, 1, 2 ** 31, 2 ** 63, 10 ** 30, -(10 ** 30), 1e308,
                     float("inf"), float("-inf"), float("nan"), 5e-324, 0.5, "", "text", "tiny", "W1[0,0]",
                     [], {}, [1, 2], [[1.0]], [[1.0], [2.0]], ["step", "reset"], {"a": 1}, {"inputs": [[1]]},
                     [None], [[]], [[[1]]], ["<script>alert(1)</script>"], "<img src=x onerror=alert(1)>",
                     "javascript:alert(1)", "x" * 3000, [0] * 500, list(range(200)),
                     {"weights": {"W1": [[1e308]], "b1": [1e308]}}]),
    st.integers(), st.floats(), st.text(max_size=20),
    st.lists(st.integers(-3, 3), max_size=4),
    st.dictionaries(st.sampled_from(["a", "steps", "inputs", "sizes", "title"]), st.integers(-2, 2), max_size=3),
    st.recursive(st.integers(0, 2), lambda inner: st.lists(inner, min_size=1, max_size=2), max_leaves=8),
)

# YAML text that only raw insertion can give: anchors and aliases (a "billion laughs"), tags,
# complex keys, merge keys, multi-documents, tabs.
RAW_YAML = [
    "bomb: &a [x, x, x, x, x, x, x, x, x]\nbomb2: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "bomb3: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nbomb4: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "bomb5: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nbomb6: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    "bomb7: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nbomb8: [*g, *g, *g, *g, *g, *g, *g, *g, *g]",
    "title: &t [*t]",
    "x: !!python/object/apply:os.system [echo hi]",
    "x: !!binary aGVsbG8=",
    "x: !!set {a, b}",
    "x: !!timestamp 2001-12-14",
    "x: !custom 3",
    "? [a, b]\n: c",
    "? {a: 1}\n: c",
    "base: &base {a: 1}\nmerged: {<<: *base}",
    "<<: {title: merged}",
    "---\nsecond: document",
    "...",
    "\ttabbed: 1",
    "key: 'unclosed",
    'key: "\\x00\\uD800"',
    "key: [unclosed",
    "key: {unclosed: 1",
    "- a\n- b",
    "%YAML 1.1",
    "1: numeric key",
    "null: null key",
    "[a, b]: flow key",
    "key: |\n  block\n   text",
    "key: >-\n folded",
    "&anchor key: value",
    "key: *undefined",
]

TAGS = ["b", "div", "span", "a", "img", "svg", "math", "iframe", "object", "embed", "base", "meta", "link",
        "style", "form", "input", "button", "textarea", "plaintext", "xmp", "noscript", "template", "details",
        "video", "audio", "source", "frameset", "frame", "table", "select", "title", "script", "SCRIPT", "Script",
        "scr\nipt", "applet", "marquee", "body", "html", "head", "isindex", "portal", "noembed", "iframe srcdoc",
        "svg><script", "svg><a", "svg><animate", "svg><set", "svg><image", "svg><use", "svg><foreignObject",
        "math><maction", "math><mi", "/main", "/body", "/html", "!--", "?xml", "!DOCTYPE html"]
ATTRS = ["onerror", "onload", "onclick", "OnMouseOver", "onfocus autofocus", "ontoggle", "onbegin", "onanimationstart",
         "href", "src", "xlink:href", "action", "formaction", "srcdoc", "style", "data", "poster", "background",
         "http-equiv", "content", "attributeName", "values", "to", "from", "id", "class", "ping", "srcset", "lowsrc",
         "dynsrc", "cite", "manifest", "codebase"]
VALUES = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "java&#x09;script:alert(1)", "&#106;avascript:alert(1)",
          "java\tscript:alert(1)", " javascript:alert(1)", "jav&#x0A;ascript:alert(1)", "javascript&colon;alert(1)",
          "vbscript:msgbox(1)", "data:text/html,<script>alert(1)</script>",
          "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "data:image/svg+xml,<svg onload=alert(1)>",
          "http://evil.example/x", "https://evil.example/a.png", "//evil.example/x", "\\\\evil.example/x",
          "mailto:a@example.com", "#start", "second.html", "second.html#more", "x.png", "../etc/passwd",
          "refresh", "Content-Security-Policy", "0;url=http://evil.example", "script-src 'unsafe-inline'",
          "background:url(http://evil.example/x)", "width:expression(alert(1))", "alert(1)", "href", "onload"]
QUOTES = ['"', "'", ""]
SEPARATORS = [" ", "/", "\n", "\t", "  \n  "]

FAMOUS_HTML = [
    "<img src=x onerror=alert(1)>",
    "<img src=x\nonerror=alert(1)>",
    "<img\nsrc=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"jav&#x61;script:alert(1)\">x</a>",
    "<a href=\"java\nscript:alert(1)\">x</a>",
    "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
    "<a\nhref=javascript:alert(1)>x</a>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text y=\"20\">x</text></a></svg>",
    "<svg><a href=\"javascript:alert(1)\"><text y=\"20\">x</text></a></svg>",
    "<svg><animate attributeName=\"href\" values=\"javascript:alert(1)\"/></svg>",
    "<svg><set attributeName=\"onmouseover\" to=\"alert(1)\"/></svg>",
    "<svg><use href=\"http://evil.example/x.svg#a\"/></svg>",
    "<svg><image href=\"https://evil.example/x.png\"/></svg>",
    "<math href=\"javascript:alert(1)\"><mi>x</mi></math>",
    "<math><maction actiontype=\"statusline\" xlink:href=\"javascript:alert(1)\"><mi>x</mi></maction></math>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"></iframe>",
    "<object data=\"x.swf\"></object>",
    "<embed src=\"x.swf\">",
    "<base href=\"https://evil.example/\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
    "<link rel=\"stylesheet\" href=\"https://evil.example/x.css\">",
    "<style>@import url(https://evil.example/x.css);</style>",
    "<style>body { background: url(//evil.example/x.png) }</style>",
    "<style>body{display:none}</style>",
    "<div style=\"background:url(https://evil.example/x)\">x</div>",
    "<form action=\"https://evil.example\"><button>go</button></form>",
    "<button formaction=\"javascript:alert(1)\">x</button>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<body onload=alert(1)>",
    "<textarea>",
    "<plaintext>",
    "<xmp>",
    "<noscript>",
    "<template>",
    "<title>",
    "<!--",
    "<div>",
    "</div>",
    "</main></body></html><p>after",
    "<video poster=\"https://evil.example/p.png\"></video>",
    "<img srcset=\"https://evil.example/a.png 1x\">",
    "<img src=\"data:image/png;base64,iVBORw0KGgo=\">",
    "<scr<script>ipt>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<script\n>alert(1)</script>",
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](data:text/html,alert)",
    "[x](https://evil.example)",
    "[x](//evil.example)",
    "![x](https://evil.example/x.png)",
    "![x](x.png)",
    "![x](javascript:alert(1))",
    "<https://evil.example>",
    "<javascript:alert(1)>",
    "<mailto:a@example.com>",
    "[r]\n\n[r]: javascript:alert(1)",
    "[r]\n\n[r]: https://evil.example",
    "[x](#start){: onclick=\"alert(1)\" }",
    "## Heading {: onclick=\"alert(1)\" }",
    "Paragraph\n{: onmouseover=\"alert(1)\" }",
    "[x](#start){: href=\"javascript:alert(1)\" }",
    "![x](data:image/png;base64,iVBORw0KGgo=){: onerror=\"alert(1)\" }",
    "/// note | <img src=x onerror=alert(1)>\nBody\n///",
    "/// note | Title\n<b>\n///",
    "| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | 2 |",
    "```\n<script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
    "Term\n:   <a href=\"javascript:alert(1)\">x</a>",
    "Footnote[^1]\n\n[^1]: <img src=x onerror=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "<svg\nonload=alert(1)>",
    "<img src=\"data:image/png;base64,iVBORw0KGgo=\"\nonerror=\"alert(1)\">",
    "<a/onclick=\"alert(1)\">x</a>",
    "<img/src=\"data:image/png;base64,iVBORw0KGgo=\"/onerror=\"alert(1)\">",
    "<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">",
    "<style>@import \"https://evil.example/x.css\";</style>",
    "<div style=\"background-image:image-set('https://evil.example/x.png' 1x)\">x</div>",
    "<a href=\"data:text/html;base64,PGI+eDwvYj4=\">x</a>",
    "<svg><a><set attributeName=\"href\" to=\"data:text/html,x\"/><text y=\"20\">x</text></a></svg>",
    "<math><mtext><textarea></mtext></math>",
    "<noembed>",
    "<noframes>",
    "<a href=\"#start\" target=\"_blank\">x</a>",
    "<select><option>x",
    "<table><tr><td>x",
    "<svg><foreignObject><div>x</div></foreignObject></svg>",
    "<p>a</p></div></article><p>b",
]


@st.composite
def html_snippets(draw):
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(st.sampled_from(FAMOUS_HTML))
    tag = draw(st.sampled_from(TAGS))
    attrs = []
    for _ in range(draw(st.integers(0, 2))):
        q = draw(st.sampled_from(QUOTES))
        value = draw(st.sampled_from(VALUES))
        attrs.append(draw(st.sampled_from(SEPARATORS)) + draw(st.sampled_from(ATTRS)) + "=" + q + value + q)
    close = draw(st.sampled_from(["", ">", "/>", ">x</" + tag.split(">")[-1].split()[0].lstrip("<") + ">"]))
    text = "<" + tag + "".join(attrs) + close
    if kind == 3:  # inside a sentence, or a Markdown construct around it
        wrap = draw(st.sampled_from(["Text {} more.", "**{}**", "- {}", "> {}", "# {}", "[{}](#start)", "{}\n\n"]))
        text = wrap.format(text)
    return text


TEX_PIECES = [r"\style{color:red}{x}", r"\href{javascript:alert(1)}{x}", r"\href{https://evil.example}{x}",
              r"\class{x}{y}", r"\cssId{x}{y}", r"\unknowncommand", r"\unknown{x}", r"\frac{1}", r"\frac",
              "{x", "x}", "}{", r"\left(", r"\right)", r"\begin{matrix} a", r"\end{matrix}", r"\begin{nonsense}x\end{nonsense}",
              r"\sqrt[", r"x^", r"_", r"^^", r"\\", "&", r"\text{<img src=x onerror=alert(1)>}", r"\text{</math><b>}",
              r"\mathrm{<b>x</b>}", r"\operatorname{<i>}", r"\color{red}{x}", r"\color{javascript:alert(1)}{x}",
              r"\def\a{\a}\a", r"\newcommand{\x}{y}\x", r"\mbox{x}", r"\mathbb{R}", r"\overset{}{}", r"\binom{}",
              r"\not", r"\\\\\\", "'\"<>&", "\u2028\u0000", r"\$", "{" * 300 + "x" + "}" * 300, "{" * 3000,
              r"\sqrt{" * 200 + "x" + "}" * 200, "x^{" * 150 + "y" + "}" * 150, r"\begin{array}{c}x\end{array}",
              r"\begin{array}{q}x\end{array}", r"\hspace{1e9cm}", r"\rule{1e9pt}{1e9pt}", r"\mathcolor{red}{x}",
              r"\tag{1}", r"\label{x}", r"\ref{x}", r"\url{javascript:alert(1)}", r"\htmlId{x}{y}", r"\middle|",
              r"\displaystyle", r"\limits", r"\sum\limits_{i}", r"\int\!\!", r"\vec{}", r"\hat", "a_b_c", "a^b^c",
              r"\left.\right.", r"\over", r"x \over y \over z", r"\begin{cases}a&b\\c\end{cases}", r"\tfrac{1}{2}",
              r"\text{<svg/onload=alert(1)>}", r"\text{<textarea>}", r"\text{<b>}", r"\text{a&b}", r"\text{&#60;b&#62;}",
              r"\href{data:text/html,x}{x}", r"\href{jav&#x61;script:alert(1)}{x}", r"\href{#start}{x}",
              r"\style{background:url(https://evil.example/x)}{x}", r'\class{x" onmouseover="alert(1)}{y}',
              r"\mathrm{a\&b}", r"\text{\u2028}", r"\operatorname{\text{<i>}}"]


@st.composite
def tex_snippets(draw):
    body = " ".join(draw(st.lists(st.sampled_from(TEX_PIECES), min_size=1, max_size=3)))
    form = draw(st.sampled_from(["${}$", "$${}$$", "$$\n{}\n$$", "$$ {}", "${}", "Text $ {} $ text", "$$ {} $$ $x",
                                 "`${}$`", "\\${}$", "$${}$$$", "${}$$"]))
    return form.format(body)


EXPR_SCENARIOS = ["tiny", "tiny#0", "tiny#1", "tiny#99999999999999999999", "tiyn", "", "Tiny", "tiny-", "tiny.tiny"]
EXPR_FIELDS = ["loss", "W1", "b1", "grads.W1", "grads.b1", "outputs", "X", "T", "eta", "seed", "last_step",
               "diverged_at", "steps", "epochs", "correct", "z1", "a1", "a0", "delta1", "z99", "a2", "W9", "grads.W9",
               "grads", "loss.loss", "__class__", "params"]
EXPR_INDICES = ["", "[0,0]", "[0]", "[0,0,0]", "[1,0]", "[99999999999999999999999,0]", "[ , ]", "[,]", "[0,]",
                "[-1,0]", "[0, 0]", "[]"]
EXPR_STEPS = ["", " @0", " @last", " @12", " @13", " @99999999999999999999", " @-1", " @ 3", " @first"]
EXPR_FORMATS = ["", " :.4f", " :.3e", " :,d", " :+.3f", " :.0%", " :x", " :c", " :s", " :<<9", " :<^9",
                " :&>9", " :\">9", " :'<9", " :=>30", " :.99999f", " :>9999999", " :.999999999f", " :>999999999",
                " :99999999999999999999", " :{}", " :%", " :.4g", " :n", " :b", " :#x", " :.1000e", " :,"]


@st.composite
def expr_snippets(draw):
    if draw(st.integers(0, 5)) == 0:
        return draw(st.sampled_from(["{{}}", "{{ }}", "{{ tiny.loss", "tiny.loss }}", "{{ {{ tiny.loss }} }}",
                                     "{{tiny.loss@0:.4f}}", "{{ tiny.loss @0 :.4f }}{{ tiny.loss @last }}",
                                     "$ {{ tiny.loss @0 :.3f }} $", "`{{ tiny.loss }}`", "[{{ tiny.eta }}](#start)",
                                     "{{ tiny.loss @0 :<<9 }}script>alert(1)<{{ tiny.loss @0 :<<9 }}/script>",
                                     "{{ tiny.steps @last :<<3 }}img src=x onerror=alert(1)>",
                                     "{{ tiny.loss @0 :<<9 }}iframe>", "{{ tiny.W1[0,0] @0 :\"<5 }}",
                                     "{{" * 50 + "}}" * 50, "{{ tiny." + "a" * 5000 + " }}"]))
    expr = (draw(st.sampled_from(EXPR_SCENARIOS)) + "." + draw(st.sampled_from(EXPR_FIELDS)) +
            draw(st.sampled_from(EXPR_INDICES)) + draw(st.sampled_from(EXPR_STEPS)) + draw(st.sampled_from(EXPR_FORMATS)))
    return "{{ " + expr + " }}"


WIDGET_BLOCKS = [
    "/// widget | weight-descent\nscenario: tiny\ncontrols: [step, reset]\ncaption: \"<img src=x onerror=alert(1)>\"\n///",
    "/// widget | weight-descent\nscenario: tiny\ncaption: \"</figure><script>alert(1)</script>\"\n///",
    "/// widget | weight-descent\nscenario: tiny\ncontrols: [" + ", ".join(["step"] * 500) + "]\n///",
    "/// widget | weight-descent\nscenario: tiny\n",
    "/// widget | weight-descent\nscenario: [tiny]\n///",
    "/// widget | weight-descent\nscenario: tiny\nscenario: tiny\n///",
    "/// widget | weight-descent\n- a\n///",
    "/// widget | weight-descent\n: :\n///",
    "/// widget | weight-descent\nscenario: tiny\ncaption: {a: 1}\n///",
    "/// widget | weight-descent\nscenario: tiny\ncontrols: step\n///",
    "/// widget | weight-descent\nscenario: tiny\ncaption: $\\href{javascript:alert(1)}{x}$\n///",
    "/// widget | weight-descent\nscenario: tiny\ncaption: '{{ tiny.loss @0 :<<9 }}script>'\n///",
    "/// widget |\n///",
    "/// widget | ../../etc\nscenario: tiny\n///",
    "/// widget | __init__\nscenario: tiny\n///",
    "/// widget | weight-descent\nscenario: ../tiny\n///",
    "/// note\n/// widget | weight-descent\nscenario: tiny\n///\n///",
    "/// note | x\n" * 40 + "///\n" * 40,
    "/// widget | weight-descent\nscenario: tiny\n" + "x: 1\n" * 3 + "///",
    "/// widget | learning-rates\nscenario: tiny\n///",
    "/// widget | worked-steps\nscenario: tiny\n///",
    "/// widget | worked-table\nscenario: tiny\n///",
    "/// widget | path-sum\nscenario: tiny\n///",
    "/// widget | path-sum\n///",
    "/// widget | weight-descent\nscenario: tiny\ncontrols: [step, play, back, reset]\n///",
]

FRONT_MATTER_VALUES = ["title: \"<script>alert(1)</script>\"", "title: [a, b]", "title:", "title: 3", "order: x",
                       "order: 99999999999999999999", "order: -1", "objectives: x", "objectives: [[a]]",
                       "objectives: [\"<img src=x onerror=alert(1)>\"]", "summary: {a: 1}", "unknown: 1",
                       "summary: \"</title><script>alert(1)</script>\"", "title: \"\\u2028\\u0000\""]

SITE_VALUES = ["title: \"<script>alert(1)</script>\"", "base_url: javascript:alert(1)//", "base_url: //evil.example/",
               "base_url: https://evil.example/", "base_url: \"/\\\"><script>alert(1)</script>/\"",
               "base_url: \"javascript:alert(1)/\"", "base_url: /a b/", "base_url: \"\"", "theme: ../themes/default",
               "theme: ../../..", "theme: /etc", "theme: \"\"", "theme: nonexistent", "language: \"en\\\" onload=\\\"x\"",
               "language: \"<script>\"", "lessons: [first, first]", "lessons: [first]", "lessons: []",
               "lessons: [second, first]", "lessons: [../first]", "lessons: [[first]]", "lessons: {first: 1}",
               "embed: false", "embed: \"no\"", "page_budget_kb: 0", "page_budget_kb: -1", "page_budget_kb: 1e999",
               "page_budget_kb: 99999999999999999999999", "author: \"<b>me</b>\"", "description: \"</meta>\"",
               "title: \"\"", "title: \"x\" # comment", "extra: 1"]

SCENARIO_VALUES = ["network: {sizes: [1000000, 1], activations: [linear]}",
                   "network: {sizes: [1, 100000, 1], activations: [sigmoid, linear]}",
                   "network: {sizes: [1, 1], activations: [softmax]}",
                   "network: {sizes: [1, 1], activations: [linear], loss: cross_entropy}",
                   "network: {sizes: [1, 1], activations: [linear], loss: binary_cross_entropy}",
                   "network: {sizes: [1], activations: []}", "network: {sizes: [], activations: []}",
                   "network: {sizes: [1, 0], activations: [linear]}", "network: {sizes: [1, -1], activations: [linear]}",
                   "network: {sizes: [1, 1.5], activations: [linear]}",
                   "train: {learning_rate: 0.05, steps: 100000000, freeze: [b1]}",
                   "train: {learning_rate: 0.05, steps: 1000000, freeze: [b1]}",
                   "train: {learning_rate: 1e308, steps: 12}", "train: {learning_rate: .nan, steps: 12}",
                   "train: {learning_rate: -1, steps: 12}", "train: {learning_rate: 0.05, steps: 0}",
                   "train: {learning_rate: 0.05, steps: -5}", "train: {learning_rate: 0.05, epochs: 100000000}",
                   "train: {learning_rate: 0.05, steps: 12, epochs: 3}", "train: {learning_rate: 0.05}",
                   "train: {learning_rate: 0.05, steps: 12, batch: 0}", "train: {learning_rate: 0.05, steps: 12, batch: 99}",
                   "train: {learning_rate: 0.05, steps: 12, optimizer: adam}",
                   "train: {learning_rate: 0.05, steps: 12, freeze: [W1, b1]}",
                   "train: {learning_rate: 0.05, steps: 12, stop: {loss_below: 1e308}}",
                   "data: {inputs: [[1.0], [2.0]], targets: [[2.0]]}", "data: {inputs: [], targets: []}",
                   "data: {inputs: [[1e308], [1e308]], targets: [[1e308], [-1e308]]}",
                   "data: {inputs: [[.nan], [2.0]], targets: [[2.0], [4.0]]}",
                   "data: {generator: xor, n: 100000000}", "data: {generator: moons, n: 0}",
                   "data: {generator: spirals, n: 50, noise: -1}", "data: {generator: nope}",
                   "init: {weights: {W1: [[1e308]], b1: [0.0]}}", "init: {weights: {W1: [[0.5, 1]], b1: [0.0]}}",
                   "init: {weights: {W1: [[0.5]]}}", "init: {scheme: he, scale: 1e308, seed: 1}",
                   "init: {scheme: xavier, seed: -1}", "init: {weights: {W9: [[1]]}}",
                   "sweep: {learning_rates: [0.1, 0.2]}", "sweep: {learning_rates: []}",
                   "sweep: {seeds: [1, 1]}", "sweep: {learning_rates: [0.1], seeds: [1]}",
                   "sweep: {hidden: [[100000]]}", "sweep: {hidden: [[8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8]]}",
                   "sweep: {learning_rates: [" + ", ".join(["0.1"] * 20) + "], seeds: [" + ", ".join(map(str, range(20))) + "]}",
                   "sweep: {datasets: [xor]}", "sweep: {nonsense: [1]}", "sweep: {}",
                   "record: {every_until: 0, then_every: 0}", "record: {every_until: -1}", "record: {then_every: 100000000}",
                   "record: {detail: {steps: [0, 5, 99999], samples: [0, 9]}}",
                   "record: {surface: {weights: [\"W1[0,0]\", \"b1[0]\"], points: 201}}",
                   "record: {surface: {weights: [\"W1[0,0]\", \"b1[0]\"], points: 201, range: [[1e308, -1e308], [0, 0]]}}",
                   "record: {slice: {weight: \"W1[0,0]\", points: 2001, at: last}}",
                   "record: {slice: {weight: \"W1[9,9]\"}}", "record: {slice: {weight: \"W1[0,0]\", at: 999}}",
                   "record: {slice: [" + ", ".join(['{weight: "W1[0,0]", points: 2001}'] * 100) + "]}",
                   "record: {surface: [" + ", ".join(['{weights: ["W1[0,0]", "b1[0]"], points: 201}'] * 50) + "]}",
                   "title: \"</script><script>alert(1)</script>\"", "title: [x]", "description: 3"]


def _replace_number(files):
    return st.builds(Replace, st.sampled_from(files), st.just("number"), st.just(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])"),
                     st.integers(0, 50), st.sampled_from(HUGE_NUMBERS))


def _replace_line(files, family, lines):
    """A whole `key: ...` line replaced by one from `lines` (same top-level key or another)."""
    return st.builds(Replace, st.sampled_from(files), st.just(family), st.just(r"^[A-Za-z_][\w-]*:.*$"),
                     st.integers(0, 20), st.sampled_from(lines))


def byte_flips(files):
    return st.builds(ByteFlip, st.sampled_from(files), st.integers(0, 4000),
                     st.one_of(st.sampled_from(INTERESTING_BYTES), st.integers(0, 255)))


def truncations(files):
    return st.builds(Truncate, st.sampled_from(files), st.integers(0, 4000))


def duplicate_keys(files):
    return st.builds(DuplicateKey, st.sampled_from(files), st.integers(0, 30),
                     st.one_of(st.none(), st.sampled_from(["1", "[a]", "{a: 1}", "x", "''"])))


def swaps(files):
    return st.builds(SwapValue, st.sampled_from(files), st.integers(0, 60), SWAP_VALUES, st.booleans())


def lesson_mutations():
    """Mostly text put into a lesson's body (where the pages' safety is decided), sometimes
    damage anywhere in the file."""
    body = st.sampled_from(LESSONS)
    column = st.one_of(st.none(), st.integers(0, 120))
    html = st.builds(Insert, body, st.just("html"), html_snippets(), st.integers(0, 60), column)
    tex = st.builds(Insert, body, st.just("tex"), tex_snippets(), st.integers(0, 60), column)
    expr = st.builds(Insert, body, st.just("expr"), expr_snippets(), st.integers(0, 60), column)
    return st.one_of(
        html, tex, expr, html, tex, expr, html, expr,
        st.builds(Insert, body, st.just("widget"), st.sampled_from(WIDGET_BLOCKS), st.integers(0, 60)),
        st.builds(Insert, body, st.just("text"), st.text(max_size=40), st.integers(0, 60), column),
        byte_flips(LESSONS), truncations(LESSONS), swaps(LESSONS), duplicate_keys(LESSONS), _replace_number(LESSONS),
        st.builds(Insert, body, st.just("front"), st.sampled_from(FRONT_MATTER_VALUES), st.integers(0, 6),
                  st.none(), st.just(True)),
        _replace_line(LESSONS, "front", FRONT_MATTER_VALUES),
    )


def scenario_mutations():
    f = st.just(SCENARIO)
    return st.one_of(
        byte_flips([SCENARIO]), truncations([SCENARIO]), swaps([SCENARIO]), duplicate_keys([SCENARIO]),
        _replace_number([SCENARIO]), _replace_line([SCENARIO], "value", SCENARIO_VALUES),
        st.builds(Insert, f, st.just("yaml"), st.sampled_from(RAW_YAML + SCENARIO_VALUES), st.integers(0, 10)),
        st.builds(Insert, f, st.just("text"), st.text(max_size=30), st.integers(0, 10), st.one_of(st.none(), st.integers(0, 80))),
    )


def site_mutations():
    f = st.just(SITE)
    return st.one_of(
        byte_flips([SITE]), truncations([SITE]), swaps([SITE]), duplicate_keys([SITE]), _replace_number([SITE]),
        _replace_line([SITE], "value", SITE_VALUES),
        st.builds(Insert, f, st.just("yaml"), st.sampled_from(RAW_YAML + SITE_VALUES), st.integers(0, 6)),
        st.builds(Insert, f, st.just("text"), st.text(max_size=30), st.integers(0, 6), st.one_of(st.none(), st.integers(0, 80))),
    )


def mixed_mutations():
    return st.lists(st.one_of(lesson_mutations(), scenario_mutations(), site_mutations()), min_size=2, max_size=4)


# --- one build, measured -----------------------------------------------------------------------

class BuildTimeout(BaseException):
    """Raised in the build by an alarm when it runs past the time limit (BaseException, so no
    `except Exception` in the builder swallows it)."""


@dataclass
class Outcome:
    code: int | None
    out: str
    err: str
    seconds: float
    rss_growth: int            # bytes: peak RSS during the build above RSS at its start (0 if no new peak)
    exception: BaseException | None = None
    tb: str = ""


def _rss_now() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _address_space_now() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def run_build(root: Path, time_limit: float = TIME_LIMIT) -> Outcome:
    """`site-builder build --quiet --root ROOT` in this process, as the CLI would run it
    (warnings shown on stderr), with stdout/stderr captured, wall time and peak-RSS growth
    measured, an alarm at the time limit and a hard cap on address-space growth."""
    from site_builder import cli

    out, err = io.StringIO(), io.StringIO()
    rss0 = _rss_now()
    peak0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    kids0 = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = _address_space_now() + ADDRESS_SPACE_SLACK
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)

    def alarm(signum, frame):
        raise BuildTimeout(f"still running after {time_limit:g} s")

    old_handler = signal.signal(signal.SIGALRM, alarm)
    code, exc, tb = None, None, ""
    t0 = time.perf_counter()
    try:
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
        signal.setitimer(signal.ITIMER_REAL, time_limit)
        with warnings.catch_warnings(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            warnings.simplefilter("always")
            warnings.showwarning = _show_warning
            code = cli.main(["build", "--quiet", "--root", str(root)])
    except BaseException as e:  # noqa: B902 - every escape is a finding
        exc, tb = e, traceback.format_exc()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    seconds = time.perf_counter() - t0
    peak1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    kids1 = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    growth = max(peak1 - rss0 if peak1 > peak0 else 0, kids1 if kids1 > kids0 else 0)
    if isinstance(exc, KeyboardInterrupt):
        raise exc
    return Outcome(code, out.getvalue(), err.getvalue(), seconds, growth, exc, tb)


def _show_warning(message, category, filename, lineno, file=None, line=None):
    import sys

    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


# --- checks of a built site --------------------------------------------------------------------

HTML_NS = "http://www.w3.org/1999/xhtml"
SVG_NS = "http://www.w3.org/2000/svg"
MATH_NS = "http://www.w3.org/1998/Math/MathML"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# The builder's CSP (render.csp_for; docs/internals.md): only these directives, scripts by hash only.
CSP = re.compile(r"^default-src 'none'; script-src(?P<hashes>(?: 'sha256-[A-Za-z0-9+/]+={0,2}')*); "
                 r"style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'$")
JS_TYPES = {"", "module", "text/javascript", "application/javascript", "application/ecmascript", "text/ecmascript",
            "application/x-javascript", "application/x-ecmascript", "text/jscript", "text/livescript",
            "text/x-javascript", "text/x-ecmascript", "text/javascript1.0", "text/javascript1.1",
            "text/javascript1.2", "text/javascript1.3", "text/javascript1.4", "text/javascript1.5"}
# Elements that run or embed something the page did not write.
FORBIDDEN = {(HTML_NS, t) for t in ("iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal",
                                    "link", "fencedframe")} | {(SVG_NS, "script"), (SVG_NS, "handler")}
SVG_ANIMATIONS = {"animate", "set", "animateMotion", "animateTransform", "animateColor"}
# Attributes holding a URL: checked for javascript:/vbscript:/active data: URLs on any element.
URL_ATTRS = {"href", "src", "action", "formaction", "poster", "data", "background", "cite", "longdesc", "ping",
             "manifest", "codebase", "archive", "lowsrc", "dynsrc", "icon", "srcset", "imagesrcset", XLINK_HREF}
# Where an attribute makes the browser fetch something while the page renders (or on a click,
# for ping): (namespace, attribute) -> the elements that honour it.
LOADS = {
    (HTML_NS, "src"): {"img", "script", "iframe", "frame", "embed", "audio", "video", "source", "track", "input",
                       "portal", "fencedframe"},
    (HTML_NS, "srcset"): {"img", "source"}, (HTML_NS, "imagesrcset"): {"link"},
    (HTML_NS, "poster"): {"video"}, (HTML_NS, "data"): {"object"}, (HTML_NS, "href"): {"link"},
    (HTML_NS, "background"): {"body", "table", "thead", "tbody", "tfoot", "tr", "td", "th"},
    (HTML_NS, "manifest"): {"html"}, (HTML_NS, "codebase"): {"object", "applet"},
    (HTML_NS, "archive"): {"object", "applet"}, (HTML_NS, "ping"): {"a", "area"},
    (HTML_NS, "lowsrc"): {"img"}, (HTML_NS, "dynsrc"): {"img"},
    (SVG_NS, "href"): {"use", "image", "feImage", "script"}, (SVG_NS, XLINK_HREF): {"use", "image", "feImage", "script"},
}
IMAGE_ELEMENTS = {(HTML_NS, "img"), (HTML_NS, "source"), (HTML_NS, "input"), (SVG_NS, "image"), (SVG_NS, "feImage")}
SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.I)
CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)|@import\s+(['\"])(.*?)\3", re.I | re.S)


def normalise_url(value: str) -> str:
    """As a browser's URL parser sees it: leading/trailing C0 controls and spaces stripped, tabs
    and newlines removed anywhere (html5lib has already decoded character references)."""
    value = value.strip("".join(map(chr, range(0x21))))
    return re.sub(r"[\t\n\r]", "", value)


def _url_problem(tag: str, ns: str, attr: str, raw: str) -> str | None:
    url = normalise_url(raw)
    m = SCHEME.match(url)
    scheme = m.group(1).lower() if m else ""
    loads = tag in LOADS.get((ns, attr), ())
    link = tag in ("a", "area") and attr in ("href", XLINK_HREF)
    if scheme in ("javascript", "vbscript", "livescript"):
        return f"runs code: <{tag} {attr}={raw!r}>"
    if scheme == "data":
        mime = url[5:].split(",", 1)[0].split(";", 1)[0].strip().lower()
        if loads and (ns, tag) in IMAGE_ELEMENTS and mime.startswith("image/"):
            return None  # an inline image, as the builder's CSP allows (img-src data:); an SVG image runs no script
        if loads or link or attr in ("href", XLINK_HREF, "action", "formaction"):
            return f"data: URL that can run or navigate: <{tag} {attr}={raw!r}>"
        return None
    external = bool(scheme) or url.startswith("//") or url.startswith("\\") or url.startswith("/\\")
    if loads:
        if not url or (url.startswith("#") and attr in ("href", XLINK_HREF)):
            return None  # <use href="#id">: a reference inside the page
        return f"loads {'an external' if external else 'a separate'} resource: <{tag} {attr}={raw!r}>"
    if attr in ("action", "formaction") and tag in ("form", "button", "input") and url and not url.startswith("#"):
        return f"form target: <{tag} {attr}={raw!r}>"
    if attr in ("href", XLINK_HREF, "src") and external:
        if link and scheme in ("http", "https", "mailto"):
            return None
        return f"external URL: <{tag} {attr}={raw!r}>"
    return None


def _css_problems(css: str, where: str) -> list[str]:
    problems = []
    for m in CSS_URL.finditer(css):
        url = normalise_url(m.group(2) if m.group(2) is not None else m.group(4))
        if m.group(4) is not None:
            problems.append(f"CSS @import in {where}: {url!r}")
        elif not url.lower().startswith("data:") and not url.startswith("#"):
            problems.append(f"CSS url() loads {url!r} in {where}")
        elif url.lower().startswith("data:text/html") or url.lower().startswith("data:image/svg"):
            problems.append(f"CSS url() with an active data: URL in {where}")
    for m in re.finditer(r"image-set\(([^)]*)\)", css, re.I):
        for q, url in re.findall(r"(['\"])(.*?)\1", m.group(1)):
            if not url.lower().startswith("data:"):
                problems.append(f"CSS image-set() loads {url!r} in {where}")
    if re.search(r"(?<![\w-])expression\s*\(|-moz-binding|(?<![\w-])behavior\s*:", css, re.I):
        problems.append(f"CSS that runs code in {where}")
    return problems


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def check_page(html: str) -> list[str]:
    """Why this page is unsafe or broken (empty when it is fine). The rules:
    - it parses with no HTML parse error (html5lib, the HTML standard's algorithm);
    - exactly one CSP <meta>, in <head>, before any script, of the builder's form (scripts by
      hash only), and no other <meta http-equiv>;
    - every script that runs is inline and its sha256 is in the CSP; no <svg:script>;
      the scripts the CSP lists are all on the page (author markup did not swallow them);
    - no on* attribute, no SVG animation of href/on*, no <iframe>/<object>/<embed>/<base>/
      <link>/..., no javascript:/vbscript:/active data: URL;
    - no URL that loads anything (src, poster, CSS url() ... other than data: images), and no
      external URL except <a href> to http(s)/mailto."""
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=True)
    doc = parser.parse(html)
    problems = [f"HTML parse error: {code} {vars_ or ''}".rstrip() for _, code, vars_ in parser.errors[:3]]
    if len(parser.errors) > 3:
        problems.append(f"... {len(parser.errors) - 3} more parse errors")

    head = doc.find(f"{{{HTML_NS}}}head")
    order = list(doc.iter())
    csp_metas = [e for e in order if e.tag == f"{{{HTML_NS}}}meta"
                 and e.get("http-equiv", "").strip().lower() == "content-security-policy"]
    hashes: set[str] = set()
    if len(csp_metas) != 1:
        problems.append(f"{len(csp_metas)} CSP <meta> elements (want exactly the builder's one)")
    if csp_metas:
        meta = csp_metas[0]
        if head is None or meta not in list(head):
            problems.append("the CSP <meta> is not in <head>, so browsers ignore it")
        m = CSP.match(meta.get("content", ""))
        if not m:
            problems.append(f"CSP is not the builder's: {meta.get('content', '')!r}")
        else:
            hashes = set(m.group("hashes").split())
        first_script = next((i for i, e in enumerate(order) if isinstance(e.tag, str) and e.tag.endswith("}script")), None)
        if first_script is not None and order.index(meta) > first_script:
            problems.append("a script comes before the CSP <meta>")
    for e in order:
        if e.tag == f"{{{HTML_NS}}}meta" and e.get("http-equiv") is not None and e not in csp_metas:
            problems.append(f"<meta http-equiv={e.get('http-equiv')!r} content={e.get('content')!r}>")

    ran = set()
    for e in order:
        if not isinstance(e.tag, str):
            continue  # comments
        ns, _, tag = e.tag[1:].partition("}")
        if (ns, tag) in FORBIDDEN:
            problems.append(f"forbidden element <{tag}>" + (f" ({ns})" if ns != HTML_NS else ""))
        if ns == HTML_NS and tag == "script":
            kind = e.get("type", "").strip().lower().split(";")[0].strip()
            if e.get("src") is not None:
                problems.append(f"<script src={e.get('src')!r}>")
            if kind in JS_TYPES or e.get("type") is None:
                digest = _sha256(e.text or "")
                if digest not in hashes:
                    problems.append(f"a script that is not in the CSP: {(e.text or '')[:60]!r}")
                ran.add(digest)
            elif kind not in ("application/json", "importmap"):
                problems.append(f"<script type={e.get('type')!r}> the builder does not write")
        if ns == SVG_NS and tag in SVG_ANIMATIONS:
            target = (e.get("attributeName") or "").strip().lower()
            if target in ("href", "xlink:href") or target.startswith("on"):
                problems.append(f"SVG <{tag} attributeName={target!r}> changes a link or a handler")
        if tag == "style" and ns in (HTML_NS, SVG_NS):
            problems.extend(_css_problems(e.text or "", "<style>"))
        for name, value in e.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                problems.append(f"event handler <{tag} {name}={value!r}>")
            elif local == "style":
                problems.extend(_css_problems(value, f"<{tag} style>"))
            elif name in URL_ATTRS or local in URL_ATTRS:  # (xlink:href is checked under its full name)
                if local in ("srcset", "imagesrcset"):
                    urls = [part.strip().split()[0] for part in value.split(",") if part.strip()]
                else:
                    urls = [value]
                for url in urls:
                    p = _url_problem(tag, ns, local if name != XLINK_HREF else XLINK_HREF, url)
                    if p:
                        problems.append(p)
    missing = hashes - ran
    if missing:
        problems.append(f"{len(missing)} of the builder's scripts are not scripts on the page (author markup swallowed them)")
    return problems


_checked: dict[str, list[str]] = {}


def check_pages(build: Path) -> dict[str, list[str]]:
    """Problems of every page in build/, by page name (pages seen before are not parsed again)."""
    found = {}
    pages = sorted(Path(build).rglob("*.html"))
    if not pages:
        return {"build/": ["no pages were written"]}
    for page in pages:
        text = page.read_text(encoding="utf-8", errors="surrogateescape")
        key = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
        if key not in _checked:
            _checked[key] = check_page(text)
        if _checked[key]:
            found[page.relative_to(build).as_posix()] = _checked[key]
    return found


# --- the property ------------------------------------------------------------------------------

ERROR_LINE = re.compile(r"^(?P<path>[^\s:][^:\n]*?)(?::(?P<line>[1-9]\d*))?: (?P<message>\S.*)$")


@dataclass
class Problem:
    kind: str        # exception | timeout | memory | exit-code | stderr | build-touched | unsafe-page | parse
    signature: str   # what makes two problems the same bug (for deduplication)
    detail: str

    def __str__(self):
        return f"[{self.kind}] {self.detail}"


def _innermost(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/site_builder/" in f.filename]
    last = frames[-1] if frames else None
    where = ""
    if ours:
        f = ours[-1]
        where = f"{f.filename.split('/site_builder/', 1)[1]}:{f.lineno} in {f.name}"
    if last is not None and (not ours or last is not ours[-1]):
        lib = last.filename.split("site-packages/", 1)[-1]
        where += f" (raised in {lib}:{last.lineno} {last.name})"
    return where


def _mask(message: str) -> str:
    """A message with its particulars (quoted text, numbers) masked, for grouping."""
    message = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", message)
    return re.sub(r"\d+(\.\d+)?", "N", message)[:140]


def stderr_problems(err: str, root: Path) -> list[Problem]:
    """A failed build's stderr: one or more lines `path:line: message` or `path: message`,
    each naming a file of the site (or a built page, build/NAME)."""
    if not err.strip():
        return [Problem("stderr", "no message", "failed with nothing on stderr")]
    problems = []
    for line in err.rstrip("\n").split("\n"):
        m = ERROR_LINE.match(line)
        if not m:
            problems.append(Problem("stderr", f"stderr line: {_mask(line)}", f"stderr line is not 'path:line: message': {line[:300]!r}"))
            continue
        path = m.group("path")
        known = path != "<input>" and (path.startswith("build/") or (Path(root) / path).exists()
                                       or (Path(path).is_absolute() and Path(path).exists()) or (Path.cwd() / path).exists())
        if not known:
            problems.append(Problem("stderr", f"no such path: {_mask(line)}", f"the error names no file of the site: {line[:300]!r}"))
    return problems


def examine(root: Path, before: dict, outcome: Outcome) -> list[Problem]:
    """Every promise the build broke (empty: it kept them all)."""
    problems = []
    build = Path(root) / "build"
    exc = outcome.exception
    if isinstance(exc, BuildTimeout):
        problems.append(Problem("timeout", f"timeout at {_innermost(exc)}",
                                f"still running after {TIME_LIMIT:g} s; interrupted at {_innermost(exc)}"))
    elif isinstance(exc, MemoryError):
        problems.append(Problem("memory", f"MemoryError at {_innermost(exc)}",
                                f"more than {ADDRESS_SPACE_SLACK >> 30} GB of address space asked for at {_innermost(exc)}"))
    elif exc is not None:
        where = _innermost(exc)
        problems.append(Problem("exception", f"{type(exc).__name__} at {where}",
                                f"traceback: {type(exc).__name__}: {str(exc)[:200]} at {where}"))
    if exc is None and outcome.seconds > TIME_LIMIT:
        problems.append(Problem("timeout", "slow build", f"took {outcome.seconds:.1f} s (limit {TIME_LIMIT:g} s)"))
    if outcome.rss_growth > MEMORY_LIMIT:
        problems.append(Problem("memory", "peak RSS", f"peak RSS grew by {outcome.rss_growth >> 20} MB (limit {MEMORY_LIMIT >> 20} MB)"))
    if "Traceback (most recent call last)" in outcome.out + outcome.err:
        problems.append(Problem("stderr", "traceback printed", "a traceback was printed"))
    if exc is not None:
        if tree_hash(build) != before:
            problems.append(Problem("build-touched", "build/ changed by a crashed build", "build/ changed"))
        return problems

    if outcome.code == 0:
        for page, found in check_pages(build).items():
            for p in found:
                kind = "parse" if p.startswith(("HTML parse error", "... ")) else "unsafe-page"
                if p.startswith("... "):
                    continue
                problems.append(Problem(kind, f"{kind}: {_mask(p)}", f"{page}: {p}"))
        return problems
    if outcome.code != 1:
        problems.append(Problem("exit-code", f"exit {outcome.code}", f"exit code {outcome.code} (want 0 or 1)"))
    problems.extend(stderr_problems(outcome.err, root))
    if tree_hash(build) != before:
        problems.append(Problem("build-touched", "build/ changed by a failed build", "build/ changed although the build failed"))
    leftovers = [p.name for p in Path(root).iterdir() if p.name.startswith((".build", "build.")) and p.name != "build"]
    if leftovers:
        problems.append(Problem("build-touched", "staging left behind", f"left behind: {leftovers}"))
    return problems


# --- recording findings (FUZZ_LOG=path: record every problem and keep going) --------------------

def record(log: Path, mutations, outcome: Outcome, problems: list[Problem]) -> None:
    entry = {
        "mutations": [str(m) for m in mutations],
        "repr": [repr(m) for m in mutations],
        "code": outcome.code, "seconds": round(outcome.seconds, 3), "rss_mb": outcome.rss_growth >> 20,
        "stderr": outcome.err[:3000], "problems": [dataclasses.asdict(p) for p in problems],
    }
    with open(log, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")


# --- the corpus: every hand-written snippet, once, in a fixed place ------------------------------

def corpus() -> list[tuple[str, list]]:
    """(id, mutations) for every snippet of the lists above: raw HTML, TeX pieces, expressions
    (each format, field, index, step, scenario), widget blocks, front matter, site.yaml and
    scenario lines, raw YAML, and every number of the scenario and lesson replaced by each
    edge-case number. Deterministic; `make fuzz` runs all of it."""
    out = []

    def add(kind, *muts):
        out.append((f"{kind}-{len(out)}", list(muts)))

    for h in FAMOUS_HTML:
        add("html", Insert(LESSON1, "html", h, 2))
    for piece in TEX_PIECES:
        add("tex", Insert(LESSON1, "tex", f"${piece}$", 2))
        add("tex", Insert(LESSON1, "tex", f"$$\n{piece}\n$$", 2))
    for form in ["$$ x", "$x", "$$ x $$ $x", "\\$x$", "`$x$`", "$x$$", "$$x$$$", "${{ tiny.loss @0 }}$"]:
        add("tex", Insert(LESSON1, "tex", form, 2))
    exprs = [f"{{{{ tiny.loss @0{f} }}}}" for f in EXPR_FORMATS] + \
            [f"{{{{ tiny.steps @last{f} }}}}" for f in (" :c", " :<<9", " :x", " :,d", " :>999999999")] + \
            [f"{{{{ tiny.{fld} @0 }}}}" for fld in EXPR_FIELDS] + \
            [f"{{{{ tiny.{fld}[0,0] @0 }}}}" for fld in EXPR_FIELDS] + \
            [f"{{{{ tiny.W1{ix} @0 }}}}" for ix in EXPR_INDICES] + \
            [f"{{{{ tiny.loss{stp} }}}}" for stp in EXPR_STEPS] + \
            [f"{{{{ {sc}.loss @0 }}}}" for sc in EXPR_SCENARIOS]
    exprs += ["{{}}", "{{ }}", "{{ tiny.loss", "{{ {{ tiny.loss }} }}", "{{ tiny.loss @0 :<<9 }}script>alert(1)</script>",
              "{{ tiny.loss @0 :<<9 }}iframe>", "{{ tiny.steps @last :<<3 }}img src=x onerror=alert(1)>",
              "{{ tiny.loss @0 :<<9 }}svg/onload=alert(1)>", "{{ tiny.loss @0 :<<9 }}textarea>",
              "{{ tiny.loss @0 :j<9 }}avascript:alert(1)", "[x]({{ tiny.loss @0 :j<9 }}avascript:alert(1))",
              "{{ tiny.loss @0 :<<9 }}style>body{display:none}</style>", "{{" * 50 + "}}" * 50, "{{ tiny." + "a" * 5000 + " }}",
              "$ {{ tiny.loss @0 :.3f }} $", "[{{ tiny.eta }}](#start)", "`{{ tiny.loss }}`"]
    for e in exprs:
        add("expr", Insert(LESSON1, "expr", e, 2))
    for w in WIDGET_BLOCKS:
        add("widget", Insert(LESSON1, "widget", w, 2))
    for line in FRONT_MATTER_VALUES:
        add("front", SetTopLevel(LESSON1, line))
    for line in SITE_VALUES:
        add("site", SetTopLevel(SITE, line))
    for line in SCENARIO_VALUES:
        add("scenario", SetTopLevel(SCENARIO, line))
    for raw in RAW_YAML:
        add("yaml", Insert(SITE, "yaml", raw, 0))
        add("yaml", Insert(SCENARIO, "yaml", raw, 0))
        add("yaml", Insert(LESSON1, "yaml", raw, 1, None, True))
    number = r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])"
    for file, count in ((SCENARIO, _count(MINI / SCENARIO, number)), (LESSON1, _count(MINI / LESSON1, number)),
                        (LESSON2, _count(MINI / LESSON2, number))):
        for nth in range(count):
            for value in HUGE_NUMBERS:
                add("number", Replace(file, "number", number, nth, value))
    for file in FILES:
        add("bytes", Truncate(file, 0))
        add("bytes", ByteFlip(file, 0, 0xFF))
        add("bytes", ByteFlip(file, 7, 0xC3))
        add("bytes", Insert(file, "text", "\x00", 1, 0, True))
        add("bytes", Insert(file, "text", "\ufeff\u202e\u2028", 1, 0, True))
    return out


def _count(path: Path, pattern: str) -> int:
    return len(re.findall(pattern, path.read_text(encoding="utf-8"), re.M))
