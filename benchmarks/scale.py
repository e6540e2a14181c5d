"""Scale benchmark: generated sites of 10 and 100 lessons (each lesson with its own scenario,
so training grows with the site), clean-build time for each, and the same Markdown built by
`mkdocs build` as a reference. Scenario training is spread over all cores by the build.
The generator writes fixtures into a temporary folder; nothing here is content."""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from targets import record

REPO = Path(__file__).resolve().parents[1]
REPEATS = 3  # each timing is the median of this many runs
# Every timed command runs as on an author's machine: Python keeps compiled modules
# (__pycache__), whatever this shell says (some CI images set PYTHONDONTWRITEBYTECODE).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

SCENARIO = """\
title: Generated {i}
network: {{sizes: [2, 4, 1], activations: [tanh, sigmoid]}}
data: {{generator: moons, n: 40, noise: 0.1, seed: {i}}}
init: {{scheme: xavier, seed: {i}}}
train: {{learning_rate: 0.5, epochs: 400}}
record: {{every_until: 100, then_every: 10}}
"""

LESSON = """\
---
title: Generated lesson {i}
summary: Lesson {i} of a generated site, for the scale benchmark.
---

## Part one

The loss of scenario {i} starts at {{{{ gen-{i:03d}.loss @0 :.4f }}}} and ends at
{{{{ gen-{i:03d}.loss @last :.4f }}}}. The rule is $w \\leftarrow w - \\eta \\, \\partial L / \\partial w$.

$$L = \\tfrac{{1}}{{2}} \\sum_k (t_k - o_k)^2$$

## Part two

Some prose to render, with a [link back](index.html) and a table:

| step | meaning |
|---|---|
| forward | guess |
| backward | blame |
"""


def generate(root: Path, n: int) -> None:
    (root / "content" / "lessons").mkdir(parents=True)
    (root / "content" / "scenarios").mkdir(parents=True)
    shutil.copytree(REPO / "themes", root / "themes")
    (root / "content" / "site.yaml").write_text(f"title: Generated site of {n} lessons\n")
    for i in range(1, n + 1):
        (root / "content" / "scenarios" / f"gen-{i:03d}.yaml").write_text(SCENARIO.format(i=i))
        (root / "content" / "lessons" / f"{i:03d}-lesson-{i}.md").write_text(LESSON.format(i=i))


def mkdocs_project(root: Path, n: int, theme: str = "mkdocs") -> Path:
    docs = root / f"mk-{theme}" / "docs"
    docs.mkdir(parents=True)
    for md in sorted((root / "content" / "lessons").glob("*.md")):
        (docs / md.name).write_text(md.read_text().split("---", 2)[2])
    (docs / "index.md").write_text("# Generated\n")
    (root / f"mk-{theme}" / "mkdocs.yml").write_text(f"site_name: Generated\ntheme: {{name: {theme}}}\n")
    return root / f"mk-{theme}"


