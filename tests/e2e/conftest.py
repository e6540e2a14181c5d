"""Before any browser test module is collected, build/ is brought up to date (a no-op build
says "up to date" in a few milliseconds): test_pages.py and others list the built pages when
they are collected, so a missing or stale build/ would silently check fewer or older pages."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def pytest_configure(config):
    subprocess.run([sys.executable, "-m", "site_builder", "build", "--quiet"], cwd=ROOT, check=True)
