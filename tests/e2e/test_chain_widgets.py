"""loss-moves, chain-rule, gradient-sum and grad-tree, driven by clicks and keys. The expected
numbers are computed here with numpy from the trace JSON in the page (its inputs, targets and
starting weights): a hand-written forward pass, backward pass and training loop, never the
page's own numbers. The fixture site is tests/sites/chain/ with the repository's theme and
content/scenarios/chain-*.yaml."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from site_builder import build as build_mod

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("chain") / "site"
    shutil.copytree(REPO / "themes", root / "themes")
    shutil.copytree(REPO / "tests" / "sites" / "chain", root, dirs_exist_ok=True)
    (root / "content" / "scenarios").mkdir(parents=True, exist_ok=True)
    for path in sorted((REPO / "content" / "scenarios").glob("chain-*.yaml")):
        shutil.copy(path, root / "content" / "scenarios")
    build_mod.build(root)
    return (root / "build" / "chain.html").as_uri()


def open_page(page, url):
    page.goto(url)
    page.wait_for_selector("html[data-ready=true]")
    for fig in page.locator("figure[data-widget]").all():
        assert fig.get_attribute("data-enhanced") == "true", fig.get_attribute("data-widget")


def trace_in_page(page, widget):
    """The page's own trace JSON for a widget, decoded by the page's decoder, as numpy."""
    doc = page.evaluate("(name) => BPE.traceFor(document.querySelector(`figure[data-widget=${name}]`))", widget)
    return doc


def arr(x):
    return np.asarray(x, dtype=np.float64)


def shown(text: str) -> float:
    return float(text.strip().replace("−", "-"))


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


# --- loss-moves --------------------------------------------------------------------------

def chain_net(page):
    run = trace_in_page(page, "loss-moves")["runs"][0]
    p = {k: arr(v[0]) for k, v in run["params"].items()}
    x, t = arr(run["X"])[0], arr(run["T"])[0]
    h = sig(p["W1"] @ x + p["b1"])
    o = sig(p["W2"] @ h + p["b2"])
    return run, p, x, t, h, o


def test_loss_moves_builds_the_loss_by_clicks_and_keys(site, page):
    open_page(page, site)
    fig = page.locator("figure[data-widget=loss-moves]")
    run, p, x, t, h, o = chain_net(page)
    err = o - t
    sq = err ** 2
    loss = 0.5 * sq.sum()
    assert abs(loss - run["loss"][0]) < 1e-12  # the hand forward pass is the engine's
    assert fig.get_attribute("data-move") == "0"
    cells = lambda name: [shown(c.split("(")[0]) for c in fig.locator(f"[data-cell={name}]").all_inner_texts()]  # noqa: E731
    assert cells("o") == [round(v, 4) for v in o]
    assert cells("t") == [round(v, 4) for v in t]
    assert not fig.locator("[data-cell=err]").first.is_visible()
    assert not fig.locator("[data-cell=loss]").is_visible()
    fig.get_by_role("button", name="Next").click()
    assert fig.get_attribute("data-move") == "1"
    assert fig.locator("[data-cell=err]").first.is_visible()
    assert cells("err") == [round(v, 4) for v in err]
    assert not fig.locator("[data-cell=sq]").first.is_visible()
    page.keyboard.press("ArrowRight")  # focus is on Next: the key works inside the figure
    assert fig.get_attribute("data-move") == "2"
    assert cells("sq") == [round(v, 4) for v in sq]
    page.keyboard.press("s")
    assert fig.get_attribute("data-move") == "3"
    assert shown(fig.locator("[data-cell=sum]").inner_text()) == round(sq.sum(), 4)
    assert shown(fig.locator("[data-cell=loss]").inner_text()) == round(loss, 4)
    assert f"{loss:.12f}" in fig.locator(".lm-moves > li:not([hidden])").inner_text()
    assert fig.get_by_role("button", name="Next").get_attribute("aria-disabled") == "true"
    page.wait_for_url(re.compile(r"#w1\.move=3$"))
    page.keyboard.press("ArrowLeft")
    assert fig.get_attribute("data-move") == "2"
    page.keyboard.press("Home")
    assert fig.get_attribute("data-move") == "0"
    assert fig.locator("[data-announce]").get_attribute("aria-live") == "polite"
    assert page.console_messages == [] and page.page_errors == []


# --- chain-rule --------------------------------------------------------------------------

def test_chain_rule_slopes_multiply_to_the_gradient_and_blame_walks_back(site, page):
    open_page(page, site)
    fig = page.locator("figure[data-widget=chain-rule]")
    run, p, x, t, h, o = chain_net(page)
    # One path: w = W2[0, 0] from h1 to o1.
    s1, s2, s3 = h[0], o[0] * (1 - o[0]), o[0] - t[0]
    slopes = [shown(fig.locator(f"[data-slope='{k}']").inner_text()) for k in (1, 2, 3)]
    assert slopes == [round(s1, 4), round(s2, 4), round(s3, 4)]
    product = s1 * s2 * s3
    assert shown(fig.locator("[data-readout=product]").inner_text()) == round(product, 6)
    assert shown(fig.locator("[data-readout=grad]").inner_text()) == round(product, 6)
    assert abs(run["grads"]["W2"][0][0][0] - product) < 1e-15
    # Blame: output deltas, then hidden deltas, by hand.
    d_out = (o - t) * o * (1 - o)
    d_hid = (d_out @ p["W2"]) * h * (1 - h)
    delta = lambda name: shown(fig.locator(f"[data-delta={name}]").inner_text())  # noqa: E731
    svg_delta = fig.locator(".cr-delta")
    assert fig.get_attribute("data-blamed") == "0"
    assert not fig.locator("[data-delta=o1]").is_visible() and not svg_delta.first.is_visible()
    back = fig.get_by_role("button", name="Step back")
    back.click()
    assert fig.get_attribute("data-blamed") == "1"
    assert [delta("o1"), delta("o2")] == [round(v, 4) for v in d_out]
    assert not fig.locator("[data-delta=h1]").is_visible()
    visible = [shown(e.text_content().replace("δ", "")) for e in svg_delta.all() if e.is_visible()]
    assert visible == [round(v, 4) for v in d_out]
    page.keyboard.press("ArrowLeft")  # the key for Step back
    assert fig.get_attribute("data-blamed") == "2"
    assert [delta(f"h{j + 1}") for j in range(3)] == [round(v, 4) for v in d_hid]
    visible = [shown(e.text_content().replace("δ", "")) for e in svg_delta.all() if e.is_visible()]
    assert sorted(visible) == sorted(round(v, 4) for v in [*d_hid, *d_out])
    assert back.get_attribute("aria-disabled") == "true"  # nothing left to walk back to
    page.keyboard.press("ArrowLeft")
    assert fig.get_attribute("data-blamed") == "2"
    page.wait_for_url(re.compile(r"w2\.at=0"))
    page.keyboard.press("s")  # Step: forward again, the hidden layer's blame is taken back
    assert fig.get_attribute("data-blamed") == "1"
    assert not fig.locator("[data-delta=h1]").is_visible()
    assert "δ" in fig.locator("[data-announce]").inner_text()
    assert page.console_messages == [] and page.page_errors == []


# --- gradient-sum ------------------------------------------------------------------------

def gs_grads(p, X, T, overwrite):
    """Backprop of E = 1/2 sum (t - o)^2 for the 2-2-2 sigmoid net, the bug optional."""
    h = sig(X @ p["W1"].T + p["b1"])
    o = sig(h @ p["W2"].T + p["b2"])
    d2 = (o - T) * o * (1 - o)
    back = np.outer(d2[:, -1], p["W2"][-1]) if overwrite else d2 @ p["W2"]
    d1 = back * h * (1 - h)
    return {"W1": d1.T @ X, "b1": d1.sum(0), "W2": d2.T @ h, "b2": d2.sum(0)}, o


def gs_loss(p, X, T):
    h = sig(X @ p["W1"].T + p["b1"])
    o = sig(h @ p["W2"].T + p["b2"])
    return 0.5 * ((o - T) ** 2).sum()


def gs_rel_error(p, X, T, overwrite):
    """The largest relative difference between backprop and central differences (h = 1e-5)."""
    g, _ = gs_grads(p, X, T, overwrite)
    E = gs_loss(p, X, T)
    worst = 0.0
    for name, v in p.items():
        for i in np.ndindex(v.shape):
            plus = {k: w.copy() for k, w in p.items()}
            minus = {k: w.copy() for k, w in p.items()}
            plus[name][i] += 1e-5
            minus[name][i] -= 1e-5
            n = (gs_loss(plus, X, T) - gs_loss(minus, X, T)) / 2e-5
            a = g[name][i]
            worst = max(worst, abs(a - n) / max(abs(a) + abs(n), 1e-5 * max(1.0, abs(E))))
    return worst


def gs_outputs(start, X, T, eta, steps, overwrite):
    """Outputs after every step 0..steps of full-batch gradient descent."""
    p = {k: v.copy() for k, v in start.items()}
    outs = []
    for _ in range(steps + 1):
        g, o = gs_grads(p, X, T, overwrite)
        outs.append(o)
        p = {k: p[k] - eta * g[k] for k in p}
    return outs


def test_gradient_sum_shows_the_failed_check_and_the_two_runs(site, page):
    open_page(page, site)
    fig = page.locator("figure[data-widget=gradient-sum]")
    doc = trace_in_page(page, "gradient-sum")
    members = [int(m) for m in fig.get_attribute("data-members").split()]
    runs = [doc["runs"][m] for m in members]
    assert [r["axes"]["gradient"] for r in runs] == ["sum", "overwrite"]
    X, T = arr(runs[0]["X"]), arr(runs[0]["T"])
    start = {k: arr(v) for k, v in runs[0]["start"].items()}
    assert all(np.array_equal(arr(runs[1]["start"][k]), start[k]) for k in start)  # the same start
    eta = runs[0]["eta"]
    steps = runs[0]["steps"]

    sides = fig.locator(".gs-run")
    for k, overwrite in enumerate((False, True)):
        rel = gs_rel_error(start, X, T, overwrite)
        check = sides.nth(k).locator(".gs-check")
        text = check.inner_text().replace("−", "-")
        shown_rel = float(re.search(r"differ by (\S+)", text).group(1))
        if overwrite:
            # Far from rounding noise, the engine's 4th-order differences and these agree closely.
            assert abs(float(check.get_attribute("data-check")) - rel) <= 1e-4 * rel
            assert rel > 1e-2 and "FAILED" in text and shown_rel == float(f"{rel:.1e}")
        else:
            assert rel < 1e-6 and float(check.get_attribute("data-check")) < 1e-6
            assert "passed" in text and "FAILED" not in text

    right_outs = gs_outputs(start, X, T, eta, steps[-1], False)
    wrong_outs = gs_outputs(start, X, T, eta, steps[-1], True)

    def check_step(index):
        step = steps[index]
        assert fig.get_attribute("data-step") == str(step)
        for k, outs in enumerate((right_outs, wrong_outs)):
            side = sides.nth(k)
            got = np.array([[shown(c) for c in row.locator("[data-out]").all_inner_texts()]
                            for row in side.locator("tbody tr").all()])
            assert np.all(np.abs(got - outs[step]) <= 0.0005 + 1e-6), (step, got, outs[step])
            right = int((np.abs(outs[step] - T) < 0.5).sum())
            assert side.get_attribute("data-right") == str(right)
            assert shown(side.locator("[data-readout=loss]").inner_text()) == pytest.approx(
                0.5 * ((outs[step] - T) ** 2).sum(), abs=0.00006)

    check_step(0)
    fig.get_by_role("button", name="Step", exact=True).click()
    check_step(1)
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    check_step(5)
    page.keyboard.press("End")
    check_step(len(steps) - 1)
    # The right run learns both answers; the overwritten one learns the wrong thing.
    assert sides.nth(0).get_attribute("data-right") == str(T.size)
    assert int(sides.nth(1).get_attribute("data-right")) < T.size
    page.wait_for_url(re.compile(rf"w3\.step={steps[-1]}"))
    page.keyboard.press("r")
    check_step(0)
    assert page.console_messages == [] and page.page_errors == []


# --- grad-tree ---------------------------------------------------------------------------

def tree_numbers(page):
    """Every root-to-leaf path's product, by hand: forward through the tanh layers, then the
    factors W[k, j] * tanh'(z_j) along each path; and the first layer's deltas by backprop."""
    run = trace_in_page(page, "grad-tree")["runs"][0]
    p = {k: arr(v[0]) for k, v in run["params"].items()}
    x, t = arr(run["X"])[0], arr(run["T"])[0]
    a = [x]
    for l in (1, 2, 3):
        a.append(np.tanh(p[f"W{l}"] @ a[-1] + p[f"b{l}"]))
    o = p["W4"] @ a[-1] + p["b4"]
    root = float(o[0] - t[0])  # linear output, E = 1/2 (o - t)^2
    slope = {l: 1 - a[l] ** 2 for l in (1, 2, 3)}
    leaves = []
    for c in range(2):
        for b in range(2):
            for a1 in range(2):
                f = [root, p["W4"][0, c] * slope[3][c], p["W3"][c, b] * slope[2][b], p["W2"][b, a1] * slope[1][a1]]
                leaves.append((f"E → o → C{c + 1} → B{b + 1} → A{a1 + 1}", float(np.prod(f))))
    d3 = root * p["W4"][0] * slope[3]
    d2 = (d3 @ p["W3"]) * slope[2]
    d1 = (d2 @ p["W2"]) * slope[1]
    return leaves, d1


def test_grad_tree_flows_from_root_to_leaves(site, page):
    open_page(page, site)
    fig = page.locator("figure[data-widget=grad-tree]")
    leaves, d1 = tree_numbers(page)
    rows = fig.locator("tbody tr")
    assert rows.count() == 8
    for k, (path, value) in enumerate(leaves):
        assert rows.nth(k).locator("th").inner_text() == path
        assert shown(rows.nth(k).locator("td[data-product]").inner_text()) == round(value, 4)
    for j in range(2):
        total = sum(v for path, v in leaves if path.endswith(f"A{j + 1}"))
        assert abs(total - d1[j]) < 1e-12
        assert shown(fig.locator(f"[data-sum=A{j + 1}]").inner_text()) == round(d1[j], 4)
    labels = fig.locator(".gt-leaf")
    assert sorted(shown(v) for v in labels.all_text_contents()) == sorted(round(v, 4) for _, v in leaves)
    # Nothing has flowed yet: no factor and no leaf product is shown.
    assert fig.get_attribute("data-lit") == "0"
    assert not any(e.is_visible() and float(e.evaluate("el => getComputedStyle(el).opacity")) > 0
                   for e in fig.locator(".gt-factor").all())
    step = fig.get_by_role("button", name="Step", exact=True)
    for k in range(1, 5):
        step.click()
        assert fig.get_attribute("data-lit") == str(k)
        lit = fig.locator(f".gt-branch.gt-lit")
        assert lit.count() == 2 ** k - 1  # the trunk, then two more copies at every fork
    page.wait_for_function("el => [...el.querySelectorAll('.gt-leaf')].every(t => getComputedStyle(t).opacity === '1')",
                           arg=fig.element_handle())
    page.keyboard.press("r")
    assert fig.get_attribute("data-lit") == "0"
    page.keyboard.press("p")  # play: the flow runs to the leaves by itself
    page.wait_for_function("el => el.getAttribute('data-lit') === '4'", arg=fig.element_handle(), timeout=15000)
    assert "Every leaf" in fig.locator("[data-announce]").inner_text()
    assert page.console_messages == [] and page.page_errors == []


def test_grad_tree_under_reduced_motion_shows_the_flow_at_once(site, browser):
    ctx = browser.new_context(reduced_motion="reduce", viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    try:
        open_page(page, site)
        fig = page.locator("figure[data-widget=grad-tree]")
        fig.get_by_role("button", name="Play").click()
        assert fig.get_attribute("data-lit") == "4"  # at once: no timer ran
        assert fig.locator(".gt-new").count() == 0
        assert fig.get_by_role("button", name="Play").get_attribute("aria-pressed") == "false"
    finally:
        ctx.close()


@pytest.mark.parametrize("width", [320, 375])
def test_on_a_phone_the_tree_opens_on_its_trunk_and_scrolls_both_ways(site, browser, width):
    ctx = browser.new_context(viewport={"width": width, "height": 800})
    page = ctx.new_page()
    try:
        open_page(page, site)
        box = page.locator("figure[data-widget=grad-tree] .gt-drawing")
        box.scroll_into_view_if_needed()
        page.wait_for_function("b => b.scrollLeft > 0", arg=box.element_handle())
        seen = box.bounding_box()
        root = page.locator("figure[data-widget=grad-tree] .gt-root").bounding_box()
        assert seen["x"] < root["x"] and root["x"] + root["width"] < seen["x"] + seen["width"]  # "loss E" in view
        # The tree is wider than the phone: there is more of it on both sides, for a swipe or
        # the arrow keys (the box takes focus).
        left, width_all, shown = box.evaluate("b => [b.scrollLeft, b.scrollWidth, b.clientWidth]")
        assert width_all > shown and 0 < left < width_all - shown
        box.focus()
        page.keyboard.press("ArrowLeft")
        page.wait_for_function("([b, was]) => b.scrollLeft < was", arg=[box.element_handle(), left])
    finally:
        ctx.close()


# --- without JavaScript -------------------------------------------------------------------

def test_without_javascript_every_widget_shows_its_numbers(site, browser):
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 800})
    page = ctx.new_page()
    try:
        page.goto(site)
        lm = page.locator("figure[data-widget=loss-moves]")
        assert lm.locator("[data-cell=loss]").is_visible()
        assert all(c.is_visible() for c in lm.locator("[data-cell=sq]").all())
        assert lm.locator(".lm-moves > li").count() == 4 and lm.locator(".widget-controls").is_hidden()
        cr = page.locator("figure[data-widget=chain-rule]")
        assert cr.locator("[data-delta=h3]").is_visible() and cr.locator("[data-delta=o1]").is_visible()
        assert all(e.is_visible() for e in cr.locator(".cr-delta").all())
        assert cr.locator(".widget-controls").is_hidden()
        gs = page.locator("figure[data-widget=gradient-sum]")
        assert gs.locator(".static-fallback svg").is_visible()
        assert "FAILED" in gs.locator(".gs-overwrite .gs-check").inner_text()
        assert gs.locator(".widget-controls").is_hidden()
        gt = page.locator("figure[data-widget=grad-tree]")
        assert gt.locator(".gt-leaf").count() == 8 and all(e.is_visible() for e in gt.locator(".gt-leaf").all())
        assert gt.locator(".widget-controls").is_hidden()
    finally:
        ctx.close()


# --- the page's quality gates (the whole-site tests check build/, which does not hold this page) --

@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 375])
def test_axe_finds_no_violation_on_the_chain_page(site, browser, scheme, width):
    from axe_playwright_python.sync_playwright import Axe

    ctx = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": 800})
    page = ctx.new_page()
    try:
        open_page(page, site)
        # Mid-way states too: blame on the output layer, the tree half grown, a run half replayed.
        page.locator("figure[data-widget=chain-rule]").get_by_role("button", name="Step back").click()
        page.locator("figure[data-widget=grad-tree]").get_by_role("button", name="Step", exact=True).click()
        page.locator("figure[data-widget=gradient-sum]").get_by_role("button", name="Step", exact=True).click()
        result = Axe().run(page)
        found = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result.response["violations"]]
        assert found == []
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
    finally:
        ctx.close()


def test_nu_html_checker_finds_no_error_on_the_chain_page(site):
    import json
    import subprocess

    vnu = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    assert vnu.exists()
    path = site.removeprefix("file://")
    proc = subprocess.run(["java", "-jar", str(vnu), "--errors-only", "--also-check-svg", "--format", "json", path],
                          capture_output=True, text=True)
    messages = json.loads(proc.stderr or proc.stdout or '{"messages": []}')["messages"]
    assert [f"{m.get('lastLine')}: {m.get('message')}" for m in messages] == [] and proc.returncode == 0
