"""The XOR lesson's circuit, driven as a learner would (keys and clicks). Every expected number
comes from plain numpy training written here: a 2-2-1 sigmoid network, squared error summed
over the four XOR cases, full-batch gradient descent from the engine's seeded starts."""
from __future__ import annotations

import re

import numpy as np
import pytest
import yaml
from playwright.sync_api import expect

from site_builder import engine

from conftest import ROOT

SCENARIO = yaml.safe_load((ROOT / "content/scenarios/xor-brains.yaml").read_text())
X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
T = np.array([[0.0], [1.0], [1.0], [0.0]])
NET = engine.NetSpec((2, 2, 1), ("sigmoid", "sigmoid"))
EPOCHS = SCENARIO["train"]["epochs"]
def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def run(eta, seed, epochs=EPOCHS):
    """Per epoch: the nine parameters, the loss and the gradients at them."""
    p = engine.init_params(NET, engine.InitSpec(scheme="uniform", scale=1.0), seed)
    W1, b1, W2, b2 = (p[k].copy() for k in ("W1", "b1", "W2", "b2"))
    out = []
    with np.errstate(over="ignore"):
        for _ in range(epochs + 1):
            h = sig(X @ W1.T + b1); o = sig(h @ W2.T + b2)
            d2 = (o - T) * o * (1 - o); d1 = (d2 @ W2) * h * (1 - h)
            g = {"W1": d1.T @ X, "b1": d1.sum(0), "W2": d2.T @ h, "b2": d2.sum(0)}
            out.append({"W1": W1, "b1": b1, "W2": W2, "b2": b2, "loss": 0.5 * ((T - o) ** 2).sum(), "o": o[:, 0],
                        "h": h, "grads": g})
            W1, b1, W2, b2 = W1 - eta * g["W1"], b1 - eta * g["b1"], W2 - eta * g["W2"], b2 - eta * g["b2"]
    return out


def num(text):
    return float(text.replace("−", "-").replace("+", ""))


@pytest.fixture
def fig(page, site_url):
    page.goto(site_url("xor-network.html"))
    page.wait_for_selector("html[data-ready=true]")
    return page.locator("figure[data-widget=xor-circuit]")


def readout(fig, name):
    return fig.locator(f'[data-readout="{name}"]').inner_text()


def wire_values(fig):
    labels = fig.locator(".xc-wlabel").all_text_contents()
    return [num(t.split(" ")[1]) for t in labels]  # "w₁ +0.02" -> 0.02, in the order w1..w6


def test_train_to_the_end_then_reset(fig, page):
    nice = run(2.0, 1)
    page.keyboard.press("Tab")
    fig.locator("svg.xc-circuit").focus()
    page.keyboard.press("t")  # Train
    expect(fig).to_have_attribute("data-step", str(EPOCHS), timeout=30_000)
    assert readout(fig, "correct") == "4"
    assert num(readout(fig, "loss")) == pytest.approx(nice[-1]["loss"], abs=6e-5)
    assert "Solved" in readout(fig, "status")
    assert fig.get_by_role("button", name="Train").get_attribute("aria-pressed") == "false"
    page.keyboard.press("r")  # Reset
    assert fig.get_attribute("data-step") == "0"
    assert num(readout(fig, "loss")) == pytest.approx(nice[0]["loss"], abs=6e-5)
    assert fig.get_by_role("button", name="Reset").get_attribute("aria-disabled") == "true"


def test_new_brain_is_the_next_recorded_start(fig, page):
    fig.locator("svg.xc-circuit").focus()
    seeds = SCENARIO["sweep"]["seeds"]
    for seed in seeds[1:] + seeds[:1]:
        page.keyboard.press("n")
        start = run(2.0, seed, epochs=0)[0]
        assert fig.get_attribute("data-seed") == str(seed)
        want = [start["W1"][0, 0], start["W1"][0, 1], start["W1"][1, 0], start["W1"][1, 1], start["W2"][0, 0], start["W2"][0, 1]]
        assert wire_values(fig) == pytest.approx(want, abs=0.0051)
        assert num(readout(fig, "loss")) == pytest.approx(start["loss"], abs=6e-5)


