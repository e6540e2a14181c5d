"""The build pipeline. `build()` reads like the diagram in docs/design.md: one call per stage,
everything gathered in memory before anything is written, then a staging folder that is
checked and swapped into place, so a failed build leaves the previous build/ untouched."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from site_builder import __version__
from site_builder.config import SiteConfig, load_config
from site_builder.errors import ContentError, ContentErrors, ErrorCollector
from site_builder.lessons import Lesson, load_lessons

GRADCHECK_LIMIT = 1e-6
PACKAGE = Path(__file__).resolve().parent


@dataclass
class BuildResult:
    pages: dict[str, int] = field(default_factory=dict)  # name -> bytes
    rendered: list[str] = field(default_factory=list)  # pages rendered this time (not cached)
    trained: list[str] = field(default_factory=list)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"BuildResult({len(self.pages)} pages, {sum(self.pages.values())} bytes, {self.seconds:.2f} s)"


class Stages:
    """Prints one line per stage with its time (unless quiet)."""

    def __init__(self, quiet: bool):
        self.quiet, self.t0 = quiet, time.perf_counter()

    def run(self, label: str, fn, *args):
        t = time.perf_counter()
        out = fn(*args)
        if not self.quiet:
            print(f"  {label:<10} {time.perf_counter() - t:6.3f} s", flush=True)
        return out


def _digest(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else str(p).encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def _tree_digest(folder: Path, pattern: str = "*") -> str:
    files = sorted(p for p in folder.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts)
    return _digest(*[x for p in files for x in (p.relative_to(folder).as_posix(), p.read_bytes())])


class Traces:
    """Scenario traces, trained or read from the cache only when first asked for. At most
    KEEP scenarios' decoded traces are held at once (the most recently asked for): pages are
    rendered lesson by lesson and a lesson asks for its few scenarios again and again, so a
    site of any size needs about the memory of its largest lessons, not of all its traces. A
    scenario asked for again after it was let go is decoded again from the cache."""

    KEEP = 16

    def __init__(self, scenarios: dict, cache: Path):
        from collections import OrderedDict

        self.scenarios, self.cache, self.trained = scenarios, cache, []
        self._runs: OrderedDict = OrderedDict()

    def __call__(self, name: str):
        if name in self._runs:
            self._runs.move_to_end(name)
            return self._runs[name]
        from site_builder import scenarios as sc

        s = self.scenarios[name]
        if not (self.cache / f"{name}-{s.key}.json").exists() and name not in self.trained:
            self.trained.append(name)
        runs = self._runs[name] = sc.run(s, self.cache)
        while len(self._runs) > self.KEEP:
            self._runs.popitem(last=False)
        return runs

    def release(self) -> None:
        """Let every decoded trace go (the pages are made)."""
        self._runs.clear()

    def page_json(self, name: str, fields) -> str:
        from site_builder import traces

        return traces.to_page_json(self(name), self.scenarios[name], fields)


_PACKAGE_DIGEST: list[str] = []


def _package_digest() -> str:
    """The builder's own code (every .py of the package), read once per process."""
    if not _PACKAGE_DIGEST:
        _PACKAGE_DIGEST.append(_digest(__version__, _tree_digest(PACKAGE, "*.py")))
    return _PACKAGE_DIGEST[0]


def stage_scenarios(root: Path, cache: Path | None = None):
    """Every scenario, parsed and validated; with a cache folder, kept there (pickled) by a
    digest of what parsing reads (the builder's code, and each entry of content/scenarios/:
    its name, its bytes, where a link points), so an unchanged set is not parsed again.
    Only a set that parsed without problems is kept: problems are found again each time."""
    import pickle

    from site_builder import scenarios

    if cache is None:
        return scenarios.load_scenarios(root / "content")
    folder = root / "content" / "scenarios"
    try:
        entries = sorted(folder.iterdir()) if folder.is_dir() else []
        key = _digest(_package_digest(), folder.resolve(), *[
            x for p in entries for x in (p.name, p.is_symlink() and p.resolve(), p.read_bytes() if p.is_file() else b"\0dir")])
    except OSError:
        return scenarios.load_scenarios(root / "content")  # let parsing say what is wrong
    store = cache / "scenarios.pickle"
    try:
        saved = pickle.loads(store.read_bytes())
        if saved["key"] == key:
            return saved["scenarios"]
    except Exception:  # noqa: BLE001 - missing or damaged: parse again
        pass
    found = scenarios.load_scenarios(root / "content")
    try:
        data = pickle.dumps({"key": key, "scenarios": found}, protocol=pickle.HIGHEST_PROTOCOL)
        cache.mkdir(parents=True, exist_ok=True)
        tmp = store.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, store)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass  # not kept: parsed again next time
    return found


