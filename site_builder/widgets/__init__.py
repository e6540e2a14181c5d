"""Widgets: what a `/// widget | NAME` block may say, and how it renders.

A widget is one unit in two places:

    site_builder/widgets/<name_with_underscores>.py   SPEC = WidgetSpec(...): options, required
                                                      options, allowed values, the trace fields
                                                      its page needs, the static fallback and any
                                                      calculations only it uses
    themes/<theme>/widgets/<name>/                    <name>.html (template, required),
                                                      <name>.js and <name>.css (optional)

Both are found by discovery (`discover`): nothing else lists widgets. A site may add its own
widgets in `<root>/widgets/*.py` beside `content/`, with their theme folders in its theme.
Modules whose name starts with `_` are helpers, not widgets. See docs/adding-a-widget.md.
"""
from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from site_builder.errors import ContentError


@dataclass(frozen=True)
class WidgetSpec:
    name: str
    options: dict  # option -> type (str, list, int, float, bool, or a tuple of them)
    required: frozenset = frozenset({"scenario"})
    choices: dict = field(default_factory=dict)  # option -> allowed values (for lists: each item)
    fields: tuple | None = None  # trace fields embedded in the page; None: no trace embedded
    context: Callable | None = None  # (traces, options, uid, math) -> dict for the template
    scenario_check: Callable | None = None  # (traces) -> problem text or None
    needs: tuple = ()  # shared theme scripts and styles it uses besides core.js and main.css,
    #                    e.g. ("assets/js/nn.js", "assets/parts/pill.css")

    @property
    def folder(self) -> str:
        """Its folder in the theme, relative to the theme root."""
        return f"widgets/{self.name}"

    @property
    def template(self) -> str:
        return f"{self.folder}/{self.name}.html"

    @property
    def script(self) -> str:
        return f"{self.folder}/{self.name}.js"

    @property
    def style(self) -> str:
        return f"{self.folder}/{self.name}.css"

    def __repr__(self) -> str:
        return f"WidgetSpec({self.name!r})"


def _specs_in(modules) -> dict[str, WidgetSpec]:
    out = {}
    for module in modules:
        spec = getattr(module, "SPEC", None)
        if not isinstance(spec, WidgetSpec):
            raise ContentError(Path(module.__file__), None, "a widget module must define SPEC = WidgetSpec(...)")
        expected = module.__name__.rsplit(".", 1)[-1].replace("_", "-")
        if spec.name != expected:
            raise ContentError(Path(module.__file__), None,
                               f"widget '{spec.name}' lives in a module named for '{expected}': name the file "
                               f"{spec.name.replace('-', '_')}.py")
        out[spec.name] = spec
    return out


def builtin() -> dict[str, WidgetSpec]:
    """The widgets shipped in this package."""
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    return _specs_in(importlib.import_module(f"{__name__}.{n}") for n in names)


def local_modules(root: Path) -> list[Path]:
    folder = Path(root) / "widgets"
    return sorted(p for p in folder.glob("*.py") if not p.name.startswith("_")) if folder.is_dir() else []


def discover(root: Path | None = None) -> dict[str, WidgetSpec]:
    """Every widget: the package's, then the site's own (`<root>/widgets/*.py`)."""
    found = builtin()
    modules = []
    for path in local_modules(root) if root is not None else []:
        name = f"site_widgets.{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # an author's module: say where, never a traceback
            raise ContentError(path, _line_of(exc, path), f"widget module failed to load: {type(exc).__name__}: {exc}") from None
        modules.append(module)
    for name, spec in _specs_in(modules).items():
        if name in found:
            raise ContentError(local_modules(root)[0].parent / f"{name.replace('-', '_')}.py", None,
                               f"a widget named '{name}' is already built in; choose another name")
        found[name] = spec
    return found


def _line_of(exc: BaseException, path: Path) -> int | None:
    import traceback

    if isinstance(exc, SyntaxError):
        return exc.lineno
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename) == path]
    return frames[-1].lineno if frames else None


# Kept for callers that want the built-in set without a site root.
WIDGETS: dict[str, WidgetSpec] = builtin()


# --- the context cache -------------------------------------------------------------------
# A widget's context (its static figure above all, drawn by matplotlib) depends only on the
# builder's code and theme (the salt), the widget, its scenario's key, its options and its id
# on the page. The build keeps each one in .cache/widgets/ under that key: the training
# workers draw them right after training (in parallel, beside the training), the renderer
# reads them, and a lesson whose prose changed draws none of its figures again.

def context_key(salt: str, name: str, scenario: str | None, scenario_key: str | None, options: dict, uid: str) -> str:
    import hashlib
    import json

    text = json.dumps([salt, name, scenario, scenario_key, options, uid], sort_keys=True, default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


def use_context_key(salt: str, use, scenario_keys: dict) -> str:
    """context_key of a widget placed in a lesson (a directives.WidgetUse, id w<index>), the
    name its context has in the context cache; scenario_keys: scenario name -> Scenario.key."""
    return context_key(salt, use.name, use.scenario, scenario_keys.get(use.scenario), use.options, f"w{use.index}")


def load_context(folder: Path, key: str) -> dict | None:
    """The stored context, or None when there is none (or it is damaged)."""
    import pickle

    path = folder / f"{key}.pickle"
    if not path.exists():
        return None
    try:
        return pickle.loads(path.read_bytes())
    except Exception:  # noqa: BLE001 - a damaged entry is simply made again
        return None


def store_context(folder: Path, key: str, extra: dict) -> None:
    """Keep a context (atomically); one that cannot be pickled is not kept."""
    import os
    import pickle

    try:
        data = pickle.dumps(extra, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - made again each time it is needed
        return
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f"{key}.{os.getpid()}.tmp"
    tmp.write_bytes(data)
    os.replace(tmp, folder / f"{key}.pickle")
