/* gradient-depth: each layer's gradient size ||dW_l|| (recorded by the engine) as bars on a
 * log scale, for the chosen set-up and depth, at the chosen training step; the loss of every
 * set-up at that depth. The step is the shared Player's index (Step, Back, Play, Reset and a
 * slider); set-up and depth are radios and a slider. URL: #wN.setup=0&depth=10&step=0. */
(function () {
  "use strict";
  var BPE = window.BPE;
  var SUP = { "-": "⁻", "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹" };
  var DASH = ["", "8 5", "2 4", "10 4 2 4"];

  /* 2 significant digits, a×10ⁿ outside 0.01..1000: as gradient_depth.sci writes it. */
  function sci(v) {
    if (!isFinite(v)) return isNaN(v) ? "not a number" : "infinite";
    if (v === 0) return "0";
    var e = Math.floor(Math.log10(Math.abs(v))), m = Math.round(v / Math.pow(10, e) * 10) / 10;
    if (Math.abs(m) >= 10) { m /= 10; e += 1; }
    if (e >= -2 && e <= 2) return v.toFixed(Math.max(0, 1 - e));
    return m.toFixed(1) + "×10" + String(e).split("").map(function (c) { return SUP[c]; }).join("");
  }
  // two significant digits, in words-friendly form: 150,000 or 2.4
  function round2(v) {
    var e = Math.floor(Math.log10(v)), p = Math.pow(10, e - 1), r = Math.round(v / p) * p;
    return e >= 1 ? grouped(Math.round(r)) : String(+r.toFixed(1));
  }
  // 150000 as "150,000", as toLocaleString("en") writes it, without building a number
  // formatter on every call (the first costs tens of ms while the page starts).
  function grouped(n) {
    return n < 1e21 ? String(n).replace(/\B(?=(\d{3})+$)/g, ",") : n.toLocaleString("en");
  }
  // a ratio in words
  function times(r) {
    if (!isFinite(r) || r === 0) return "";
    if (r < 1 / 1.5) return round2(1 / r) + " times smaller than";
    return r < 1.5 ? "about the same as" : round2(r) + " times larger than";
  }

  BPE.widgets["gradient-depth"] = function (fig, trace) {
    var lookup = JSON.parse(fig.getAttribute("data-lookup")), setups = JSON.parse(fig.getAttribute("data-setups"));
    fig.querySelector(".static-fallback").hidden = true;
    fig.querySelector(".gd-live").hidden = false;
    var radios = Array.prototype.slice.call(fig.querySelectorAll("input[type=radio]"));
    var depthIn = fig.querySelector(".gd-depth"), stepIn = fig.querySelector(".gd-step");
    var bars = fig.querySelector(".gd-bars"), lossSvg = fig.querySelector(".gd-loss"), key = fig.querySelector(".gd-key");
    var status = fig.querySelector(".gd-status"), out = BPE.readout(fig);
    var state = { setup: 0, depth: Number(depthIn.value) };
    var narrow = window.matchMedia ? window.matchMedia("(max-width: 560px)") : null;
    function small() { return !!(narrow && narrow.matches); }
    function runOf(s, d) { return trace.runs[lookup[s + ":" + d]]; }

    // One log scale for every run, so set-ups and depths compare by eye.
    var lo = Infinity, hi = -Infinity;
    trace.runs.forEach(function (r) {
      r.gradnorms.W.forEach(function (row) { row.forEach(function (v) { if (v > 0 && isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }); });
    });
    var e0 = Math.floor(Math.log10(lo)), e1 = Math.ceil(Math.log10(hi));
    var records = trace.runs[0].steps.length;
    var player = new BPE.Player(records, { interval: 500 });

    function drawBars(run, k) {
      var W = small() ? 300 : 420, H = 280, m = { l: 62, r: 12, t: 30, b: 44 };
      bars.setAttribute("viewBox", "0 0 " + W + " " + H);
      while (bars.lastChild && bars.lastChild.nodeName !== "title") bars.removeChild(bars.lastChild);
      var g = run.gradnorms.W[k], L = g.length;
      var y = BPE.scale(e0, e1, H - m.b, m.t), slot = (W - m.l - m.r) / L;
      var axes = BPE.svg("g", { "class": "axes" }, bars);
      for (var e = e0; e <= e1; e += (e1 - e0 > 10 ? 2 : 1)) {
        BPE.svg("line", { x1: m.l, y1: y(e), x2: W - m.r, y2: y(e), "class": "gd-grid" }, axes);
        BPE.text(axes, m.l - 6, y(e) + 4, e === 0 ? "1" : "10" + String(e).split("").map(function (c) { return SUP[c]; }).join(""), "tick", "end");
      }
      BPE.svg("line", { x1: m.l, y1: H - m.b, x2: W - m.r, y2: H - m.b }, axes);
      BPE.text(axes, (m.l + W - m.r) / 2, H - 6, small() ? "layer (1 = input side, " + L + " = output)" : "layer (1 = next to the input, " + L + " = output)", "axis-label", "middle");
      var yl = BPE.text(axes, 14, (m.t + H - m.b) / 2, "gradient size", "axis-label", "middle");
      yl.setAttribute("transform", "rotate(-90 14 " + (m.t + H - m.b) / 2 + ")");
      var plot = BPE.svg("g", { "class": "gd-plot" }, bars);
      g.forEach(function (v, l) {
        var x = m.l + l * slot + slot * 0.15, w = slot * 0.7, top = v > 0 && isFinite(v) ? y(Math.log10(v)) : H - m.b;
        var rect = BPE.svg("rect", { x: x.toFixed(1), y: top.toFixed(1), width: w.toFixed(1), height: Math.max(0, H - m.b - top).toFixed(1),
                                     "class": "gd-bar", "data-layer": l + 1, "data-value": String(v) }, plot);
        rect.appendChild(document.createElementNS("http://www.w3.org/2000/svg", "title")).textContent = "layer " + (l + 1) + ": " + sci(v);
        BPE.text(plot, x + w / 2, H - m.b + 15, String(l + 1), "tick", "middle");
        var lx = x + w / 2, ly = top - 5, label = BPE.text(plot, lx, ly, sci(v), "gd-value", "start");
        label.setAttribute("transform", "rotate(-90 " + lx.toFixed(1) + " " + ly.toFixed(1) + ")");
        label.setAttribute("dy", "0.35em");
      });
    }

    function drawLoss(k) {
      var runs = setups.map(function (_, s) { return runOf(s, state.depth); });
      var last = Math.max.apply(null, runs.map(function (r) { return r.steps[r.steps.length - 1]; }));
      var TOP = 1.5;
      var LW = small() ? 300 : 420;
      lossSvg.setAttribute("viewBox", "0 0 " + LW + " 240");
      var ax = BPE.axes(lossSvg, { width: LW, height: 240, x: [0, last], y: [0, TOP], xLabel: "step", yLabel: "loss" });
      runs.forEach(function (r, s) {
        var d = "";
        r.steps.forEach(function (st, i) { if (isFinite(r.loss[i])) d += (d ? "L" : "M") + ax.x(st).toFixed(1) + "," + ax.y(Math.min(TOP, r.loss[i])).toFixed(1); });
        var path = BPE.svg("path", { d: d, "class": s === state.setup ? "series gd-chosen" : "gd-other" }, ax.plot);
        if (DASH[s % 4]) path.setAttribute("stroke-dasharray", DASH[s % 4]);
      });
      var r = runs[state.setup], i = Math.min(k, r.steps.length - 1);
      if (isFinite(r.loss[i])) BPE.svg("circle", { cx: ax.x(r.steps[i]), cy: ax.y(Math.min(TOP, r.loss[i])), r: 5, "class": "marker" }, ax.plot);
      key.textContent = "";
      setups.forEach(function (name, s) {
        var li = document.createElement("li"), sw = document.createElementNS("http://www.w3.org/2000/svg", "svg");
        sw.setAttribute("viewBox", "0 0 36 10"); sw.setAttribute("aria-hidden", "true"); sw.setAttribute("class", "gd-swatch");
        var ln = BPE.svg("line", { x1: 0, y1: 5, x2: 36, y2: 5, "class": s === state.setup ? "series gd-chosen" : "gd-other" }, sw);
        if (DASH[s % 4]) ln.setAttribute("stroke-dasharray", DASH[s % 4]);
        li.appendChild(sw);
        var lastLoss = runs[s].loss[runs[s].loss.length - 1];
        li.appendChild(document.createTextNode(" " + name + (s === state.setup ? " (chosen)" : "") + ": ends at " + BPE.fmt(lastLoss, 3) +
          (runs[s].loss[0] > TOP ? " (starts at " + BPE.fmt(runs[s].loss[0], 1) + ", above the chart)" : "")));
        key.appendChild(li);
      });
    }

    function render(k) {
      var run = runOf(state.setup, state.depth), i = Math.min(k, run.steps.length - 1);
      radios.forEach(function (r) { r.checked = Number(r.value) === state.setup; });
      depthIn.value = String(state.depth);
      stepIn.value = String(k);
      fig.querySelector(".gd-depth-value").textContent = String(state.depth);
      fig.querySelector(".gd-step-value").textContent = String(run.steps[i]);
      drawBars(run, i);
      drawLoss(k);
      var g = run.gradnorms.W[i], first = g[0], lastG = g[g.length - 1], ratio = first / lastG;
      out.set("first", sci(first));
      out.set("last", sci(lastG));
      out.set("ratio", lastG === 0 ? "—" : sci(ratio));
      out.set("loss", BPE.fmt(run.loss[i], 3));
      fig.setAttribute("data-setup", String(state.setup));
      fig.setAttribute("data-depth", String(state.depth));
      fig.setAttribute("data-step", String(run.steps[i]));
      var said = g.every(function (v) { return v === 0; })
        ? "every layer's gradient is 0: no blame reaches any weight, so nothing can learn any more"
        : first === 0 || lastG === 0
          ? "layer 1's gradient is " + sci(first) + " and the output layer's is " + sci(lastG)
          : "layer 1's gradient is " + sci(first) + ", " + times(ratio) + " the output layer's (" + sci(lastG) + ")";
      // said once it stops, not at every frame
      if (player.playing()) { status.textContent = ""; return; }
      out.announce(status, setups[state.setup] + ", " + state.depth + " layers, step " + run.steps[i] + ": " + said + ". Loss " + BPE.fmt(run.loss[i], 3) + ".");
    }

    player.onFrame(function (k) { render(k); });
    radios.forEach(function (r) { r.addEventListener("change", function () { if (r.checked) { state.setup = Number(r.value); render(player.index); kit.refresh(); save(); } }); });
    depthIn.addEventListener("input", function () { state.depth = Number(depthIn.value); render(player.index); save(); });
    stepIn.addEventListener("input", function () { player.pause(); player.seek(Number(stepIn.value)); });
    var kit = BPE.controls(fig, player, {
      state: {
        save: function () { return { setup: state.setup, depth: state.depth, step: trace.runs[0].steps[player.index] }; },
        restore: function (s) {
          if (s.setup !== undefined && setups[Number(s.setup)]) state.setup = Number(s.setup);
          if (s.depth !== undefined && lookup["0:" + Number(s.depth)] !== undefined) state.depth = Number(s.depth);
          var k = trace.runs[0].steps.indexOf(Number(s.step));
          player.seek(k >= 0 ? k : 0);
        }
      }
    });
    function save() { BPE.hashState.write(fig.id, { setup: state.setup, depth: state.depth, step: trace.runs[0].steps[player.index] }); }
    if (narrow) {
      var relayout = function () { render(player.index); };
      if (narrow.addEventListener) narrow.addEventListener("change", relayout); else if (narrow.addListener) narrow.addListener(relayout);
    }
    if (!kit.restore()) render(0);
  };
})();
