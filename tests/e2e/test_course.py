"""The course as teachers and learners meet it (issue 15): nothing clipped on a 375 px phone
or at 1280 px, diagram text at least 12 px, the learning path (home page, Lesson N of M,
previous/next), links from the teachers' page that open a figure in a chosen state, and the
learning-rates chart's log epoch axis."""
from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
SITE = yaml.safe_load((ROOT / "content/site.yaml").read_text())
COURSE = SITE["lessons"]
LESSONS = [f"{slug}.html" for slug in COURSE]

# Every table, formula and figure: it fits its box, or it sits in a box that scrolls sideways
# and that a keyboard can reach (tabindex 0) and a screen reader can name (aria-label or
# aria-labelledby pointing at text). Returns what fails, described.
CLIPPED = """() => {
  const shown = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
  const named = (b) => (b.getAttribute('aria-label') || '').trim() ||
      (b.getAttribute('aria-labelledby') || '').split(/\\s+/).map((id) => document.getElementById(id)).filter(Boolean)
        .map((e) => e.textContent.trim()).join(' ');
  const vw = document.documentElement.clientWidth;
  const bad = [];
  const items = document.querySelectorAll('main table, main math[display=block], main .math-block, main figure, main svg, main canvas, main pre');
  for (const e of items) {
    if (!shown(e)) continue;
    let box = null;
    for (let p = e.parentElement; p && p.tagName !== 'MAIN'; p = p.parentElement) {
      const s = getComputedStyle(p);
      if ((s.overflowX === 'auto' || s.overflowX === 'scroll') && p.scrollWidth > p.clientWidth + 1) { box = p; break; }
    }
    const own = getComputedStyle(e);
    const scrollsItself = (own.overflowX === 'auto' || own.overflowX === 'scroll') && e.scrollWidth > e.clientWidth + 1;
    if (scrollsItself) box = e;
    const name = e.tagName + (e.id ? '#' + e.id : '') + '.' + String(e.getAttribute('class') || '');
    if (box) {
      if (box.tabIndex < 0 || !named(box)) bad.push('unreachable scroller: ' + name);
      continue;
    }
    const r = e.getBoundingClientRect();
    if (r.right > vw + 1 || r.left < -1) bad.push('past the screen: ' + name + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
    if (own.overflowX === 'hidden' && e.scrollWidth > e.clientWidth + 1) bad.push('cut: ' + name);
  }
  if (document.documentElement.scrollWidth > vw + 1) bad.push('the page scrolls sideways');
  return bad;
}"""

# Rendered size of every visible text in a drawing (SVG text scaled by its viewBox).
TEXT_SIZES = """(sel) => [...document.querySelectorAll(sel)].filter((t) => {
    const r = t.getBoundingClientRect(); return r.width > 0 && r.height > 0; })
  .map((t) => ({text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * Math.hypot(t.getScreenCTM().a, t.getScreenCTM().b)}))"""


@pytest.fixture(params=[(375, True), (375, False), (1280, True)], ids=["375", "375-nojs", "1280"])
def view(request, browser):
    width, js = request.param
    ctx = browser.new_context(viewport={"width": width, "height": 800}, java_script_enabled=js)
    pg = ctx.new_page()
    pg.js = js
    yield pg
    ctx.close()


def open_page(pg, site_url, name):
    pg.goto(site_url(name))
    if pg.js:
        pg.wait_for_selector("html[data-ready=true]")


@pytest.mark.parametrize("name", LESSONS)
def test_nothing_is_clipped(view, site_url, name):
    open_page(view, site_url, name)
    assert view.evaluate(CLIPPED) == []
    if view.js:  # every calculation of the step-through, each in turn, and with every digit
        figs = view.locator("figure[data-widget=worked-steps]")
        for i in range(figs.count()):
            fig = figs.nth(i)
            for k in range(fig.locator(".ws-steps > li").count()):
                if k:
                    fig.get_by_role("button", name="Next").click()
                assert view.evaluate(CLIPPED) == [], fig.get_attribute("data-step")
        toggle = view.get_by_role("button", name="Show every digit")
        if toggle.count():
            toggle.first.click()
            assert view.evaluate(CLIPPED) == []


def test_path_sum_formulas_fit_at_1280(page, site_url):
    page.goto(site_url("worked-example.html"))
    page.wait_for_selector("html[data-ready=true]")
    # The short form (the default) fits; every digit may scroll, in a box a keyboard reaches.
    sizes = page.locator("figure[data-widget=path-sum] .ps-math .math-block:visible").evaluate_all(
        "els => els.map(e => [e.scrollWidth, e.clientWidth])")
    assert len(sizes) == 2
    assert all(sw <= cw + 1 for sw, cw in sizes), sizes
    page.get_by_role("button", name="Show every digit").first.click()
    boxes = page.locator("figure[data-widget=path-sum] .ps-math .math-block:visible")
    assert boxes.count() == 2
    for i in range(2):
        box = boxes.nth(i)
        if box.evaluate("e => e.scrollWidth > e.clientWidth + 1"):
            assert box.get_attribute("tabindex") == "0" and box.get_attribute("aria-label")