def test_one_step_shows_the_gradients_that_made_it(fig, page):
    first = run(2.0, 1, epochs=1)
    fig.locator("svg.xc-circuit").focus()
    page.keyboard.press("s")
    expect(fig).to_have_attribute("data-step", "1", timeout=10_000)
    expect(fig.locator(".xc-narration")).to_contain_text("Step done", timeout=10_000)
    g = first[0]["grads"]
    want = [g["W1"][0, 0], g["W1"][0, 1], g["W1"][1, 0], g["W1"][1, 1], g["W2"][0, 0], g["W2"][0, 1]]
    texts = fig.locator(".xc-glabel").all_text_contents()
    for text, g_want in zip(texts, want):  # each agrees to half a unit of its last shown decimal
        decimals = len(text.split(".")[1])
        assert num(text) == pytest.approx(g_want, abs=0.5 * 10 ** -decimals + 1e-12), (text, g_want)
        assert "e" not in text  # plain decimals, no e-notation
    assert num(readout(fig, "loss")) == pytest.approx(first[1]["loss"], abs=6e-5)
    # Wires now carry the updated weights w - 2 * gradient.
    W1, W2 = first[1]["W1"], first[1]["W2"]
    assert wire_values(fig) == pytest.approx([W1[0, 0], W1[0, 1], W1[1, 0], W1[1, 1], W2[0, 0], W2[0, 1]], abs=0.0051)


def test_slow_mode_says_each_part_and_waits(fig, page):
    start = run(2.0, 1, epochs=0)[0]
    fig.get_by_label("Explain each step, one part at a time").check()
    step = fig.get_by_role("button", name="Step", exact=True)
    said = []
    for _ in range(5):
        step.click()
        said.append(fig.locator(".xc-narration").inner_text())
        if len(said) < 5:
            assert fig.get_attribute("data-step") == "0"  # it waits for the learner
    assert [s.split(":")[0] for s in said] == ["Forward", "Error", "Blame", "Gradients", "Update"]
    assert fig.locator(".xc-narration").get_attribute("aria-live") == "polite"
    # The forward sentence has the case (1, 0) and its hidden values and guess.
    h, o = start["h"][2], start["o"][2]
    assert f"h₁ = {h[0]:.3f}" in said[0] and f"h₂ = {h[1]:.3f}" in said[0] and f"guesses {o:.3f}" in said[0]
    assert fig.get_attribute("data-step") == "1"


def test_presets_say_what_the_runs_did(fig):
    fig.get_by_role("button", name="Too big").click()
    big = run(60.0, 1)
    fig.locator("svg.xc-circuit").focus()
    fig.page.keyboard.press("End")
    assert fig.get_attribute("data-step") == str(EPOCHS)
    assert num(readout(fig, "loss")) == pytest.approx(big[-1]["loss"], abs=6e-5) and big[-1]["loss"] > 0.2
    assert min(r["loss"] for r in big[5:]) > 0.2  # it never recovers
    status = readout(fig, "status")
    # The saturated units are named: those whose slope o(1 - o) is below 1e-4 on every case.
    h, o = big[-1]["h"], big[-1]["o"]
    named = [n for n, a in (("h1", h[:, 0]), ("h2", h[:, 1]), ("the output", o)) if (a * (1 - a) < 1e-4).all()]
    assert named and status.startswith("Stuck: " + " and ".join(named))
    fig.get_by_role("button", name="Stuck in a valley").click()
    valley = run(2.0, 4)
    fig.page.keyboard.press("End")
    assert num(readout(fig, "loss")) == pytest.approx(valley[-1]["loss"], abs=6e-5)
    assert readout(fig, "correct") == str(int(((valley[-1]["o"] >= 0.5) == (T[:, 0] >= 0.5)).sum())) != "4"
    assert "valley" in readout(fig, "status")


