"""The learning-rate lesson, driven by click and keyboard. Expected figures come from a plain
numpy XOR training loop written here (only the seeded initial weights are taken from the
engine's init, so both start from the same place)."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from site_builder import engine

SCENARIO = yaml.safe_load((Path(__file__).resolve().parents[2] / "content/scenarios/xor-learning-rates.yaml").read_text())
X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
T = np.array([[0.0], [1.0], [1.0], [0.0]])


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def expected():
    """Per learning rate: starts that get all four right, median final loss, saturated starts."""
    net = engine.NetSpec((2, 2, 1), ("sigmoid", "sigmoid"))
    init = engine.InitSpec(scheme="uniform", scale=1.0)
    out = {}
    for eta in SCENARIO["sweep"]["learning_rates"]:
        solved, finals, saturated, outputs = 0, [], 0, []
        for seed in SCENARIO["sweep"]["seeds"]:
            p = engine.init_params(net, init, seed)
            W1, b1, W2, b2 = p["W1"], p["b1"], p["W2"], p["b2"]
            with np.errstate(over="ignore"):
                for _ in range(SCENARIO["train"]["epochs"]):
                    h = sig(X @ W1.T + b1); o = sig(h @ W2.T + b2)
                    d2 = (o - T) * o * (1 - o); d1 = (d2 @ W2) * h * (1 - h)
                    W2 = W2 - eta * d2.T @ h; b2 = b2 - eta * d2.sum(0)
                    W1 = W1 - eta * d1.T @ X; b1 = b1 - eta * d1.sum(0)
                h = sig(X @ W1.T + b1); o = sig(h @ W2.T + b2)
            finals.append(0.5 * ((T - o) ** 2).sum())
            outputs.append(o[:, 0])
            solved += int(((o >= 0.5) == (T >= 0.5)).all())
            slopes = [h * (1 - h), o * (1 - o)]
            saturated += int(any((s < 1e-4).all(axis=0).any() for s in slopes))
        out[eta] = (solved, float(np.median(finals)), saturated)
        OUTPUTS[eta] = outputs
    return out


OUTPUTS: dict = {}  # eta -> each start's final outputs on the four inputs


EXPECTED = expected()


def test_every_rate_by_click_and_key(page, site_url):
    page.goto(site_url("learning-rates.html"))
    page.wait_for_selector("html[data-ready=true]")
    fig = page.locator("figure[data-widget=learning-rates]")
    etas = SCENARIO["sweep"]["learning_rates"]
    radios = fig.locator(".lr-choice").get_by_role("radio")
    assert radios.count() == len(etas)

    def check(eta):
        solved, med, sat = EXPECTED[eta]
        assert fig.get_attribute("data-eta") == f"{eta:g}"
        assert fig.locator('[data-readout="solved"]').inner_text() == f"{solved} of 8"
        assert float(fig.locator('[data-readout="median"]').inner_text()) == pytest.approx(med, abs=6e-5)
        assert fig.locator('[data-readout="saturated"]').inner_text() == f"{sat} of 8"
        return fig.locator('[data-readout="verdict"]').inner_text()

    verdicts = {}
    radios.nth(0).click()
    verdicts[etas[0]] = check(etas[0])
    for k in range(1, len(etas)):  # the rest by keyboard: arrows move within the radio group
        page.keyboard.press("ArrowRight")
        verdicts[etas[k]] = check(etas[k])
    assert "Too small" in verdicts[etas[0]]
    assert "Too large" in verdicts[etas[-1]]
    assert all("learns" in verdicts[e] for e in etas[1:-1])
    assert fig.locator('[data-readout="verdict"]').get_attribute("aria-live") == "polite"
    # The focused pill shows a focus ring (on the radio that fills it).
    ring = page.evaluate("() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; }")
    assert ring
    # The prose quotes the same run the widget draws.
    text = page.locator("main").inner_text()
    assert "Too small" in text and "Too large" in text


def test_keys_work_from_the_chart_and_the_rate_lives_in_the_url(page, site_url):
    page.goto(site_url("learning-rates.html"))
    page.wait_for_selector("html[data-ready=true]")
    fig = page.locator("figure[data-widget=learning-rates]")
    etas = SCENARIO["sweep"]["learning_rates"]
    chart = fig.locator("svg.lr-chart")
    start = fig.get_attribute("data-eta")
    k = [f"{e:g}" for e in etas].index(start)
    page.locator("main h1").focus()
    for _ in range(40):  # Tab until the chart has focus: it is in the tab order
        page.keyboard.press("Tab")
        if chart.evaluate("e => e === document.activeElement"):
            break
    assert chart.evaluate("e => e === document.activeElement")
    page.keyboard.press("ArrowRight")
    assert fig.get_attribute("data-eta") == f"{etas[k + 1]:g}"
    solved, _, _ = EXPECTED[etas[k + 1]]
    assert fig.locator('[data-readout="solved"]').inner_text() == f"{solved} of 8"
    assert fig.locator(".lr-choice").get_by_role("radio").nth(k + 1).is_checked()
    page.wait_for_url(re.compile(rf"#w1\.eta={etas[k + 1]:g}$"))
    # A teacher's link to the largest rate opens there.
    page.goto(page.url.split("#")[0] + f"#w1.eta={etas[-1]:g}")
    page.reload()
    page.wait_for_selector("html[data-ready=true]")
    assert fig.get_attribute("data-eta") == f"{etas[-1]:g}"
    assert fig.locator(".lr-choice").get_by_role("radio").nth(len(etas) - 1).is_checked()
    assert "Too large" in fig.locator('[data-readout="verdict"]').inner_text()


def test_decision_maps_show_where_each_start_ends_up(page, site_url):
    page.goto(site_url("learning-rates.html"))
    page.wait_for_selector("html[data-ready=true]")
    fig = page.locator("figure[data-widget=learning-rates]")
    for k, eta in enumerate(SCENARIO["sweep"]["learning_rates"]):
        fig.locator(".lr-choice").get_by_role("radio").nth(k).check()
        maps = fig.locator(".lr-maps > li")
        assert maps.count() == len(SCENARIO["sweep"]["seeds"])
        for j, o in enumerate(OUTPUTS[eta]):
            solved = bool(((o >= 0.5) == (T[:, 0] >= 0.5)).all())
            right = int(((o >= 0.5) == (T[:, 0] >= 0.5)).sum())
            label = maps.nth(j).locator(".lr-map-label").inner_text()
            # The verdict is in words, not colour alone.
            assert label == (f"Start {j + 1}\n✓ solved" if solved else f"Start {j + 1}\n✗ stuck, {right} of 4 right"), (eta, j)
            said = maps.nth(j).get_by_role("img").get_attribute("aria-label")
            answers = [float(v.replace("−", "-")) for v in re.findall(r"gives (−?\d+\.\d+)", said)]
            assert answers == pytest.approx(list(o), abs=0.0051), (eta, j, said)
    # The maps are drawn, not blank: a solved start at 0.5 has both colours on its canvas.
    fig.locator(".lr-choice").get_by_role("radio").nth(1).check()
    first_solved = next(j for j, o in enumerate(OUTPUTS[SCENARIO["sweep"]["learning_rates"][1]])
                        if ((o >= 0.5) == (T[:, 0] >= 0.5)).all())
    colours = fig.locator(".lr-maps canvas").nth(first_solved).evaluate("""c => {
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data, seen = new Set();
        for (let i = 0; i < d.length; i += 4 * 97) seen.add(d[i] > 200 ? "sand" : d[i] < 130 ? "blue" : "mid");
        return [...seen].sort(); }""")
    assert "blue" in colours and "sand" in colours
