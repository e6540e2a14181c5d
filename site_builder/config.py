"""content/site.yaml: the site's schema. Every problem is collected and reported at once."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.sources import read_text
from site_builder.errors import ContentError, ErrorCollector
from site_builder.schema import Field, check
from site_builder.yamlsrc import load

FIELDS = {
    "title": Field(str, required=True),
    "description": Field(str, default=""),
    "author": Field(str, default=""),
    "base_url": Field(str, default="/"),
    "theme": Field(str, default="default"),
    "language": Field(str, default="en"),
    "lessons": Field(list, default=None),
    "embed": Field(bool, default=True),
    "page_budget_kb": Field(int, default=250),
    "index_page_size": Field(int, default=100),
}


@dataclass
class SiteConfig:
    title: str
    description: str = ""
    author: str = ""
    base_url: str = "/"
    theme: str = "default"
    language: str = "en"
    lessons: list | None = None
    embed: bool = True
    page_budget_kb: int = 250
    index_page_size: int = 100  # lessons listed per index page: index.html, index-2.html, ...
    path: Path | None = None
    lines: dict = field(default_factory=dict, repr=False)

    def line_of_lesson(self, index: int) -> int | None:
        return self.lines.get(("lessons", index))


def load_config(root: Path) -> SiteConfig:
    path = Path(root) / "content" / "site.yaml"
    if not path.exists():
        raise ContentError(path, None, "missing: every site needs content/site.yaml with at least a title")
    if not path.is_file():
        raise ContentError(path, None, "content/site.yaml should be a file")
    loc = load(read_text(path, "site configuration"), path)
    errors = ErrorCollector()
    values = check(loc, (), FIELDS, errors, "site.yaml")
    for i, slug in enumerate(values.get("lessons") or []):
        if not isinstance(slug, str):
            errors.add(path, loc.line("lessons", i), f"lesson entries should be slugs (text), got {slug!r}")
    base = values.get("base_url")
    if isinstance(base, str) and not base.endswith("/"):
        errors.add(path, loc.line("base_url"), f"base_url should end with '/', got '{base}'")
    elif isinstance(base, str) and not (re.match(r"^/(?!/)", base) or re.match(r"^https?://[^/\s]+/", base)) or \
            isinstance(base, str) and re.search(r"[\s\"'<>\\?#]", base):
        errors.add(path, loc.line("base_url"), f"base_url is where the site lives: a path from the host's root like "
                                               f"/course/, or a full address like https://example.org/course/; got '{base}'")
    size = values.get("index_page_size")
    if isinstance(size, int) and size < 1:
        errors.add(path, loc.line("index_page_size"), f"index_page_size is how many lessons one index page lists "
                                                      f"(1 or more), got {size}")
    if "theme" in values and not (values["theme"] and (Path(root) / "themes" / values["theme"] / "templates").is_dir()):
        errors.add(path, loc.line("theme"), f"theme '{values['theme']}' not found in themes/")
    errors.raise_if_any()
    return SiteConfig(**values, path=path, lines=loc.lines)
