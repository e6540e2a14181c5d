"""The site's own widget from docs/adding-a-widget.md runs in the page: its script finds the
union of trace fields it asked for and rewrites its sentence from them."""
from __future__ import annotations

import shutil
from pathlib import Path

from site_builder import build as build_mod

REPO = Path(__file__).resolve().parents[2]


def test_example_widget_runs_in_the_page(tmp_path, page):
    root = tmp_path / "site"
    shutil.copytree(REPO / "themes", root / "themes")
    shutil.copytree(REPO / "tests" / "sites" / "widget-example", root, dirs_exist_ok=True)
    build_mod.build(root)
    page.goto((root / "build" / "two-widgets.html").as_uri())
    page.wait_for_selector("html[data-ready=true]")
    fig = page.locator("figure[data-widget=final-loss]")
    assert fig.get_attribute("data-enhanced") == "true" and fig.get_attribute("data-live") == "true"
    w = 0.5
    for _ in range(12):  # w <- w - eta * dE/dw, E = 1/2 sum (t - w x)^2 on x = 1, 2 and t = 2, 4
        w -= 0.05 * ((w * 1 - 2) * 1 + (w * 2 - 4) * 2)
    loss = 0.5 * ((2 - w) ** 2 + (4 - 2 * w) ** 2)
    assert fig.locator(".fl-text").inner_text() == f"From the page's trace: after 12 epochs the loss is {loss:.6f}."
    assert page.console_messages == [] and page.page_errors == []
