/* live-network: a network with one hidden layer, replayed step by step from a trace that
 * recorded every step. The node values for the chosen case are BPE.nn.forward on the recorded
 * weights; the loss, the cases right and every weight in the table are the trace's own.
 * Step, 100 steps (H), Play, Back and Reset move the shared Player. URL: #wN.step=100&case=1. */
(function () {
  "use strict";
  var BPE = window.BPE;
  var SUB = "₀₁₂₃₄₅₆₇₈₉";

  function sub(n) { return String(n).split("").map(function (d) { return SUB[+d]; }).join(""); }
  function fmt(v, d) { return BPE.fmt(v, d === undefined ? 4 : d); }

  BPE.widgets["live-network"] = function (fig, trace) {
    // The network checked and laid out once, not again at every step drawn.
    var run = trace.runs[0], net = BPE.nn.net(trace.net), sizes = net.sizes, X = trace.X, T = trace.T;
    fig.querySelector(".static-fallback").hidden = true;
    var live = fig.querySelector(".ln-live");
    live.hidden = false;

    // The "100 steps" button sits with the shared controls (the macro writes Step, Play, Reset).
    var hundred = fig.querySelector(".ln-hundred"), stepBtn = fig.querySelector('.widget-controls [data-action="step"]');
    stepBtn.parentNode.insertBefore(hundred, stepBtn.nextSibling);
    var holder = fig.querySelector(".ln-buttons");
    holder.parentNode.removeChild(holder);

    var svg = fig.querySelector(".ln-net"), select = fig.querySelector("select[name=case]");
    var status = fig.querySelector(".ln-status"), out = BPE.readout(fig);
    var rows = Array.prototype.slice.call(fig.querySelectorAll(".ln-weights tbody tr")).map(function (tr) {
      var m = /^([Wb])(\d+)\[(\d+)(?:,(\d+))?\]$/.exec(tr.getAttribute("data-param"));
      return { el: tr, name: m[1] + m[2], i: +m[3], j: m[4] === undefined ? null : +m[4],
               value: tr.querySelector(".ln-value"), change: tr.querySelector(".ln-change"), timer: null };
    });
    function param(name, i, j, k) { var p = run.params[name][k]; return j === null ? p[i] : p[i][j]; }
    function paramsAt(k) { var p = {}; for (var n in run.params) p[n] = run.params[n][k]; return p; }

    // --- the drawing: layers left to right where there is room, top to bottom on a phone ---
    var R = 24, inLabels = trace.labels && trace.labels.inputs, wires = [], nodes = [], target = null;
    function spread(n, lo, hi) { var gap = Math.min(90, (hi - lo) / Math.max(1, n - 1)), mid = (lo + hi) / 2, o = []; for (var j = 0; j < n; j++) o.push(mid + (j - (n - 1) / 2) * gap); return o; }
    function node(parent, p, label, cls, tall) {
      var g = BPE.svg("g", { "class": "ln-node " + (cls || "") }, parent);
      BPE.svg("circle", { cx: p[0], cy: p[1], r: R, "class": "ln-disc" }, g);
      var fill = BPE.svg("circle", { cx: p[0], cy: p[1], r: R, "class": "ln-fill" }, g);
      BPE.svg("circle", { cx: p[0], cy: p[1], r: R, "class": "ln-ring" }, g);
      if (tall) BPE.text(g, p[0] + R + 5, p[1] + 5, label, "ln-name", "start");
      else BPE.text(g, p[0], p[1] + R + 15, label, "ln-name", "middle");
      var halo = BPE.text(g, p[0], p[1] + 5, "", "ln-halo", "middle");
      var val = BPE.text(g, p[0], p[1] + 5, "", "ln-val", "middle");
      return { fill: fill, halo: halo, val: val };
    }
    function build(tall) {
      while (svg.lastChild && svg.lastChild.nodeName !== "title") svg.removeChild(svg.lastChild);
      var box = tall ? [330, 400] : [480, 290], at = tall ? [64, 200, 336] : [55, 205, 350];
      svg.setAttribute("viewBox", "0 0 " + box[0] + " " + box[1]);
      var pos = sizes.map(function (n, l) {
        return (tall ? spread(n, 40, 250) : spread(n, 60, box[1] - 40)).map(function (v) { return tall ? [v, at[l]] : [at[l], v]; });
      });
      var gWires = BPE.svg("g", { "class": "ln-wires" }, svg), gNodes = BPE.svg("g", { "class": "ln-nodes" }, svg);
      wires = [];
      for (var l = 1; l < sizes.length; l++) {
        for (var i = 0; i < sizes[l]; i++) {
          for (var j = 0; j < sizes[l - 1]; j++) {
            var a = pos[l - 1][j], b = pos[l][i], dx = b[0] - a[0], dy = b[1] - a[1], len = Math.sqrt(dx * dx + dy * dy);
            wires.push({ name: "W" + l, i: i, j: j, el: BPE.svg("line", { x1: a[0] + R * dx / len, y1: a[1] + R * dy / len,
              x2: b[0] - R * dx / len, y2: b[1] - R * dy / len, "class": "ln-wire" }, gWires) });
          }
        }
      }
      var outP = pos[sizes.length - 1][0], tp = tall ? [outP[0] + 110, outP[1]] : [outP[0] + 85, outP[1]];
      ["Inputs", "Hidden layer", "Output"].forEach(function (t, l) {
        if (tall) { BPE.text(svg, 6, at[l] - R - 8, t, "ln-col ln-col-halo", "start"); BPE.text(svg, 6, at[l] - R - 8, t, "ln-col", "start"); }
        else BPE.text(svg, at[l], 22, t, "ln-col", "middle");
      });
      if (!tall) BPE.text(svg, tp[0], 22, "Answer", "ln-col", "middle");
      nodes = sizes.map(function (n, l) {
        return pos[l].map(function (p, j) {
          var label = l === 0 ? (inLabels ? inLabels[j].replace(/(\d+)/, function (m) { return sub(m); }) : "x" + sub(j + 1))
                    : l === sizes.length - 1 ? (n === 1 ? (tall ? "out" : "output") : "out" + sub(j + 1)) : "h" + sub(j + 1);
          return node(gNodes, p, label, l === 0 ? "is-input" : "", tall);
        });
      });
      BPE.svg("line", { x1: outP[0] + R + (tall ? 34 : 0), y1: outP[1], x2: tp[0] - R, y2: tp[1], "class": "ln-compare" }, gWires);
      target = node(gNodes, tp, "right", "is-target", tall);
    }
    var narrow = window.matchMedia ? window.matchMedia("(max-width: 560px)") : null;
    build(!!(narrow && narrow.matches));

    function show(el, v) { el.val.textContent = v; el.halo.textContent = v; }
    function drawNet(k, c) {
      var p = paramsAt(k), f = BPE.nn.forward(net, p, [X[c]]).a;
      f.forEach(function (layer, l) {
        layer[0].forEach(function (v, j) {
          var nd = nodes[l][j];
          show(nd, l === 0 ? String(+v.toFixed(2)) : fmt(v, 2));
          nd.fill.setAttribute("fill-opacity", (0.08 + 0.8 * Math.max(0, Math.min(1, v))).toFixed(3));
        });
      });
      show(target, String(T[c][0]));
      target.fill.setAttribute("fill-opacity", (0.08 + 0.8 * T[c][0]).toFixed(3));
      wires.forEach(function (w) {
        var v = param(w.name, w.i, w.j, k);
        w.el.setAttribute("class", "ln-wire " + (v >= 0 ? "is-pos" : "is-neg"));
        w.el.setAttribute("stroke-width", Math.min(10, 1 + 1.6 * Math.abs(v)).toFixed(2));
      });
      return f[f.length - 1][0][0];
    }

    // --- the table and readouts -------------------------------------------------------------
    var reduce = BPE.reducedMotion(), shown = -1;
    function drawTable(k) {
      var from = shown;
      rows.forEach(function (r) {
        var v = param(r.name, r.i, r.j, k);
        r.value.textContent = fmt(v, 4);
        if (from < 0 || from === k) { r.change.textContent = "—"; r.el.classList.remove("is-changed"); return; }
        var d = v - param(r.name, r.i, r.j, from);
        if (Math.abs(d) < 5e-5) { r.change.textContent = "—"; r.el.classList.remove("is-changed"); return; }
        r.change.textContent = (d > 0 ? "▲ +" : "▼ −") + Math.abs(d).toFixed(4);
        // Mark briefly: the highlight fades; the arrow and amount stay until the next move.
        r.el.classList.add("is-changed");
        if (r.timer) window.clearTimeout(r.timer);
        r.timer = window.setTimeout(function () { r.el.classList.remove("is-changed"); r.timer = null; }, reduce ? 1500 : 900);
      });
    }

    var chart = BPE.lineChart(fig.querySelector(".ln-loss"), run.steps, run.loss, { xLabel: "step", yLabel: "loss" });
    var player = new BPE.Player(run.steps.length, { interval: 120 });
    function render(k, sameStep) {
      var c = Number(select.value), o = drawNet(k, c);
      if (!sameStep) drawTable(k);
      shown = k;
      chart.show(k);
      out.set("step", String(run.steps[k]));
      out.set("loss", fmt(run.loss[k], 4));
      out.set("correct", String(run.correct[k]));
      fig.setAttribute("data-step", String(run.steps[k]));
      if (!player.playing()) {
        out.announce(status, "Step " + run.steps[k] + ": loss " + fmt(run.loss[k], 4) + ", " + run.correct[k] + " of " + X.length +
          " cases right. For inputs (" + X[c].join(", ") + ") the network says " + fmt(o, 2) + "; the right answer is " + T[c][0] + ".");
      } else status.textContent = "";
    }
    player.onFrame(function (k) { render(k); });
    // another case, the same weights
    select.addEventListener("change", function () { render(shown, true); });
    var kit = BPE.controls(fig, player, {
      actions: { hundred: function () { player.pause(); player.seek(Math.min(player.index + 100, player.length - 1)); } },
      keys: { h: "hundred" },
      state: {
        save: function () { return { step: run.steps[player.index], "case": select.value }; },
        restore: function (s) {
          if (s["case"] !== undefined && select.querySelector('option[value="' + Number(s["case"]) + '"]')) select.value = String(Number(s["case"]));
          var k = run.steps.indexOf(Number(s.step));
          shown = -1;
          player.seek(k >= 0 ? k : 0);
        }
      }
    });
    // After the shared controls' own refresh, which knows nothing of this button.
    function hundredState() { hundred.setAttribute("aria-disabled", player.atEnd() ? "true" : "false"); }
    player.onFrame(hundredState);
    hundredState();
    if (narrow) {
      // A new drawing only: the table keeps its last-change marks.
      var relayout = function () { build(narrow.matches); drawNet(Math.max(0, shown), Number(select.value)); };
      if (narrow.addEventListener) narrow.addEventListener("change", relayout); else if (narrow.addListener) narrow.addListener(relayout);
    }
    if (!kit.restore()) render(0);
  };
})();
