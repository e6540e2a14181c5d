"""Shared fixtures: the built site and a real Chromium driven by Playwright.

The Makefile builds the site before the tests run; a direct pytest run brings build/ up to
date here (and in tests/e2e/conftest.py, before the page lists are collected). A browser that cannot be launched fails the e2e tests; it never skips."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser import LAUNCH_ARGS, find_chromium  # noqa: E402


def pytest_configure(config):
    """Under pytest-xdist the controller brings build/ up to date once, before its workers
    start (they collect tests/e2e, whose conftest would otherwise build in each at once)."""
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        subprocess.run([sys.executable, "-m", "site_builder", "build", "--quiet"], cwd=ROOT, check=True)


@pytest.fixture(scope="session")
def built_site() -> Path:
    """build/, brought up to date once per session (a no-op when it is: see site_builder/fresh.py)."""
    subprocess.run([sys.executable, "-m", "site_builder", "build", "--quiet"], cwd=ROOT, check=True)
    return BUILD


@pytest.fixture(scope="session")
def site_url(built_site):
    def url(name: str) -> str:
        return (built_site / name).as_uri()
    return url


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=find_chromium(), args=LAUNCH_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    """A page that records console messages and page errors; tests assert they are empty."""
    pg = context.new_page()
    pg.console_messages = []
    pg.page_errors = []
    pg.on("console", lambda m: pg.console_messages.append(f"{m.type}: {m.text}"))
    pg.on("pageerror", lambda e: pg.page_errors.append(str(e)))
    return pg
