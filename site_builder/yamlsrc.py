"""YAML that remembers where each value came from.

`load(text, path)` returns a Located: plain Python data, and a dict mapping a key path such as
("train", "learning_rate") or ("data", "inputs", 2) to the 1-based line of that value. Every
problem is one ContentError at its line: syntax errors, duplicate keys, unsupported tags, and
the limits below. The document is built from the parser's events by a loop (not recursion), so
no input can exhaust the stack, and it stops at the first event past a limit, so no input can
make it slow:

    MAX_CHARS   characters in one document (a scenario file, a front matter block)
    MAX_DEPTH   lists and mappings nested inside each other
    MAX_VALUES  values in the document (every scalar, list and mapping counts one); an alias
                (*name) counts every value of what it repeats, so a "billion laughs" of nested
                aliases stops here instead of expanding

Scalars are read as in YAML 1.2 where YAML 1.1 surprises authors: `1e-3`, `2E5` and `1.5e3`
are numbers (YAML 1.1 wants a dot and a signed exponent), `010` is ten (not octal eight),
`1:30` and `2024-01-01` stay text (not sexagesimal 90 or a date). true/false, yes/no, on/off
and null/~ are as YAML 1.1 says. Only the plain tags !!str, !!int, !!float, !!bool, !!null,
!!seq and !!map may be written; other tags (!!binary, !!set, !!python/..., !custom) are refused.
"""
from __future__ import annotations

import math
import re

import yaml

from site_builder.sources import bad_character
from site_builder.errors import ContentError

MAX_CHARS = 1_000_000
MAX_DEPTH = 32
MAX_VALUES = 250_000

# libyaml's parser when it is there (fast); on a syntax error the pure-Python parser reads the
# text again, so messages and lines are the same with or without libyaml.
_FAST = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {v: True for v in ("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON")}
_BOOL.update({v: False for v in ("no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF")})
_INT = re.compile(r"^[-+]?(?:[0-9][0-9_]*|0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+)$")
_FLOAT = re.compile(r"""^[-+]?(?:[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?   # 1.5  1.  1.5e3  1.0e-6
                             |\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?             # .5  .5e-2
                             |[0-9][0-9_]*[eE][-+]?[0-9]+                    # 1e-3  2E5
                             |\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$""", re.X)
_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null")}


class Located:
    """A loaded YAML document plus the line of every value, looked up by key path."""

    def __init__(self, data, lines: dict, path, line_offset: int = 0):
        self.data, self.lines, self.path, self.offset = data, lines, path, line_offset

    def line(self, *keys) -> int | None:
        """Line of the deepest known prefix of `keys` (so a missing key points at its parent)."""
        keys = tuple(keys)
        while keys not in self.lines and keys:
            keys = keys[:-1]
        # A block value starts on the line after its key; the key's line is the one to name.
        line = self.lines.get(keys + ("__key__",), self.lines.get(keys)) if keys and keys[-1] != "__key__" else self.lines.get(keys)
        return None if line is None else line + self.offset

    def error(self, keys, message) -> ContentError:
        return ContentError(self.path, self.line(*keys), message)