def _train_into_cache(scenario, folder: Path) -> list[tuple]:
    """_train_many_into_cache for one scenario."""
    return _train_many_into_cache([scenario], folder)


def _train_many_into_cache(batch: list, folder: Path) -> list[tuple]:
    """Train scenarios into the cache (in a worker process), those of one shape together
    (scenarios.run_many), and check each one's gradients there too (the stamp stage_gradcheck
    reads). The widget contexts and their figures are drawn later, by the processes that
    render the lessons (stage_render). Problems come back as plain (path, line, message)
    tuples, the same in any process: an exception would have to be pickled, and one that
    cannot be breaks the whole pool."""
    from site_builder import scenarios as sc

    problems: list[tuple] = []
    try:
        results = sc.run_many(batch, folder)
    except MemoryError:
        return [(str(s.path), None, "training ran out of memory; make the scenario smaller") for s in batch]
    except Exception as exc:  # noqa: BLE001 - never a traceback; sc.run already maps the engine's errors
        return [(str(s.path), None, f"training failed ({type(exc).__name__}: {exc})") for s in batch]
    for scenario, runs in zip(batch, results):
        if isinstance(runs, (ContentError, ContentErrors)):
            problems += [(e.path, e.line, e.message) for e in (runs.errors if isinstance(runs, ContentErrors) else [runs])]
            continue
        try:
            _gradcheck_stamp(scenario, folder.parent / "gradcheck")
        except Exception:  # noqa: BLE001 - no stamp: stage_gradcheck checks it again and says why
            pass
    return problems


