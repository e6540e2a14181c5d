"""YAML that remembers where each value came from.

`load(text, path)` returns (data, lines): plain Python data, and a dict mapping a key path
such as ("train", "learning_rate") or ("data", "inputs", 2) to the 1-based line of that value.
Duplicate keys and syntax errors are ContentErrors at their line.
"""
from __future__ import annotations

import yaml

from site_builder.errors import ContentError


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


def _convert(node, path: tuple, lines: dict, file):
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            key = yaml.SafeLoader.construct_scalar(yaml.SafeLoader(""), key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                raise ContentError(file, key_node.start_mark.line + 1, "keys must be plain words")
            if key in out:
                raise ContentError(file, key_node.start_mark.line + 1, f"duplicate key '{key}'")
            lines[path + (key, "__key__")] = key_node.start_mark.line + 1
            out[key] = _convert(value_node, path + (key,), lines, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(v, path + (i,), lines, file) for i, v in enumerate(node.value)]
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def load(text: str, path, line_offset: int = 0) -> Located:
    """Parse one YAML document; an empty document is {}."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else None
        raise ContentError(path, line, f"YAML syntax error: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise ContentError(path, None, f"YAML error: {exc}") from None
    lines: dict = {}
    if node is None:
        return Located({}, {(): 1}, path, line_offset)
    try:
        data = _convert(node, (), lines, path)
    except ContentError as exc:
        if line_offset and exc.line is not None:
            exc = ContentError(path, exc.line + line_offset, exc.message)
        raise exc from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ContentError(path, (mark.line + 1 + line_offset) if mark else None, f"YAML error: {exc}") from None
    return Located(data, lines, path, line_offset)