def timed(cmd, cwd) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def training(root: Path) -> tuple[float, float]:
    """CPU seconds to train every scenario of a generated site in one process: each alone
    (engine.train_members), and all at once (engine.train_many: the generated scenarios share
    one shape, so they are one batched computation). Medians of three, interleaved."""
    code = (
        "import statistics, sys, time\n"
        "from pathlib import Path\n"
        "from site_builder import engine, scenarios\n"
        "jobs = [(s.net, s.config, s.members) for _, s in sorted(scenarios.load_scenarios(Path(sys.argv[1])).items())]\n"
        "alone, together = [], []\n"
        "for _ in range(3):\n"
        "    t = time.process_time(); [engine.train_members(*j) for j in jobs]; alone.append(time.process_time() - t)\n"
        "    t = time.process_time(); engine.train_many(jobs); together.append(time.process_time() - t)\n"
        "print(statistics.median(alone), statistics.median(together))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(root / "content")], cwd=REPO, check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    have_mkdocs = subprocess.run([sys.executable, "-c", "import mkdocs"], capture_output=True).returncode == 0
    have_material = subprocess.run([sys.executable, "-c", "import material"], capture_output=True).returncode == 0
    rows = []
    build_cmd = [sys.executable, "-m", "site_builder", "build", "--quiet", "--root"]
    for n in (10, 100):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            generate(root, n)
            mk_dir = mkdocs_project(root, n) if have_mkdocs else None
            mat_dir = mkdocs_project(root, n, "material") if have_material else None
            clean, mks, mats = [], [], []
            for _ in range(REPEATS):  # interleaved, so all three see the same machine
                shutil.rmtree(root / ".cache", ignore_errors=True)
                shutil.rmtree(root / "build", ignore_errors=True)
                clean.append(timed([*build_cmd, str(root)], root))
                if mk_dir:
                    mks.append(timed([sys.executable, "-m", "mkdocs", "build", "-q"], mk_dir))
                if mat_dir:
                    mats.append(timed([sys.executable, "-m", "mkdocs", "build", "-q"], mat_dir))
            noop = statistics.median(timed([*build_cmd, str(root)], root) for _ in range(REPEATS))
            # One lesson's prose edited (title, summary and order kept): that lesson's two
            # pages are rendered again, nothing else.
            lesson = root / "content" / "lessons" / f"{n // 2:03d}-lesson-{n // 2}.md"
            edits = []
            for k in range(REPEATS):
                lesson.write_text(lesson.read_text() + f"\nOne more sentence ({k + 1}), added by the benchmark.\n")
                edits.append(timed([*build_cmd, str(root)], root))
            ours, edit = statistics.median(clean), statistics.median(edits)
            mk = statistics.median(mks) if mks else None
            mat = statistics.median(mats) if mats else None
            rows.append((n, ours, noop, edit, mk, mat))
            if n == 100:
                train_alone, train_together = training(root)
                if mat:
                    record("100 lessons: clean build / mkdocs-material", ours / mat, 2, "x", f"mkdocs-material {mat:.2f} s")
                if mk:
                    record("100 lessons: no-op build / mkdocs", noop / mk, 0.5, "x", f"mkdocs {mk:.2f} s")
                record("100 lessons: one lesson's prose edit", edit, 0.5, "s", "a fresh process, as an author runs it")
    print("scale benchmark (generated sites, clean build in a fresh process; ratios against mkdocs in the same run)")
    print(f"  {'lessons':>7} {'clean build':>12} {'per lesson':>11} {'no-op':>8} {'prose edit':>11} {'mkdocs':>9} {'ratio':>6}"
          f" {'mkdocs-material':>16} {'ratio':>6} {'no-op/mkdocs':>13}")
    for n, ours, noop, edit, mk, mat in rows:
        mk_text = f"{mk:7.2f} s" if mk is not None else "        -"
        mat_text = f"{mat:14.2f} s" if mat is not None else "               -"
        ratio = f"{ours / mk:5.1f}x" if mk else "    -"
        ratio_m = f"{ours / mat:5.1f}x" if mat else "    -"
        ratio_n = f"{noop / mk:11.2f}x" if mk else "           -"
        print(f"  {n:>7} {ours:10.2f} s {ours / n * 1000:8.0f} ms {noop:6.2f} s {edit:9.2f} s {mk_text:>9} {ratio:>6}"
              f" {mat_text:>16} {ratio_m:>6} {ratio_n:>13}")
    print("  targets (issue 16): clean <= 2x mkdocs-material, no-op <= 0.5x mkdocs, prose edit at 100 lessons <= 0.5 s")
    if len(rows) == 2:
        print(f"  training the 100 scenarios in one process: {train_alone:.2f} s CPU each alone, "
              f"{train_together:.2f} s batched (engine.train_many, as the build's workers do; "
              f"{train_alone / train_together:.1f}x less)")
        growth = rows[1][1] / rows[0][1]
        print(f"  10x the lessons took {growth:.1f}x the time (linear or better when <= 10x)")


if __name__ == "__main__":
    main()