def test_the_map_agrees_with_the_table(fig, page):
    fig.locator("svg.xc-circuit").focus()
    for key in ("End", "Home"):
        page.keyboard.press(key)
        shown = [num(t.split(" ")[0]) for t in fig.locator("[data-out]").all_inner_texts()]
        corners = [float(v) for v in fig.locator("canvas.xc-map").get_attribute("data-corners").split()]
        assert corners == pytest.approx(shown, abs=6e-4)
        # The colour beside each dot is on the side of the answer: blue for >= 0.5, sand below.
        sides = fig.locator("canvas.xc-map").evaluate("""c => { const ctx = c.getContext('2d'), S = c.width;
            return [[0, 0], [0, 1], [1, 0], [1, 1]].map(([x, y]) => {
              const px = (x + 0.25) / 1.5 * S + (x ? 12 : -12), py = S - (y + 0.25) / 1.5 * S + (y ? -12 : 12);
              const d = ctx.getImageData(px, py, 1, 1).data; return d[0] < 171 ? 'blue' : 'sand'; }); }""")
        for value, side in zip(corners, sides):
            if abs(value - 0.5) > 0.1:
                assert side == ("blue" if value >= 0.5 else "sand"), (key, corners, sides)


def test_a_rate_between_the_recorded_ones_trains_live(fig, page):
    slider = fig.get_by_role("slider")
    slider.focus()
    page.keyboard.press("ArrowRight")  # from 2 to 4: not recorded
    assert fig.get_attribute("data-eta") == "4"
    assert "trains the same start itself" in fig.locator(".xc-rate-note").inner_text()
    live = run(4.0, 1)
    fig.locator("svg.xc-circuit").focus()
    page.keyboard.press("End")
    assert num(readout(fig, "loss")) == pytest.approx(live[-1]["loss"], abs=6e-5)
    assert readout(fig, "rate") == "4 (live)"


def test_reduced_motion_skips_the_dots_and_updates_at_once(browser, site_url):
    ctx = browser.new_context(reduced_motion="reduce")
    page = ctx.new_page()
    page.goto(site_url("xor-network.html"))
    page.wait_for_selector("html[data-ready=true]")
    fig = page.locator("figure[data-widget=xor-circuit]")
    first = run(2.0, 1, epochs=1)
    fig.get_by_role("button", name="Step", exact=True).click()
    assert fig.get_attribute("data-step") == "1"  # no waiting for an animation
    assert fig.locator(".xc-dot").count() == 0
    assert num(readout(fig, "loss")) == pytest.approx(first[1]["loss"], abs=6e-5)
    assert "Step done" in fig.locator(".xc-narration").inner_text()
    ctx.close()


def test_state_lives_in_the_url(fig, page):
    fig.get_by_role("button", name="Too slow").click()
    fig.locator("svg.xc-circuit").focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(50)
    expect(fig).to_have_attribute("data-step", re.compile(r"^[1-3]$"), timeout=10_000)
    page.keyboard.press("End")
    page.wait_for_url(re.compile(r"#w1\.rate=0\.1&w1\.seed=1&w1\.step=1000$"))
    page.reload()
    page.wait_for_selector("html[data-ready=true]")
    assert fig.get_attribute("data-eta") == "0.1" and fig.get_attribute("data-step") == str(EPOCHS)


def test_a_link_followed_just_after_a_step_wins_over_the_steps_pending_save(browser, site_url):
    # A step asks for its state to be written to the address 150 ms later. If the address
    # changes this figure's state first (a link followed; its hashchange may not have been
    # handled yet when the timer runs), the older state must not be written over it.
    ctx = browser.new_context(reduced_motion="reduce")  # the step lands at once, its save pending
    page = ctx.new_page()
    page.goto(site_url("xor-network.html"))
    page.wait_for_selector("html[data-ready=true]")
    fig = page.locator("figure[data-widget=xor-circuit]")
    page.evaluate("""() => {
        document.querySelector('figure[data-widget=xor-circuit] [data-action=step]').click();
        history.replaceState(null, '', '#w1.rate=2&w1.seed=1&w1.step=500');
    }""")
    assert fig.get_attribute("data-step") == "1"
    page.wait_for_timeout(400)
    assert page.evaluate("location.hash") == "#w1.rate=2&w1.seed=1&w1.step=500"
    # Without a link in between, the step's own save lands as before.
    page.evaluate("history.replaceState(null, '', location.pathname)")
    fig.get_by_role("button", name="Step", exact=True).click()
    assert fig.get_attribute("data-step") == "2"
    page.wait_for_url(re.compile(r"#w1\.rate=2&w1\.seed=1&w1\.step=2$"))
    ctx.close()