def edge_shades(box):
    """How far the left and right 6 px of a box's picture are from the page behind them, in
    grey levels (the box's own text hidden): a shadow there says the box scrolls that way."""
    from io import BytesIO

    from PIL import Image, ImageStat

    png = Image.open(BytesIO(box.screenshot())).convert("L")
    w, h = png.size
    under = ImageStat.Stat(png.crop((w // 2 - 10, 0, w // 2 + 10, h))).mean[0]
    left = ImageStat.Stat(png.crop((0, 0, 6, h))).mean[0]
    right = ImageStat.Stat(png.crop((w - 6, 0, w, h))).mean[0]
    return abs(left - under), abs(right - under)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_formula_wider_than_a_phone_shows_where_it_goes_on(browser, site_url, scheme):
    ctx = browser.new_context(viewport={"width": 375, "height": 800}, color_scheme=scheme)
    pg = ctx.new_page()
    pg.goto(site_url("worked-example.html"))
    pg.wait_for_selector("html[data-ready=true]")
    wide = [b for b in pg.locator("main .math-block").all()
            if b.evaluate("e => !e.closest('figure') && e.scrollWidth > e.clientWidth + 40")]
    assert wide, "the worked example has formulas wider than a phone"
    pg.add_style_tag(content=".math-block math { visibility: hidden; }")  # the shading alone
    box = wide[0]
    box.scroll_into_view_if_needed()
    left, right = edge_shades(box)
    assert left < 2 and right > 8, (left, right)  # more to the right only
    box.hover()
    pg.mouse.wheel(60, 0)  # a sideways swipe, part of the way
    pg.wait_for_function("b => b.scrollLeft > 0", arg=box.element_handle())
    left, right = edge_shades(box)
    assert left > 8 and right > 8, (left, right)
    pg.mouse.wheel(2000, 0)  # to the end
    pg.wait_for_function("b => b.scrollLeft + b.clientWidth >= b.scrollWidth - 1", arg=box.element_handle())
    left, right = edge_shades(box)
    assert left > 8 and right < 2, (left, right)
    ctx.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_worked_example_diagram_text_is_at_least_12px(browser, site_url, width):
    ctx = browser.new_context(viewport={"width": width, "height": 800})
    pg = ctx.new_page()
    pg.goto(site_url("worked-example.html"))
    pg.wait_for_selector("html[data-ready=true]")
    fig = pg.locator("figure[data-widget=worked-steps]")
    fig.get_by_role("button", name="Next").click()  # a step that lights up weights
    sizes = pg.evaluate(TEXT_SIZES, "figure[data-widget=worked-steps] svg text")
    assert len(sizes) > 20
    assert min(s["px"] for s in sizes) >= 12, sorted(sizes, key=lambda s: s["px"])[:3]
    ctx.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_learning_rate_chart_text_is_at_least_12px(browser, site_url, width):
    ctx = browser.new_context(viewport={"width": width, "height": 800})
    pg = ctx.new_page()
    pg.goto(site_url("learning-rates.html"))
    pg.wait_for_selector("html[data-ready=true]")
    sizes = pg.evaluate(TEXT_SIZES, "figure[data-widget=learning-rates] svg.lr-chart text")
    assert len(sizes) >= 8
    assert min(s["px"] for s in sizes) >= 12, sorted(sizes, key=lambda s: s["px"])[:3]
    ctx.close()


def test_diagram_shows_values_as_the_step_through_reaches_them(page, site_url):
    """Unit outputs, the blame at each output and the updated weights appear on the diagram
    when the calculation that produces them is reached; the numbers are the ones the
    step-through itself shows for that calculation."""
    page.goto(site_url("worked-example.html"))
    page.wait_for_selector("html[data-ready=true]")
    fig = page.locator("figure[data-widget=worked-steps]")
    svg = fig.locator("svg.ws-net-wide")
    labels = lambda: svg.locator("g.ws-label:not(.ws-off) text:not(.ws-halo)").evaluate_all(
        "els => els.filter(e => e.getBoundingClientRect().width > 0).map(e => e.textContent.trim())")
    assert not any(t.startswith("out ") for t in labels())  # nothing computed yet
    keys = fig.locator(".ws-steps > li").evaluate_all("els => els.map(e => e.id.replace(/^w\\d+-/, ''))")
    for target, pattern in (("out-h1", r"^out "), ("delta-o1", r"^δ "), ("update-w5", r"^w5 = ")):
        while keys[int(fig.get_attribute("data-step")) - 1] != target:
            fig.get_by_role("button", name="Next").click()
        value = fig.locator(".ws-steps > li:not([hidden]) .ws-value .d-short").inner_text()
        shown = [t for t in labels() if re.match(pattern, t)]
        assert any(t.endswith(value) for t in shown), (target, value, shown)
    # the old value of w5 has made way for the new one
    assert "w5 = 0.40" not in labels()


def test_home_page_lists_the_course_in_order_with_needs_and_minutes(page, site_url):
    page.goto(site_url("index.html"))
    items = page.locator(".lesson-list > li")
    assert items.count() == len(COURSE)
    for i, slug in enumerate(COURSE):
        item = items.nth(i)
        assert item.locator("a").first.get_attribute("href") == f"{slug}.html"
        text = item.inner_text()
        front = (ROOT / "content/lessons").glob(f"*-{slug}.md")
        meta = yaml.safe_load(next(front).read_text().split("---")[1])
        assert f"About {meta['minutes']} minutes" in text
        for need in meta["needs"]:
            assert need in text


def test_every_lesson_says_where_it_fits_and_links_both_ways(page, site_url):
    for i, slug in enumerate(COURSE):
        page.goto(site_url(f"{slug}.html"))
        assert f"Lesson {i + 1} of {len(COURSE)}" in page.locator(".lesson-kicker").text_content()
        pager = page.get_by_role("navigation", name="Lessons")
        if i > 0:
            assert pager.locator("a[rel=prev]").get_attribute("href") == f"{COURSE[i - 1]}.html"
        if i + 1 < len(COURSE):
            assert pager.locator("a[rel=next]").get_attribute("href") == f"{COURSE[i + 1]}.html"
        else:
            assert pager.locator("a[rel=next]").count() == 0


def test_teachers_links_open_a_figure_in_the_chosen_state(page, site_url):
    page.goto(site_url("teachers.html"))
    links = page.locator(".state-links a")
    hrefs = links.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert len(hrefs) >= 10
    etas = yaml.safe_load((ROOT / "content/scenarios/xor-learning-rates.yaml").read_text())["sweep"]["learning_rates"]
    lr = [h for h in hrefs if h.startswith("learning-rates.html#")]
    assert [float(re.search(r"eta=([\d.]+)", h).group(1)) for h in lr] == etas
    go = lambda href: page.goto(site_url(href.split("#")[0]) + "#" + href.split("#")[1])
    go(lr[3])
    page.wait_for_selector("html[data-ready=true]")
    fig = page.locator("figure[data-widget=learning-rates]")
    assert float(fig.get_attribute("data-eta")) == etas[3]
    assert fig.locator(".lr-choice").get_by_role("radio", name=f"{etas[3]:g}").is_checked()
    we = next(h for h in hrefs if h.endswith("step=w5-grad"))
    go(we)
    page.wait_for_selector("html[data-ready=true]")
    steps = page.locator("figure[data-widget=worked-steps]")
    assert steps.locator(".ws-steps > li:not([hidden]) .ws-title").inner_text().startswith("The gradient of w5")
    one = next(h for h in hrefs if h.startswith("one-weight.html#") and not h.endswith("step=0"))
    go(one)
    page.wait_for_selector("html[data-ready=true]")
    assert page.locator("figure[data-widget=weight-descent]").get_attribute("data-step") == one.split("=")[-1]


def test_learning_rate_chart_has_a_log_epoch_axis(page, site_url):
    page.goto(site_url("learning-rates.html"))
    page.wait_for_selector("html[data-ready=true]")
    fig = page.locator("figure[data-widget=learning-rates]")
    epochs = yaml.safe_load((ROOT / "content/scenarios/xor-learning-rates.yaml").read_text())["train"]["epochs"]
    ticks = lambda: fig.locator("svg.lr-chart .tick").evaluate_all(
        "els => els.map(e => [e.textContent, +e.getAttribute('x'), e.getAttribute('text-anchor')])")
    even = [t for t in ticks() if t[2] == "middle"]
    assert even[-1][0] == str(epochs)
    fig.get_by_role("radio", name=re.compile("Log scale")).check()
    expect(fig.locator("svg.lr-chart .axis-label").first).to_have_text("epoch (log scale)")
    log = {t[0]: t[1] for t in ticks() if t[2] == "middle"}
    assert {"0", "10", "100", "1,000"} <= set(log)
    # positions follow log10(1 + epoch): 10 sits at log10(11)/log10(1 + epochs) of the axis,
    # measured from the 0 tick to the last epoch's tick
    last = log[f"{epochs:,}"]
    for label in ("10", "100", "1,000"):
        e = int(label.replace(",", ""))
        assert log[label] - log["0"] == pytest.approx((last - log["0"]) * math.log10(1 + e) / math.log10(1 + epochs), abs=0.6)
