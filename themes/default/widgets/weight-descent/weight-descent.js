/* weight-descent: one weight w, the loss L(w) it gives, the slope there, and the recorded
 * steps of gradient descent carrying w toward the best value. Everything shown is read from
 * the trace; the only thing computed here is L(w) along the curve, one forward pass per point
 * of the recorded data. The step shown lives in the URL (#w1.step=3). */
(function () {
  "use strict";
  var BPE = window.BPE;

  BPE.widgets["weight-descent"] = function (fig, trace) {
    var run = trace.runs[0];
    var ws = run.params.W1.map(function (m) { return m[0][0]; });
    var slopes = run.grads.W1.map(function (m) { return m[0][0]; });
    var losses = run.loss, steps = run.steps, eta = run.eta;
    var X = trace.X.map(function (r) { return r[0]; }), T = trace.T.map(function (r) { return r[0]; });
    var mean = trace.net.reduction === "mean";

    // L(w) = 1/2 sum (t - w x)^2, the scenario's loss for a 1-1 linear net
    function lossAt(w) {
      var s = 0;
      for (var i = 0; i < X.length; i++) { var e = T[i] - w * X[i]; s += 0.5 * e * e; }
      return mean ? s / X.length : s;
    }

    var live = fig.querySelector(".wd-live");
    fig.querySelector(".static-fallback").hidden = true;
    live.hidden = false;

    // Left chart: the parabola around the path of w.
    var finiteW = ws.filter(isFinite);
    var lo = Math.min.apply(null, finiteW), hi = Math.max.apply(null, finiteW);
    var span = Math.max(hi - lo, 1e-6);
    lo -= span * 0.6; hi += span * 0.6;
    var curveSvg = fig.querySelector(".wd-curve");
    var top = Math.max(lossAt(lo), lossAt(hi));
    var ax = BPE.axes(curveSvg, { x: [lo, hi], y: [0, top], xLabel: "weight w", yLabel: "loss L(w)" });
    var d = "";
    for (var k = 0; k <= 120; k++) {
      var w = lo + (hi - lo) * k / 120;
      d += (k ? "L" : "M") + ax.x(w).toFixed(1) + "," + ax.y(lossAt(w)).toFixed(1);
    }
    BPE.svg("path", { d: d, "class": "series-ghost curve" }, ax.plot);
    var trail = BPE.svg("g", { "class": "trail" }, ax.plot);
    var tangent = BPE.svg("line", { "class": "tangent" }, ax.plot);
    var arrow = BPE.svg("line", { "class": "step-arrow" }, ax.plot);
    var head = BPE.svg("polygon", { "class": "step-head" }, ax.plot);
    var point = BPE.svg("circle", { r: 6, "class": "marker" }, ax.plot);
    var chart = BPE.lineChart(fig.querySelector(".wd-loss"), steps, losses, { xLabel: "step", yLabel: "loss", ghost: false });

    var player = new BPE.Player(steps.length, { interval: 500 });
    var out = BPE.readout(fig);
    var announcer = fig.querySelector("[data-announce]");

    function render(i) {
      var w = ws[i], L = losses[i], g = slopes[i];
      point.setAttribute("cx", ax.x(w)); point.setAttribute("cy", ax.y(L));
      // tangent drawn over a fixed width of w
      var dw = span * 0.35;
      tangent.setAttribute("x1", ax.x(w - dw)); tangent.setAttribute("y1", ax.y(L - g * dw));
      tangent.setAttribute("x2", ax.x(w + dw)); tangent.setAttribute("y2", ax.y(L + g * dw));
      var nextW = w - eta * g;
      var x0 = ax.x(w), x1 = ax.x(nextW), yA = ax.y(0) - 10, dir = x1 >= x0 ? 1 : -1;
      // the head never overshoots a tiny step
      var hl = Math.min(8, Math.abs(x1 - x0));
      arrow.setAttribute("x1", x0); arrow.setAttribute("y1", yA);
      arrow.setAttribute("x2", x1 - dir * hl); arrow.setAttribute("y2", yA);
      head.setAttribute("points", [x1, yA, x1 - dir * hl, yA - 5, x1 - dir * hl, yA + 5].join(" "));
      var moving = i < steps.length - 1 && Math.abs(x1 - x0) > 0.5;
      arrow.style.display = head.style.display = moving ? "" : "none";
      while (trail.firstChild) trail.removeChild(trail.firstChild);
      for (var j = 0; j < i; j++) BPE.svg("circle", { cx: ax.x(ws[j]), cy: ax.y(losses[j]), r: 3 }, trail);
      chart.show(i);
      out.set("step", String(steps[i]) + " of " + String(steps[steps.length - 1]));
      out.set("w", BPE.fmt(w, 4));
      out.set("loss", BPE.fmt(L, 4));
      out.set("slope", BPE.fmt(g, 4));
      out.set("direction", g < 0 ? "negative: w goes up" : g > 0 ? "positive: w goes down" : "flat: w stays");
      out.set("update", i < steps.length - 1
        ? "Next: w ← " + BPE.fmt(w, 4) + " − " + eta + " × (" + BPE.fmt(g, 4) + ") = " + BPE.fmt(nextW, 4)
        : "Done: after " + steps[i] + " steps w = " + BPE.fmt(w, 4) + ", close to the best weight.");
      fig.setAttribute("data-step", String(steps[i]));
      // Screen readers hear one sentence per step taken by hand, not a stream while playing.
      if (!player.playing()) {
        out.announce(announcer, "Step " + steps[i] + ": w " + BPE.fmt(w, 4) + ", loss " + BPE.fmt(L, 4) +
          ", slope " + BPE.fmt(g, 4) + ".");
      }
    }

    player.onFrame(render);
    var kit = BPE.controls(fig, player, {
      state: {
        save: function () { return { step: steps[player.index] }; },
        restore: function (s) { var i = steps.indexOf(Number(s.step)); if (i >= 0) player.seek(i); }
      }
    });
    if (!kit.restore()) render(0);
  };
})();
