/* gradient-sum: replays both recorded runs together with the shared Player. Each side shows
 * its loss so far (BPE.lineChart, the same y scale for both) and its outputs against the
 * targets at the current record; an output counts as right when it is within 0.5 of its
 * target. The gradient checks are written by the build. URL state #w1.step=N. */
(function () {
  "use strict";
  var BPE = window.BPE = window.BPE || {};
  BPE.widgets = BPE.widgets || {};

  BPE.widgets["gradient-sum"] = function (fig, trace) {
    var members = fig.getAttribute("data-members").split(" ").map(Number);
    var runs = members.map(function (m) { return trace.runs[m]; });
    var steps = runs[0].steps;
    var top = Math.max.apply(null, runs.map(function (r) { return Math.max.apply(null, r.loss.filter(isFinite)); }));
    var sides = Array.prototype.slice.call(fig.querySelectorAll(".gs-run"));
    // Both sides on one y scale, so the two curves can be compared by eye.
    var charts = sides.map(function (side, k) {
      var ys = runs[k].loss;
      var ax = BPE.axes(side.querySelector(".gs-loss"), { width: 360, height: 200, x: [0, steps[steps.length - 1]], y: [0, top * 1.05], xLabel: "step", yLabel: "loss" });
      function path(n) {
        var d = "";
        for (var i = 0; i < n; i++) if (isFinite(ys[i])) d += (d ? "L" : "M") + ax.x(steps[i]).toFixed(1) + "," + ax.y(ys[i]).toFixed(1);
        return d;
      }
      BPE.svg("path", { d: path(steps.length), "class": "series-ghost" }, ax.plot);
      var solid = BPE.svg("path", { d: "", "class": "series" }, ax.plot);
      var dot = BPE.svg("circle", { r: 4.5, "class": "marker" }, ax.plot);
      return { show: function (i) { solid.setAttribute("d", path(i + 1)); dot.setAttribute("cx", ax.x(steps[i])); dot.setAttribute("cy", ax.y(ys[i])); } };
    });
    var out = BPE.readout(fig), sideOut = sides.map(function (side) { return BPE.readout(side); });
    var status = fig.querySelector("[data-announce]");
    var player = new BPE.Player(steps.length, { interval: 40 });

    function render(i) {
      var words = [];
      sides.forEach(function (side, k) {
        var run = runs[k], right = 0, cells = 0;
        charts[k].show(i);
        var rows = side.querySelectorAll("tbody tr");
        for (var s = 0; s < rows.length; s++) {
          var tds = rows[s].querySelectorAll("td");
          for (var j = 0; j < tds.length; j++) {
            var o = run.outputs[i][s][j], t = run.T[s][j], ok = Math.abs(o - t) < 0.5;
            tds[j].querySelector("[data-out]").textContent = BPE.fmt(o, 3);
            tds[j].querySelector("[data-mark]").textContent = ok ? "✓" : "✗";
            tds[j].className = ok ? "gs-ok" : "gs-bad";
            right += ok ? 1 : 0; cells += 1;
          }
        }
        var r = sideOut[k];
        r.set("loss", BPE.fmt(run.loss[i], 4));
        r.set("when", "after " + steps[i] + " steps");
        r.set("at", "after " + steps[i] + " steps");
        r.set("right", String(right));
        side.setAttribute("data-right", String(right));
        words.push(side.querySelector(".gs-title").textContent.replace(/[✓✗]/g, "").trim() + ": loss " + BPE.fmt(run.loss[i], 4) + ", " + right + " of " + cells + " right");
      });
      out.set("step", String(steps[i]));
      fig.setAttribute("data-step", String(steps[i]));
      if (!player.playing()) out.announce(status, "Step " + steps[i] + ". " + words.join("; ") + ".");
    }

    player.onFrame(render);
    var kit = BPE.controls(fig, player, {
      state: {
        save: function () { return { step: steps[player.index] }; },
        restore: function (s) { var k = steps.indexOf(Number(s.step)); if (k >= 0) player.seek(k); }
      }
    });
    fig.querySelector(".static-fallback").hidden = true;
    Array.prototype.forEach.call(fig.querySelectorAll(".widget-live"), function (el) { el.hidden = false; });
    if (!kit.restore()) render(0);
  };
})();
