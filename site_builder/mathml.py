"""TeX to MathML at build time (latex2mathml), reduced to MathML Core so no math script or
font is needed: no <mfenced> (fences become <mo> in an <mrow>), no columnalign, and runs of
upright letters (\\mathrm{net}) joined into one <mi>."""
from __future__ import annotations

import html
import re

from markupsafe import Markup

from site_builder.errors import ContentError, did_you_mean
from site_builder.safehtml import css_problem

_FENCED = re.compile(r'<mfenced(?: open="([^"]*)")?(?: close="([^"]*)")?[^>]*>(.*?)</mfenced>', re.S)
_UPRIGHT_RUN = re.compile(r'(?:<mi mathvariant="normal">[^<]</mi>){2,}')


def _join_upright(m) -> str:
    letters = re.findall(r'<mi mathvariant="normal">([^<])</mi>', m.group(0))
    return f"<mi>{''.join(letters)}</mi>"


def to_core(mathml: str) -> str:
    mathml = _FENCED.sub(lambda m: f'<mrow><mo>{m.group(1) or "("}</mo>{m.group(3)}<mo>{m.group(2) or ")"}</mo></mrow>', mathml)
    mathml = re.sub(r'\s(columnalign|columnlines|rowlines|columnspacing|rowspacing|framespacing|equalrows|equalcolumns)="[^"]*"', "", mathml)
    mathml = _UPRIGHT_RUN.sub(_join_upright, mathml)
    return mathml


def _tree(tex: str, display: bool, path, line):
    """latex2mathml's element tree with plain text in it: the library writes character
    references into its text and unescapes the whole serialised string, which would let
    `\\text{<b>}` become markup. Here each text is decoded once and escaped on output."""
    from latex2mathml.converter import convert_to_element

    try:
        root = convert_to_element(tex, display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises many kinds for bad TeX
        raise ContentError(path, line, f"cannot read the maths '{tex}': {exc}") from None
    for el in root.iter():
        if el.text:
            el.text = html.unescape(el.text)
        if el.tail:
            el.tail = html.unescape(el.tail)
        for key, value in list(el.attrib.items()):
            el.attrib[key] = html.unescape(value)
        word = (el.text or "").strip()
        if el.tag in ("mi", "mo", "mtext") and _COMMAND.fullmatch(word):
            raise ContentError(path, line, f"unknown TeX command '{word}' in '{tex}'"
                                           f"{did_you_mean(word, _known_commands())}")
        for key, value in el.attrib.items():
            if key in ("href", "src") or key.startswith("on"):
                raise ContentError(path, line, f"maths may not link or run anything ('{key}' from '{tex}')")
            if key == "style":
                why = css_problem(value)
                if why:
                    raise ContentError(path, line, f"{why}: maths may not load anything ('{tex}')")
    return root


_RENDERED: dict = {}  # (tex, display) -> the MathML of a formula that converted without a problem


def render(tex: str, display: bool = False, path=None, line=None) -> Markup:
    """The formula as MathML. A formula met before (the same TeX, the same way) is not
    converted again: lessons repeat their rules; only a formula with a problem, which names
    its path and line, is converted each time it is met."""
    done = _RENDERED.get((tex, display))
    if done is not None:
        return done
    out = _render(tex, display, path, line)
    if len(_RENDERED) < 10_000:
        _RENDERED[tex, display] = out
    return out


def _render(tex: str, display: bool, path, line) -> Markup:
    from xml.etree.ElementTree import tostring

    out = to_core(tostring(_tree(tex, display, path, line), encoding="unicode"))
    # An accessible name for screen readers that do not speak MathML: the TeX itself.
    out = out.replace("<math ", f'<math alttext="{Markup.escape(tex)}" ', 1)
    if display:
        # A wide formula scrolls inside its own box on a narrow screen. The box is focusable
        # and labelled from the start, so it can be scrolled from the keyboard with or without
        # JavaScript; core.js takes the tab stop away where the formula fits.
        out = f'<span class="math-block" tabindex="0" role="group" aria-label="Formula">{out}</span>'
    return Markup(out)


_COMMAND = re.compile(r"\\[A-Za-z]+")


def _known_commands() -> list[str]:
    from latex2mathml import commands, symbols_parser

    names = {v for v in vars(commands).values() if isinstance(v, str) and _COMMAND.fullmatch(v)}
    return sorted(names | {k for k in symbols_parser.SYMBOLS if _COMMAND.fullmatch(k)})


_MATH = re.compile(r"(?<![\\$])\$\$(.+?)\$\$|(?<![\\$\w])\$(?!\s)([^$\n]+?)(?<!\s)\$(?![\w$])", re.S)
_CODE = re.compile(r"(^```.*?^```[ \t]*$|^~~~.*?^~~~[ \t]*$|`[^`\n]+`)", re.S | re.M)


def extract(source: str, path, first_line: int, stash) -> str:
    """Replace $..$ and $$..$$ outside code with placeholders from stash(html)."""
    pieces, last = [], 0
    for code in _CODE.finditer(source):
        pieces.append((False, source[last:code.start()]))
        pieces.append((True, code.group(0)))
        last = code.end()
    pieces.append((False, source[last:]))
    out, consumed = [], 0
    for is_code, text in pieces:
        if is_code:
            out.append(text)
        else:
            def repl(m, base=consumed):
                line = first_line + source.count("\n", 0, base + m.start())
                if m.group(1) is not None:
                    return stash(render(m.group(1).strip(), True, path, line))
                return stash(render(m.group(2), False, path, line))
            done = _MATH.sub(repl, text)
            lone = re.search(r"(?<!\\)\$\$", done)
            if lone:
                # Where in the source: the first '$$' of this text that no formula consumed.
                spans = [m.span() for m in _MATH.finditer(text)]
                at = next(k.start() for k in re.finditer(r"(?<!\\)\$\$", text)
                          if not any(a <= k.start() < b for a, b in spans))
                line = first_line + source.count("\n", 0, consumed + at)
                raise ContentError(path, line, "'$$' starts display maths that is never closed: end it with '$$' "
                                               "(write \\$ for a dollar sign)")
            out.append(done.replace("\\$", "$"))
        consumed += len(text)
    return "".join(out)
