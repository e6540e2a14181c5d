"""`make serve`: the preview server rebuilds on a content change and the open page reloads by
itself; a broken edit shows its errors on the open page, which stays as it was."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError, expect

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    def __init__(self, root: Path, port: int, proc: subprocess.Popen):
        self.root, self.port, self.proc, self.lines = root, port, proc, []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def output(self) -> str:
        return "".join(self.lines)


def serve(root: Path):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "site_builder", "serve", "--root", str(root), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO)
    s = Served(root, port, proc)
    try:
        deadline = time.time() + 120
        while time.time() < deadline and "serving " not in s.output():
            assert proc.poll() is None, s.output()
            time.sleep(0.1)
        yield s
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        print(s.output())  # shown by pytest when the test fails


@pytest.fixture
def served(tmp_path):
    root = tmp_path / "site"
    shutil.copytree(REPO / "tests/sites/mini", root)
    shutil.copytree(REPO / "themes", root / "themes")
    yield from serve(root)


def open_lesson(page, served: Served):
    page.goto(served.url("second.html"))
    page.wait_for_selector("html[data-ready=true]")
    expect(page.locator(".lesson-body p").first).to_contain_text("Code keeps its dollars")
    # Gone once the page reloads: proves the page reloaded itself, not that the test reloaded it.
    page.evaluate("window.__before_edit = true")


def test_edit_rebuilds_and_reloads(page, served):
    open_lesson(page, served)
    lesson = served.root / "content/lessons/02-second.md"
    lesson.write_text(lesson.read_text().replace("Code keeps its dollars", "Edited while serving"))
    expect(page.locator(".lesson-body p").first).to_contain_text("Edited while serving", timeout=30_000)
    assert page.evaluate("window.__before_edit") is None
    assert page.page_errors == []
    # build/ itself holds no reload script and its CSP is the built one: only the served copy
    # has them.
    built = (served.root / "build/second.html").read_text()
    assert "Edited while serving" in built
    assert "__events" not in built and "connect-src" not in built
    assert "rebuilt in" in served.output()


def test_bad_edit_shows_errors_and_keeps_the_last_good_page(page, served):
    open_lesson(page, served)
    lesson = served.root / "content/lessons/02-second.md"
    good = lesson.read_text()
    before = (served.root / "build/second.html").read_bytes()
    bad = good.replace("{{ tiny.W1[0,0] @last :.5f }}", "{{ tiny.W9[0,0] @last :.5f }}")
    assert bad != good
    line = next(i for i, text in enumerate(bad.split("\n"), 1) if "tiny.W9" in text)
    lesson.write_text(bad)

    banner = page.get_by_role("alert")
    expect(banner).to_contain_text(f"02-second.md:{line}:", timeout=30_000)
    expect(banner).to_contain_text("W9")
    # The page stays the last good build: same text, not reloaded; build/ untouched.
    expect(page.locator(".lesson-body p").first).to_contain_text("Code keeps its dollars")
    assert page.evaluate("window.__before_edit") is True
    assert (served.root / "build/second.html").read_bytes() == before
    assert f"02-second.md:{line}:" in served.output() and "still serving the last good build" in served.output()
    # A page opened now is the last good build, with the errors shown too.
    other = page.context.new_page()
    other.goto(served.url("second.html"))
    expect(other.locator(".lesson-body p").first).to_contain_text("Code keeps its dollars")
    expect(other.get_by_role("alert")).to_contain_text(f"02-second.md:{line}:")
    other.close()

    # Fixed: the page reloads by itself with the new text and no banner.
    lesson.write_text(good.replace("Code keeps its dollars", "Fixed while serving"))
    expect(page.locator(".lesson-body p").first).to_contain_text("Fixed while serving", timeout=30_000)
    expect(page.get_by_role("alert")).to_have_count(0)
    assert page.page_errors == []


def reloaded(page):
    """True once the page has reloaded (the mark set before the edit is gone); None while it
    is between documents."""
    try:
        return page.evaluate("window.__before_edit") is None
    except PlaywrightError:
        return None


def test_a_change_to_a_site_widget_module_rebuilds_with_the_new_code(page, tmp_path):
    """Python is imported once per process: a changed widget module is built by a fresh one."""
    root = tmp_path / "site"
    shutil.copytree(REPO / "themes", root / "themes")
    shutil.copytree(REPO / "tests/sites/widget-example", root, dirs_exist_ok=True)
    for served in serve(root):
        page.goto(served.url("two-widgets.html"))
        page.wait_for_selector("html[data-ready=true]")
        page.evaluate("window.__before_edit = true")
        module = root / "widgets/final_loss.py"
        module.write_text(module.read_text().replace('f"After {tr.epochs[-1]:g} epochs', 'f"Once {tr.epochs[-1]:g} epochs'))
        deadline = time.time() + 60
        while time.time() < deadline and reloaded(page) is not True:
            time.sleep(0.1)
        page.wait_for_selector("html[data-ready=true]")
        assert reloaded(page) is True
        assert "fresh process" in served.output()
        # The static sentence (the page's script rewrites it from the trace) comes from the new code.
        assert "Once 12 epochs the loss is" in (root / "build/two-widgets.html").read_text()
        assert page.page_errors == []
