"""A small declarative schema for YAML mappings, with errors at the right line.

    Field(types, required=False, choices=None, default=None)

`check(located, keys, fields, errors)` validates the mapping at `keys`, reports unknown keys
(with a did-you-mean), missing required keys (all in one message), wrong types and values
outside `choices`, and returns a dict with defaults filled in (invalid entries dropped). A
whole-number float (`1e4`) is accepted where only whole numbers are wanted, as that int.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from site_builder.errors import ErrorCollector, did_you_mean
from site_builder.yamlsrc import Located

TYPE_NAMES = {str: "text", int: "a whole number", float: "a number", bool: "true or false",
              list: "a list", dict: "a mapping"}


@dataclass(frozen=True)
class Field:
    types: tuple | type
    required: bool = False
    choices: tuple | None = None
    default: Any = None


def type_ok(value, types) -> bool:
    types = types if isinstance(types, tuple) else (types,)
    if isinstance(value, bool):
        return bool in types
    if isinstance(value, int) and float in types:
        return True
    return isinstance(value, types)


def describe(types) -> str:
    types = types if isinstance(types, tuple) else (types,)
    if float in types and int in types:
        types = tuple(t for t in types if t is not int)
    return " or ".join(TYPE_NAMES.get(t, t.__name__) for t in types)


def check(loc: Located, keys: tuple, fields: dict[str, Field], errors: ErrorCollector, what: str) -> dict:
    value = loc.data
    for k in keys:
        value = value[k]
    if not isinstance(value, dict):
        errors.add(loc.path, loc.line(*keys), f"{what} should be a mapping of keys, got {type(value).__name__}")
        return {}
    out = {}
    for key, item in value.items():
        if key not in fields:
            errors.add(loc.path, loc.line(*keys, key, "__key__"),
                       f"unknown key '{key}' in {what}{did_you_mean(key, fields)}")
            continue
        spec = fields[key]
        if item is None and not spec.required:
            out[key] = spec.default
            continue
        item = _whole(item, spec.types)
        if not type_ok(item, spec.types):
            errors.add(loc.path, loc.line(*keys, key), f"'{key}' should be {describe(spec.types)}, got {item!r}")
            continue
        if spec.choices is not None and item not in spec.choices:
            errors.add(loc.path, loc.line(*keys, key),
                       f"'{key}' must be one of {', '.join(map(str, spec.choices))}, got '{item}'{did_you_mean(item, spec.choices)}")
            continue
        out[key] = float(item) if spec.types is float and isinstance(item, int) else item
    missing = []
    for key, spec in fields.items():
        if key not in value:
            if spec.required:
                missing.append(f"'{key}'")
            else:
                out[key] = spec.default
    if missing:  # one mistake (e.g. an empty file), one message
        names = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} and {missing[-1]}"
        errors.add(loc.path, loc.line(*keys), f"{what} is missing {names}")
    return out


def _whole(item, types):
    """A float with a whole value (`steps: 1e4`, now a number) where only whole numbers are
    wanted becomes that int; anything else is returned as it is."""
    types = types if isinstance(types, tuple) else (types,)
    if isinstance(item, float) and int in types and float not in types and item.is_integer() and abs(item) <= 2 ** 53:
        return int(item)
    return item
