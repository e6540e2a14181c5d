"""Live-mode benchmark, in Chromium: the Player's live mode trains a 2-8-1 network on 100
points with nn.js while a 50 x 50 decision map redraws every frame (tests/live_harness.py,
the page the live-mode e2e test drives). Prints training steps per second of wall time, the
frame rate, and the longest main-thread task. Targets (issue 9): >= 1,000 full-batch steps/s
while redrawing at 60 frames/s, no task over 50 ms.

Then the playground widget (issue 12) in a built page (the fixture site tests/sites/playground/):
each preset trained for the engine's 1,000 steps by pressing Train; prints the longest
main-thread task while it trains (target <= 50 ms, the live Player's per-frame budget).
Also the longest task while the XOR lesson's circuit trains from its Train button to its last
step (target <= 50 ms)."""
from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from browser import LAUNCH_ARGS, find_chromium  # noqa: E402
from live_harness import open_page, run_live  # noqa: E402


LONG_TASKS = """() => { window.__longest = 0; new PerformanceObserver((l) => l.getEntries().forEach((e) => {
    window.__longest = Math.max(window.__longest, e.duration); })).observe({type: "longtask"}); }"""


def playground_site(folder: Path) -> Path:
    """The playground fixture site with the repository's theme and presets, built."""
    sys.path.insert(0, str(REPO))
    from site_builder import build as build_mod

    root = folder / "site"
    shutil.copytree(REPO / "themes", root / "themes")
    shutil.copytree(REPO / "tests" / "sites" / "playground", root, dirs_exist_ok=True)
    (root / "content" / "scenarios").mkdir(parents=True, exist_ok=True)
    for path in (REPO / "content" / "scenarios").glob("playground-*.yaml"):
        shutil.copy(path, root / "content" / "scenarios")
    build_mod.build(root)
    return root / "build" / "playground.html"


def playground_longest(browser, page_path: Path) -> list[tuple[int, float]]:
    """(preset, longest task in ms) while each preset trains to the engine's last step."""
    out = []
    for k in range(3):
        page = browser.new_page()
        page.goto(page_path.as_uri())
        page.wait_for_selector("html[data-ready=true]")
        fig = page.locator("figure[data-widget=playground]")
        fig.locator(f"[data-preset='{k}']").click()
        page.evaluate(LONG_TASKS)
        fig.locator("button[data-action=train]").click()
        page.wait_for_selector("figure.playground button[data-action=train][aria-pressed=false]", timeout=120_000)
        out.append((k, page.evaluate("() => window.__longest")))
        page.close()
    return out


def xor_training_longest(browser) -> float:
    """Longest main-thread task from pressing Train on xor-network.html to its last step
    (the observer starts after the page is ready, so load-time work is not counted)."""
    import yaml

    last = yaml.safe_load((REPO / "content/scenarios/xor-brains.yaml").read_text())["train"]["epochs"]
    page = browser.new_page()
    page.goto((REPO / "build" / "xor-network.html").as_uri())
    page.wait_for_selector("html[data-ready=true]")
    page.evaluate(LONG_TASKS)
    fig = page.locator("figure[data-widget=xor-circuit]")
    fig.get_by_role("button", name="Train").click()
    page.wait_for_function("(n) => document.querySelector('figure[data-widget=xor-circuit]').dataset.step === String(n)",
                           arg=last, timeout=60_000)
    page.wait_for_timeout(200)
    longest = page.evaluate("() => window.__longest")
    page.close()
    return longest


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
        with tempfile.TemporaryDirectory() as tmp:
            playground = playground_longest(browser, playground_site(Path(tmp)))
        xor = max(xor_training_longest(browser) for _ in range(3))
        browser.close()
    rate = statistics.median(r["steps"] / r["seconds"] for r in rows)
    fps = statistics.median(r["frames"] / r["seconds"] for r in rows)
    longest = max(r["longest"] for r in rows)
    print("live-mode benchmark (Chromium, 2-8-1 tanh/sigmoid, 100 points, decision map every frame; median of 3)")
    print(f"  {'training while drawing':<26} {rate:>10,.0f} steps/s   target >= 1,000")
    print(f"  {'decision map redraws':<26} {fps:>10.1f} frames/s  target 60")
    print(f"  {'longest task':<26} {longest:>10.0f} ms        target <= 50")
    print("playground widget (built page, each preset trained 1,000 steps by Train)")
    for k, ms in playground:
        print(f"  {'preset ' + str(k) + ' longest task':<26} {ms:>10.0f} ms        target <= 50")
    print("XOR lesson (build/xor-network.html, Train to the last step; max of 3)")
    print(f"  {'longest task':<26} {xor:>10.0f} ms        target <= 50")


if __name__ == "__main__":
    main()
