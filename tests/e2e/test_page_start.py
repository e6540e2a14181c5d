"""What a page promises at data-ready when it leaves work until after it (issue 16): canvas
maps drawn while the page starts wait for the first frame or an idle moment, yet a map read
straight after data-ready is already complete; every waiting map gets drawn without anyone
reading it; and the boxes that scroll sideways are judged once the browser has laid them out.
Expected map colours come from the trace's recorded weights, with numpy."""
from __future__ import annotations

import base64
import json
import re

import numpy as np

# The pixels of a canvas seen through createImageBitmap, a read that does not draw a waiting
# picture first: so the test sees what has really been drawn so far.
BITMAP_ALPHA = """async (c) => {
  const bmp = await createImageBitmap(c), o = new OffscreenCanvas(bmp.width, bmp.height), x = o.getContext('2d');
  x.drawImage(bmp, 0, 0);
  const d = x.getImageData(0, 0, bmp.width, bmp.height).data;
  let opaque = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] === 255) opaque++;
  return opaque / (d.length / 4);
}"""


def trace_of(built_site, page_name, trace_id):
    html = (built_site / page_name).read_text()
    text = re.search(rf'<script type="application/json" id="{trace_id}">(.*?)</script>', html, re.S).group(1)
    return json.loads(text)


def array(packed):
    dtype = {"f64": "<f8", "f32": "<f4", "i8": "i1"}[packed["dtype"]]
    return np.frombuffer(base64.b64decode(packed["b64"]), dtype=dtype).reshape(packed["shape"])


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


# Installed before the page's scripts: the moment boot sets data-ready (a microtask after
# boot's script, before any frame or idle time), read the network's map of the hidden-layer
# figure, noting whether its picture was still waiting (BPE.draw's read hook on the canvas).
READ_AT_READY = """
new MutationObserver((changes, seen) => {
  if (!document.documentElement || document.documentElement.getAttribute('data-ready') !== 'true') return;
  seen.disconnect();
  const c = document.querySelectorAll('#w2 .xh-map canvas')[3];
  const waiting = Object.prototype.hasOwnProperty.call(c, 'getContext');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const at = (x, y) => Array.from(d.slice(4 * (y * c.width + x), 4 * (y * c.width + x) + 4));
  window.__read = {waiting, corners: [at(2, 2), at(c.width - 3, 2), at(2, c.width - 3), at(c.width - 3, c.width - 3)]};
}).observe(document, {attributes: true, subtree: true, attributeFilter: ['data-ready']});
"""


def test_a_map_read_straight_after_ready_is_complete(browser, built_site, site_url):
    trace = trace_of(built_site, "xor-network.html", "trace-xor-why-hidden")
    deep = next(r for r in trace["runs"] if len(r["net"]["sizes"]) == 3)
    last = len(deep["steps"]) - 1
    p = {k: array(v)[last] for k, v in deep["params"].items()}
    ctx = browser.new_context(viewport={"width": 375, "height": 700})
    ctx.add_init_script(READ_AT_READY)
    page = ctx.new_page()
    page.goto(site_url("xor-network.html") + f"#w2.step={deep['steps'][last]}")
    page.wait_for_selector("html[data-ready=true]")
    got = page.evaluate("window.__read")
    assert got["waiting"]  # off screen at 375 px: its turn had not come, so the read drew it
    corners = np.array([[-0.5, 1.5], [1.5, 1.5], [-0.5, -0.5], [1.5, -0.5]])
    out = sig(sig(corners @ p["W1"].T + p["b1"]) @ p["W2"].T + p["b2"])[:, 0]
    checked = 0
    for o, (r, g, b, a) in zip(out, got["corners"]):
        assert a == 255
        if abs(o - 0.5) > 0.1:
            assert (b > r) == (o >= 0.5), (o, (r, g, b))  # blue answers 1, sand 0
            checked += 1
    assert checked == 4
    ctx.close()


def test_every_waiting_map_is_drawn_without_being_read(browser, site_url):
    ctx = browser.new_context(viewport={"width": 375, "height": 700})
    page = ctx.new_page()
    for name, selector, count in (("xor-network.html", "figure[data-widget] canvas", 5),
                                  ("learning-rates.html", ".lr-maps canvas", 8)):
        page.goto(site_url(name))
        page.wait_for_selector("html[data-ready=true]")
        assert page.locator(selector).count() == count
        for i in range(count):
            canvas = page.locator(selector).nth(i)
            page.wait_for_function(f"(c) => ({BITMAP_ALPHA})(c).then((f) => f === 1)", arg=canvas.element_handle(),
                                   timeout=10_000)
    ctx.close()


def test_boxes_that_scroll_sideways_are_judged_once_laid_out(browser, site_url):
    ctx = browser.new_context(viewport={"width": 375, "height": 700})
    page = ctx.new_page()
    page.goto(site_url("worked-example.html"))
    page.wait_for_selector("html[data-ready=true]")
    judged = """() => [...document.querySelectorAll('.math-block, .table-scroll')].filter((b) => b.getClientRects().length)
        .map((b) => [b.scrollWidth > b.clientWidth + 1, b.getAttribute('tabindex') === '0'])"""
    page.wait_for_function(f"() => ({judged})().every(([wide, reach]) => wide === reach)", timeout=10_000)
    boxes = page.evaluate(judged)
    assert any(wide for wide, _ in boxes) and any(not wide for wide, _ in boxes)  # both kinds were judged
    ctx.close()
