"""Lessons: content/lessons/NN-slug.md with YAML front matter, in the site's order."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.config import SiteConfig
from site_builder.errors import ContentError, ContentErrors, ErrorCollector, did_you_mean
from site_builder.schema import Field, check
from site_builder.sources import editor_file, read_text
from site_builder.yamlsrc import load

FRONT = {
    "title": Field(str, required=True),
    "summary": Field(str, default=""),
    "order": Field(int, default=None),
    "objectives": Field(list, default=[]),
    "needs": Field(list, default=[]),  # what the lesson assumes (a list of short phrases)
    "minutes": Field(int, default=None),  # about how long it takes
}
# NN-slug.md: the slug is lowercase letters (any script: 03-café.md is café.html), digits and dashes.
NAME = re.compile(r"^(\d+)-((?:(?![A-Z_])[\w-])+)\.md$")
# Pages the builder writes itself: a lesson with one of these slugs would replace them.
RESERVED = ("index", "404", "teachers", "glossary", "search", "print")
INDEX_PAGE = re.compile(r"(?:index|teachers)-\d+")  # further pages of a paged list (index-2.html, teachers-2.html, ...)
MAX_BYTES = 1_000_000


@dataclass
class Lesson:
    slug: str
    path: Path
    title: str
    summary: str
    order: int
    objectives: list
    body: str  # Markdown after the front matter
    body_line: int  # line of the body's first line in the file
    order_line: int | None = field(default=None, repr=False)  # where `order:` is written, if it is
    needs: list = field(default_factory=list)
    minutes: int | None = None
    position: int = 0  # 1-based place in the course, set by load_lessons
    prev: "Lesson | None" = field(default=None, repr=False)
    next: "Lesson | None" = field(default=None, repr=False)

    @property
    def href(self) -> str:
        return f"{self.slug}.html"

    def __repr__(self) -> str:
        return f"Lesson({self.order}: {self.slug!r}, {self.title!r})"


def parse_lesson(path: Path) -> Lesson:
    m = NAME.match(unicodedata.normalize("NFC", path.name))
    if not m or m.group(2).startswith("-") or m.group(2) != m.group(2).lower():
        raise ContentError(path, None, "lesson files are named NN-slug.md (digits, a dash, lowercase words joined by dashes)")
    text = read_text(path, "lesson", path.parent.parent, MAX_BYTES).lstrip("\ufeff")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise ContentError(path, 1, "a lesson starts with front matter: a line '---', YAML (title, summary, ...), and '---'")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise ContentError(path, 1, "front matter is not closed: add a line '---' after it") from None
    loc = load("\n".join(lines[1:end]), path, line_offset=1)
    errors = ErrorCollector()
    meta = check(loc, (), FRONT, errors, "front matter")
    if isinstance(meta.get("title"), str) and not meta["title"].strip():
        errors.add(path, loc.line("title"), "the title is empty: every lesson needs a title (it names the page)")
    for key in ("objectives", "needs"):
        for i, obj in enumerate(meta.get(key) or []):
            if not isinstance(obj, str):
                errors.add(path, loc.line(key, i), f"{key} should be sentences (text), got {obj!r}")
    if isinstance(meta.get("minutes"), int) and not 1 <= meta["minutes"] <= 600:
        errors.add(path, loc.line("minutes"), f"minutes is about how long the lesson takes (1 to 600), got {meta['minutes']}")
    errors.raise_if_any()
    if m.group(2) in RESERVED or INDEX_PAGE.fullmatch(m.group(2)):
        errors.add(path, None, f"the slug '{m.group(2)}' would overwrite the site's own {m.group(2)}.html: "
                               "rename the file")
    errors.raise_if_any()
    lesson = Lesson(m.group(2), path, meta["title"], meta["summary"] or "",
                    meta["order"] if meta["order"] is not None else int(m.group(1)),
                    meta["objectives"] or [], "\n".join(lines[end + 1:]), end + 2)
    lesson.order_line = loc.line("order") if meta["order"] is not None else None
    lesson.needs, lesson.minutes = meta["needs"] or [], meta["minutes"]
    return lesson


def load_lessons(root: Path, config: SiteConfig) -> list[Lesson]:
    folder = Path(root) / "content" / "lessons"
    errors = ErrorCollector()
    found, broken = {}, set()
    for path in sorted(p for p in folder.iterdir() if p.suffix == ".md" and not editor_file(p.name)) if folder.is_dir() else []:
        try:
            lesson = parse_lesson(path)
        except (ContentError, ContentErrors) as exc:
            errors.extend(exc)
            m = NAME.match(unicodedata.normalize("NFC", path.name))
            broken.add(m.group(2) if m else path.stem)  # reported already: not "missing" too
            continue
        if lesson.slug in found:
            errors.add(path, None, f"slug '{lesson.slug}' is already used by {found[lesson.slug].path.name}")
            continue
        found[lesson.slug] = lesson
    orders: dict[int, Lesson] = {}
    for lesson in sorted(found.values(), key=lambda l: l.path.name):
        if lesson.order in orders:
            errors.add(lesson.path, lesson.order_line, f"order {lesson.order} is also {orders[lesson.order].path.name}'s: "
                                                       "give each lesson its own place in the course")
        orders.setdefault(lesson.order, lesson)
    if config.lessons is not None:
        listed = {}
        for i, slug in enumerate(config.lessons):
            if isinstance(slug, str) and slug in listed:
                errors.add(config.path, config.line_of_lesson(i), f"'{slug}' is listed twice in lessons "
                                                                 f"(also at line {listed[slug]})")
            listed.setdefault(slug, config.line_of_lesson(i))
            if slug not in found and slug not in broken and isinstance(slug, str):
                errors.add(config.path, config.line_of_lesson(i), f"no lesson '{slug}' in content/lessons/{did_you_mean(slug, found)}")
    errors.raise_if_any()
    if config.lessons is not None:
        listed = [found[s] for s in dict.fromkeys(config.lessons)]
        rest = sorted((l for l in found.values() if l.slug not in config.lessons), key=lambda l: (l.order, l.slug))
        ordered = listed + rest
    else:
        ordered = sorted(found.values(), key=lambda l: (l.order, l.slug))
    for a, b in zip(ordered, ordered[1:]):
        a.next, b.prev = b, a
    for i, lesson in enumerate(ordered, 1):
        lesson.position = i
    return ordered
