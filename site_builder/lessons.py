"""Lessons: content/lessons/NN-slug.md with YAML front matter, in the site's order."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.config import SiteConfig
from site_builder.errors import ContentError, ContentErrors, ErrorCollector, did_you_mean
from site_builder.schema import Field, check
from site_builder.yamlsrc import load

FRONT = {
    "title": Field(str, required=True),
    "summary": Field(str, default=""),
    "order": Field(int, default=None),
    "objectives": Field(list, default=[]),
}
NAME = re.compile(r"^(\d+)-([a-z0-9][a-z0-9-]*)\.md$")


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
    prev: "Lesson | None" = field(default=None, repr=False)
    next: "Lesson | None" = field(default=None, repr=False)

    @property
    def href(self) -> str:
        return f"{self.slug}.html"

    def __repr__(self) -> str:
        return f"Lesson({self.order}: {self.slug!r}, {self.title!r})"


def parse_lesson(path: Path) -> Lesson:
    m = NAME.match(path.name)
    if not m:
        raise ContentError(path, None, "lesson files are named NN-slug.md (digits, a dash, lowercase words with dashes)")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(path, None, f"not valid UTF-8 text ({exc.reason} at byte {exc.start})") from None
    text = text.lstrip("\ufeff")
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
    for i, obj in enumerate(meta.get("objectives") or []):
        if not isinstance(obj, str):
            errors.add(path, loc.line("objectives", i), f"objectives should be sentences (text), got {obj!r}")
    errors.raise_if_any()
    return Lesson(m.group(2), path, meta["title"], meta["summary"] or "",
                  meta["order"] if meta["order"] is not None else int(m.group(1)),
                  meta["objectives"] or [], "\n".join(lines[end + 1:]), end + 2)


def load_lessons(root: Path, config: SiteConfig) -> list[Lesson]:
    folder = Path(root) / "content" / "lessons"
    errors = ErrorCollector()
    found, broken = {}, set()
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        try:
            lesson = parse_lesson(path)
        except (ContentError, ContentErrors) as exc:
            errors.extend(exc)
            m = NAME.match(path.name)
            broken.add(m.group(2) if m else path.stem)  # reported already: not "missing" too
            continue
        if lesson.slug in found:
            errors.add(path, None, f"slug '{lesson.slug}' is already used by {found[lesson.slug].path.name}")
            continue
        found[lesson.slug] = lesson
    if config.lessons is not None:
        for i, slug in enumerate(config.lessons):
            if slug not in found and slug not in broken and isinstance(slug, str):
                errors.add(config.path, config.line_of_lesson(i), f"no lesson '{slug}' in content/lessons/{did_you_mean(slug, found)}")
    errors.raise_if_any()
    if config.lessons is not None:
        listed = [found[s] for s in config.lessons]
        rest = sorted((l for l in found.values() if l.slug not in config.lessons), key=lambda l: (l.order, l.slug))
        ordered = listed + rest
    else:
        ordered = sorted(found.values(), key=lambda l: (l.order, l.slug))
    for a, b in zip(ordered, ordered[1:]):
        a.next, b.prev = b, a
    return ordered
