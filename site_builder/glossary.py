"""The glossary: content/glossary.yaml, terms marked in lesson prose, and build/glossary.html.

    gradient:
      short: How much the loss changes when one weight changes a little.
      more: A longer explanation shown on the glossary page (optional).
      aliases: [gradients, slope]

In prose, `[[gradient]]` or `[[gradients]]` (an alias) marks a term; `[[the slopes|gradient]]`
shows other words for it. Each mark becomes a link to glossary.html#term-NAME whose short
definition appears on hover and on keyboard focus (CSS only: with JS off it is a plain link;
the tip is the link's aria-describedby). Marks inside code and maths are left alone. An
unknown term is an error at its line, with a suggestion.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.errors import ContentError, ErrorCollector, did_you_mean

MARK = re.compile(r"\[\[([^\[\]|\n]+?)(?:\|([^\[\]|\n]+?))?\]\]")
# maths and number expressions, blanked before looking for marks in a raw lesson body
_MATHS = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$|\{\{.*?\}\}", re.S)
FILE = Path("content") / "glossary.yaml"


@dataclass
class Term:
    name: str
    short: str
    more: str = ""
    aliases: list = field(default_factory=list)
    line: int | None = None

    @property
    def anchor(self) -> str:
        return "term-" + (re.sub(r"[^\w]+", "-", self.name.lower(), flags=re.U).strip("-") or "x")


class Glossary:
    def __init__(self, terms: list[Term], path):
        self.terms, self.path = terms, path
        self.lookup = {}
        for t in terms:
            for word in (t.name, *t.aliases):
                self.lookup[word.lower()] = t

    def find(self, word: str) -> Term | None:
        return self.lookup.get(" ".join(word.split()).lower())


def load(root) -> Glossary:
    """content/glossary.yaml (an empty glossary when there is none)."""
    from site_builder.sources import read_text
    from site_builder.yamlsrc import load as load_yaml

    path = Path(root) / FILE
    if not path.is_file():
        return Glossary([], path)
    loc = load_yaml(read_text(path, "glossary", Path(root) / "content", 1_000_000), path)
    data = loc.data or {}
    if not isinstance(data, dict):
        raise ContentError(path, 1, "the glossary is 'term:' lines, each with 'short: definition' below it")
    errors, terms, seen = ErrorCollector(), [], {}
    for name, value in data.items():
        at = loc.line(name)
        if isinstance(value, str):
            value = {"short": value}
        if not isinstance(value, dict):
            errors.add(path, at, f"'{name}' should have 'short: definition' (and optional 'more:', 'aliases:')")
            continue
        for key in value:
            if key not in ("short", "more", "aliases"):
                errors.add(path, loc.line(name, key), f"unknown key '{key}' for '{name}'"
                                                      f"{did_you_mean(key, ('short', 'more', 'aliases'))}")
        short, more, aliases = value.get("short"), value.get("more") or "", value.get("aliases") or []
        if not isinstance(short, str) or not short.strip():
            errors.add(path, at, f"'{name}' needs 'short:', a one-sentence definition")
            continue
        if not isinstance(more, str) or not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            errors.add(path, at, f"'{name}': 'more' is text and 'aliases' a list of words")
            continue
        term = Term(str(name), short.strip(), more.strip(), aliases, at)
        for word in (term.name, *aliases):
            key = " ".join(word.split()).lower()
            if key in seen:
                errors.add(path, at, f"'{word}' is already a word for '{seen[key]}'")
            seen[key] = term.name
        terms.append(term)
    errors.raise_if_any()
    return Glossary(sorted(terms, key=lambda t: t.name.lower()), path)


def _marks(source: str):
    """(line index, match) of every mark outside code (positions as in the source line)."""
    from site_builder.safehtml import prose_lines

    for i, text in prose_lines(source):
        for m in MARK.finditer(text):
            yield i, m


def _term_of(m) -> str:
    return m.group(2) or m.group(1)


def mark(source: str, path, first_line: int, glossary: Glossary, placeholder) -> str:
    """Replace each mark with placeholder(html) (lines kept); unknown terms are errors."""
    lines = source.split("\n")
    errors, first, count = ErrorCollector(), set(), 0
    by_line: dict[int, list] = {}
    for i, m in _marks(source):
        by_line.setdefault(i, []).append(m)
    for i, found in by_line.items():
        text = lines[i]
        for m in reversed(found):
            word = _term_of(m)
            term = glossary.find(word)
            if term is None:
                words = [t.name for t in glossary.terms] + [a for t in glossary.terms for a in t.aliases]
                hint = did_you_mean(word.strip(), words) if words else f" (there is no {FILE.as_posix()})"
                errors.add(path, first_line + i, f"unknown glossary term '{word.strip()}'{hint}: "
                                                 f"terms are defined in {FILE.as_posix()}")
                continue
            count += 1
            lines[i] = text = text[:m.start()] + placeholder((m, term)) + text[m.end():]
    errors.raise_if_any()
    return "\n".join(lines)


def link_html(shown: str, term: Term, n: int, first: bool) -> str:
    """One marked term: a link to its entry with its definition as a tooltip."""
    use_id = f' id="bpe-use-{term.anchor[5:]}"' if first else ""
    return (f'<span class="term"><a href="glossary.html#{term.anchor}"{use_id} aria-describedby="bpe-tip-{n}">'
            f'{html.escape(" ".join(shown.split()), quote=False)}</a><span class="term-tip" role="tooltip" '
            f'id="bpe-tip-{n}">{html.escape(term.short, quote=False)}</span></span>')


_LINK = re.compile(r'<a href="glossary\.html#[^"]*"(?: id="[^"]*")? aria-describedby="[^"]*">(.*?)</a>')


def unlink(body: str) -> str:
    """Marked words as plain text with their tips (for a package that has no glossary page)."""
    return _LINK.sub(r"\1", body)


class Marks:
    """Collects the marks of one page; `restore` puts the links in (first use of a term gets
    the id the glossary page links back to)."""

    def __init__(self):
        self.items: list = []

    def __call__(self, item) -> str:
        self.items.append(item)
        return f"BPETERM{len(self.items) - 1}X"

    def restore(self, text: str, plain: bool = False) -> str:
        if not self.items:
            return text
        seen: set = set()
        # ids in page order: number the marks as they appear in the HTML
        def repl(m):
            match, term = self.items[int(m.group(1))]
            shown = match.group(1)
            if plain:
                return html.escape(" ".join(shown.split()), quote=False)
            first = term.name not in seen
            seen.add(term.name)
            return link_html(shown, term, int(m.group(1)) + 1, first)

        return re.sub(r"BPETERM(\d+)X", repl, text)


def uses(lesson, glossary: Glossary) -> list[str]:
    """The term names a lesson marks (outside code, maths and expressions), in first-use order."""
    body = _MATHS.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), lesson.body)
    names = []
    for _, m in _marks(body):
        term = glossary.find(_term_of(m))
        if term is not None and term.name not in names:
            names.append(term.name)
    return names


def page_html(renderer, lessons, glossary: Glossary, scripts) -> str:
    """build/glossary.html: every term, its definition, and links to the lessons that use it."""
    entries = []
    used_by = [(l, set(uses(l, glossary))) for l in lessons]  # each lesson read once, not once per term
    for t in glossary.terms:
        used = [{"title": l.title, "href": f"{l.href}#bpe-use-{t.anchor[5:]}", "position": l.position}
                for l, names in used_by if t.name in names]
        entries.append({"name": t.name, "anchor": t.anchor, "short": t.short, "more": t.more,
                        "aliases": t.aliases, "used": used})
    page = {"title": "Glossary", "summary": "The words these lessons use, each in a sentence, with the lessons "
                                            "where it first appears.", "href": "glossary.html"}
    return renderer.page("glossary.html", scripts_used=scripts, data_blocks=[], page=page, lessons=[], terms=entries)
