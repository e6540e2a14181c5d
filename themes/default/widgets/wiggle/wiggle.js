/* wiggle: a slider over the grid of one weight's values; loss and slope at each grid point are
 * the engine's (trace slice: values, loss, slope). The tangent is drawn with that slope. */
(function () {
  "use strict";
  var BPE = window.BPE;

  BPE.widgets.wiggle = function (fig, trace) {
    var sl = trace.runs[0].slice[0], vals = sl.values, loss = sl.loss, slope = sl.slope;
    var input = fig.querySelector('[data-wg="w"]'), out = BPE.readout(fig);
    var mid = Math.floor(vals.length / 2);
    fig.querySelector(".static-fallback").hidden = true;
    fig.querySelector(".wg-live").hidden = false;
    var lo = vals[0], hi = vals[vals.length - 1];
    var top = Math.max.apply(null, loss.filter(isFinite)), bottom = Math.min.apply(null, loss.filter(isFinite));
    var ax = BPE.axes(fig.querySelector(".wg-chart"), { x: [lo, hi], y: [Math.max(0, bottom - 0.1 * (top - bottom)), top * 1.05], xLabel: "weight w", yLabel: "loss" });
    var d = "";
    for (var k = 0; k < vals.length; k++) d += (k ? "L" : "M") + ax.x(vals[k]).toFixed(1) + "," + ax.y(loss[k]).toFixed(1);
    BPE.svg("path", { d: d, "class": "wg-curve" }, ax.plot);
    BPE.svg("circle", { cx: ax.x(vals[mid]), cy: ax.y(loss[mid]), r: 6, "class": "wg-start" }, ax.plot);
    var clip = "wg-clip-" + fig.id;
    var defs = BPE.svg("defs", {}, ax.plot);
    var cp = BPE.svg("clipPath", { id: clip }, defs);
    BPE.svg("rect", { x: ax.x(lo), y: ax.y(top * 1.05), width: ax.x(hi) - ax.x(lo), height: ax.y(Math.max(0, bottom - 0.1 * (top - bottom))) - ax.y(top * 1.05) }, cp);
    var tangent = BPE.svg("line", { "class": "wg-tangent", "clip-path": "url(#" + clip + ")" }, ax.plot);
    var dot = BPE.svg("circle", { r: 6.5, "class": "marker" }, ax.plot);

    function render() {
      var i = Number(input.value), w = vals[i], L = loss[i], g = slope[i], dw = (hi - lo) * 0.14;
      dot.setAttribute("cx", ax.x(w)); dot.setAttribute("cy", ax.y(L));
      tangent.setAttribute("x1", ax.x(w - dw)); tangent.setAttribute("y1", ax.y(L - g * dw));
      tangent.setAttribute("x2", ax.x(w + dw)); tangent.setAttribute("y2", ax.y(L + g * dw));
      out.set("w", BPE.fmt(w, 3));
      out.set("loss", BPE.fmt(L, 4));
      out.set("slope", BPE.fmt(g, 4));
      out.set("direction", Math.abs(g) < 5e-4
        ? "The slope is almost 0: this is (close to) the bottom of the valley. A step would barely move w."
        : g > 0 ? "The slope is positive: raising w raises the loss, so a step of gradient descent moves w down (left)."
          : "The slope is negative: raising w lowers the loss, so a step of gradient descent moves w up (right).");
      input.setAttribute("aria-valuetext", "w " + BPE.fmt(w, 3) + ", loss " + BPE.fmt(L, 4) + ", slope " + BPE.fmt(g, 4));
      fig.setAttribute("data-index", String(i));
    }
    input.addEventListener("input", render);
    var saved = BPE.hashState.read(fig.id);
    if (saved && Number(saved.i) >= 0 && Number(saved.i) < vals.length) input.value = String(Number(saved.i));
    input.addEventListener("change", function () { BPE.hashState.write(fig.id, { i: input.value }); });
    render();
  };
})();
