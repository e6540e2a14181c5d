/* next-word: the network that reads a sentence's words and guesses the next one. Every number
 * comes from the trace: weights (params), each unit's weighted sum z and output a (forward:
 * the detail's z and a, recorded at every step), the probabilities (outputs), the loss, and the way each weight moved
 * (signs). Words come from the trace's labels. Hover or focus (arrow keys in the diagram) shows
 * the same sentence about a word, a unit or a weight. */
(function () {
  "use strict";
  var BPE = window.BPE;
  var XS = [96, 222, 344], TOP = 24, BOTTOM = 276;

  function pct(p) { return (100 * p).toFixed(1) + "%"; }
  function num(v) { return BPE.fmt(v, 3); }
  function term(w, x) { return (w < 0 ? "(" + num(w) + ")" : num(w)) + "×" + (x === 0 || x === 1 ? String(x) : num(x)); }

  BPE.widgets["next-word"] = function (fig, trace) {
    var run = trace.runs[0], mode = fig.getAttribute("data-mode");
    var ins = trace.labels.inputs, outs = trace.labels.outputs, sizes = trace.net.sizes;
    var X = trace.X[0], T = trace.T[0], target = T.indexOf(Math.max.apply(null, T));
    var steps = run.steps, cur = mode === "train" ? 0 : 0, shown = mode === "train";
    var svg = fig.querySelector(".nx-net"), out = BPE.readout(fig), announcer = fig.querySelector("[data-announce]");
    fig.querySelector(".static-fallback").hidden = true;
    fig.querySelector(".nx-live").hidden = false;

    function ys(n) {
      var out = [];
      for (var i = 0; i < n; i++) out.push(n === 1 ? (TOP + BOTTOM) / 2 : TOP + (BOTTOM - TOP) * i / (n - 1));
      return out;
    }
    var pos = sizes.map(function (n, l) { return ys(n).map(function (y) { return [XS[l], y]; }); });
    // z and a per layer over the detail steps (every recorded step here)
    var fwd = run.forward;
    var detailAt = function (i) {
      var k = fwd.steps.indexOf(steps[i]);
      return { z: fwd.z.map(function (L) { return L[k]; }), a: fwd.a.map(function (L) { return L[k]; }) };
    };
    var biggest = [0, 0, 0];
    [1, 2].forEach(function (l) {
      run.params["W" + l].forEach(function (m) { m.forEach(function (row) { row.forEach(function (w) { biggest[l] = Math.max(biggest[l], Math.abs(w)); }); }); });
    });

    var gEdges = BPE.svg("g", { "class": "nx-edges" }, svg);
    var gNodes = BPE.svg("g", { "class": "nx-nodes" }, svg);
    var items = [], edges = { 1: [], 2: [] }, nodes = [[], [], []];

    function unitName(l, j) {
      return l === 0 ? "“" + ins[j] + "”" : l === 1 ? "hidden unit " + (j + 1) : "“" + outs[j] + "”";
    }
    function addItem(g, label, info) {
      g.setAttribute("tabindex", items.length ? "-1" : "0");
      g.setAttribute("class", (g.getAttribute("class") || "") + " nx-item");
      g.setAttribute("role", "img");
      g.setAttribute("aria-label", label);
      var item = { el: g, info: info };
      g.addEventListener("mouseenter", function () { show(item); });
      g.addEventListener("focus", function () { show(item); });
      items.push(item);
      return item;
    }

    // Edges first so the circles sit on top; an edge's group carries a wide invisible line to hover.
    [1, 2].forEach(function (l) {
      for (var j = 0; j < sizes[l]; j++) {
        edges[l].push([]);
        for (var i = 0; i < sizes[l - 1]; i++) {
          var a = pos[l - 1][i], b = pos[l][j];
          var g = BPE.svg("g", { "class": "nx-edge nx-l" + l }, gEdges);
          var line = BPE.svg("line", { x1: a[0] + 14, y1: a[1], x2: b[0] - 14, y2: b[1], "class": "nx-w" }, g);
          BPE.svg("line", { x1: a[0] + 14, y1: a[1], x2: b[0] - 14, y2: b[1], "class": "nx-hit" }, g);
          var mark = BPE.text(g, a[0] + (b[0] - a[0]) * 0.62, a[1] + (b[1] - a[1]) * 0.62 + 4, "", "nx-mark", "middle");
          edges[l][j].push({ line: line, mark: mark, g: g, l: l, i: i, j: j });
        }
      }
    });
    sizes.forEach(function (n, l) {
      for (var j = 0; j < n; j++) {
        var p = pos[l][j], g = BPE.svg("g", { "class": "nx-node nx-layer" + l + (l === 0 && X[j] ? " nx-on" : "") + (l === 2 && j === target ? " nx-target" : "") }, gNodes);
        BPE.svg("circle", { cx: p[0], cy: p[1], r: 14 }, g);
        var val = BPE.text(g, p[0], p[1] + 4, l === 0 ? String(X[j]) : "", "nx-val", "middle");
        if (l === 0) BPE.text(g, p[0] - 20, p[1] + 5, ins[j], "nx-label", "end");
        if (l === 1) BPE.text(g, p[0], p[1] - 19, "h" + (j + 1), "nx-label nx-small", "middle");
        if (l === 2) BPE.text(g, p[0] + 20, p[1] + 5, outs[j] + (j === target ? " ✓" : ""), "nx-label", "start");
        nodes[l].push({ g: g, val: val, l: l, j: j });
      }
    });
    // Focus order: input words, their weights, hidden units, their weights, output words.
    function nodeItems(l) {
      nodes[l].forEach(function (nd) { addItem(nd.g, unitName(l, nd.j), function () { return nodeInfo(nd.l, nd.j); }); });
    }
    function edgeItems(l) {
      edges[l].forEach(function (row) {
        row.forEach(function (e) { addItem(e.g, "weight from " + unitName(l - 1, e.i) + " to " + unitName(l, e.j), function () { return edgeInfo(e); }); });
      });
    }
    nodeItems(0); edgeItems(1); nodeItems(1); edgeItems(2); nodeItems(2);

    function weight(l, j, i) { return run.params["W" + l][cur][j][i]; }
    function nodeInfo(l, j) {
      var d = detailAt(cur);
      if (l === 0) {
        return X[j] ? unitName(0, j) + " is in the sentence, so its input is 1."
          : unitName(0, j) + " is not in the sentence, so its input is 0: whatever its weights are, they add nothing.";
      }
      var prev = d.a[l - 1][0], terms = [];
      for (var i = 0; i < prev.length; i++) terms.push(term(weight(l, j, i), prev[i]));
      var z = d.z[l - 1][0][j], a = d.a[l][0][j];
      var sum = "z = " + terms.join(" + ") + " + bias " + num(run.params["b" + l][cur][j]) + " = " + num(z);
      if (l === 1) return "Hidden unit " + (j + 1) + ": weighted sum " + sum + "; output a = σ(z) = 1 / (1 + e^−z) = " + num(a) + ".";
      return unitName(2, j) + ": weighted sum " + sum + "; softmax turns the five sums into probabilities, p = e^z / (sum of e^z over all five words) = " + pct(a) + ".";
    }
    function edgeInfo(e) {
      var w = weight(e.l, e.j, e.i), d = detailAt(cur), x = d.a[e.l - 1][0][e.i];
      var s = "Weight from " + unitName(e.l - 1, e.i) + " to " + unitName(e.l, e.j) + ": " + num(w) +
        ". It multiplies that " + (e.l === 1 ? "input" : "unit's output") + ", " + (e.l === 1 ? String(x) : num(x)) + ".";
      if (mode === "train" && cur > 0) {
        var sg = run.signs["W" + e.l][cur - 1][e.j][e.i];
        s += sg > 0 ? " The last step moved it up (▲)." : sg < 0 ? " The last step moved it down (▼)." : " The last step did not move it.";
      }
      return s;
    }

    var infoEl = fig.querySelector(".nx-info"), active = null;
    function show(item) {
      if (active) active.el.classList.remove("nx-hot");
      active = item;
      item.el.classList.add("nx-hot");
      out.set("info", item.info());
    }
    svg.addEventListener("keydown", function (ev) {
      if (ev.key !== "ArrowDown" && ev.key !== "ArrowUp") return;
      var at = items.indexOf(active);
      var k = at < 0 ? 0 : (at + (ev.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
      items.forEach(function (it) { it.el.setAttribute("tabindex", "-1"); });
      items[k].el.setAttribute("tabindex", "0");
      items[k].el.focus();
      ev.preventDefault();
    });

    // Probability bars, one per candidate word.
    var list = fig.querySelector(".nx-probs"), bars = [];
    outs.forEach(function (w, k) {
      var li = document.createElement("li");
      if (k === target) li.className = "nx-right";
      li.innerHTML = '<span class="nx-pw"></span><span class="nx-bar"><span></span></span><span class="nx-pv" data-prob=""></span>';
      li.firstChild.textContent = w + (k === target ? " ✓" : "");
      list.appendChild(li);
      bars.push(li);
    });

    function draw() {
      var d = detailAt(cur), probs = run.outputs[cur][0];
      [1, 2].forEach(function (l) {
        edges[l].forEach(function (row) {
          row.forEach(function (e) {
            var w = weight(l, e.j, e.i);
            e.line.setAttribute("stroke-width", (0.6 + 3.6 * Math.abs(w) / (biggest[l] || 1)).toFixed(2));
            e.line.setAttribute("class", "nx-w " + (w >= 0 ? "nx-pos" : "nx-neg") + (l === 1 && !X[e.i] ? " nx-idle" : ""));
            var sg = mode === "train" && cur > 0 ? run.signs["W" + l][cur - 1][e.j][e.i] : 0;
            e.mark.textContent = sg > 0 ? "▲" : sg < 0 ? "▼" : "";
            e.mark.setAttribute("class", "nx-mark " + (sg > 0 ? "nx-up" : "nx-down"));
          });
        });
      });
      nodes[1].forEach(function (nd) { nd.val.textContent = shown ? BPE.fmt(d.a[1][0][nd.j], 2) : ""; });
      bars.forEach(function (li, k) {
        li.querySelector(".nx-bar span").style.width = shown ? (100 * probs[k]).toFixed(1) + "%" : "0";
        li.querySelector(".nx-pv").textContent = shown ? pct(probs[k]) : "?";
      });
      var best = probs.indexOf(Math.max.apply(null, probs));
      out.set("guess", shown ? outs[best] + "? (" + pct(probs[best]) + ")" : "…?");
      if (active) out.set("info", active.info());
    }

    if (mode === "guess") {
      var button = fig.querySelector('[data-nx="forward"]'), timers = [];
      button.addEventListener("click", function () {
        timers.forEach(window.clearTimeout);
        shown = false; draw();
        fig.removeAttribute("data-forward");
        var phases = ["nx-p1", "nx-p2", "nx-p3", "nx-p4"];
        svg.classList.remove.apply(svg.classList, phases);
        // Reduced motion: every phase at once, in this click (no timer, so nothing lands later).
        var gap = BPE.reducedMotion() ? 0 : 450;
        var later = function (fn, ms) { if (gap) timers.push(window.setTimeout(fn, ms)); else fn(); };
        phases.forEach(function (cls, n) {
          later(function () {
            svg.classList.add(cls);
            if (n === 1) nodes[1].forEach(function (nd) { nd.val.textContent = BPE.fmt(detailAt(cur).a[1][0][nd.j], 2); });
          }, gap * n);
        });
        later(function () {
          shown = true; draw();
          fig.setAttribute("data-forward", "done");
          button.textContent = "Run forward again";
          var p = run.outputs[cur][0];
          out.announce(announcer, "The network gives " + outs[target] + " " + pct(p[target]) + ". Its top guess is " +
            outs[p.indexOf(Math.max.apply(null, p))] + ".");
        }, gap * phases.length);
      });
      draw();
      return;
    }

    // Train mode: replay the recorded steps.
    var targetP = run.outputs.map(function (o) { return o[0][target]; });
    var chart = BPE.lineChart(fig.querySelector(".nx-chart"), steps, targetP, { xLabel: "step", yLabel: "p(" + outs[target] + ")" });
    var player = new BPE.Player(steps.length, { interval: 700 });
    var lossBox = fig.querySelector(".nx-loss"), flash = null;
    function render(i) {
      var moved = i !== cur;
      cur = i; draw(); chart.show(i);
      out.set("step", String(steps[i]) + " of " + String(steps[steps.length - 1]));
      out.set("loss", BPE.fmt(run.loss[i], 4));
      out.set("target", pct(targetP[i]));
      fig.setAttribute("data-step", String(steps[i]));
      if (moved && !BPE.reducedMotion()) {
        svg.classList.remove("nx-pulse"); lossBox.classList.remove("nx-flash");
        void svg.getBoundingClientRect();
        svg.classList.add("nx-pulse"); lossBox.classList.add("nx-flash");
        if (flash) window.clearTimeout(flash);
        flash = window.setTimeout(function () { svg.classList.remove("nx-pulse"); lossBox.classList.remove("nx-flash"); }, 900);
      }
      if (!player.playing()) {
        out.announce(announcer, "Step " + steps[i] + ": loss " + BPE.fmt(run.loss[i], 4) + ", " + outs[target] + " " + pct(targetP[i]) + ".");
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
