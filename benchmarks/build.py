"""Build benchmark: clean-build time, no-op rebuild time, and the size of every page.

Targets (issue 3): clean build <= 5 s, no-op rebuild <= 0.5 s, every page <= 250 KB.
Each timing runs the real CLI in a fresh process (imports included), on a copy of the
repository's content in a temporary folder, so the numbers are what an author sees."""
from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def timed_build(root: Path) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "site_builder", "build", "--quiet", "--root", str(root)], check=True, cwd=root)
    return time.perf_counter() - t


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        root.mkdir()
        for name in ("content", "themes"):
            shutil.copytree(REPO / name, root / name)
        clean = []
        for _ in range(3):
            shutil.rmtree(root / ".cache", ignore_errors=True)
            shutil.rmtree(root / "build", ignore_errors=True)
            clean.append(timed_build(root))
        noop = [timed_build(root) for _ in range(5)]
        print("build benchmark (fresh process each run, imports included)")
        print(f"  {'clean build':<22} {statistics.median(clean):7.3f} s   median of 3   target <= 5 s")
        print(f"  {'no-op rebuild':<22} {statistics.median(noop):7.3f} s   median of 5   target <= 0.5 s")
        print()
        print(f"  {'page':<28} {'bytes':>10}   target <= 250,000")
        for page in sorted((root / "build").rglob("*.html")):
            size = page.stat().st_size
            flag = "" if size <= 250_000 else "  OVER"
            print(f"  {page.relative_to(root / 'build').as_posix():<28} {size:>10,}{flag}")


if __name__ == "__main__":
    main()
