"""Memory benchmark: peak resident memory of a clean build of a generated site (1,000 lessons
by default, each with its own scenario, generated as benchmarks/scale.py does), against the
150 MB target of issue 16.

The build runs in a fresh process that reports, when it ends, its own peak (ru_maxrss of
RUSAGE_SELF) and the largest peak among its training workers (RUSAGE_CHILDREN: the pool is
waited for before the build returns). The main process's peak is the figure held to the
target; the workers' is printed beside it.

    python benchmarks/memory.py [LESSONS]
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from scale import generate  # noqa: E402

TARGET_MB = 150

CHILD = """\
import json, resource, sys
from pathlib import Path
from site_builder.build import build
result = build(Path(sys.argv[1]), quiet=True)
self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"self_kb": self_kb, "children_kb": children_kb, "pages": len(result.pages)}))
"""


def measure(root: Path) -> dict:
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, str(root)], cwd=REPO, capture_output=True, text=True,
                          env={**__import__("os").environ, "PYTHONPATH": str(REPO)})
    if proc.returncode != 0:
        sys.exit(f"build failed:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["seconds"] = time.perf_counter() - t
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root, n)
        m = measure(root)
    main_mb, workers_mb = m["self_kb"] / 1024, m["children_kb"] / 1024
    verdict = "ok" if main_mb < TARGET_MB else "OVER"
    print(f"memory benchmark (clean build of {n} generated lessons, {m['pages']} pages, {m['seconds']:.0f} s)")
    print(f"  peak RSS, build process   {main_mb:7.0f} MB   target < {TARGET_MB} MB: {verdict} "
          f"({main_mb / TARGET_MB:.2f}x the target)")
    print(f"  peak RSS, largest worker  {workers_mb:7.0f} MB")
    from targets import record

    record(f"memory: peak of a clean build, {n} lessons", main_mb, TARGET_MB, "MB", f"largest worker {workers_mb:.0f} MB")


if __name__ == "__main__":
    main()
