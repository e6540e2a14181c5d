/* playground: a 2-8-1 network (or a single neuron) trained live on the learner's own points.
 * The board is [-1.5, 1.5]^2. The decision map is BPE.nn.grid from the current weights every
 * frame; the training is BPE.nn.trainer under a live BPE.Player (a budget per frame, so no
 * task grows long). Presets come from the page trace (a sweep over datasets): each run's X, T,
 * start and final weights and recorded loss. Loading a preset and training it at the recorded
 * rate stops once at the recorded last step, where the weights equal the engine's `final`.
 * Reading an answer (site_builder/widgets/playground.py, MARGIN): above 0.505 answers 1, below
 * 0.495 answers 0; in between it reads 0.50 and is undecided, never right (a single neuron on
 * XOR shrinks every output to 0.5, and rounding noise alone would otherwise decide it).
 * URL state: #w1.pts=x_y_c~x_y_c (2 decimals) or #w1.preset=K, and cls, rate, single. */
(function () {
  "use strict";
  var LO = -1.5, HI = 1.5, GRID = 48, MAX_POINTS = 200, SIZE = 480, MARGIN = 0.005;
  // The map's pixel i covers [i, i + 1] of GRID across the board: its value is taken at the centre.
  var G0 = LO + (HI - LO) / GRID / 2, G1 = HI - (HI - LO) / GRID / 2;
  var SAND = [246, 222, 180], PALE = [244, 244, 240], BLUE = [96, 140, 230];
  // The colour of each of the 256 pixel values, worked out once.
  var BYTES = new Uint8ClampedArray(1024), COLOURS = new Uint32Array(BYTES.buffer);
  for (var n = 0; n < 256; n++) {
    var v = n / 255, from = v < 0.5 ? SAND : PALE, to = v < 0.5 ? PALE : BLUE, f = v < 0.5 ? v * 2 : v * 2 - 1;
    for (var c = 0; c < 3; c++) BYTES[4 * n + c] = Math.round(from[c] + (to[c] - from[c]) * f);
    BYTES[4 * n + 3] = 255;
  }

  function r2(v) { return Math.round(v * 100) / 100; }
  function clamp(v) { return Math.max(LO, Math.min(HI, v)); }
  function fmtXY(x, y) { return "(" + BPE.fmt(x, 2) + ", " + BPE.fmt(y, 2) + ")"; }
  function copy(p) { return JSON.parse(JSON.stringify(p)); }

  /* Two finite point sets are strictly separable by a straight line exactly when their convex
   * hulls do not meet; for convex polygons (points and segments included) some edge normal or
   * edge direction of one of them, or the line between two lone points, then separates them. */
  function hull(P) {
    var pts = P.slice().sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    if (pts.length < 3) return pts;
    function cross(o, a, b) { return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]); }
    var lower = [], upper = [], i;
    for (i = 0; i < pts.length; i++) {
      while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], pts[i]) <= 0) lower.pop();
      lower.push(pts[i]);
    }
    for (i = pts.length - 1; i >= 0; i--) {
      while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], pts[i]) <= 0) upper.pop();
      upper.push(pts[i]);
    }
    return lower.slice(0, -1).concat(upper.slice(0, -1));
  }
  function separable(A, B) {
    if (!A.length || !B.length) return true;
    var ha = hull(A), hb = hull(B), axes = [[ha[0][0] - hb[0][0], ha[0][1] - hb[0][1]]];
    [ha, hb].forEach(function (h) {
      for (var i = 0; i < h.length; i++) {
        var j = (i + 1) % h.length, ex = h[j][0] - h[i][0], ey = h[j][1] - h[i][1];
        if (ex || ey) { axes.push([-ey, ex]); axes.push([ex, ey]); }
      }
    });
    return axes.some(function (ax) {
      if (!ax[0] && !ax[1]) return false;
      function span(h) {
        var lo = Infinity, hi = -Infinity;
        h.forEach(function (p) { var v = p[0] * ax[0] + p[1] * ax[1]; lo = Math.min(lo, v); hi = Math.max(hi, v); });
        return [lo, hi];
      }
      var a = span(ha), b = span(hb);
      return a[1] < b[0] - 1e-12 || b[1] < a[0] - 1e-12;
    });
  }

  /* The 0.5 line over a GRID x GRID map (row 0 at the bottom), marching squares. */
  function contour(ctx, vals) {
    var cell = SIZE / GRID;
    function px(i) { return (i + 0.5) * cell; }
    function py(j) { return SIZE - (j + 0.5) * cell; }
    ctx.beginPath();
    for (var j = 0; j < GRID - 1; j++) {
      for (var i = 0; i < GRID - 1; i++) {
        var a = vals[j * GRID + i] - 0.5, b = vals[j * GRID + i + 1] - 0.5;
        var c = vals[(j + 1) * GRID + i + 1] - 0.5, d = vals[(j + 1) * GRID + i] - 0.5, pts = [];
        // no crossing here
        if ((a < 0) === (b < 0) && (b < 0) === (c < 0) && (c < 0) === (d < 0)) continue;
        if ((a < 0) !== (b < 0)) pts.push([px(i + a / (a - b)), py(j)]);
        if ((b < 0) !== (c < 0)) pts.push([px(i + 1), py(j + b / (b - c))]);
        if ((c < 0) !== (d < 0)) pts.push([px(i + 1 - c / (c - d)), py(j + 1)]);
        if ((d < 0) !== (a < 0)) pts.push([px(i), py(j + 1 - d / (d - a))]);
        for (var k = 0; k + 1 < pts.length; k += 2) { ctx.moveTo(pts[k][0], pts[k][1]); ctx.lineTo(pts[k + 1][0], pts[k + 1][1]); }
      }
    }
  }

  BPE.widgets.playground = function (fig, trace) {
    var runs = trace.runs, nn = BPE.nn;
    var deepNet = runs[0].net;
    var lineNet = { sizes: [2, 1], activations: ["sigmoid"], loss: deepNet.loss, reduction: deepNet.reduction };
    var lineStart = nn.init(lineNet, { scheme: "xavier", seed: 3 });
    var recEta = runs[0].eta, recSteps = runs[0].steps[runs[0].steps.length - 1];
    var maxSteps = Number(fig.getAttribute("data-max-steps")) || 5000;

    fig.querySelector(".static-fallback").hidden = true;
    fig.querySelector(".pg-live").hidden = false;
    var board = fig.querySelector(".pg-board"), ctx = board.getContext("2d");
    var cctx = fig.querySelector(".pg-map").getContext("2d"), image = cctx.createImageData(GRID, GRID);
    // one pixel per write, bytes in the table's order
    var rgba = new Uint32Array(image.data.buffer);
    var chart = fig.querySelector(".pg-chart"), list = fig.querySelector("[data-points]");
    var rateSel = fig.querySelector("[data-rate]"), single = fig.querySelector("[data-single]");
    var radios = Array.prototype.slice.call(fig.querySelectorAll('input[type="radio"]'));
    var out = BPE.readout(fig), region = fig.querySelector("[data-announce]");

    var points = [], preset = null, params = null, trainer = null, history = [], outputs = [];
    var cross = { x: 0, y: 0, shown: false }, lastSlow = 0, lastChart = 0, lastStatus = "", compared = null, passed = false;

    function cls() { return radios.filter(function (r) { return r.checked; })[0].value === "1" ? 1 : 0; }
    function eta() { return Number(rateSel.value); }
    function net() { return single.checked ? lineNet : deepNet; }
    function comparable() { return preset !== null && !single.checked && eta() === recEta; }
    function startParams() { return copy(single.checked ? lineStart : runs[0].start); }
    function rebuild() {
      trainer = points.length ? nn.trainer(net(), params, points.map(function (p) { return [p.x, p.y]; }),
        points.map(function (p) { return [p.c]; }), { eta: eta() }) : null;
    }

    var player = new BPE.Player(null, {
      live: true, perFrame: 5, budget: 6,
      advance: function (n) {
        if (!trainer) return 0;
        var limit = comparable() && !passed ? recSteps : maxSteps;
        var room = limit - player.index;
        return room > 0 ? trainer.run(Math.min(n, room)) : 0;
      },
      reset: function () { params = startParams(); history = []; compared = null; passed = false; rebuild(); }
    });

    function toBoard(x, y) { return [(x - LO) / (HI - LO) * SIZE, (HI - y) / (HI - LO) * SIZE]; }

    function paint(vals) {
      var px = nn.gridPixels(vals, 0, 1);
      for (var row = 0; row < GRID; row++) {
        for (var col = 0; col < GRID; col++) rgba[(GRID - 1 - row) * GRID + col] = COLOURS[px[row * GRID + col]];
      }
      cctx.putImageData(image, 0, 0);
      ctx.clearRect(0, 0, SIZE, SIZE);
      ctx.strokeStyle = "rgba(31, 41, 55, 0.18)";
      ctx.lineWidth = 1;
      [-1, 0, 1].forEach(function (v) {
        var p = toBoard(v, v);
        ctx.beginPath(); ctx.moveTo(p[0], 0); ctx.lineTo(p[0], SIZE); ctx.moveTo(0, p[1]); ctx.lineTo(SIZE, p[1]); ctx.stroke();
      });
      var lo = Infinity, hi = -Infinity;
      for (var q = 0; q < vals.length; q++) { if (vals[q] < lo) lo = vals[q]; if (vals[q] > hi) hi = vals[q]; }
      if (lo < 0.5 - MARGIN && hi > 0.5 + MARGIN) {
        ctx.save();
        contour(ctx, vals);
        ctx.lineCap = "round";
        ctx.lineWidth = 6; ctx.strokeStyle = "rgba(255, 255, 255, 0.75)"; ctx.stroke();
        ctx.lineWidth = 3; ctx.strokeStyle = "#1f2937"; ctx.stroke();
        ctx.restore();
      }
      points.forEach(function (p, i) {
        var b = toBoard(p.x, p.y), wrong = outputs.length === points.length && !right(i);
        // a red ring and a cross: the shape says "wrong" without the colour
        if (wrong) {
          ctx.beginPath(); ctx.arc(b[0], b[1], 15, 0, 2 * Math.PI);
          ctx.lineWidth = 3.5; ctx.strokeStyle = "#b91c1c"; ctx.stroke();
          [["rgba(255, 255, 255, 0.9)", 6], ["#b91c1c", 3.5]].forEach(function (st) {
            ctx.beginPath(); ctx.moveTo(b[0] + 12, b[1] - 26); ctx.lineTo(b[0] + 24, b[1] - 14);
            ctx.moveTo(b[0] + 24, b[1] - 26); ctx.lineTo(b[0] + 12, b[1] - 14);
            ctx.lineCap = "round"; ctx.lineWidth = st[1]; ctx.strokeStyle = st[0]; ctx.stroke();
          });
        }
        ctx.beginPath(); ctx.arc(b[0], b[1], 9, 0, 2 * Math.PI);
        ctx.fillStyle = p.c ? "#1e3a8a" : "#ffffff"; ctx.fill();
        ctx.lineWidth = 3; ctx.strokeStyle = "#1f2937"; ctx.stroke();
      });
      if (cross.shown) {
        var c0 = toBoard(cross.x, cross.y);
        ctx.save();
        [["rgba(255, 255, 255, 0.9)", 5], ["#c2410c", 2.5]].forEach(function (s) {
          ctx.beginPath();
          ctx.moveTo(c0[0] - 18, c0[1]); ctx.lineTo(c0[0] - 6, c0[1]); ctx.moveTo(c0[0] + 6, c0[1]); ctx.lineTo(c0[0] + 18, c0[1]);
          ctx.moveTo(c0[0], c0[1] - 18); ctx.lineTo(c0[0], c0[1] - 6); ctx.moveTo(c0[0], c0[1] + 6); ctx.lineTo(c0[0], c0[1] + 18);
          ctx.strokeStyle = s[0]; ctx.lineWidth = s[1]; ctx.stroke();
        });
        ctx.restore();
      }
    }

    function side(o) { return o > 0.5 + MARGIN ? 1 : o < 0.5 - MARGIN ? 0 : -1; }
    function right(i) { return side(outputs[i]) === points[i].c; }
    function rightCount() { var n = 0; for (var i = 0; i < points.length; i++) if (right(i)) n++; return n; }

    function drawChart() {
      var engine = comparable() ? runs[preset] : null;
      var last = history.length ? history[history.length - 1][0] : 0;
      var xmax = Math.max(100, last, engine ? recSteps : 0), top = 0;
      history.forEach(function (h) { if (isFinite(h[1])) top = Math.max(top, h[1]); });
      if (engine) top = Math.max(top, engine.loss[0]);
      var ax = BPE.axes(chart, { width: 360, height: 200, x: [0, xmax], y: [0, (top || 1) * 1.05], xLabel: "steps trained", yLabel: "loss" });
      function d(xs, ys) {
        var s = "";
        for (var i = 0; i < xs.length; i++) if (isFinite(ys[i])) s += (s ? "L" : "M") + ax.x(xs[i]).toFixed(1) + "," + ax.y(ys[i]).toFixed(1);
        return s;
      }
      if (engine) {
        BPE.svg("path", { d: d(engine.steps, engine.loss), "class": "series-ghost pg-engine" }, ax.plot);
        BPE.text(ax.plot, ax.W - ax.box.r, ax.box.t + 4, "dashed: the engine's run", "pg-chart-note", "end");
      }
      BPE.svg("path", { d: d(history.map(function (h) { return h[0]; }), history.map(function (h) { return h[1]; })), "class": "series" }, ax.plot);
      if (history.length && isFinite(history[history.length - 1][1])) {
        BPE.svg("circle", { r: 4.5, "class": "marker", cx: ax.x(last), cy: ax.y(history[history.length - 1][1]) }, ax.plot);
      }
    }

    function flat(v) { return Array.isArray(v) ? [].concat.apply([], v.map(flat)) : [v]; }
    function maxRelDiff(a, b) {
      var worst = 0;
      Object.keys(b).forEach(function (k) {
        var fa = flat(a[k]), fb = flat(b[k]), scale = 0;
        fb.forEach(function (v) { scale = Math.max(scale, Math.abs(v)); });
        fa.forEach(function (v, i) { worst = Math.max(worst, Math.abs(v - fb[i]) / (scale || 1)); });
      });
      return worst;
    }

    function status(R, N, steps) {
      var s;
      if (!N) return "The board is empty: place points of both classes (or load a preset) for the network to learn.";
      var unsure = outputs.filter(function (o) { return side(o) < 0; }).length;
      var W = N - R, wrongs = W + " of " + N + " point" + (N === 1 ? "" : "s") + (unsure ? " wrong or undecided" : " wrong");
      var A = [], B = [];
      points.forEach(function (p) { (p.c ? A : B).push([p.x, p.y]); });
      if (trainer && trainer.stopped === "diverged") {
        return "The loss blew up at step " + steps + " (" + trainer.diverged.reason + "): pick a smaller learning rate and press Reset.";
      }
      if (single.checked && W && !separable(A, B)) {
        s = "The single neuron can only draw one straight line, and no straight line puts these two classes on two sides: it will always get some wrong (now " + wrongs + ").";
      } else if (!W) {
        s = "All " + N + " points right" + (steps ? " after " + steps + " step" + (steps === 1 ? "" : "s") : " already") + (single.checked ? ": one straight line is enough here." : ".");
      } else if (player.playing()) {
        s = "Learning: " + wrongs + " so far.";
      } else if (!steps) {
        s = "Press Train to start learning: " + wrongs + " so far.";
      } else {
        s = wrongs + " after " + steps + " steps: train on" + (single.checked && separable(A, B) ? " (a straight line can separate these)." : ".");
      }
      if (compared !== null && steps === recSteps) {
        s += " Step " + recSteps + ": the same weights as the engine's run of this preset (largest difference " + compared.toExponential(1) + " of a weight).";
      } else if (steps >= maxSteps) {
        s += " Training stops at " + maxSteps + " steps: press Reset to start again.";
      }
      return s;
    }

    function describe(R, N) {
      var ones = points.filter(function (p) { return p.c; }).length;
      var txt = "The board, " + LO + " to " + HI + " on both axes: " + N + " point" + (N === 1 ? "" : "s") +
        " (" + ones + " of class 1, " + (N - ones) + " of class 0)";
      if (N) txt += "; the network gets " + R + " right and " + (N - R) + " wrong";
      if (cross.shown) txt += ". Crosshair at " + fmtXY(cross.x, cross.y);
      return txt + ".";
    }

    function put(name, value) { if (fig.getAttribute(name) !== value) fig.setAttribute(name, value); }

    function render() {
      var N = points.length, steps = player.index;
      if (trainer) {
        var s = trainer.state();
        params = s.params;
        outputs = s.outputs.map(function (o) { return o[0]; });
        if (!history.length || history[history.length - 1][0] !== steps) history.push([steps, s.loss]);
        if (history.length > 800) history = history.filter(function (h, i) { return i % 2 === 0 || i === history.length - 1; });
      } else {
        outputs = [];
      }
      if (comparable() && steps === recSteps && compared === null) compared = maxRelDiff(params, runs[preset].final);
      var R = rightCount(), now = BPE.now(), playing = player.playing();
      // Reduced motion: while training, the map and chart change three times a second, not every frame.
      if (!playing || !BPE.reducedMotion() || now - lastSlow > 330) {
        lastSlow = now;
        var spec = net(), p = params;
        BPE.draw(board, function () { paint(nn.grid(spec, p, G0, G1, G0, G1, GRID, GRID)); });
      }
      // The chart is rebuilt ten times a second while training (every frame would only add work).
      if (!playing || now - lastChart > (BPE.reducedMotion() ? 330 : 100)) { lastChart = now; drawChart(); }
      out.set("loss", trainer ? BPE.fmt(history[history.length - 1][1], 4) : "–");
      out.set("steps", String(steps));
      out.set("right", N ? R + " of " + N : "–");
      var words = status(R, N, steps);
      out.set("status", words);
      put("data-steps", String(steps));
      put("data-points", String(N));
      put("data-right", String(R));
      // The board's words and the list of points change when training stops, not every frame.
      if (!playing) {
        put("data-weights", JSON.stringify(params));
        board.setAttribute("aria-label", describe(R, N));
        list.textContent = "";
        points.forEach(function (p, i) {
          var li = document.createElement("li"), ok = outputs.length === N && right(i);
          li.setAttribute("data-right", outputs.length === N ? String(ok) : "");
          li.textContent = fmtXY(p.x, p.y) + ", class " + p.c + (p.c ? " (filled)" : " (hollow)") +
            (outputs.length === N ? ": the network says " + BPE.fmt(outputs[i], 2) + (ok ? " ✓ right" : side(outputs[i]) < 0 ? " ✗ undecided" : " ✗ wrong") : "");
          list.appendChild(li);
        });
      }
      if (!playing && words !== lastStatus) { lastStatus = words; out.announce(region, words); }
    }
    player.onFrame(render);

    function changed(say) {
      preset = null;
      compared = null;
      rebuild();
      player.emit();
      if (say) out.announce(region, say);
    }
    function place(x, y, c) {
      if (points.length >= MAX_POINTS) { out.announce(region, "The board holds at most " + MAX_POINTS + " points."); return; }
      var p = { x: r2(clamp(x)), y: r2(clamp(y)), c: c };
      points.push(p);
      changed("Placed a class " + c + " point at " + fmtXY(p.x, p.y) + ": " + points.length + " points.");
    }
    function nearest(x, y) {
      var best = -1, bd = Infinity;
      points.forEach(function (p, i) { var d = (p.x - x) * (p.x - x) + (p.y - y) * (p.y - y); if (d < bd) { bd = d; best = i; } });
      return best;
    }
    function fromEvent(ev) {
      var r = board.getBoundingClientRect();
      return [LO + (ev.clientX - r.left) / r.width * (HI - LO), HI - (ev.clientY - r.top) / r.height * (HI - LO)];
    }
    board.addEventListener("click", function (ev) {
      var xy = fromEvent(ev);
      cross.x = r2(clamp(xy[0])); cross.y = r2(clamp(xy[1]));
      place(xy[0], xy[1], cls());
    });
    board.addEventListener("contextmenu", function (ev) {
      ev.preventDefault();
      var xy = fromEvent(ev);
      cross.x = r2(clamp(xy[0])); cross.y = r2(clamp(xy[1]));
      place(xy[0], xy[1], 1 - cls());
    });
    board.addEventListener("focus", function () { cross.shown = true; player.emit(); });
    board.addEventListener("blur", function () { cross.shown = false; player.emit(); });
    board.addEventListener("keydown", function (ev) {
      if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
      var d = ev.shiftKey ? 0.02 : 0.1, moves = { ArrowLeft: [-d, 0], ArrowRight: [d, 0], ArrowUp: [0, d], ArrowDown: [0, -d] };
      if (moves[ev.key]) {
        cross.shown = true;
        cross.x = r2(clamp(cross.x + moves[ev.key][0]));
        cross.y = r2(clamp(cross.y + moves[ev.key][1]));
        player.emit();
        out.announce(region, "Crosshair at " + fmtXY(cross.x, cross.y) + ".");
      } else if (ev.key === "Enter" || ev.key === " ") {
        place(cross.x, cross.y, cls());
      } else if (ev.key === "Delete" || ev.key === "Backspace") {
        var i = nearest(cross.x, cross.y);
        if (i < 0) return;
        var p = points.splice(i, 1)[0];
        changed("Removed the class " + p.c + " point at " + fmtXY(p.x, p.y) + ": " + points.length + " points.");
      } else {
        return;
      }
      ev.preventDefault();
    });

    function loadPreset(k) {
      var run = runs[k];
      points = run.X.map(function (x, i) { return { x: x[0], y: x[1], c: run.T[i][0] >= 0.5 ? 1 : 0 }; });
      preset = k;
      player.reset();
      out.announce(region, "Loaded the preset " + fig.querySelector('[data-preset="' + k + '"]').textContent + ": " + points.length + " points.");
    }
    Array.prototype.slice.call(fig.querySelectorAll("[data-preset]")).forEach(function (btn) {
      btn.addEventListener("click", function () { loadPreset(Number(btn.getAttribute("data-preset"))); });
    });
    rateSel.addEventListener("change", function () { compared = null; rebuild(); player.emit(); });
    single.addEventListener("change", function () { player.reset(); });
    radios.forEach(function (r) { r.addEventListener("change", function () { player.emit(); }); });

    function encode() {
      return points.map(function (p) { return [p.x, p.y, p.c].join("_"); }).join("~");
    }
    function decode(text) {
      var got = [];
      String(text || "").split("~").forEach(function (t) {
        var v = t.split("_").map(Number);
        if (v.length === 3 && isFinite(v[0]) && isFinite(v[1]) && (v[2] === 0 || v[2] === 1) && got.length < MAX_POINTS) {
          got.push({ x: r2(clamp(v[0])), y: r2(clamp(v[1])), c: v[2] });
        }
      });
      return got;
    }
    var kit = BPE.controls(fig, player, {
      actions: {
        // At the engine's last recorded step a comparable run pauses once; the next press goes on.
        train: function () { if (!player.playing() && player.index >= recSteps) passed = true; player.toggle(); },
        step: function () { player.pause(); if (player.index >= recSteps) passed = true; player.step(); },
        clear: function () { points = []; preset = null; player.reset(); out.announce(region, "Cleared the board: 0 points."); } },
      keys: { c: "clear" },
      state: {
        save: function () {
          var s = preset !== null ? { preset: preset } : { pts: encode() };
          s.cls = cls(); s.rate = rateSel.value; s.single = single.checked ? 1 : 0;
          return s;
        },
        restore: function (s) {
          if (s.rate !== undefined && rateSel.querySelector('option[value="' + s.rate + '"]')) rateSel.value = s.rate;
          single.checked = s.single === "1";
          radios.forEach(function (r) { r.checked = r.value === (s.cls === "0" ? "0" : "1"); });
          var k = Number(s.preset);
          if (s.preset !== undefined && runs[k]) { loadPreset(k); return; }
          points = decode(s.pts);
          preset = null;
          player.reset();
        }
      }
    });
    // Warm up just after the page is ready, in a task of its own (not while it starts): enough
    // steps and maps for the JIT to optimise them before the learner presses Train.
    window.setTimeout(function () {
      var warm = nn.trainer(deepNet, runs[0].start, runs[0].X, runs[0].T, { eta: recEta });
      for (var i = 0; i < 30; i++) { warm.run(10); warm.state(); nn.grid(deepNet, runs[0].start, LO, HI, LO, HI, GRID, GRID); }
    }, 0);
    if (!kit.restore()) { params = startParams(); rebuild(); player.emit(); }
  };
})();
