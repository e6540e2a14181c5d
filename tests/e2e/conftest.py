"""Before any browser test module is collected, build/ is brought up to date (a no-op build
says "up to date" in a few milliseconds): test_pages.py and others list the built pages when
they are collected, so a missing or stale build/ would silently check fewer or older pages.

Under pytest-xdist (`make test` runs the tests in parallel) the controller does this in the
root conftest before any worker starts, and the workers only read build/: two builds of one
site at once would race for its staging folder."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def pytest_configure(config):
    if hasattr(config, "workerinput"):  # an xdist worker: the controller has built already
        return
    subprocess.run([sys.executable, "-m", "site_builder", "build", "--quiet"], cwd=ROOT, check=True)
