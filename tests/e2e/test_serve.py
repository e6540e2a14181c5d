"""`make serve`: the preview server rebuilds on a content change and the open page reloads."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import expect

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_edit_rebuilds_and_reloads(page, tmp_path):
    root = tmp_path / "site"
    shutil.copytree(REPO / "tests/sites/mini", root)
    shutil.copytree(REPO / "themes", root / "themes")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "site_builder", "serve", "--root", str(root), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        page.goto(f"http://127.0.0.1:{port}/second.html")
        page.wait_for_selector("html[data-ready=true]")
        para = page.locator(".lesson-body p").first
        expect(para).to_contain_text("Code keeps its dollars")
        lesson = root / "content/lessons/02-second.md"
        lesson.write_text(lesson.read_text().replace("Code keeps its dollars", "Edited while serving"))
        expect(page.locator(".lesson-body p").first).to_contain_text("Edited while serving", timeout=30_000)
        assert page.page_errors == []
        # build/ itself holds no reload script: only the served copy does.
        assert "__version" not in (root / "build/second.html").read_text()
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
        print(out)  # shown by pytest when the test fails
