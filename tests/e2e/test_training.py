"""The training lesson (06), driven by click and keyboard. Expected numbers come from plain
numpy training loops written here; only the seeded starting weights are taken from the
engine's init (so both start from the same place), the data from the site's generators."""
from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from site_builder import engine
from site_builder.datasets import moons, xor

ROOT = Path(__file__).resolve().parents[2]
LIVE = yaml.safe_load((ROOT / "content/scenarios/deep-live.yaml").read_text())
DEEP = yaml.safe_load((ROOT / "content/scenarios/deep-gradients.yaml").read_text())
PAGE = "training.html"


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


# --- the live network: a 2-3-1 sigmoid net, squared error summed, full-batch SGD -------------
def live_run():
    """params[k] after k steps (dict of arrays) and loss[k], for every step."""
    sizes = tuple(LIVE["network"]["sizes"])
    net = engine.NetSpec(sizes, ("sigmoid", "sigmoid"))
    init = LIVE["init"]
    p = engine.init_params(net, engine.InitSpec(scheme=init["scheme"], scale=init["scale"]), init["seed"])
    X, T = xor()
    eta = LIVE["train"]["learning_rate"]
    W1, b1, W2, b2 = p["W1"], p["b1"], p["W2"], p["b2"]
    params, losses, correct = [], [], []
    for _ in range(LIVE["train"]["steps"] + 1):
        h = sig(X @ W1.T + b1)
        o = sig(h @ W2.T + b2)
        params.append({"W1": W1.copy(), "b1": b1.copy(), "W2": W2.copy(), "b2": b2.copy()})
        losses.append(0.5 * ((T - o) ** 2).sum())
        correct.append(int(((o >= 0.5) == (T >= 0.5)).sum()))
        d2 = (o - T) * o * (1 - o)
        d1 = (d2 @ W2) * h * (1 - h)
        W2, b2 = W2 - eta * d2.T @ h, b2 - eta * d2.sum(0)
        W1, b1 = W1 - eta * d1.T @ X, b1 - eta * d1.sum(0)
    return params, losses, correct, X, T


PARAMS, LOSSES, CORRECT, LX, LT = live_run()
ORDER = [("W1", i, j) for i in range(3) for j in range(2)] + [("b1", i, None) for i in range(3)] + \
        [("W2", 0, j) for j in range(3)] + [("b2", 0, None)]


def value(k, name, i, j):
    a = PARAMS[k][name]
    return float(a[i, j] if j is not None else a[i])


def shown(text: str) -> float:
    return float(text.replace("−", "-"))


def four(v: float) -> str:
    return f"{v:.4f}".replace("-", "−")


def open_page(page, site_url, hash_=""):
    page.goto(site_url(PAGE) + hash_)
    page.wait_for_selector("html[data-ready=true]")
    return page.locator("figure[data-widget=live-network]"), page.locator("figure[data-widget=gradient-depth]")


def table_values(fig):
    return fig.locator(".ln-weights tbody td.ln-value").all_inner_texts()


def test_hundred_steps_shows_the_weights_of_step_100(page, site_url):
    fig, _ = open_page(page, site_url)
    assert table_values(fig) == [four(value(0, *r)) for r in ORDER]
    assert fig.locator('[data-readout="step"]').inner_text() == "0"
    # Record which rows get the brief highlight (it fades, so watch for it rather than look later).
    fig.evaluate("""f => { f._marked = new Set(); new MutationObserver(ms => ms.forEach(m => {
        if (m.target.classList.contains('is-changed')) f._marked.add(m.target.getAttribute('data-param')); }))
        .observe(f.querySelector('.ln-weights tbody'), {subtree: true, attributes: true, attributeFilter: ['class']}); }""")
    fig.get_by_role("button", name="100 steps").click()
    assert fig.get_attribute("data-step") == "100"
    assert fig.locator('[data-readout="step"]').inner_text() == "100"
    assert table_values(fig) == [four(value(100, *r)) for r in ORDER]
    assert shown(fig.locator('[data-readout="loss"]').inner_text()) == pytest.approx(LOSSES[100], abs=5e-5)
    assert fig.locator('[data-readout="correct"]').inner_text() == str(CORRECT[100])
    # The move is marked in each changed row by an arrow and the amount, not by colour alone.
    changes = fig.locator(".ln-weights tbody td.ln-change").all_inner_texts()
    for r, text in zip(ORDER, changes):
        d = value(100, *r) - value(0, *r)
        assert text == (("▲ +" if d > 0 else "▼ −") + f"{abs(d):.4f}"), (r, text)
    assert fig.evaluate("f => f._marked.size") == len(ORDER)
    # Once more: 200, then one Step to 201, then 100 steps stops at the last recorded step.
    fig.get_by_role("button", name="100 steps").click()
    fig.get_by_role("button", name="Step", exact=True).click()
    assert fig.get_attribute("data-step") == "201"
    assert table_values(fig) == [four(value(201, *r)) for r in ORDER]
    fig.get_by_role("button", name="100 steps").click()
    last = LIVE["train"]["steps"]
    assert fig.get_attribute("data-step") == str(last)
    assert table_values(fig) == [four(value(last, *r)) for r in ORDER]
    assert fig.get_by_role("button", name="100 steps").get_attribute("aria-disabled") == "true"
    assert not page.page_errors and not [m for m in page.console_messages if m.startswith("error")]


