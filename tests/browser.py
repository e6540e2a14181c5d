"""Find a Chromium for Playwright, or install one.

Order: a system Chromium/Chrome on PATH (Debian's `chromium`, Chrome, ...); then, when we are
root on a Debian-like system, `apt-get install -y chromium`; then Playwright's own browser
(`python -m playwright install chromium`), which is what a laptop or GitHub Actions uses.

`find_chromium()` returns an executable path, or None to mean "use Playwright's bundled one".
Run as a script with `--ensure` (the Makefile does) to install when nothing is found.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

CANDIDATES = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
)

# Flags every launch uses: headless on a machine with no network but localhost, and as root.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_system_chromium() -> str | None:
    override = os.environ.get("CHROMIUM_PATH")
    if override:
        return override
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def playwright_has_browser() -> bool:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return False
    with sync_playwright() as p:
        return os.path.exists(p.chromium.executable_path)


def find_chromium() -> str | None:
    """Executable to pass as executable_path, or None for Playwright's own browser."""
    return find_system_chromium()


def ensure() -> int:
    if find_system_chromium():
        print(f"browser: {find_system_chromium()}")
        return 0
    if playwright_has_browser():
        print("browser: Playwright's own chromium")
        return 0
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("browser: installing Debian's chromium with apt-get")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env)
        if find_system_chromium():
            return 0
    print("browser: installing Playwright's chromium")
    subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"], check=True)
    return 0


if __name__ == "__main__":
    if "--ensure" in sys.argv:
        sys.exit(ensure())
    print(find_chromium() or "playwright-bundled")
