"""The lesson check: a lesson's rendered HTML, read by a real HTML5 parser (html5lib, the
HTML standard's algorithm), against an allow-list of elements, attributes and URL schemes.

A lesson may write prose HTML (a `<span>`, a table, `<details>`, `<kbd>`, a small inline
`<svg>` drawing, an image as a `data:image/...` URL). It may not run or load anything: no
script or event handler, no frame, object, form or `<style>` element, no `<link>`/`<meta>`/
`<base>`, no URL with a scheme that runs (javascript:, vbscript:) or navigates to a document
(data:text/html), no CSS that loads (url(), @import, image-set()). The HTML must be
well-formed, so nothing an author leaves open can swallow the widgets and scripts after it.

Each finding is mapped back to the lesson's source line by the text that produced it (see
`locate`). The page's Content-Security-Policy stays as the second wall; docs/authoring.md
lists what is allowed.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

import html5lib

HTML_NS = "http://www.w3.org/1999/xhtml"
SVG_NS = "http://www.w3.org/2000/svg"
MATH_NS = "http://www.w3.org/1998/Math/MathML"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"

# Attributes any HTML element may carry.
GLOBAL_ATTRS = {"id", "class", "title", "lang", "dir", "role", "style", "hidden", "tabindex", "translate"}
HTML_ELEMENTS = {
    # text
    "p": (), "br": (), "hr": (), "wbr": (), "span": (), "div": (), "a": ("href", "rel", "name"),
    "em": (), "strong": (), "b": (), "i": (), "u": (), "s": (), "del": ("datetime",), "ins": ("datetime",),
    "mark": (), "small": (), "sub": (), "sup": (), "code": (), "pre": (), "kbd": (), "samp": (), "var": (),
    "abbr": (), "cite": (), "q": ("cite",), "dfn": (), "time": ("datetime",), "bdi": (), "bdo": (),
    "ruby": (), "rt": (), "rp": (), "data": ("value",),
    "h1": (), "h2": (), "h3": (), "h4": (), "h5": (), "h6": (),
    "blockquote": ("cite",), "section": (), "aside": (), "article": (), "header": (), "footer": (),
    "figure": (), "figcaption": (), "details": ("open",), "summary": (), "address": (),
    # lists and tables
    "ul": (), "ol": ("start", "type", "reversed"), "li": ("value",), "dl": (), "dt": (), "dd": (),
    "table": (), "caption": (), "thead": (), "tbody": (), "tfoot": (), "tr": (), "colgroup": ("span",),
    "col": ("span",), "th": ("colspan", "rowspan", "scope", "align", "headers", "abbr"),
    "td": ("colspan", "rowspan", "align", "headers"),
    # a picture written into the page
    "img": ("src", "alt", "width", "height", "loading", "decoding"),
    "svg": (), "math": (),
}
# Inline drawings: shapes, text, gradients and references inside the page; no script,
# no foreignObject, no animation, no image that loads.
SVG_ELEMENTS = {"svg", "g", "path", "circle", "ellipse", "line", "polyline", "polygon", "rect", "text", "tspan",
                "textPath", "title", "desc", "defs", "marker", "linearGradient", "radialGradient", "stop",
                "clipPath", "mask", "pattern", "symbol", "use", "metadata"}
MATH_ELEMENTS = {"math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msup", "msub", "msubsup", "mfrac",
                 "msqrt", "mroot", "mstyle", "mtable", "mtr", "mtd", "mlabeledtr", "munder", "mover",
                 "munderover", "menclose", "mpadded", "mphantom", "merror", "mmultiscripts", "mprescripts",
                 "none", "semantics", "annotation"}
# ids the builder gives its own elements: author markup must not take them.
BUILDER_IDS = re.compile(r"^(trace-|w\d+(?:$|[-_])|bpe)", re.I)
RUN_SCHEMES = {"javascript", "vbscript", "livescript"}
LINK_SCHEMES = {"http", "https", "mailto"}
SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.I)
DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp|svg\+xml|avif)[;,]", re.I)


@dataclass
class Finding:
    message: str
    needles: tuple  # source text that likely produced it, most specific first
    structural: bool = False  # a parse error (not well-formed) rather than a refused element or attribute

    @property
    def runs(self) -> bool:
        return any(w in self.message for w in ("event handler", "runs code", "<script>"))


def _normalise_url(value: str) -> str:
    """As a browser's URL parser reads it: C0 controls and spaces trimmed, tabs and newlines
    removed anywhere (the parser has already decoded character references)."""
    return re.sub(r"[\t\n\r]", "", value.strip("".join(map(chr, range(0x21)))))


def _css_text(css: str) -> str:
    """CSS as its tokenizer reads it: escapes decoded, comments removed, lower case."""
    def unescape(m):
        if m.group(1):
            code = int(m.group(1), 16)
            return chr(code) if 0 < code < 0x110000 and not 0xD800 <= code < 0xE000 else "\ufffd"
        return m.group(2)
    css = re.sub(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)", unescape, css, flags=re.S)
    return re.sub(r"/\*.*?(\*/|$)", "", css, flags=re.S).lower()


def css_problem(css: str) -> str | None:
    """Why this CSS may not be in a lesson, or None: it must not load or run anything."""
    text = _css_text(css)
    for token, why in (("@import", "CSS @import loads a file"), ("url(", "CSS url() loads a file"),
                       ("image-set(", "CSS image-set() loads a file"), ("image(", "CSS image() loads a file"),
                       ("expression(", "CSS expression() runs code"), ("-moz-binding", "-moz-binding runs code"),
                       ("behavior", "CSS behavior runs code"), ("src(", "CSS src() loads a file")):
        if token in text:
            return why
    return None


def url_problem(tag: str, attr: str, raw: str) -> str | None:
    """Why this URL may not be in a lesson, or None."""
    url = _normalise_url(raw)
    m = SCHEME.match(url)
    scheme = m.group(1).lower() if m else ""
    if scheme in RUN_SCHEMES:
        return f"a {scheme}: URL runs code"
    if tag == "img" and attr == "src":
        if DATA_IMAGE.match(url):
            return None
        return "an image is written into the page as a data:image/... URL (a page is one file)"
    if scheme == "data":
        return "a data: URL here can open a document or run code; only <img src=\"data:image/...\"> may use one"
    if scheme and scheme not in LINK_SCHEMES:
        return f"a {scheme}: URL is not a link a lesson can make"
    return None


def _attr_name(name) -> str:
    return name if isinstance(name, str) else name[1]


def check_fragment(body: str) -> list[Finding]:
    """Every reason this rendered lesson body may not be published (empty when it is fine)."""
    # Parsed once, as the page parses it: inside <body>. A stray <html ...> or <body ...> tag
    # is then folded into the page's own element, attributes and all (an onload would land on
    # the page itself), where the checks below see it.
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=True)
    page = parser.parse(_PAGE_START + body)
    page_body = page.find(f"{{{HTML_NS}}}body")
    findings: list[Finding] = []
    for (line, col), code, data in parser.errors:
        name = (data or {}).get("name", "")
        if code in ("eof-in-comment", "eof-in-comment-double-dash", "eof-in-comment-end-dash", "eof-in-comment-end-bang-state"):
            findings.append(Finding("an HTML comment '<!--' is not closed with '-->': it would hide the rest of the page",
                                    ("<!--",), True))
        elif code == "expected-closing-tag-but-got-eof":
            findings.append(Finding("an HTML element is not closed: close every tag you open "
                                    "(or write < as &lt; when you mean the sign)", _open_tag_needles(body), True))
        elif code in STRUCTURAL:
            label = f"'<{name}>'" if name else "the HTML here"
            findings.append(Finding(f"{label} is not well-formed HTML ({code.replace('-', ' ')}): "
                                    "close tags in the order you opened them",
                                    (f"</{name}", f"<{name}") if name else ("<",), True))
        elif name and name not in HTML_ELEMENTS and "start-tag" in code:
            # A tag the parser drops (<frameset>, <head>, <body>): not on the list, and the
            # page would not be valid HTML.
            findings.append(Finding(f"raw HTML <{name}> is not allowed in a lesson: the page has its own",
                                    (f"<{name}",)))
        else:
            # Anything else the HTML standard calls a parse error ('<p/>', a '/' inside a tag,
            # a duplicate attribute) makes the page invalid HTML.
            label = f"'<{name}>'" if name else "the HTML here"
            findings.append(Finding(f"{label} is not valid HTML ({code.replace('-', ' ')})",
                                    (f"<{name}",) if name else ("<",), True))
    for element, tag in ((page, "html"), (page_body, "body")):
        for attr in element.attrib:
            handler = "an event handler on " if _attr_name(attr).lower().startswith("on") else ""
            findings.append(Finding(f"raw HTML <{tag} {_attr_name(attr)}=...> is not allowed in a lesson "
                                    f"({handler}the page's own <{tag}>)", (f"<{tag}",)))
    for element in page_body.iter():
        if element is page_body or not isinstance(element.tag, str) or not element.tag.startswith("{"):
            continue  # the page's own <body>, or a comment
        ns, _, tag = element.tag[1:].partition("}")
        findings.extend(_check_element(ns, tag, element))
    return findings


_PAGE_START = "<!DOCTYPE html><html><head></head><body>"
STRUCTURAL = {"eof-in-comment", "eof-in-comment-double-dash", "eof-in-comment-end-dash", "eof-in-comment-end-bang-state",
              "expected-closing-tag-but-got-eof", "end-tag-too-early", "unexpected-end-tag", "adoption-agency-1.1",
              "adoption-agency-1.2", "adoption-agency-1.3", "adoption-agency-4.4", "end-tag-too-early-named",
              "unexpected-end-tag-treated-as", "end-table-tag-in-caption", "unexpected-cell-end-tag"}


def refuse(body: str, source: str, path, first_line: int) -> None:
    """Raise ContentErrors for a rendered lesson body that breaks the allow-list: at most one
    finding per source line."""
    from site_builder.errors import ContentError, ContentErrors

    findings = check_fragment(body) + unclosed_comments(source)
    if not findings:
        return
    # A refused element or attribute often leaves the markup around it broken as well; the
    # structure is reported only when nothing else is wrong.
    serious = [f for f in findings if not f.structural] or findings
    serious.sort(key=lambda f: 0 if f.runs else 1)  # on one line, say first what would run code
    by_line: dict[int, Finding] = {}
    for f in serious:
        by_line.setdefault(locate(source, f.needles, first_line), f)
    raise ContentErrors([ContentError(path, line, f.message) for line, f in sorted(by_line.items())])


def unclosed_comments(source: str) -> list[Finding]:
    """Markdown shows an unclosed '<!--' as literal text; the author meant to hide something."""
    lines, in_widget = [], False
    for _, t in prose_lines(source):  # a widget's options are text the builder escapes
        if re.match(r"^/{3}\s*widget\b", t):
            in_widget = True
        elif in_widget and re.match(r"^/{3}\s*$", t):
            in_widget = False
        elif not in_widget:
            lines.append(t)
    text = "\n".join(lines)
    start = text.find("<!--")
    while start != -1:
        end = text.find("-->", start + 4)
        if end == -1:
            return [Finding("an HTML comment '<!--' is not closed with '-->': it would show on the page "
                            "as text", ("<!--",), True)]
        start = text.find("<!--", end + 3)
    return []


def _open_tag_needles(body: str) -> tuple:
    tags = re.findall(r"<([a-zA-Z][\w-]*)", body)
    return tuple(f"<{t}" for t in reversed(tags)) or ("<",)


def _check_element(ns: str, tag: str, element) -> list[Finding]:
    out = []
    where = (f"<{tag}",)
    if ns == HTML_NS:
        if tag not in HTML_ELEMENTS:
            why = {"script": "interactive parts are widgets (/// widget | NAME)",
                   "style": "a lesson's look comes from the theme (themes/NAME/assets/css/)"}.get(
                tag, "it is not on the list of elements a lesson may use (docs/authoring.md)")
            return [Finding(f"raw HTML <{tag}> is not allowed in a lesson: {why}", where)]
        allowed = GLOBAL_ATTRS | set(HTML_ELEMENTS[tag])
    elif ns == SVG_NS:
        if tag not in SVG_ELEMENTS:
            return [Finding(f"<{tag}> inside an SVG drawing is not allowed in a lesson: a drawing may not run, "
                            "animate or load anything", where)]
        allowed = None
    elif ns == MATH_NS:
        if tag not in MATH_ELEMENTS:
            return [Finding(f"<{tag}> inside maths is not allowed in a lesson", where)]
        allowed = None
    else:
        return [Finding(f"<{tag}> is not allowed in a lesson", where)]
    for name, value in element.attrib.items():
        full = name
        local = name.rsplit("}", 1)[-1]
        low = local.lower()
        needles = (f"{local}=", local, *where)
        if low.startswith("on"):
            out.append(Finding(f"the event handler '{local}' is not allowed in a lesson: pages run only the "
                               "builder's own scripts", needles))
            continue
        if low == "style":
            why = css_problem(value)
            if why:
                out.append(Finding(f"{why}: a page loads nothing and runs only its own scripts "
                                   f"(style=\"{value[:40]}\")", ("style=", *where)))
            continue
        if low in ("id", "name") and BUILDER_IDS.match(value.strip()):
            out.append(Finding(f"the id '{value}' is one the builder gives its own parts: choose another", (value, *needles)))
            continue
        if allowed is not None:
            if low.startswith("aria-") or low in allowed:
                pass
            else:
                out.append(Finding(f"the attribute '{local}' is not allowed on <{tag}> in a lesson "
                                   "(see the list in docs/authoring.md)", needles))
                continue
        if full == XLINK_HREF or low in ("href", "src", "cite", "action", "formaction", "data", "poster",
                                         "background", "ping", "srcset"):
            if ns != HTML_NS:
                if not value.strip().startswith("#"):
                    out.append(Finding(f"'{local}' in a drawing or formula may only point inside the page (#id)",
                                       (value, *needles)))
                continue
            why = url_problem(tag, low, value)
            if why:
                out.append(Finding(f"{why}, which is not allowed in a lesson ({local}=\"{value[:60]}\")",
                                   (value, _normalise_url(value)[:30], *needles)))
        elif ns != HTML_NS and low in ("attributename", "values", "from", "to", "begin"):
            out.append(Finding(f"the attribute '{local}' animates a drawing; not allowed in a lesson", needles))
    return out


CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")


def prose_lines(source: str) -> list[tuple[int, str]]:
    """(index, text) of the source lines outside fenced code, with inline code spans blanked."""
    out, fence = [], None
    for i, text in enumerate(source.split("\n")):
        m = re.match(r"^\s{0,3}(`{3,}|~{3,})(.*)$", text)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not m.group(2).strip():
                fence = None
            continue
        # A backtick fence's info string has no backtick: "```a``` b" is inline code, not a fence.
        if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
            fence = m.group(1)
            continue
        out.append((i, CODE_SPAN.sub(lambda c: " " * len(c.group(0)), text)))
    return out


def locate(source: str, needles, first_line: int) -> int:
    """The source line a finding most likely comes from: the first prose line holding the most
    specific needle (case-insensitive; character references decoded), else the body's first line."""
    lines = prose_lines(source)
    for needle in needles:
        if not needle or not str(needle).strip():
            continue
        want = str(needle).lower()
        for i, text in lines:
            if want in text.lower() or want in html.unescape(text).lower():
                return first_line + i
    return first_line