def test_the_drawing_shows_the_chosen_case_at_the_step_shown(page, site_url):
    fig, _ = open_page(page, site_url)
    fig.get_by_role("button", name="100 steps").click()
    for c in range(4):
        fig.get_by_label("Case shown").select_option(str(c))
        p = PARAMS[100]
        h = sig(LX[c] @ p["W1"].T + p["b1"])
        o = sig(h @ p["W2"].T + p["b2"])
        vals = fig.locator("svg.ln-net text.ln-val").evaluate_all("ts => ts.map(t => t.textContent)")
        assert vals[:2] == [f"{v:g}" for v in LX[c]]
        assert [shown(v) for v in vals[2:5]] == pytest.approx(list(h), abs=0.0051)
        assert shown(vals[5]) == pytest.approx(o[0], abs=0.0051)
        assert vals[6] == f"{LT[c, 0]:g}"  # the right answer, the dashed circle
        status = fig.locator(".ln-status")
        assert status.get_attribute("aria-live") == "polite"
        expect = f"For inputs ({LX[c, 0]:g}, {LX[c, 1]:g}) the network says {o[0]:.2f}".replace("-", "−")
        page.wait_for_function("([el, t]) => el.textContent.indexOf(t) >= 0", arg=[status.element_handle(), expect])
    # Choosing a case changes no weight: the table keeps the marks of the last move.
    changes = fig.locator(".ln-weights tbody td.ln-change").all_inner_texts()
    assert changes[0] == ("▲ +" if value(100, "W1", 0, 0) > value(0, "W1", 0, 0) else "▼ −") + \
        f"{abs(value(100, 'W1', 0, 0) - value(0, 'W1', 0, 0)):.4f}"
    # Wires carry the sign as a dash, not by colour alone: negative weights are dashed.
    classes = fig.locator("svg.ln-net line.ln-wire").evaluate_all("ls => ls.map(l => l.getAttribute('class'))")
    signs = [value(100, "W1", i, j) for i in range(3) for j in range(2)] + [value(100, "W2", 0, j) for j in range(3)]
    assert [("is-neg" in c) for c in classes] == [v < 0 for v in signs]


def test_live_network_by_keyboard_and_url(page, site_url):
    fig, _ = open_page(page, site_url)
    net = fig.locator("svg.ln-net")
    net.focus()
    page.keyboard.press("h")
    assert fig.get_attribute("data-step") == "100"
    page.keyboard.press("s")
    page.keyboard.press("ArrowRight")
    assert fig.get_attribute("data-step") == "102"
    page.keyboard.press("ArrowLeft")
    assert fig.get_attribute("data-step") == "101"
    assert table_values(fig) == [four(value(101, *r)) for r in ORDER]
    page.wait_for_url(re.compile(r"#w1\.case=\d&w1\.step=101$|#w1\.step=101&w1\.case=\d$"))
    page.keyboard.press("r")
    assert fig.get_attribute("data-step") == "0"
    # A link to step 150 opens there.
    fig, _ = open_page(page, site_url, "#w1.step=150&w1.case=2")
    assert fig.get_attribute("data-step") == "150"
    assert table_values(fig) == [four(value(150, *r)) for r in ORDER]
    # The focused drawing shows a focus ring.
    net.focus()
    ring = page.evaluate("() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; }")
    assert ring


