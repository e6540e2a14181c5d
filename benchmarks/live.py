"""Live-mode benchmark, in Chromium: the Player's live mode trains a 2-8-1 network on 100
points with nn.js while a 50 x 50 decision map redraws every frame (tests/live_harness.py,
the page the live-mode e2e test drives). Prints training steps per second of wall time, the
frame rate, and the longest main-thread task. Targets (issue 9): >= 1,000 full-batch steps/s
while redrawing at 60 frames/s, no task over 50 ms."""
from __future__ import annotations

import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from browser import LAUNCH_ARGS, find_chromium  # noqa: E402
from live_harness import open_page, run_live  # noqa: E402


def main() -> None:
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=LAUNCH_ARGS)
        for _ in range(3):
            page = browser.new_page()
            open_page(page)
            rows.append(run_live(page, 30_000))
            page.close()
        browser.close()
    rate = statistics.median(r["steps"] / r["seconds"] for r in rows)
    fps = statistics.median(r["frames"] / r["seconds"] for r in rows)
    longest = max(r["longest"] for r in rows)
    print("live-mode benchmark (Chromium, 2-8-1 tanh/sigmoid, 100 points, decision map every frame; median of 3)")
    print(f"  {'training while drawing':<26} {rate:>10,.0f} steps/s   target >= 1,000")
    print(f"  {'decision map redraws':<26} {fps:>10.1f} frames/s  target 60")
    print(f"  {'longest task':<26} {longest:>10.0f} ms        target <= 50")


if __name__ == "__main__":
    main()