class _Problem(Exception):
    """A problem at a 0-based line of the text; load() turns it into a ContentError."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


def _int(text: str) -> int:
    t = text.replace("_", "")
    sign = -1 if t[0] == "-" else 1
    t = t.lstrip("+-")
    base = {"0x": 16, "0o": 8, "0b": 2}.get(t[:2])
    return sign * (int(t[2:], base) if base else int(t, 10))


def _float(text: str) -> float:
    t = text.replace("_", "").lower()
    sign = -1.0 if t[0] == "-" else 1.0
    t = t.lstrip("+-")
    if t == ".inf":
        return sign * math.inf
    if t == ".nan":
        return math.nan
    return sign * float(t)


def _scalar(event):
    """The value of a scalar event: plain scalars resolved (see the module doc), quoted ones text."""
    value, tag = event.value, event.tag
    bad = bad_character(value)  # written as an escape ("\u0000") in a quoted string
    if bad:
        raise _Problem(event.start_mark.line, bad[1])
    if tag is None:
        if not event.implicit[0]:
            return value  # quoted
        if _NULL.match(value):
            return None
        if value in _BOOL:
            return _BOOL[value]
        if _INT.match(value):
            return _int(value)
        if _FLOAT.match(value):
            return _float(value)
        return value
    if tag == "!" or tag == _TAG + "str":
        return value
    if tag not in _SCALAR_TAGS:
        raise _Problem(event.start_mark.line, f"the YAML tag '{tag.replace(_TAG, '!!')}' is not supported here; "
                                              "write the value plainly")
    kind = tag[len(_TAG):]
    if kind == "null" and _NULL.match(value):
        return None
    if kind == "bool" and value in _BOOL:
        return _BOOL[value]
    if kind == "int" and _INT.match(value):
        return _int(value)
    if kind == "float" and (_FLOAT.match(value) or _INT.match(value)):
        return _float(value) if _FLOAT.match(value) else float(_int(value))
    raise _Problem(event.start_mark.line, f"'{value}' is not a valid !!{kind}")


class _Frame:
    __slots__ = ("container", "path", "anchor", "start", "key")

    def __init__(self, container, path, anchor, start):
        self.container, self.path, self.anchor, self.start, self.key = container, path, anchor, start, None


def _build(text: str, loader_cls):
    """(data, lines) from the parser's events; raises _Problem or a yaml.YAMLError."""
    lines: dict = {}
    anchors: dict = {}  # name -> (value, number of values it holds)
    stack: list[_Frame] = []
    count = 0
    root, documents = None, 0
    loader = loader_cls(text)
    try:
        while loader.check_event():
            e = loader.get_event()
            line = e.start_mark.line
            if isinstance(e, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise _Problem(line, "a second YAML document starts here; a file holds one")
                continue
            if isinstance(e, (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)):
                continue
            if isinstance(e, yaml.CollectionEndEvent):
                frame = stack.pop()
                if frame.anchor is not None:
                    anchors[frame.anchor] = (frame.container, count - frame.start + 1)
                continue
            top = stack[-1] if stack else None
            if top is not None and isinstance(top.container, dict) and top.key is None:
                # A mapping key: plain words only.
                if not isinstance(e, yaml.ScalarEvent):
                    raise _Problem(line, "keys must be plain words")
                key = e.value
                if key == "<<" and e.implicit[0]:
                    raise _Problem(line, "merge keys (<<) are not supported; write the keys out")
                if key in top.container:
                    raise _Problem(line, f"duplicate key '{key}'")
                top.key = key
                lines[top.path + (key, "__key__")] = line + 1
                continue
            if top is None:
                path = ()
            elif isinstance(top.container, dict):
                path = top.path + (top.key,)
            else:
                path = top.path + (len(top.container),)
            lines[path] = line + 1
            if isinstance(e, yaml.AliasEvent):
                if e.anchor not in anchors:
                    inside = any(f.anchor == e.anchor for f in stack)
                    raise _Problem(line, f"the alias *{e.anchor} repeats the list or mapping it is inside" if inside
                                   else f"unknown alias *{e.anchor} (an alias repeats a value marked &{e.anchor} above it)")
                value, size = anchors[e.anchor]
                count += size
            elif isinstance(e, yaml.ScalarEvent):
                value = _scalar(e)
                count += 1
                if e.anchor is not None:
                    anchors[e.anchor] = (value, 1)
            else:  # a list or mapping starts
                if e.tag not in (None, "!", _TAG + ("seq" if isinstance(e, yaml.SequenceStartEvent) else "map")):
                    raise _Problem(line, f"the YAML tag '{e.tag.replace(_TAG, '!!')}' is not supported here")
                if len(stack) >= MAX_DEPTH:
                    raise _Problem(line, f"lists and mappings are nested more than {MAX_DEPTH} levels deep here")
                value = [] if isinstance(e, yaml.SequenceStartEvent) else {}
                count += 1
            if count > MAX_VALUES:
                raise _Problem(line, f"the document holds more than {MAX_VALUES:,} values here "
                                     "(an alias counts every value it repeats)")
            if top is None:
                root = value
            elif isinstance(top.container, dict):
                top.container[top.key] = value
                top.key = None
            else:
                top.container.append(value)
            if isinstance(e, yaml.CollectionStartEvent):
                stack.append(_Frame(value, path, e.anchor, count))
    finally:
        loader.dispose()
    return root, lines


def load(text: str, path, line_offset: int = 0) -> Located:
    """Parse one YAML document; an empty document is {}."""
    if len(text) > MAX_CHARS:
        raise ContentError(path, line_offset + 1 if line_offset else None,
                           f"this YAML is {len(text):,} characters long; the limit is {MAX_CHARS:,}")
    try:
        try:
            data, lines = _build(text, _FAST)
        except yaml.YAMLError:
            if _FAST is yaml.SafeLoader:
                raise
            # The pure-Python parser's message and line (the same as without libyaml).
            data, lines = _build(text, yaml.SafeLoader)
    except _Problem as exc:
        raise ContentError(path, exc.line + 1 + line_offset, exc.message) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else None
        raise ContentError(path, line, f"YAML syntax error: {exc.problem or exc.context}") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1 + line_offset
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise ContentError(path, line, f"the character U+{char:04X} is not allowed in YAML") from None
    except yaml.YAMLError as exc:
        raise ContentError(path, None, f"YAML error: {str(exc).splitlines()[0]}") from None
    if data is None and not lines:
        return Located({}, {(): 1}, path, line_offset)
    return Located(data, lines, path, line_offset)
