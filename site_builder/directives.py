"""Widget directives: a line-aware parse of `/// widget | NAME` blocks, and the Markdown
extension list that renders callouts (`/// note | Title`, `/// tip`, `/// warning`) with
pymdown-extensions' generic blocks.

    /// widget | weight-descent
    scenario: one-weight
    controls: [step, play, back, reset]
    caption: The weight climbs from 3 toward 5.
    ///

Widgets are taken out of the Markdown before it is rendered (they are whole HTML figures),
each validated against its WidgetSpec with errors at the line of the offending option.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from site_builder.errors import ContentError, ErrorCollector, did_you_mean
from site_builder.schema import describe, type_ok
from site_builder.yamlsrc import load

OPEN = re.compile(r"^/{3}\s*widget\s*(?:\|\s*(?P<name>\S*))?\s*$")
CLOSE = re.compile(r"^///\s*$")
FENCE = re.compile(r"^(```|~~~)")
CALLOUTS = ("note", "tip", "warning", "danger", "info", "example", "question", "summary")


@dataclass
class WidgetUse:
    name: str
    options: dict
    line: int
    index: int  # 1-based count on the page

    @property
    def scenario(self) -> str | None:
        return self.options.get("scenario")

    def __repr__(self) -> str:
        return f"WidgetUse({self.name!r} at line {self.line}, {self.options!r})"


BLOCK = re.compile(r"^/{3,}\s*(?P<kind>[^\s|]*)\s*(?:\|\s*(?P<title>.*?))?\s*$")
# A block line behind a quote marker, a list marker or indentation.
NESTED = re.compile(r"^(?P<prefix>(?:\s*>)+\s*|\s*(?:[-*+]|\d+[.)])\s+|\s+)/{3,}")


def check_blocks(source: str, path, first_line: int) -> None:
    """Every `///` line outside code is a block this builder knows, written as it reads it:
    `/// widget | NAME` on its own, at the start of its line; `/// note | Title` (or another
    callout); `///` to close. Anything else would be shown to learners as literal text."""
    from site_builder.safehtml import prose_lines

    errors = ErrorCollector()
    from site_builder.blocks import BLOCKS

    kinds = ("widget", *CALLOUTS, *BLOCKS)
    for i, text in prose_lines(source):
        line = first_line + i
        nested = NESTED.match(text)
        if nested:
            m = BLOCK.match(text[nested.end("prefix"):].strip())
            if m and m.group("kind") == "widget":
                errors.add(path, line, "a widget stands on its own at the start of a line, not inside a list, "
                                       "a quote or an indented block: move '/// widget' to the left margin")
            continue
        if not text.startswith("///"):
            continue
        m = BLOCK.match(text.strip())
        kind = m.group("kind") if m else text.strip()[3:].split()[0] if text.strip()[3:].split() else ""
        if m and not kind and m.group("title") is None:
            continue  # '///' closes a block
        if not m or kind not in kinds:
            errors.add(path, line, f"unknown block '/// {kind}'{did_you_mean(kind, kinds)}: blocks are "
                                   f"'/// widget | NAME', the lesson blocks {', '.join(BLOCKS)} and the callouts "
                                   f"{', '.join(CALLOUTS)} ('/// note | Title')")
            continue
        if kind == "widget" and m.group("title") and len(m.group("title").split()) > 1:
            errors.add(path, line, f"'/// widget | {m.group('title')}': a widget line names one widget and "
                                   "nothing else; options go on the lines below ('caption: ...')")
    errors.raise_if_any()


def widget_uses(lesson, registry: dict, scenarios) -> list[WidgetUse]:
    """The widgets a lesson places, in page order (their figure ids are w1, w2, ...), without
    changing its text; raises as extract_widgets does."""
    return extract_widgets(lesson.body, lesson.path, lesson.body_line, registry, set(scenarios), lambda use: "")[1]


def extract_widgets(source: str, path, first_line: int, registry: dict, scenarios, placeholder) -> tuple[str, list[WidgetUse]]:
    """Take every widget block out of `source`, validate it, and put placeholder(use) in its
    place. `scenarios` is the set of known scenario names."""
    check_blocks(source, path, first_line)
    lines = source.split("\n")
    out, uses, errors = [], [], ErrorCollector()
    i, in_fence = 0, False
    while i < len(lines):
        text = lines[i]
        if FENCE.match(text.strip()):
            in_fence = not in_fence
        m = None if in_fence else OPEN.match(text.strip())
        if not m:
            out.append(text)
            i += 1
            continue
        start = first_line + i
        try:
            end = next(j for j in range(i + 1, len(lines)) if CLOSE.match(lines[j].strip()))
        except StopIteration:
            raise ContentError(path, start, "widget block is not closed: add a line '///' after its options") from None
        name = m.group("name") or ""
        body = "\n".join(lines[i + 1:end])
        try:
            use = _validate(name, body, path, start, registry, scenarios, len(uses) + 1)
        except ContentError as exc:
            errors.extend(exc)
            use = None
        if use is not None:
            uses.append(use)
            out.extend(["", placeholder(use), ""])
        out.extend([""] * (end - i - 1))  # keep later line numbers stable for error messages
        i = end + 1
    errors.raise_if_any()
    return "\n".join(out), uses


def _validate(name, body, path, line, registry, scenarios, index) -> WidgetUse:
    if not name:
        raise ContentError(path, line, f"widget needs a name: '/// widget | NAME' (one of {', '.join(sorted(registry))})")
    if name not in registry:
        raise ContentError(path, line, f"unknown widget '{name}'{did_you_mean(name, registry)}")
    spec = registry[name]
    loc = load(body, path, line_offset=line)
    if not isinstance(loc.data, dict):
        raise ContentError(path, line + 1, "widget options should be 'key: value' lines")
    errors = ErrorCollector()
    for key, value in loc.data.items():
        at = loc.line(key)
        if key not in spec.options:
            errors.add(path, loc.line(key, "__key__"), f"unknown option '{key}' for widget '{name}'{did_you_mean(key, spec.options)}")
            continue
        if not type_ok(value, spec.options[key]):
            errors.add(path, at, f"option '{key}' should be {describe(spec.options[key])}, got {value!r}")
            continue
        allowed = spec.choices.get(key)
        if allowed:
            for item in value if isinstance(value, list) else [value]:
                if item not in allowed:
                    errors.add(path, at, f"'{item}' is not a {key} value for '{name}' (one of {', '.join(allowed)}){did_you_mean(item, allowed)}")
            if isinstance(value, list):
                twice = sorted({str(v) for v in value if value.count(v) > 1})
                if twice:
                    errors.add(path, at, f"option '{key}' lists {', '.join(repr(t) for t in twice)} more than once")
    for key in sorted(spec.required):
        if key not in loc.data:
            errors.add(path, line, f"widget '{name}' needs the option '{key}'")
    scenario = loc.data.get("scenario")
    if isinstance(scenario, str) and scenario not in scenarios:
        errors.add(path, loc.line("scenario"), f"unknown scenario '{scenario}'{did_you_mean(scenario, scenarios)}"
                                              f" (scenarios live in content/scenarios/NAME.yaml)")
    errors.raise_if_any()
    return WidgetUse(name, dict(loc.data), line, index)


def markdown_extensions() -> tuple[list, dict]:
    """Python-Markdown extensions and their settings for lesson prose."""
    from site_builder.blocks import BLOCKS

    exts = ["tables", "footnotes", "attr_list", "def_list", "toc", "sane_lists", "smarty",
            "pymdownx.superfences", "pymdownx.highlight", "pymdownx.blocks.admonition"]
    config = {
        "toc": {"permalink": "#", "permalink_title": "Link to this section", "toc_depth": "2-3"},
        "pymdownx.highlight": {"noclasses": True, "use_pygments": True, "pygments_style": "friendly"},
        "pymdownx.blocks.admonition": {"types": [*CALLOUTS, *BLOCKS]},
        "smarty": {"smart_quotes": True, "smart_dashes": True},
    }
    return exts, config
