/* learning-rates: a sweep of learning rates x random starts. Pick a rate; see every start's
 * loss over the epochs, how many starts solve the task, and whether units saturated. All of
 * it is read from the recorded sweep. */
(function () {
  "use strict";
  var BPE = window.BPE;

  function median(xs) {
    var s = xs.filter(function (v) { return !isNaN(v); }).sort(function (a, b) { return a - b; });
    if (!s.length) return NaN;
    var m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  }

  BPE.widgets["learning-rates"] = function (fig, trace) {
    var n = trace.X.length;
    var etas = [];
    trace.runs.forEach(function (r) { if (etas.indexOf(r.eta) < 0) etas.push(r.eta); });
    var groups = etas.map(function (eta) { return trace.runs.filter(function (r) { return r.eta === eta; }); });
    var top = 0;
    trace.runs.forEach(function (r) { r.loss.forEach(function (v) { if (isFinite(v) && v > top) top = v; }); });
    var last = Math.max.apply(null, trace.runs.map(function (r) { return r.steps[r.steps.length - 1]; }));

    fig.querySelector(".static-fallback").hidden = true;
    fig.querySelector(".lr-live").hidden = false;
    var svg = fig.querySelector(".lr-chart");
    var out = BPE.readout(fig);

    function anySaturated(r) {
      return (r.saturated || []).some(function (layer) { return layer.some(Boolean); });
    }

    function render(k) {
      var runs = groups[k];
      var ax = BPE.axes(svg, { width: 480, height: 280, x: [0, last], y: [0, top * 1.05], xLabel: "epoch", yLabel: "loss" });
      runs.forEach(function (r) {
        var d = "";
        for (var i = 0; i < r.steps.length; i++) {
          if (isFinite(r.loss[i])) d += (d ? "L" : "M") + ax.x(r.steps[i]).toFixed(1) + "," + ax.y(r.loss[i]).toFixed(1);
        }
        var solvedRun = r.correct[r.correct.length - 1] === n;
        BPE.svg("path", { d: d, "class": solvedRun ? "series" : "series series-stuck" }, ax.plot);
      });
      var solved = runs.filter(function (r) { return r.correct[r.correct.length - 1] === n; }).length;
      var finals = runs.map(function (r) { return r.loss[r.loss.length - 1]; });
      var starts = runs.map(function (r) { return r.loss[0]; });
      var saturated = runs.filter(anySaturated).length;
      var med = median(finals);
      out.set("solved", solved + " of " + runs.length);
      out.set("median", BPE.fmt(med, 4));
      out.set("saturated", saturated + " of " + runs.length);
      var verdict;
      if (solved === 0 && saturated * 2 >= runs.length) {
        verdict = "Too large: the steps slam the units into saturation, where their slope is almost zero, and learning stalls.";
      } else if (solved === 0 && med > 0.9 * median(starts)) {
        verdict = "Too small: after " + last + " epochs the loss has hardly moved from where it started.";
      } else if (solved < runs.length) {
        verdict = "It learns, but " + (runs.length - solved) + " of " + runs.length + " starts " + (runs.length - solved === 1 ? "gets" : "get") + " stuck short of a solution.";
      } else {
        verdict = "It learns from every start.";
      }
      out.set("verdict", "η = " + etas[k] + ": " + verdict);
      fig.setAttribute("data-eta", String(etas[k]));
    }

    // The chosen rate is a replay Player's index, so the keys and the URL (#w1.eta=2) work
    // as in every other widget: ← and → anywhere in the figure, arrows within the radios.
    var radios = Array.prototype.slice.call(fig.querySelectorAll("input[type=radio]"));
    var player = new BPE.Player(etas.length);
    player.onFrame(function (k) {
      radios.forEach(function (r) { r.checked = Number(r.value) === k; });
      render(k);
    });
    radios.forEach(function (radio) {
      radio.addEventListener("change", function () { if (radio.checked) player.seek(Number(radio.value)); });
    });
    var kit = BPE.controls(fig, player, {
      actions: { "rate-next": function () { player.seek(player.index + 1); }, "rate-prev": function () { player.seek(player.index - 1); } },
      keys: { ArrowRight: "rate-next", ArrowLeft: "rate-prev" },
      state: {
        save: function () { return { eta: etas[player.index] }; },
        restore: function (s) { var k = etas.indexOf(Number(s.eta)); if (k >= 0) player.seek(k); }
      }
    });
    var checked = radios.filter(function (r) { return r.checked; })[0];
    player.index = checked ? Number(checked.value) : 0;
    if (!kit.restore()) render(player.index);
  };
})();
