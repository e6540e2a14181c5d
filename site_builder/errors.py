"""Errors an author can act on: `content/lessons/02-x.md:14: message`.

Every stage raises `ContentError` (one problem) or `ContentErrors` (several, collected so the
author sees them all at once). The CLI prints them one per line and exits 1, with no traceback
unless `--debug` is given.
"""
from __future__ import annotations

import difflib
import os
import re
from pathlib import Path
from typing import Iterable


def display_path(path: str | os.PathLike | None) -> str:
    """A path as the author would type it: relative to the working folder when inside it."""
    if path is None:
        return "<input>"
    p = Path(path)
    try:
        return p.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return p.as_posix()


_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class ContentError(Exception):
    """One problem in one file, at one line (1-based; None when the whole file is at fault)."""

    def __init__(self, path, line: int | None, message: str):
        self.path = display_path(path) if path is not None else None
        self.line = line
        # One line per problem: a newline or control character from the input is shown escaped.
        self.message = _ONE_LINE.sub(lambda m: repr(m.group(0))[1:-1], str(message))
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}"

    def __repr__(self) -> str:
        return f"ContentError({self.path!r}, {self.line!r}, {self.message!r})"


class ContentErrors(Exception):
    """Several ContentErrors, reported together (sorted by file and line)."""

    def __init__(self, errors: Iterable[ContentError]):
        unique = {str(e): e for e in errors}  # one template mistake seen by every page: say it once
        self.errors = sorted(unique.values(), key=lambda e: (e.path or "", e.line or 0, e.message))
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)

    def __len__(self) -> int:
        return len(self.errors)


class ErrorCollector:
    """Gather problems, then raise them all at once: `with ErrorCollector() as errs: ...`."""

    def __init__(self):
        self.errors: list[ContentError] = []

    def add(self, path, line, message) -> None:
        self.errors.append(ContentError(path, line, message))

    def extend(self, exc: ContentError | ContentErrors) -> None:
        self.errors.extend(exc.errors if isinstance(exc, ContentErrors) else [exc])

    def raise_if_any(self) -> None:
        if self.errors:
            raise ContentErrors(self.errors)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is None:
            self.raise_if_any()
        return False


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest choice, or '' when nothing is close."""
    close = difflib.get_close_matches(str(word), sorted(map(str, choices)), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
