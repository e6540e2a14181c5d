"""Lesson blocks: widget-free teaching boxes any lesson can use, written like callouts.

    /// big-question            the question the lesson answers
    /// why-it-matters          why it matters, and where it is used today
    /// analogy                 "think of it like this"
    /// mistake                 the common mistake
    /// moves                   the moves to watch (usually a numbered list)
    /// think-first             a question, a line '---', then its answer
    Would the weight go up or down?
    ---
    Down: the slope is positive.
    ///

Each renders as a pymdown admonition with its own label and icon (`| Title` replaces the
label). A think-first answer is shown in print and with JS off; with JS, boot.js hides it
behind a "Show the answer" button. `prepare` runs on the source (line numbers kept),
`finish` on the rendered HTML after the safety check.
"""
from __future__ import annotations

import re

from site_builder.errors import ErrorCollector

# kind -> the label shown when the block line gives no title
BLOCKS = {
    "big-question": "The big question",
    "why-it-matters": "Why it matters",
    "analogy": "Think of it like this",
    "mistake": "A common mistake",
    "think-first": "Think first",
    "moves": "Moves to watch",
}
OPEN = re.compile(r"^///\s*(?P<kind>[a-z-]+)\s*(?:\|\s*(?P<title>.*?))?\s*$")
CLOSE = re.compile(r"^///\s*$")
SEPARATOR = "---"


def prepare(source: str, path, first_line: int) -> str:
    """Give each block its label and mark a think-first's answer, keeping every line in place.
    A think-first with no '---' line, or nothing on either side of it, is an error."""
    from site_builder.safehtml import prose_lines

    lines = source.split("\n")
    errors = ErrorCollector()
    prose = prose_lines(source)
    k = 0
    while k < len(prose):
        i, text = prose[k]
        m = OPEN.match(text)
        k += 1
        if not m or m.group("kind") not in BLOCKS:
            continue
        kind = m.group("kind")
        if not m.group("title"):
            lines[i] = f"/// {kind} | {BLOCKS[kind]}"
        if kind != "think-first":
            continue
        end = next((j for j, (_, t) in enumerate(prose[k:], k) if CLOSE.match(t)), None)
        if end is None:
            errors.add(path, first_line + i, "think-first block is not closed: add a line '///' after its answer")
            continue
        inner = prose[k:end]
        sep = next((n for n, (_, t) in enumerate(inner) if t.strip() == SEPARATOR), None)
        if sep is None:
            errors.add(path, first_line + i, "think-first needs an answer: write the question, a line '---', "
                                             "then the answer, before the closing '///'")
        elif not any(t.strip() for _, t in inner[:sep]) or not any(t.strip() for _, t in inner[sep + 1:]):
            errors.add(path, first_line + inner[sep][0], "think-first needs a question above its '---' line "
                                                         "and an answer below it")
        else:
            lines[inner[sep][0]] = "* * *"  # a rule Markdown never reads as a heading underline
        k = end + 1
    errors.raise_if_any()
    return "\n".join(lines)


_THINK = re.compile(r'<div class="admonition think-first">')
_DIV = re.compile(r"<div\b|</div>|<hr\s*/?>")


def finish(html: str) -> str:
    """Wrap each think-first answer (after its rule) in a box boot.js can hide."""
    out, pos, n = [], 0, 0
    for m in _THINK.finditer(html):
        if m.start() < pos:
            continue
        depth, rule, end = 1, None, None
        for t in _DIV.finditer(html, m.end()):
            tok = t.group(0)
            if tok.startswith("<hr"):
                if depth == 1 and rule is None:
                    rule = t
            elif tok == "</div>":
                depth -= 1
                if depth == 0:
                    end = t.start()
                    break
            else:
                depth += 1
        if rule is None or end is None:
            continue
        n += 1
        out.append(html[pos:rule.start()])
        out.append(f'<div class="think-answer" id="bpe-answer-{n}"><p class="think-answer-label">Answer</p>')
        out.append(html[rule.end():end])
        out.append("</div>\n")
        pos = end
    out.append(html[pos:])
    return "".join(out)