def _batches(todo: list, workers: int) -> list[list]:
    """The scenarios to train, in tasks: scenarios of one shape (engine.batch_shape) train
    together, split into as many tasks as there are workers, and into more when a task's
    records or activations would outgrow one scenario's limits twice over; any other
    scenario is a task of its own."""
    from site_builder import engine
    from site_builder import scenarios as sc

    families: dict = {}
    for s in todo:
        shape = engine.batch_shape(s.net, s.config, s.members)
        key = ("alone", s.name) if shape is None else shape[0]
        families.setdefault(key, []).append((s, shape))
    tasks = []
    for members in families.values():
        if len(members) == 1:
            tasks.append([members[0][0]])
            continue
        recorded = sum(shape[1] for _, shape in members)
        live = sum(shape[2] for _, shape in members)
        parts = max(workers, -(-recorded // (2 * sc.MAX_RECORDED)), -(-live // (2 * sc.MAX_LIVE)))
        parts = min(parts, len(members))
        size = -(-len(members) // parts)
        tasks += [[s for s, _ in members[i:i + size]] for i in range(0, len(members), size)]
    return tasks


def figure_jobs(lessons: list[Lesson], widgets: dict, scenarios: dict) -> dict[str, list]:
    """Scenario name -> the widget contexts the lessons ask of it: (widget, options, uid,
    lesson path, line)."""
    from site_builder import directives

    jobs: dict[str, list] = {}
    for l in lessons:
        try:
            uses = directives.widget_uses(l, widgets, scenarios)
        except (ContentError, ContentErrors):
            continue  # the renderer reports it
        for use in uses:
            if use.scenario and widgets[use.name].context:
                jobs.setdefault(use.scenario, []).append((use.name, use.options, f"w{use.index}", str(l.path), use.line))
    return jobs


def _context_keys(g: "Gathered", salt: str, lesson: Lesson) -> list[str]:
    """The context-cache names of the lesson's widgets that have a context, as
    Renderer._widget_context names them; raises as directives.widget_uses does."""
    from site_builder import directives
    from site_builder.widgets import use_context_key

    keys = {n: s.key for n, s in g.scenarios.items()}
    return [use_context_key(salt, use, keys) for use in directives.widget_uses(lesson, g.widgets, keys)
            if g.widgets[use.name].context]


def _contexts_to_make(g: "Gathered", builder: str, lesson: Lesson) -> int:
    """How many of the lesson's widget contexts (most of them a matplotlib figure) are not in
    the context cache yet: the renderer makes them (Renderer._widget_context)."""
    try:
        keys = _context_keys(g, builder, lesson)
    except (ContentError, ContentErrors):
        return 0  # the renderer reports it
    return sum(not (g.cache / "widgets" / f"{key}.pickle").exists() for key in keys)


def _warm_worker(root: Path) -> None:
    """A training worker's start-up, done while the main process is still reading the site:
    the imports training needs. (Training workers draw nothing: matplotlib is imported once,
    by the main process while they train, and the processes forked from it to render the
    lessons draw the figures.)"""
    from site_builder import scenarios  # noqa: F401


def _prepare_rendering(early: "Gathered") -> None:
    """While the workers train, in the main process, once for the processes that will render
    the lessons (forked from this one): the Renderer, its templates compiled (Renderer.prepare),
    and, when the lessons place widgets that draw from a scenario, matplotlib imported."""
    _renderer(early, early.builder, _glossary_bytes(early.root)).prepare()
    if not figure_jobs(early.lessons, early.widgets, early.scenarios):
        return
    from site_builder import figures

    figures.setup()
    import matplotlib.pyplot  # noqa: F401


def early_pool(root: Path, cache: Path):
    """On a build that will surely train (no trace is cached yet: a clean build), the worker
    processes start first, so their imports run beside the main process's reading of the
    site instead of after it. None otherwise: stage_train starts workers when it needs them."""
    if (os.cpu_count() or 1) < 2 or any((cache / "traces").glob("*.json")):
        return None
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=os.cpu_count())
    for _ in range(os.cpu_count()):
        pool.submit(_warm_worker, root)
    return pool


def _training_cost(s) -> float:
    """A rough guess of how long a scenario trains: its updates, each a fixed cost plus the
    rows times the weights it multiplies. Only the order matters (longest first)."""
    try:
        cfg, total = s.config, 0.0
        for m in s.members or [None]:
            net = (m.net if m is not None and m.net is not None else None) or s.net
            rows = len(m.data.X if m is not None and m.data is not None else cfg.X)
            batch = min(cfg.batch_size or rows, rows)
            updates = cfg.steps if cfg.steps else (cfg.epochs or 1) * -(-rows // batch)
            weights = sum(a * b for a, b in zip(net.sizes, net.sizes[1:]))
            total += updates * (1 + batch * weights / 500)
        return total
    except Exception:  # noqa: BLE001 - a guess: never a reason to fail
        return 0.0


def stage_train(scenarios: dict, cache: Path, pool=None, meanwhile=None) -> Traces:
    """Every scenario ready in the cache, trained on all cores when several need it (those
    of one shape as one batched computation, see _batches; the longest tasks first); the
    traces stay on disk until a page asks for them. Every scenario that fails to train is
    reported (all at once, as ContentErrors), whether it trained in a worker or here.
    pool: workers already started (early_pool). meanwhile: what this process does while
    workers train (it would otherwise wait); what it raises is ignored (an early start only)."""
    folder = cache / "traces"
    traces = Traces(scenarios, folder)
    todo = [s for name, s in sorted(scenarios.items()) if not (folder / f"{name}-{s.key}.json").exists()]
    errors = ErrorCollector()
    cores = os.cpu_count() or 1
    tasks = _batches(todo, min(len(todo), cores)) if len(todo) > 1 else [[s] for s in todo]
    if len(tasks) > 1 and cores > 1 or (tasks and pool is not None):
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        folder.mkdir(parents=True, exist_ok=True)
        with pool or ProcessPoolExecutor(max_workers=min(len(tasks), cores)) as pool:
            # Longest first, so no worker is left with a long task when the others are done;
            # results are still read (and reported) in the tasks' order.
            started = {id(task): pool.submit(_train_many_into_cache, task, folder)
                       for task in sorted(tasks, key=lambda t: sum(map(_training_cost, t)), reverse=True)}
            futures = [(task, started[id(task)]) for task in tasks]
            if meanwhile is not None:
                try:
                    meanwhile()
                except Exception:  # noqa: BLE001 - see the docstring
                    pass
            for task, future in futures:
                try:
                    problems = future.result()
                except BrokenProcessPool:
                    problems = [(str(s.path), None, "training stopped: its worker process died (out of memory?)")
                                for s in task]
                for path, line, message in problems:
                    errors.add(path, line, message)
        traces.trained.extend(s.name for s in todo)
    elif len(todo) > 1:  # one core: the batches in turn, here
        for task in tasks:
            for path, line, message in _train_many_into_cache(task, folder):
                errors.add(path, line, message)
        traces.trained.extend(s.name for s in todo)
    else:
        for s in todo:
            try:
                traces(s.name)
            except (ContentError, ContentErrors) as exc:
                errors.extend(exc)
    errors.raise_if_any()
    return traces


def _gradcheck_stamp(s, folder: Path) -> float:
    """The scenario's worst relative gradient error, from its stamp or checked now (and
    stamped). ValueError when the engine cannot check it."""
    stamp = folder / f"{s.name}-{s.key}.json"
    worst = None
    if stamp.exists():
        try:
            worst = json.loads(stamp.read_text())["max_rel_error"]
        except (ValueError, KeyError, TypeError, OSError):
            worst = None  # a damaged stamp is simply checked again
    return _check_and_stamp(s, stamp) if worst is None else worst


def _check_and_stamp(s, stamp: Path) -> float:
    from site_builder import scenarios as sc

    worst = sc.check_gradients(s).max_rel_error
    stamp.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=stamp.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as fh:
        fh.write(json.dumps({"max_rel_error": worst}))
    os.replace(tmp, stamp)
    return worst


def stage_gradcheck(scenarios: dict, cache: Path) -> None:
    """Backprop must agree with finite differences at every scenario's first step."""
    from site_builder import scenarios as sc

    folder = cache / "gradcheck"
    # One stamp for a whole set that passed, so a rebuild does not read every scenario's.
    passed = folder / f"passed-{_digest(GRADCHECK_LIMIT, *[(n, s.key) for n, s in sorted(scenarios.items())])[:40]}"
    if passed.exists():
        return
    errors = ErrorCollector()
    for name, s in sorted(scenarios.items()):
        try:
            worst = _gradcheck_stamp(s, folder)
        except ValueError as exc:  # parse() checks what the engine does; a last wall
            errors.add(s.path, None, f"cannot check the gradients: {exc}")
            continue
        if not worst <= GRADCHECK_LIMIT:
            errors.add(s.path, None, f"gradient check failed: backprop and finite differences differ by {worst:.2e} "
                                     f"(limit {GRADCHECK_LIMIT:g}); this scenario cannot be published")
    errors.raise_if_any()
    try:
        for old in folder.glob("passed-*"):
            old.unlink()
        passed.touch()
    except OSError:
        pass  # checked again next time


@dataclass
class Gathered:
    """Everything a build reads, validated and trained, before anything is written."""

    root: Path
    cache: Path
    config: SiteConfig
    lessons: list[Lesson]
    scenarios: dict
    traces: Traces
    widgets: dict
    builder: str = ""  # digest of the builder's code, theme and site widgets (_builder_digest)

    def __repr__(self) -> str:
        return f"Gathered({len(self.lessons)} lessons, {len(self.scenarios)} scenarios, {len(self.widgets)} widgets)"


def stage_widgets(root: Path) -> dict:
    from site_builder.widgets import discover

    return discover(root)


def gather(root: Path, stages: "Stages | None" = None) -> Gathered:
    """The first half of the pipeline, shared by build, check and scorm: config, lessons,
    widgets, scenarios, training, the gradient check."""
    s = stages or Stages(quiet=True)
    cache = root / ".cache"
    pool = early_pool(root, cache)
    try:
        config = s.run("config", load_config, root)
        lessons = s.run("lessons", load_lessons, root, config)
        widgets = s.run("widgets", stage_widgets, root)
        scenarios = s.run("scenarios", stage_scenarios, root, cache)
        builder = _builder_digest(root, config)
        early = Gathered(root, cache, config, lessons, scenarios, None, widgets, builder)
        traces = s.run("train", stage_train, scenarios, cache, pool,
                       (lambda: _prepare_rendering(early)) if pool is not None else None)
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
    s.run("gradcheck", stage_gradcheck, scenarios, cache)
    return Gathered(root, cache, config, lessons, scenarios, traces, widgets, builder)


def _builder_digest(root: Path, config: SiteConfig) -> str:
    """What every page's rendering reads besides content: the builder's code, the theme and
    the site's own widget modules."""
    from site_builder.widgets import local_modules

    return _digest(_package_digest(), _tree_digest(root / "themes" / config.theme),
                   *[x for p in local_modules(root) for x in (p.name, p.read_bytes())])


_RENDERERS: dict = {}
_CACHED_PAGE = re.compile(r"^(.+)-([0-9a-f]{32})\.html$")  # a page in .cache/pages/: STEM-KEY.html


def _glossary_bytes(root: Path) -> bytes:
    """content/glossary.yaml, which every page reads (b"" for a site without one)."""
    path = root / "content" / "glossary.yaml"
    return path.read_bytes() if path.is_file() else b""


def _renderer(g: Gathered, builder: str, glossary: bytes):
    """A Renderer for this build. A long-lived process (`make serve`) keeps the last one and
    uses it again while nothing it reads when made has changed (the builder's code, theme and
    site widgets, site.yaml, the glossary), so its compiled templates and Markdown instance
    are not made again for every rebuild."""
    from site_builder.render import Renderer

    key = (str(g.root), builder, g.config.path.read_bytes() if g.config.path else b"", glossary)
    renderer = _RENDERERS.get(key)
    if renderer is None:
        _RENDERERS.clear()
        renderer = _RENDERERS[key] = Renderer(g.root, g.config, g.widgets, compiled=g.cache / "templates")
    renderer.config, renderer.registry, renderer._bodies = g.config, g.widgets, {}
    renderer.context_cache = (g.cache / "widgets", builder, {n: s.key for n, s in g.scenarios.items()})
    try:  # a kept Renderer's compiled-template folder may have been removed since (rm -rf .cache)
        (g.cache / "templates").mkdir(parents=True, exist_ok=True)
    except OSError:
        pass
    return renderer


def warm(root: Path) -> None:
    """For a long-lived process (`make serve`) after a build: make the Renderer the next
    rebuild will use and render the first lesson once (nothing written), so the first edit
    does not also pay for compiling templates and importing the Markdown and maths code."""
    g = gather(Path(root).resolve())
    renderer = _renderer(g, g.builder, _glossary_bytes(g.root))
    try:
        if g.lessons:
            renderer.lesson_html(g.lessons[0], sorted(g.scenarios), g.traces, g.traces.page_json)
    finally:
        renderer._bodies = {}


PARALLEL_RENDER_MIN = 6  # lessons to render before a second process is worth its start
FIGURE_COST = 10  # a widget context to make (a matplotlib figure) costs about ten lessons' rendering
_RENDER_JOB: dict = {}  # what the forked render workers read (set just before they start)


def _write_page(path: Path, html: str) -> None:
    """A page into the page cache, whole or not at all (a worker or an interrupted build never
    leaves half a page for the next build to take as made)."""
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(html.encode("utf-8"))
    os.replace(tmp, path)


def _lesson_files(page_cache: Path, lesson: Lesson, key: str, embed: bool) -> list[tuple[str, Path]]:
    """(variant, cache file) of a lesson's pages, named as stage_render's cached() names them."""
    out = [("site", page_cache / f"{lesson.slug}-{key[:32]}.html")]
    if embed:
        out.append(("embed", page_cache / f"embed@{lesson.slug}-{key[:32]}.html"))
    return out


def _render_lessons(indices: list[int]) -> list[str]:
    """In a forked worker: render these lessons' pages into the page cache, and parse each
    for the link check (kept in .cache/links by its bytes, where stage_check finds it). A
    lesson that fails is left alone (the main process renders it again and reports its problem)."""
    from site_builder.linkcheck import parse_cached

    job = _RENDER_JOB
    g = job["g"]
    renderer = _renderer(g, job["builder"], job["glossary"])
    made = []
    for i in indices:
        lesson = g.lessons[i]
        try:
            html = {variant: renderer.lesson_html(lesson, job["names"], g.traces, g.traces.page_json, variant=variant)
                    for variant, _ in job["files"][i]}
        except Exception:  # noqa: BLE001 - rendered again in the main process, which says why
            continue
        for variant, path in job["files"][i]:
            _write_page(path, html[variant])
            made.append(str(path))
            try:
                parse_cached(path, g.cache / "links")
            except Exception:  # noqa: BLE001 - the check parses it again, and says what is wrong
                pass
    return made


def _render_in_parallel(g: Gathered, builder: str, glossary: bytes, page_cache: Path, keys: list, names: list) -> set:
    """When the lessons to render are work enough for several processes (many lessons, as in
    a clean build or after a theme change, or figures to draw), their pages are rendered by
    forked worker processes into the page cache; the paths they made come back. Each worker
    takes the costliest lesson left (its figures to draw, see _contexts_to_make) when it is
    free. Nothing happens on a machine with one core, where processes are not forked, or for
    little work (a prose edit renders in the main process)."""
    import multiprocessing

    files = [_lesson_files(page_cache, l, k, g.config.embed) for l, k in zip(g.lessons, keys)]
    todo = [i for i, f in enumerate(files) if not all(p.exists() for _, p in f)]
    cores = os.cpu_count() or 1
    if len(todo) < 2 or cores < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return set()
    cost = {i: 1 + FIGURE_COST * _contexts_to_make(g, builder, g.lessons[i]) for i in todo}
    if sum(cost.values()) < PARALLEL_RENDER_MIN:
        return set()
    from concurrent.futures import ProcessPoolExecutor

    page_cache.mkdir(parents=True, exist_ok=True)
    _RENDER_JOB.update(g=g, builder=builder, glossary=glossary, names=names, files=files)
    made: set = set()
    try:
        with ProcessPoolExecutor(max_workers=min(cores, len(todo)), mp_context=multiprocessing.get_context("fork")) as pool:
            for paths in pool.map(_render_lessons, [[i] for i in sorted(todo, key=lambda i: -cost[i])]):
                made.update(Path(p) for p in paths)
    except Exception:  # noqa: BLE001 - a worker that died: the main process renders what is missing
        pass
    finally:
        _RENDER_JOB.clear()
    return made


def stage_render(g: Gathered, result: BuildResult) -> dict[str, Path]:
    """Every page, as its file in the page cache (.cache/pages/), rendered into it only when
    one of its inputs changed. Pages are not held in memory: each is written as it is made,
    and the stages after this one read them one at a time."""
    root, config, lessons, scenarios, traces, cache = g.root, g.config, g.lessons, g.scenarios, g.traces, g.cache
    builder = g.builder or _builder_digest(root, config)
    # Every page reads the glossary (its terms' tooltips and links; the glossary page itself).
    glossary_file = root / "content" / "glossary.yaml"
    glossary = _glossary_bytes(root)
    site = _digest(config.path.read_bytes(), glossary, *[(l.slug, l.title, l.summary, l.order, l.position, l.needs, l.minutes)
                                               for l in lessons],
                   *[(n, s.key) for n, s in sorted(scenarios.items())])
    page_cache = cache / "pages"
    # stem -> its files in the page cache, listed once (not once per page rendered)
    held: dict[str, list[Path]] = {}
    for p in (page_cache.iterdir() if page_cache.is_dir() else ()):
        m = _CACHED_PAGE.match(p.name)
        if m:
            held.setdefault(m.group(1), []).append(p)
    renderer = None
    pages, errors = {}, ErrorCollector()

    def cached(name: str, key: str, make, stem: str | None = None) -> Path:
        """The page's cache file (stem-KEY.html; stem defaults to name, the page's name in
        result.rendered), made now if it is not there."""
        nonlocal renderer
        stem = stem or name
        path = page_cache / f"{stem}-{key[:32]}.html"
        if path in prerendered:  # made by a worker just now: this build rendered it
            for old in held.pop(stem, ()):
                if old != path:
                    old.unlink(missing_ok=True)
            result.rendered.append(name)
            return path
        if path.exists():
            return path
        if renderer is None:
            renderer = _renderer(g, builder, glossary)
        html = make(renderer)
        page_cache.mkdir(parents=True, exist_ok=True)
        for old in held.pop(stem, ()):  # this page's older versions (lesson "a" keeps lesson "a-b"'s)
            old.unlink(missing_ok=True)
        _write_page(path, html)
        result.rendered.append(name)
        return path

    # A lesson page reads its own file, its place in the course and its neighbours' titles,
    # not the other lessons: editing one lesson re-renders that lesson (and the pages that
    # list every lesson), and its neighbours only when its title or place changed.
    shared = _digest(builder, config.path.read_bytes(), glossary, *[(n, s.key) for n, s in sorted(scenarios.items())])

    def lesson_key(l: Lesson) -> str:
        count, last = l.position, l
        while last.next is not None:  # the course's length, as the page says it
            count, last = count + 1, last.next
        return _digest(shared, l.slug, l.href, l.position, count, *[(n.title, n.href) if n else None for n in (l.prev, l.next)],
                       l.path.read_bytes())

    names = sorted(scenarios)
    keys = [lesson_key(l) for l in lessons]
    prerendered = _render_in_parallel(g, builder, glossary, page_cache, keys, names)
    for lesson, key in zip(lessons, keys):
        try:
            pages[f"{lesson.slug}.html"] = cached(
                lesson.slug, key, lambda r, l=lesson: r.lesson_html(l, names, traces, traces.page_json))
            if config.embed:  # stem embed@SLUG: a lesson may be called embed-SLUG
                pages[f"embed/{lesson.slug}.html"] = cached(
                    f"embed-{lesson.slug}", key,
                    lambda r, l=lesson: r.lesson_html(l, names, traces, traces.page_json, variant="embed"),
                    stem=f"embed@{lesson.slug}")
        except (ContentError, ContentErrors) as exc:
            errors.extend(exc)
    errors.raise_if_any()
    # The index lists index_page_size lessons a page: index.html, then index-2.html, ...
    from site_builder.render import index_href, index_pages

    size = config.index_page_size
    for number in range(1, index_pages(len(lessons), size) + 1):
        key = _digest(builder, site, "index") if number == 1 else _digest(builder, site, "index", number, size)
        pages[index_href(number)] = cached("index" if number == 1 else f"index@{number}", key,
                                           lambda r, n=number: r.index_html(lessons, n))
    pages["404.html"] = cached("404", _digest(builder, site, "404"), lambda r: r.not_found_html(lessons))
    # The teachers' page reads every lesson's objectives and the widgets it places, not its
    # prose: a prose edit does not render it again.
    # Paged as the index is: each page keyed by the lessons it lists.
    for number in range(1, index_pages(len(lessons), size) + 1):
        listed = lessons[(number - 1) * size:number * size]
        key = _digest(builder, site, "teachers", *[_teachers_reads(l) for l in listed])
        if number > 1:
            key = _digest(key, number, size)
        pages[index_href(number, "teachers")] = cached("teachers" if number == 1 else f"teachers@{number}", key,
                                                       lambda r, n=number: r.teachers_html(lessons, names, traces, n))
    if glossary_file.is_file():  # a site without content/glossary.yaml has no glossary page
        pages["glossary.html"] = cached("glossary", _digest(builder, site, "glossary", *_glossary_reads(root, lessons)),
                                        lambda r: r.glossary_html(lessons))
    if renderer is not None:
        renderer._bodies = {}  # it holds the last lesson's trace blocks and the Traces: let them go
    return pages


def prune_contexts(g: Gathered) -> None:
    """Remove the stored widget contexts (.cache/widgets/) that no widget of the site asks for
    any more: a context's key names the builder, the widget, its scenario's key, its options
    and its place, so every edit would otherwise leave the old ones behind for ever."""
    folder = g.cache / "widgets"
    if not folder.is_dir():
        return
    wanted = set()
    for l in g.lessons:
        try:
            wanted.update(f"{key}.pickle" for key in _context_keys(g, g.builder, l))
        except (ContentError, ContentErrors):
            return  # cannot tell what that lesson needs: keep everything
    for old in folder.glob("*.pickle"):
        if old.name not in wanted:
            old.unlink(missing_ok=True)


def _glossary_reads(root: Path, lessons: list[Lesson]) -> list:
    """What glossary.html reads of the lessons (besides their titles and places): the terms
    each one marks. Whole texts when the glossary itself does not load (the renderer says why)."""
    from site_builder import glossary

    try:
        terms = glossary.load(root)
        return [glossary.uses(l, terms) for l in lessons]
    except (ContentError, ContentErrors):
        return [l.path.read_bytes() for l in lessons]


# A widget block as directives.extract_widgets finds one (an opening line that is `/// widget`
# once stripped, to the next line that is `///`), found loosely: anything more it matches
# only renders the teachers' page more often.
_WIDGET_BLOCK = re.compile(r"^\s*///\s*widget.*?^\s*///\s*$", re.M | re.S)


def _teachers_reads(l: Lesson) -> str:
    """What the teachers' page reads of one lesson besides the course list: its objectives
    and its widget blocks (name, place, options), not its prose."""
    return repr((l.objectives, _WIDGET_BLOCK.findall(l.body)))


def _site_digest(pages: dict[str, Path], config: SiteConfig) -> str:
    """What the link check reads: every page's name and bytes, and base_url (the same digest
    as _digest of them all, with the pages read one at a time)."""
    h = hashlib.sha256()
    for part in (config.base_url, *[x for name in sorted(pages) for x in (name, pages[name])]):
        h.update(part.read_bytes() if isinstance(part, Path) else str(part).encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def unchanged_site(pages: dict[str, Path], out: Path, config: SiteConfig, cache: Path) -> bool:
    """True when out/ already holds exactly these pages (and nothing else) and the last
    build that checked them passed: a no-op build then writes, checks and swaps nothing."""
    stamp = cache / "checked"
    try:
        if stamp.read_text() != _site_digest(pages, config) or not (out / ".nojekyll").is_file():
            return False
        if sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) != sorted([*pages, ".nojekyll"]):
            return False
        return all(_same_file(out / name, path) for name, path in pages.items())
    except OSError:
        return False


def _same_file(a: Path, b: Path) -> bool:
    return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()


def stage_write(pages: dict[str, Path], staging: Path, out: Path | None = None) -> None:
    """Every page (its file in the page cache) into staging/, one at a time. A page whose
    bytes equal the one in out/ is hard-linked from there, not written again (it keeps its
    file and time; only what changed is rewritten)."""
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    # GitHub Pages runs Jekyll unless told not to; nothing here is for Jekyll.
    (staging / ".nojekyll").write_text("")
    for name, source in sorted(pages.items()):
        data = source.read_bytes()
        target = staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        old = out / name if out is not None else None
        if old is not None and old.is_file() and old.stat().st_size == len(data):
            try:
                if old.read_bytes() == data:
                    os.link(old, target)
                    continue
            except OSError:
                pass  # no hard links here (or the old page vanished): write it
        target.write_bytes(data)


def stage_check(staging: Path, lessons: list[Lesson], config: SiteConfig, strict: bool, result: BuildResult,
                cache: Path | None = None) -> None:
    from site_builder.linkcheck import check_site

    errors = [_where(p, lessons, config) for p in check_site(staging, config.base_url,
                                                             cache / "links" if cache is not None else None)]
    # An embed page repeats its lesson's body: its link problems are the lesson's, said once.
    seen = {e.path for e, page in errors if not page.startswith("embed/")}
    problems = [e for e, page in errors if not page.startswith("embed/") or e.path not in seen]
    sizes = {p.relative_to(staging).as_posix(): p.stat().st_size for p in sorted(staging.rglob("*.html"))}
    problems += stage_budget(sizes, config, strict, result, raise_now=False)
    if problems:
        raise ContentErrors(problems)


def stage_budget(sizes: dict[str, int], config: SiteConfig, strict: bool, result: BuildResult,
                 raise_now: bool = True) -> list[ContentError]:
    """Page sizes into the result, a warning for each page over the budget (an error with
    --strict: raised now, or returned to stage_check to raise with the link problems)."""
    budget = config.page_budget_kb * 1000
    warnings = []
    for name in sorted(sizes):
        result.pages[name] = sizes[name]
        if sizes[name] > budget:
            warnings.append(f"{name}: page is {sizes[name] / 1000:.0f} KB, over the {config.page_budget_kb} KB budget")
    result.warnings = warnings
    problems = [ContentError(w.partition(": ")[0], None, w.partition(": ")[2]) for w in warnings] if strict else []
    if problems and raise_now:
        raise ContentErrors(problems)
    return problems


def _where(problem, lessons: list[Lesson], config: SiteConfig) -> tuple[ContentError, str]:
    """A link problem at the place an author would change: the lesson line that writes the
    link; for the 404 page (whose links start from base_url), base_url in site.yaml; else the
    built page (a theme template wrote it)."""
    from site_builder.safehtml import locate, prose_lines

    page = problem.page
    slug = page.removeprefix("embed/").removesuffix(".html")
    lesson = next((l for l in lessons if l.slug == slug), None)
    message = problem.message
    if page.startswith("embed/"):
        message = message.replace(f"({page}", f"({slug}.html", 1)
    if lesson is not None:
        url = problem.url
        line = locate(lesson.body, (f"({url})", f"({url} ", f'"{url}"', url), lesson.body_line) \
            if any(url in text for _, text in prose_lines(lesson.body)) else None
        return ContentError(lesson.path, line, message), page
    if page == "404.html" and config.path is not None:
        return ContentError(config.path, config.lines.get(("base_url",)),
                            f"{message}: the page for missing pages links from base_url '{config.base_url}'"), page
    return ContentError(f"build/{page}", None, message), page


def stage_swap(staging: Path, out: Path) -> None:
    """Replace out/ by staging/ with two renames; the old tree is removed last."""
    old = out.with_name(out.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if out.exists():
        os.replace(out, old)
    os.replace(staging, out)
    if old.exists():
        shutil.rmtree(old)


def build(root: Path = Path("."), out: Path | None = None, strict: bool = False, quiet: bool = True,
          inputs: str | None = None) -> BuildResult:
    """inputs: fresh.inputs(root, out, strict) taken just before (the CLI has it), else taken here."""
    root = Path(root).resolve()
    out = Path(out).resolve() if out else root / "build"
    staging = out.with_name("." + out.name + ".staging")
    result = BuildResult()
    t0 = time.perf_counter()
    from site_builder import fresh

    inputs = inputs or fresh.inputs(root, out, strict)  # before anything is read: what this build is of
    fresh.forget(root)
    s = Stages(quiet)
    g = gather(root, s)
    pages = s.run("render", stage_render, g, result)
    g.traces.release()  # every page is made: the decoded traces are no longer needed
    if unchanged_site(pages, out, g.config, g.cache):
        # out/ holds exactly these pages and they passed the check: nothing to write or check.
        s.run("budget", stage_budget, {n: p.stat().st_size for n, p in pages.items()}, g.config, strict, result)
    else:
        try:
            s.run("write", stage_write, pages, staging, out)
            s.run("check", stage_check, staging, g.lessons, g.config, strict, result, g.cache)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        s.run("swap", stage_swap, staging, out)
        g.cache.mkdir(parents=True, exist_ok=True)
        (g.cache / "checked").write_text(_site_digest(pages, g.config))
    if result.rendered:
        prune_contexts(g)
    result.trained = list(g.traces.trained)
    result.seconds = time.perf_counter() - t0
    fresh.remember(root, out, inputs, {"pages": result.pages, "warnings": result.warnings})
    return result


def main(args) -> int:
    result = build(Path(args.root), Path(args.out) if args.out else None, strict=args.strict, quiet=args.quiet,
                   inputs=getattr(args, "inputs", None))
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    if not args.quiet:
        print(f"built {len(result.pages)} pages, {sum(result.pages.values()):,} bytes, in {result.seconds:.2f} s "
              f"({len(result.rendered)} rendered, {len(result.trained)} scenario(s) trained)")
    return 0


def check(root: Path, strict: bool = False) -> BuildResult:
    """Everything a build does (links and budgets included) except replacing build/: the
    pages are written to a staging folder that is removed afterwards."""
    root = Path(root).resolve()
    result = BuildResult()
    g = gather(root)
    pages = stage_render(g, result)
    g.traces.release()
    staging = root / ".cache" / "check-staging"
    try:
        stage_write(pages, staging)
        stage_check(staging, g.lessons, g.config, strict, result, g.cache)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return result


def check_main(args) -> int:
    """Validate everything a build would, without writing build/."""
    result = check(Path(args.root), strict=args.strict)
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    lessons = sum(1 for name in result.pages if "/" not in name and name not in ("index.html", "404.html", "teachers.html"))
    print(f"ok: {lessons} lessons, {len(result.pages)} pages")
    return 0
