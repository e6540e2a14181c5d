"""Build benchmark: clean-build time, no-op rebuild time, and the size of every page, beside
`mkdocs build` with the mkdocs-material theme on the same lesson Markdown (what an author
would otherwise use), timed in the same run, interleaved, as a ratio.

Targets (issue 3): clean build <= 5 s, no-op rebuild <= 0.5 s, every page <= 250 KB.
Each timing runs the real CLI in a fresh process (imports included), on a copy of the
repository's content in a temporary folder, so the numbers are what an author sees."""
from __future__ import annotations

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


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        root.mkdir()
        for name in ("content", "themes"):
            shutil.copytree(REPO / name, root / name)
        mk = mkdocs_material(Path(tmp))
        clean, material = [], []
        for _ in range(3):  # interleaved, so both see the same machine
            shutil.rmtree(root / ".cache", ignore_errors=True)
            shutil.rmtree(root / "build", ignore_errors=True)
            clean.append(timed_build(root))
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
        else:
            print("  mkdocs-material build    (not installed: make bench installs it)")
        print(f"  {'no-op rebuild':<22} {statistics.median(noop):7.3f} s   median of 5   target <= 0.5 s")
        print()
        print(f"  {'page':<28} {'bytes':>10}   target <= 250,000")
        for page in sorted((root / "build").rglob("*.html")):
            size = page.stat().st_size
            flag = "" if size <= 250_000 else "  OVER"
            print(f"  {page.relative_to(root / 'build').as_posix():<28} {size:>10,}{flag}")


if __name__ == "__main__":
    main()
