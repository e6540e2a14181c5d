"""The Player's live mode: 10,000 steps of a 2-8-1 network on 100 points trained in the page
by nn.js while a decision map redraws every frame, ending on the same loss as plain numpy
doing the same training. (The longest main-thread task is a speed figure: `make bench`,
benchmarks/live.py, prints it.)"""
from __future__ import annotations

import pytest

from live_harness import numpy_loss_after, open_page, run_live


def test_ten_thousand_live_steps_while_drawing(page):
    open_page(page)
    got = run_live(page, 10_000)
    assert got["steps"] == 10_000 and got["index"] == 10_000  # the Player counted every step
    assert got["playing"] is False                             # and stopped at the cap
    assert got["frames"] >= 2                                  # the map was redrawn as it went
    assert got["loss"] == pytest.approx(numpy_loss_after(10_000), rel=1e-9)
    assert page.page_errors == []
