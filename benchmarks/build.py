"""Build benchmark: clean-build time, no-op rebuild time, and the size of every page, beside
`mkdocs build` with the mkdocs-material theme on the same lesson Markdown (what an author
would otherwise use), timed in the same run, interleaved, as a ratio.

Targets (issue 3): clean build <= 5 s, no-op rebuild <= 0.5 s, every page <= 250 KB.
Each timing runs the real CLI in a fresh process (imports included), on a copy of the
repository's content in a temporary folder, so the numbers are what an author sees."""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
from targets import record  # noqa: E402
# Every timed command runs as on an author's machine: Python keeps compiled modules
# (__pycache__), whatever this shell says (some CI images set PYTHONDONTWRITEBYTECODE).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def timed_build(root: Path) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "site_builder", "build", "--quiet", "--root", str(root)], check=True, cwd=root)
    return time.perf_counter() - t


def mkdocs_material(root: Path) -> Path | None:
    """The same lesson Markdown as an mkdocs project with the material theme (None when
    mkdocs-material is not installed: `make bench` installs it)."""
    ok = subprocess.run([sys.executable, "-c", "import mkdocs, material"], capture_output=True).returncode == 0
    if not ok:
        return None
    docs = root / "mk" / "docs"
    docs.mkdir(parents=True)
    for md in sorted((REPO / "content" / "lessons").glob("*.md")):
        shutil.copy(md, docs / md.name)
    (docs / "index.md").write_text("# Lessons\n")
    (root / "mk" / "mkdocs.yml").write_text("site_name: Lessons\ntheme: {name: material}\n")
    return root / "mk"


def timed_mkdocs(project: Path) -> float:
    shutil.rmtree(project / "site", ignore_errors=True)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=project, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


# What a clean build keeps when only the pages are made again (the split below): the engine's
# training (traces), its gradient checks and the widget contexts with their matplotlib figures.
ENGINE_CACHES = ("traces", "gradcheck", "widgets")


def pages_only(root: Path) -> None:
    """Remove build/ and every cache but the engine's work (ENGINE_CACHES): the next build
    reads, renders, writes and checks every page, as a clean build does, but trains and draws
    nothing: the part of a clean build that mkdocs also does (Markdown into pages)."""
    shutil.rmtree(root / "build", ignore_errors=True)
    for entry in (root / ".cache").iterdir():
        if entry.name not in ENGINE_CACHES:
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


# Where a clean build's CPU goes, measured in one process, one stage after the other: the
# same work the build's processes share out. Printed as CPU seconds.
SPLIT = r"""
import json, sys, tempfile, time
from pathlib import Path
clock = time.process_time
t = clock(); import matplotlib.pyplot; mpl = clock() - t
root = Path(sys.argv[1])
from site_builder import build as B, figures, mathml, scenarios as sc
from site_builder.widgets import discover
figures.setup()
t = clock(); g = B.gather(root); read = clock() - t   # (its training comes from the cache)
jobs = B.figure_jobs(g.lessons, g.widgets, g.scenarios)
folder = Path(tempfile.mkdtemp())
train = check = draw = 0.0
for name, s in sorted(g.scenarios.items()):
    t = clock(); runs = sc.run_many([s], folder)[0]; train += clock() - t
    t = clock(); B._gradcheck_stamp(s, folder); check += clock() - t
    for widget, options, uid, path, line in jobs.get(name, []):
        t = clock()
        g.widgets[widget].context(runs, options, uid, lambda tex, display, p=Path(path), l=line: mathml.render(tex, display, p, l))
        draw += clock() - t
print(json.dumps({"import matplotlib (once per process that draws)": mpl, "train": train,
                  "gradient check": check, "widget contexts and figures": draw}))
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        root.mkdir()
        for name in ("content", "themes"):
            shutil.copytree(REPO / name, root / name)
        mk = mkdocs_material(Path(tmp))
        clean, material, pages = [], [], []
        for _ in range(3):  # interleaved, so all see the same machine
            shutil.rmtree(root / ".cache", ignore_errors=True)
            shutil.rmtree(root / "build", ignore_errors=True)
            clean.append(timed_build(root))
            pages_only(root)
            pages.append(timed_build(root))
            if mk:
                material.append(timed_mkdocs(mk))
        noop = [timed_build(root) for _ in range(5)]
        print("build benchmark (fresh process each run, imports included)")
        print(f"  {'clean build':<22} {statistics.median(clean):7.3f} s   median of 3   target <= 5 s")
        if material:
            m = statistics.median(material)
            print(f"  {'mkdocs-material build':<22} {m:7.3f} s   median of 3   same lesson Markdown, same run")
            print(f"  {'ratio clean / material':<22} {statistics.median(clean) / m:7.2f} x")
            record("real site: clean build / mkdocs-material", statistics.median(clean) / m, 2, "x",
                   f"mkdocs-material {m:.2f} s on the same Markdown")
            p = statistics.median(pages)
            print(f"  {'pages only':<22} {p:7.3f} s   median of 3   a clean build with the engine's work kept "
                  f"({', '.join(ENGINE_CACHES)} in .cache/): {p / m:.2f}x mkdocs-material")
        else:
            print("  mkdocs-material build    (not installed: make bench installs it)")
        print(f"  {'no-op rebuild':<22} {statistics.median(noop):7.3f} s   median of 5   target <= 0.5 s")
        split = json.loads(subprocess.run([sys.executable, "-c", SPLIT, str(root)], cwd=REPO, check=True,
                                          capture_output=True, text=True).stdout)
        print(f"  where a clean build's CPU goes, one process (the build shares it out over {os.cpu_count()} cores):")
        for what, seconds in split.items():
            print(f"    {what:<48} {seconds:6.2f} s")
        print()
        print(f"  {'page':<28} {'bytes':>10}   target <= 250,000")
        for page in sorted((root / "build").rglob("*.html")):
            size = page.stat().st_size
            flag = "" if size <= 250_000 else "  OVER"
            print(f"  {page.relative_to(root / 'build').as_posix():<28} {size:>10,}{flag}")


if __name__ == "__main__":
    main()
