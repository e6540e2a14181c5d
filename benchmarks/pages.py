"""Page benchmark, in Chromium from file://: bytes, time from navigation to data-ready
(median of 5 cold loads) and its ratio to the 50 ms target (issue 16; 1.00 or less meets it),
the page's own main-thread CPU time to data-ready (median of 3 traced loads: the thread time
of its parsing, scripts, style and layout, which other processes on a busy machine barely
change, unlike the wall time), the longest main-thread task that started before data-ready,
the longest that started in the
second after it (work a page leaves until then: its first frame's layout, pictures drawn in
idle time), and the longest that started after Play was pressed, while a widget plays its run. Prints a table; asserts nothing.
`python benchmarks/pages.py xor-network.html embed/` measures only the pages whose path
under build/ starts with one of the arguments."""
from __future__ import annotations

import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from browser import LAUNCH_ARGS, find_chromium  # noqa: E402

READY_TARGET_MS = 50.0  # issue 16: every page ready within 50 ms of navigation
AFTER_READY_MS = 1000   # the window after data-ready whose longest task is reported too

# Long tasks are reported by the browser itself; the observer is installed before any page
# script runs (Playwright's init script is not subject to the page's CSP). Every task is kept
# with its start time, and each figure takes the tasks that *started* in its own window: the
# browser delivers entries late (after the load's long task has ended, often after Play was
# pressed), so resetting a running maximum counted the load's task as a playing one.
LONGTASK_PROBE = """
window.__tasks = [];
try {
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (e) { window.__tasks.push([e.startTime, e.duration]); });
  }).observe({type: "longtask", buffered: true});
} catch (e) {}
"""
# The longest task that started at or after `since` and before `until` (ms since navigation).
LONGEST = """([since, until]) => window.__tasks.filter(([s]) => s >= since && s < until)
    .reduce((m, [, d]) => Math.max(m, d), 0)"""


# The renderer's work on the page's main thread, as a Chromium trace records it: each event's
# "tdur" is thread (CPU) time. Events nested in another on the thread are counted in it.
TRACED = {"ParseHTML", "EvaluateScript", "FunctionCall", "TimerFire", "FireAnimationFrame", "FireIdleCallback",
          "UpdateLayoutTree", "Layout", "PrePaint", "Paint", "Layerize", "ParseAuthorStyleSheet", "RunMicrotasks",
          "EventDispatch", "HitTest", "MajorGC", "MinorGC"}


def cpu_to_ready(browser, url: str) -> float:
    """ms of main-thread CPU time from navigation to the bpe-ready mark, one traced cold load."""
    ctx = browser.new_context()
    page = ctx.new_page()
    cdp = ctx.new_cdp_session(page)
    events, done = [], []
    cdp.on("Tracing.dataCollected", lambda p: events.extend(p["value"]))
    cdp.on("Tracing.tracingComplete", lambda p: done.append(True))
    cdp.send("Tracing.start", {"categories": "devtools.timeline,blink.user_timing", "transferMode": "ReportEvents"})
    page.goto(url)
    page.wait_for_selector("html[data-ready=true]")
    cdp.send("Tracing.end")
    while not done:
        page.wait_for_timeout(20)
    ctx.close()
    ready = next(e for e in events if e.get("name") == "bpe-ready")
    mine = sorted((e for e in events if e.get("pid") == ready["pid"] and e.get("tid") == ready["tid"] and e.get("ph") == "X"
                   and e.get("name") in TRACED and "tdur" in e and e["ts"] <= ready["ts"]), key=lambda e: (e["ts"], -e["dur"]))
    total, end = 0, -1
    for e in mine:
        if e["ts"] >= end:  # not inside the last outermost event
            total += e["tdur"]
            end = e["ts"] + e["dur"]
    return total / 1000


def main() -> None:
    from playwright.sync_api import sync_playwright

    build = REPO / "build"
    pages = sorted(build.rglob("*.html"))
    only = sys.argv[1:]
    if only:
        pages = [p for p in pages if any(p.relative_to(build).as_posix().startswith(o) for o in only)]
    if not pages:
        raise SystemExit("build/ is empty: run `make build` first")
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=LAUNCH_ARGS)
        for page_file in pages:
            times = []
            for _ in range(5):
                ctx = browser.new_context()
                page = ctx.new_page()
                page.goto(page_file.as_uri())
                page.wait_for_selector("html[data-ready=true]")
                times.append(page.evaluate("performance.getEntriesByName('bpe-ready')[0].startTime"))
                ctx.close()
            cpu = statistics.median(cpu_to_ready(browser, page_file.as_uri()) for _ in range(3))
            ctx = browser.new_context()
            ctx.add_init_script(LONGTASK_PROBE)
            page = ctx.new_page()
            page.goto(page_file.as_uri())
            page.wait_for_selector("html[data-ready=true]")
            # Let the observer report the load's tasks, and the work a page leaves until just
            # after data-ready (its first frame, pictures drawn in idle time, warm-ups).
            page.wait_for_timeout(AFTER_READY_MS + 100)
            ready = page.evaluate("performance.getEntriesByName('bpe-ready')[0].startTime")
            at_load = f"{page.evaluate(LONGEST, [0, ready + 1]):.0f} ms"
            after = f"{page.evaluate(LONGEST, [ready + 1, ready + AFTER_READY_MS]):.0f} ms"
            play = page.locator("figure[data-widget] [data-action=play]").first
            longest = "-"
            if play.count():
                speed = page.locator("figure[data-widget] select[name=speed]")
                if speed.count():
                    speed.first.select_option(label="Fast")
                pressed = page.evaluate("performance.now()")
                play.click()
                page.locator("figure[data-widget] [data-action=play][aria-pressed=false]").first.wait_for(timeout=120_000)
                page.wait_for_timeout(100)  # the last tasks' entries arrive late too
                longest = f"{page.evaluate(LONGEST, [pressed, 1e12]):.0f} ms"
            ctx.close()
            rows.append((page_file.relative_to(build).as_posix(), page_file.stat().st_size, statistics.median(times),
                         cpu, at_load, after, longest))
        browser.close()
    print("page benchmark (Chromium, file://, median of 5 cold loads; 404.html, with no widgets, is the floor)")
    print(f"  {'page':<28} {'bytes':>9} {'to data-ready':>14} {'/ 50 ms':>8} {'CPU to ready':>13} {'longest task: to ready':>23} "
          f"{'next ' + str(AFTER_READY_MS) + ' ms':>12} {'while playing':>14}")
    for name, size, ready, cpu, at_load, after, longest in rows:
        ratio = ready / READY_TARGET_MS
        print(f"  {name:<28} {size:>9,} {ready:>11.0f} ms {ratio:>7.2f}x {cpu:>10.1f} ms {at_load:>23} {after:>12} {longest:>14}")
    worst = max(rows, key=lambda r: r[2])
    met = sum(1 for r in rows if r[2] <= READY_TARGET_MS)
    print(f"  {met} of {len(rows)} pages ready within {READY_TARGET_MS:.0f} ms; slowest {worst[0]} "
          f"at {worst[2] / READY_TARGET_MS:.2f}x the target")
    sys.path.insert(0, str(REPO / "benchmarks"))
    from targets import record

    floor = next((r[2] for r in rows if r[0] == "404.html"), None)
    record(f"pages: slowest to data-ready ({worst[0]})", worst[2], READY_TARGET_MS, "ms",
           f"{met} of {len(rows)} pages within; 404.html (no widgets) {floor:.0f} ms" if floor else f"{met} of {len(rows)} within")


if __name__ == "__main__":
    main()
