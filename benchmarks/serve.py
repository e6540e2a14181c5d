"""`make serve` benchmark: how long a saved edit to a lesson takes to show in the open browser.

A copy of the real site (content/ and themes/, with .cache/ when there is one, so nothing
trains) is served by `python -m site_builder serve` in its own process. Chromium opens a
lesson; the script appends a new sentence to the lesson's Markdown and times until that
sentence is on the reloaded page: from the write to the reloaded page's first paint (or, if
the browser reports no paint, its DOMContentLoaded), both on the machine's wall clock. Median
of 5 edits, against issue 16's target of 0.5 s.

    python benchmarks/serve.py [LESSON_FILE]     (default 03-backpropagation.md)
"""
from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from browser import LAUNCH_ARGS, find_chromium  # noqa: E402

TARGET_S = 0.5
EDITS = 5

# When the current document first showed something: its first paint if the browser reports
# one, else the end of DOMContentLoaded; in epoch milliseconds (the same clock as time.time()).
SHOWN_AT = """() => {
  const paint = performance.getEntriesByType("paint").find((e) => e.name === "first-paint")
             || performance.getEntriesByType("paint")[0];
  const nav = performance.getEntriesByType("navigation")[0];
  return performance.timeOrigin + (paint ? paint.startTime : nav.domContentLoadedEventEnd);
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, seconds: float = 600) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit(f"serve exited:\n{proc.stdout.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit("serve did not start")


def main() -> None:
    from playwright.sync_api import sync_playwright

    lesson_name = sys.argv[1] if len(sys.argv) > 1 else "03-backpropagation.md"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        shutil.copytree(REPO / "content", root / "content")
        shutil.copytree(REPO / "themes", root / "themes")
        if (REPO / ".cache").is_dir():
            shutil.copytree(REPO / ".cache", root / ".cache")
        lesson = root / "content" / "lessons" / lesson_name
        slug = lesson.stem.split("-", 1)[1]
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "site_builder", "serve", "--root", str(root), "--port", str(port)],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=root,
                                env={**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH", str(REPO))})
        times, polled, starts = [], [], []  # starts: save to the reload's start
        try:
            wait_for_port(port, proc)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=find_chromium(), args=LAUNCH_ARGS)
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{port}/{slug}.html")
                page.wait_for_selector("html[data-ready=true]")
                for k in range(EDITS):
                    time.sleep(1.0)  # let the last reload settle
                    sentence = f"Benchmark sentence number {k} of the serve benchmark."
                    text = lesson.read_text(encoding="utf-8") + f"\n\n{sentence}\n"
                    t0 = time.time()
                    lesson.write_text(text, encoding="utf-8")
                    page.locator(".lesson-body p", has_text=sentence).wait_for(state="visible", timeout=30_000)
                    polled.append(time.time() - t0)
                    shown = page.evaluate(SHOWN_AT) / 1000
                    times.append(shown - t0)
                    starts.append(page.evaluate("performance.timeOrigin") / 1000 - t0)
                browser.close()
        finally:
            proc.terminate()
            log = proc.communicate(timeout=10)[0]
    if os.environ.get("SERVE_LOG"):
        print(log)
    median = statistics.median(times)
    verdict = "ok" if median < TARGET_S else "OVER"
    print(f"serve benchmark (real site, {lesson_name}: a sentence appended, {EDITS} edits)")
    print(f"  save to first paint of the reloaded page: median {median:.3f} s "
          f"(each: {', '.join(f'{t:.3f}' for t in times)})   target < {TARGET_S} s: {verdict} ({median / TARGET_S:.2f}x)")
    print(f"  of which save to the reload's start (watch, rebuild, event): median {statistics.median(starts):.3f} s; "
          f"reload to first paint: median {statistics.median([t - s for t, s in zip(times, starts)]):.3f} s")
    print(f"  save to the sentence found by the test driver (polling adds its own delay): median {statistics.median(polled):.3f} s")
    from targets import record

    record("make serve: a saved edit shown in the open page", median, TARGET_S, "s", "save to first paint of the reload")


if __name__ == "__main__":
    main()
