"""nn.js in Chromium trains exactly like the numpy engine, and draws the same decision maps.

The scenarios and the comparison are tests/parity_cases.py's, shared with the node test
(tests/unit/test_nn_parity.py). Run with -s to see the worst relative error measured."""
from __future__ import annotations

import numpy as np
import parity_cases as pc

from site_builder import datasets, engine, traces
from site_builder.engine.grid import decision_grid, grid_pixels


def load(page, *scripts):
    page.set_content("<html><body></body></html>")
    for path in scripts:
        page.add_script_tag(content=path.read_text())


def test_training_matches_numpy_in_chromium(page):
    case_list, trs = pc.default_cases()
    load(page, pc.NN_JS)
    page.add_script_tag(content=pc.RUNNER_JS)
    results = pc.decode(page.evaluate("text => runParity(text)", pc.payload(case_list)))
    errs = pc.check_all(case_list, trs, results, "Chromium " + page.context.browser.version)
    assert not errs.failures, errs.summary() + "\n" + "\n".join(errs.failures[:10])
    assert errs.worst <= pc.HARD_REL, errs.summary()
    assert not page.page_errors and not page.console_messages


GRID_JS = """([text, records]) => {
  var doc = BPE.decodeTrace(text), run = doc.runs[0];
  return records.map(function (r) {
    var g = BPE.nn.grid(doc.net, BPE.nn.paramsAt(run, r), -0.5, 1.5, -0.5, 1.5, 64, 64);
    return {step: run.steps[r], values: Array.from(g), pixels: Array.from(BPE.nn.gridPixels(g, 0, 1))};
  });
}"""


def test_decision_map_from_recorded_weights_matches_numpy(page):
    """XOR learned by a 2-2-1 sigmoid network; its page trace decoded by trace.js; at several
    recorded steps the 64 x 64 decision map BPE.nn.grid draws equals decision_grid, and the
    pixels equal grid_pixels exactly."""
    X, T = datasets.xor()
    net = engine.NetSpec((2, 2, 1), ("sigmoid", "sigmoid"))
    tr = engine.train(net, engine.TrainConfig(X=X, T=T, eta=2.0, steps=2000, init=engine.InitSpec(seed=1),
                                              record=engine.RecordSpec(every_until=10, then_every=100)))
    records = [0, 1, 5, 10, 15, len(tr.steps) - 1]
    load(page, pc.TRACE_JS, pc.NN_JS)
    got = page.evaluate(GRID_JS, [traces.to_page_json([tr]), records])
    worst, identical = 0.0, 0
    for r, js in zip(records, got):
        assert js["step"] == tr.steps[r]
        params = {k: v[r] for k, v in tr.params.items()}
        ref = decision_grid(net, params, -0.5, 1.5, -0.5, 1.5, 64, 64)
        values = np.array(js["values"]).reshape(64, 64)
        rel = np.abs(values - ref) / np.abs(ref)
        worst = max(worst, float(rel.max()))
        identical += int((values == ref).sum())
        assert (rel <= 1e-12).all(), f"step {tr.steps[r]}: worst relative error {rel.max():.3g}"
        pixels = np.array(js["pixels"], dtype=np.uint8).reshape(64, 64)
        assert (pixels == grid_pixels(ref, 0.0, 1.0)).all(), f"step {tr.steps[r]}: pixels differ"
    print(f"\nnn.js decision map vs numpy: worst relative error {worst:.3g}, "
          f"{identical}/{64 * 64 * len(records)} cells bit-identical, pixels identical")
    # The map means something: the network learned XOR, and the last map (row = y, column = x)
    # is dark at (0, 0) and (1, 1), bright at (0, 1) and (1, 0).
    assert tr.correct[-1] == 4
    last = np.array(got[-1]["pixels"]).reshape(64, 64)
    assert last[16, 16] < 128 and last[47, 47] < 128 and last[47, 16] > 128 and last[16, 47] > 128
    assert not page.page_errors and not page.console_messages