# --- the deep networks: gradient size per layer -------------------------------------------
def deep_run(depth, act, scale, steps):
    """||dW_l|| per layer after `steps` updates, and the loss, by a plain numpy loop."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # ReLU x3: totals in the hundreds
        return _deep_run(depth, act, scale, steps)


def _deep_run(depth, act, scale, steps):
    hidden = (8,) * (depth - 1)
    net = engine.NetSpec((2,) + hidden + (1,), (act,) * (depth - 1) + ("sigmoid",),
                         loss="binary_cross_entropy", reduction="mean")
    init = DEEP["init"]
    p = engine.init_params(net, engine.InitSpec(scheme=init["scheme"], distribution=init["distribution"],
                                                scale=scale), init["seed"])
    data = DEEP["data"]
    X, T = moons(n=data["n"], noise=data["noise"], seed=data["seed"])
    Ws = [p[f"W{l}"] for l in range(1, depth + 1)]
    bs = [p[f"b{l}"] for l in range(1, depth + 1)]
    eta, n = DEEP["train"]["learning_rate"], len(X)
    for k in range(steps + 1):
        a, zs = [X], []
        for l in range(depth):
            z = a[-1] @ Ws[l].T + bs[l]
            zs.append(z)
            a.append(sig(z) if (l == depth - 1 or act == "sigmoid") else np.maximum(z, 0))
        o = a[-1]
        loss = float(np.mean(-(T * np.log(o) + (1 - T) * np.log(1 - o))))
        delta = (o - T) / n
        grads = [None] * depth
        for l in range(depth - 1, -1, -1):
            grads[l] = (delta.T @ a[l], delta.sum(0))
            if l:
                slope = a[l] * (1 - a[l]) if act == "sigmoid" else (zs[l - 1] > 0).astype(float)
                delta = (delta @ Ws[l]) * slope
        if k == steps:
            return [float(np.linalg.norm(g[0])) for g in grads], loss
        for l in range(depth):
            Ws[l] = Ws[l] - eta * grads[l][0]
            bs[l] = bs[l] - eta * grads[l][1]


def sci(v):
    e = math.floor(math.log10(abs(v)))
    if -2 <= e <= 2:
        return f"{v:.{max(0, 1 - e)}f}"
    m = round(v / 10 ** e, 1)
    if m >= 10:
        m, e = m / 10, e + 1
    return f"{m:.1f}×10" + str(e).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def bars(fig):
    rects = fig.locator("svg.gd-bars rect.gd-bar")
    vals = [float(v) for v in rects.evaluate_all("rs => rs.map(r => r.getAttribute('data-value'))")]
    tops = rects.evaluate_all("rs => rs.map(r => parseFloat(r.getAttribute('y')))")
    labels = fig.locator("svg.gd-bars text.gd-value").evaluate_all("ts => ts.map(t => t.textContent)")
    return vals, tops, labels


def test_sigmoid_bars_fall_toward_the_input_by_the_recorded_factor(page, site_url):
    _, fig = open_page(page, site_url)
    fig.locator("label", has_text="Sigmoid, He-sized weights").click()
    assert fig.get_attribute("data-depth") == "10" and fig.get_attribute("data-step") == "0"
    want, _ = deep_run(10, "sigmoid", 1.0, 0)
    vals, tops, labels = bars(fig)
    assert len(vals) == 10
    assert vals == pytest.approx(want, rel=1e-5)  # the page holds float32
    assert labels == [sci(v) for v in want]
    # The bars fall from the output layer to layer 1, and on the log scale the drop in height
    # is in proportion to log10 of the factor: check the shape against numpy's own ratios.
    assert all(a > b for a, b in zip(tops, tops[1:]))  # y grows downward: each bar left is lower
    factor = want[0] / want[-1]
    for k in (2, 5, 8):
        assert (tops[0] - tops[-1]) / (tops[0] - tops[k]) == pytest.approx(
            math.log10(want[-1] / want[0]) / math.log10(want[k] / want[0]), rel=1e-2)
    assert fig.locator('[data-readout="ratio"]').inner_text() == sci(factor)
    assert fig.locator('[data-readout="first"]').inner_text() == sci(want[0])
    assert fig.locator('[data-readout="last"]').inner_text() == sci(want[-1])
    assert factor < 1e-4  # vanished
    # The effect grows with depth: the depth slider by keyboard.
    slider = fig.get_by_label(re.compile("^Depth"))
    slider.focus()
    ratios = {10: factor}
    for depth in range(9, 1, -1):
        page.keyboard.press("ArrowLeft")
        assert fig.get_attribute("data-depth") == str(depth)
        want_d, _ = deep_run(depth, "sigmoid", 1.0, 0)
        vals, _, _ = bars(fig)
        assert vals == pytest.approx(want_d, rel=1e-5)
        ratios[depth] = want_d[0] / want_d[-1]
    assert ratios[2] > ratios[6] > ratios[10]


def test_other_set_ups_and_the_training_step(page, site_url):
    _, fig = open_page(page, site_url)
    # ReLU with He-sized weights: healthy, every layer within a factor 10 of the others.
    fig.locator("label", has_text="ReLU, He-sized weights").click()
    assert fig.get_attribute("data-setup") == "2"
    want, loss0 = deep_run(10, "relu", 1.0, 0)
    vals, _, _ = bars(fig)
    assert vals == pytest.approx(want, rel=1e-5)
    assert max(vals) / min(vals) < 10
    # The step: Step button, the key S from the chart, and the slider.
    fig.get_by_role("button", name="Step", exact=True).click()
    every = DEEP["record"]["then_every"]
    assert fig.get_attribute("data-step") == str(every)
    want, loss = deep_run(10, "relu", 1.0, every)
    vals, _, _ = bars(fig)
    assert vals == pytest.approx(want, rel=1e-4)
    assert shown(fig.locator('[data-readout="loss"]').inner_text()) == pytest.approx(loss, abs=6e-4)
    fig.locator("svg.gd-bars").focus()
    page.keyboard.press("s")
    assert fig.get_attribute("data-step") == str(2 * every)
    step = fig.get_by_label(re.compile("^Training step"))
    step.focus()
    page.keyboard.press("End")
    assert fig.get_attribute("data-step") == str(DEEP["train"]["steps"])
    # ReLU with weights x3: every gradient enormous next to the healthy set-up's.
    page.keyboard.press("Home")
    fig.locator("label", has_text="ReLU, weights ×3").click()
    big, _ = deep_run(10, "relu", 3.0, 0)
    vals, _, _ = bars(fig)
    assert vals == pytest.approx(big, rel=1e-5)
    healthy, _ = deep_run(10, "relu", 1.0, 0)
    assert min(big) > 1000 * max(healthy)
    page.wait_for_url(re.compile(r"w2\.setup=3"))
    assert not page.page_errors


def test_without_javascript_the_static_figures_tell_the_story(browser, built_site):
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.goto((built_site / PAGE).as_uri())
    live = page.locator("figure[data-widget=live-network]")
    deep = page.locator("figure[data-widget=gradient-depth]")
    for fig in (live, deep):
        assert fig.locator(".static-fallback svg.static-figure").is_visible()
        assert not fig.locator(".widget-live").is_visible()
        assert fig.get_by_role("button").count() == 0 or not fig.get_by_role("button").first.is_visible()
    last = LIVE["train"]["steps"]
    cells = live.locator(".ln-table tbody tr").evaluate_all("rs => rs.map(r => Array.from(r.cells).map(c => c.textContent))")
    assert [c[1] for c in cells] == [four(value(0, *r)) for r in ORDER]
    assert [c[2] for c in cells] == [four(value(last, *r)) for r in ORDER]
    head = deep.locator(".gd-table thead th").all_inner_texts()
    assert head[1] == "Sigmoid, He-sized weights"
    rows = deep.locator(".gd-table tbody tr").evaluate_all("rs => rs.map(r => Array.from(r.cells).map(c => c.textContent))")
    assert [r[0] for r in rows[:-1]] == [str(d) for d in range(2, 11)]
    assert rows[0][1] == sci(deep_run(2, "sigmoid", 1.0, 0)[0][0])
    assert rows[-2][1] == sci(deep_run(10, "sigmoid", 1.0, 0)[0][0])
    assert rows[-2][3] == sci(deep_run(10, "relu", 1.0, 0)[0][0])
    assert float(rows[-1][3]) == pytest.approx(deep_run(10, "relu", 1.0, DEEP["train"]["steps"])[1], abs=6e-4)
    label = deep.locator("svg.static-figure").get_attribute("aria-label")
    assert "layer 1 " + sci(deep_run(10, "sigmoid", 1.0, 0)[0][0]) in label
    ctx.close()
