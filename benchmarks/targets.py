"""The figures issue 16 holds the project to, gathered from the benchmarks of one `make bench`
run and printed together at its end.

Each benchmark calls record(...) with the figure it measured; when BENCH_TARGETS names a file
(the Makefile sets it), the figure is appended there as one JSON line. Run as a script, this
prints every recorded figure beside its target and says which are met.

    python benchmarks/targets.py        (make bench, last)
"""
from __future__ import annotations

import json
import os
import sys


def record(figure: str, value: float, target: float, unit: str = "", against: str = "") -> None:
    """One figure (lower is better), its target, and what it is measured against (the anchor
    timed in the same run, e.g. "mkdocs-material 0.56 s")."""
    path = os.environ.get("BENCH_TARGETS")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps({"figure": figure, "value": value, "target": target, "unit": unit, "against": against}) + "\n")


def main() -> int:
    path = os.environ.get("BENCH_TARGETS")
    if not path or not os.path.exists(path):
        print("no figures recorded (run `make bench`, which sets BENCH_TARGETS)")
        return 0
    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    width = max(len(r["figure"]) for r in rows)
    print("issue 16 targets, this run")
    print(f"  {'figure':<{width}}  {'value':>11}  {'target':>11}  met  measured against")
    for r in rows:
        met = "yes" if r["value"] <= r["target"] else "NO"
        value = f"{r['value']:.2f} {r['unit']}".strip()
        target = f"<= {r['target']:g} {r['unit']}".strip()
        print(f"  {r['figure']:<{width}}  {value:>11}  {target:>11}  {met:<3}  {r['against']}")
    print(f"  {sum(r['value'] <= r['target'] for r in rows)} of {len(rows)} met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
