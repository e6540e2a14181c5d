"""TeX to MathML at build time (latex2mathml), reduced to MathML Core so no math script or
font is needed: no <mfenced> (fences become <mo> in an <mrow>), no columnalign, and runs of
upright letters (\\mathrm{net}) joined into one <mi>."""
from __future__ import annotations

import re

from markupsafe import Markup

from site_builder.errors import ContentError

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


def render(tex: str, display: bool = False, path=None, line=None) -> Markup:
    from latex2mathml.converter import convert

    try:
        out = convert(tex, display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises many kinds for bad TeX
        raise ContentError(path, line, f"cannot read the maths '{tex}': {exc}") from None
    out = to_core(out)
    # An accessible name for screen readers that do not speak MathML: the TeX itself.
    out = out.replace("<math ", f'<math alttext="{Markup.escape(tex)}" ', 1)
    if display:
        # A wide formula scrolls inside its own box on a narrow screen (core.js makes the box
        # focusable when it does overflow, so keyboard users can scroll it too).
        out = f'<span class="math-block">{out}</span>'
    return Markup(out)


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
            out.append(_MATH.sub(repl, text).replace("\\$", "$"))
        consumed += len(text)
    return "".join(out)
