/* one-neuron: a single sigmoid neuron with two inputs, a = sigma(w1*x1 + w2*x2 + b), set by
 * the learner. The weights are the learner's own input, so the page computes here (plain
 * arithmetic; nothing is replayed except the recorded start and final weights, trace fields
 * `start` and `final`).
 * The plot is the input plane [-2, 2]^2: a canvas under the SVG shades the output (sand near 0,
 * blue near 1), the SVG draws the boundary line w1*x1 + w2*x2 + b = 0, the weight vector
 * (w1, w2) at half size from the origin (at right angles to the line, pointing to the side
 * that answers 1), the data points (filled: should answer 1, hollow: 0) with a tick or cross
 * each, and the chosen point. Dragging the arrow's tip sets w1 and w2, dragging the square
 * handle on the line sets b, clicking (or the arrow keys on the plot) chooses a point.
 * Timing and URL state go through the shared Player and controls: a two-frame replay Player,
 * frame 0 = the recorded start, frame 1 = the learner's own setting, so Reset (the shared
 * button) is unavailable exactly when nothing has been changed. A one-frame Player would
 * leave Reset disabled for good (controls disable Reset at the start).
 * Reading an answer (site_builder/widgets/one_neuron.py): a point with |z| <= 1e-9 is on the
 * line, undecided, never right; otherwise z > 0 answers 1 and z < 0 answers 0. */
(function () {
  "use strict";
  var BPE = window.BPE;
  var LO = -2, HI = 2, RANGE = 4, ON_LINE = 1e-9, ARROW = 0.5, CELLS = 100;
  var W = 400, BOX = { l: 40, t: 12, size: 348 };
  var SAND = [246, 222, 180], PALE = [244, 244, 240], BLUE = [96, 140, 230];

  function sigmoid(z) { return 1 / (1 + Math.exp(-z)); }
  function clamp(v, lo, hi) { return Math.max(lo, Math.min(hi, v)); }
  function tenth(v) { return Math.round(v * 10) / 10; }
  // A number with a real minus sign and no "-0".
  function num(v, digits) {
    var s = v.toFixed(digits === undefined ? 2 : digits);
    if (Number(s) === 0) s = s.replace("-", "");
    return s.replace("-", "\u2212");
  }
  function coord(v) { return Number.isInteger(v) ? num(v, 0) : num(v, 1); }
  function pointText(x1, x2) { return "(" + coord(x1) + ",\u00a0" + coord(x2) + ")"; }
  function paren(s) { return s.charAt(0) === "\u2212" ? "(" + s + ")" : s; }
  function lineText(s) {
    return (num(s.w1) + "·x1 + " + num(s.w2) + "·x2 + " + num(s.b) + " = 0").replace(/\+ \u2212/g, "\u2212 ");
  }
  function side(z) { return Math.abs(z) <= ON_LINE ? "line" : z > 0 ? "one" : "zero"; }

  BPE.widgets["one-neuron"] = function (fig, trace) {
    var run = trace.runs[0], X = run.X, T = run.T, n = X.length;
    var start = { w1: run.start.W1[0][0], w2: run.start.W1[0][1], b: run.start.b1[0] };
    var final = { w1: run.final.W1[0][0], w2: run.final.W1[0][1], b: run.final.b1[0] };

    fig.querySelector(".static-fallback").hidden = true;
    fig.querySelector(".on-live").hidden = false;
    var out = BPE.readout(fig), region = fig.querySelector("[data-announce]");
    var svg = fig.querySelector(".on-svg"), canvas = fig.querySelector(".on-map");
    var sliders = {}, outputs = {};
    ["w1", "w2", "b"].forEach(function (k) {
      sliders[k] = fig.querySelector('input[data-param="' + k + '"]');
      outputs[k] = fig.querySelector('output[data-readout="' + k + '"]');
    });
    var radios = Array.prototype.slice.call(fig.querySelectorAll(".on-points input[type=radio]"));
    var pinned = fig.querySelector("[data-pinned]"), flat = fig.querySelector("[data-flat]");
    var own = fig.querySelector('[data-readout="own"]');

    function z(s, x1, x2) { return s.w1 * x1 + s.w2 * x2 + s.b; }
    function firstWrong(s) {
      for (var i = 0; i < n; i++) {
        var sd = side(z(s, X[i][0], X[i][1]));
        if (sd === "line" || (sd === "one") !== (T[i][0] >= 0.5)) return i;
      }
      return 0;
    }
    var state = { w1: start.w1, w2: start.w2, b: start.b, x1: 0, x2: 0 };
    function startPoint() { var i = firstWrong(start); state.x1 = X[i][0]; state.x2 = X[i][1]; }
    startPoint();
    function dataIndex(x1, x2) {
      for (var i = 0; i < n; i++) if (Math.abs(X[i][0] - x1) < 1e-9 && Math.abs(X[i][1] - x2) < 1e-9) return i;
      return -1;
    }

    /* --- The plot's fixed parts ------------------------------------------------------- */
    function sx(v) { return BOX.l + (v - LO) / (HI - LO) * BOX.size; }
    function sy(v) { return BOX.t + (HI - v) / (HI - LO) * BOX.size; }
    function fromScreen(ev) {
      var r = svg.getBoundingClientRect(), px = (ev.clientX - r.left) / r.width * W, py = (ev.clientY - r.top) / r.height * W;
      return [LO + (px - BOX.l) / BOX.size * (HI - LO), HI - (py - BOX.t) / BOX.size * (HI - LO)];
    }
    svg.setAttribute("data-box", [BOX.l, BOX.t, BOX.size, BOX.size].join(" "));
    svg.setAttribute("data-domain", LO + " " + HI);
    var S = BPE.svg;
    var axes = S("g", { "class": "on-axes" }, svg);
    for (var v = LO; v <= HI; v++) {
      S("line", { x1: sx(v), y1: sy(LO), x2: sx(v), y2: sy(HI), "class": v === 0 ? "on-zero" : "on-grid" }, axes);
      S("line", { x1: sx(LO), y1: sy(v), x2: sx(HI), y2: sy(v), "class": v === 0 ? "on-zero" : "on-grid" }, axes);
      BPE.text(axes, sx(v), sy(LO) + 18, num(v, 0), "on-tick", "middle");
      BPE.text(axes, BOX.l - 8, sy(v) + 5, num(v, 0), "on-tick", "end");
    }
    BPE.text(axes, sx(HI) - 2, sy(LO) + 34, "x1 →", "on-axis-label", "end");
    var yl = BPE.text(axes, 12, sy(HI) + 2, "x2 →", "on-axis-label", "end");
    yl.setAttribute("transform", "rotate(-90 12 " + (sy(HI) + 2) + ")");
    S("rect", { x: BOX.l, y: BOX.t, width: BOX.size, height: BOX.size, "class": "on-frame" }, axes);
    var labels = S("g", { "class": "on-sides" }, svg);
    var label1 = BPE.text(labels, 0, 0, "answers 1", "on-side-label", "middle");
    var label0 = BPE.text(labels, 0, 0, "answers 0", "on-side-label", "middle");
    var lineG = S("g", { "class": "on-line-g" }, svg);
    var under = S("line", { "class": "on-boundary-under" }, lineG);
    var line = S("line", { "class": "on-boundary" }, lineG);
    var lineLabel = BPE.text(lineG, 0, 0, "a = 0.5", "on-line-label", "middle");
    S("circle", { cx: sx(0), cy: sy(0), r: 3.5, "class": "on-origin" }, svg);
    var ptsG = S("g", { "class": "on-points-g" }, svg);
    var marks = X.map(function (x, i) {
      var one = T[i][0] >= 0.5;
      S("circle", { cx: sx(x[0]), cy: sy(x[1]), r: 9, "class": one ? "on-pt on-pt-one" : "on-pt on-pt-zero" }, ptsG);
      return BPE.text(ptsG, sx(x[0]) + 13, sy(x[1]) - 10, "", "on-mark", "start");
    });
    var chosen = S("circle", { r: 15, "class": "on-chosen" }, svg);
    var arrowG = S("g", { "class": "on-arrow" }, svg);
    var shaftUnder = S("line", { "class": "on-arrow-under" }, arrowG);
    var shaft = S("line", { "class": "on-arrow-shaft" }, arrowG);
    var head = S("polygon", { "class": "on-arrow-head" }, arrowG);
    var wLabel = BPE.text(arrowG, 0, 0, "w", "on-w-label", "middle");
    [label1, label0, lineLabel, wLabel].concat(marks).forEach(function (t) { t.setAttribute("paint-order", "stroke"); });
    var handles = S("g", { "class": "on-handles" }, svg);
    var lineHandle = S("rect", { width: 16, height: 16, "class": "on-handle on-line-handle" }, handles);
    var lineHit = S("circle", { r: 28, "class": "on-hit", "data-drag": "line" }, handles);
    var tipHandle = S("circle", { r: 12, "class": "on-handle on-tip-handle" }, handles);
    var tipHit = S("circle", { r: 28, "class": "on-hit", "data-drag": "tip" }, handles);
    lineHit.appendChild(S("title", {})).textContent = "Drag to shift the line (sets b)";
    tipHit.appendChild(S("title", {})).textContent = "Drag to turn the line (sets w1 and w2)";

    /* --- The map: the output over the plane, sand through pale to blue. -------------- */
    var ctx = canvas.getContext("2d"), image = ctx.createImageData(CELLS, CELLS);
    function paint() {
      for (var row = 0; row < CELLS; row++) {
        var x2 = HI - (row + 0.5) / CELLS * (HI - LO);
        for (var col = 0; col < CELLS; col++) {
          var a = sigmoid(z(state, LO + (col + 0.5) / CELLS * (HI - LO), x2)), o = 4 * (row * CELLS + col);
          var from = a < 0.5 ? SAND : PALE, to = a < 0.5 ? PALE : BLUE, f = a < 0.5 ? a * 2 : a * 2 - 1;
          for (var c = 0; c < 3; c++) image.data[o + c] = Math.round(from[c] + (to[c] - from[c]) * f);
          image.data[o + 3] = 255;
        }
      }
      ctx.putImageData(image, 0, 0);
    }

    /* The boundary line clipped to the plot square: its two ends, or null. */
    function segment(s) {
      var pts = [], eps = 1e-12;
      if (Math.abs(s.w2) > eps) [LO, HI].forEach(function (x) { pts.push([x, -(s.w1 * x + s.b) / s.w2]); });
      if (Math.abs(s.w1) > eps) [LO, HI].forEach(function (y) { pts.push([-(s.w2 * y + s.b) / s.w1, y]); });
      pts = pts.filter(function (p) { return p[0] >= LO - 1e-9 && p[0] <= HI + 1e-9 && p[1] >= LO - 1e-9 && p[1] <= HI + 1e-9; });
      var best = null, far = -1;
      for (var i = 0; i < pts.length; i++) for (var j = i + 1; j < pts.length; j++) {
        var d = Math.hypot(pts[i][0] - pts[j][0], pts[i][1] - pts[j][1]);
        if (d > far) { far = d; best = [pts[i], pts[j]]; }
      }
      return best && far > 1e-6 ? best : null;
    }
    function inside(p, pad) { return p[0] >= LO + pad && p[0] <= HI - pad && p[1] >= LO + pad && p[1] <= HI - pad; }
    function show(el, on) { el.style.display = on ? "" : "none"; }

    function drawPlot(sides) {
      var s = state, norm = Math.hypot(s.w1, s.w2), seg = norm > 0 ? segment(s) : null;
      show(lineG, !!seg);
      show(lineHandle, !!seg);
      show(lineHit, !!seg);
      show(labels, !!seg);
      if (seg) {
        [under, line].forEach(function (el) {
          el.setAttribute("x1", sx(seg[0][0])); el.setAttribute("y1", sy(seg[0][1]));
          el.setAttribute("x2", sx(seg[1][0])); el.setAttribute("y2", sy(seg[1][1]));
        });
        // unit normal, towards "answers 1"
        var ux = s.w1 / norm, uy = s.w2 / norm;
        var foot = [-s.b * ux / norm, -s.b * uy / norm];
        var mid = [(seg[0][0] + seg[1][0]) / 2, (seg[0][1] + seg[1][1]) / 2];
        var at = inside(foot, 0.15) ? foot : mid;
        lineHandle.setAttribute("x", sx(at[0]) - 8);
        lineHandle.setAttribute("y", sy(at[1]) - 8);
        lineHit.setAttribute("cx", sx(at[0]));
        lineHit.setAttribute("cy", sy(at[1]));
        // Labels where they collide least: "a = 0.5" beside the line, "answers 1" and
        // "answers 0" on their sides, each kept inside the square and away from the points,
        // the arrow and each other.
        var tip0 = [s.w1 * ARROW, s.w2 * ARROW], taken = X.map(function (x) { return x; });
        taken.push([state.x1, state.x2], at);
        for (var q = 0; q <= 4; q++) taken.push([tip0[0] * q / 4, tip0[1] * q / 4]);
        // along the line
        var tx = -uy, ty = ux;
        function place(el, dist, halfWidth) {
          var best = null, score = -1;
          [0.9, -0.9, 1.4, -1.4, 0.45, -0.45, 0, 1.9, -1.9].forEach(function (t) {
            var p = [at[0] + tx * t + ux * dist, at[1] + ty * t + uy * dist];
            if (p[0] < LO + halfWidth || p[0] > HI - halfWidth || p[1] < LO + 0.15 || p[1] > HI - 0.15) return;
            var near = Infinity;
            taken.forEach(function (o) { near = Math.min(near, Math.hypot((o[0] - p[0]) / Math.max(halfWidth, 0.3), (o[1] - p[1]) / 0.3)); });
            if (near > score + 1e-9) { score = near; best = p; }
          });
          show(el, !!best);
          if (best) { el.setAttribute("x", sx(best[0])); el.setAttribute("y", sy(best[1]) + 5); taken.push(best); }
        }
        // horizontal text needs more room beside a steep line
        var wide = 0.3 * Math.abs(ux);
        place(lineLabel, -(0.2 + wide), 0.32);
        place(label1, 0.45 + wide, 0.55);
        place(label0, -(0.45 + wide), 0.55);
      }
      var tip = [s.w1 * ARROW, s.w2 * ARROW], tl = Math.hypot(sx(tip[0]) - sx(0), sy(tip[1]) - sy(0));
      [shaftUnder, shaft].forEach(function (el) {
        el.setAttribute("x1", sx(0)); el.setAttribute("y1", sy(0));
        el.setAttribute("x2", sx(tip[0])); el.setAttribute("y2", sy(tip[1]));
      });
      show(head, tl > 12);
      if (tl > 12) {
        var dx = (sx(tip[0]) - sx(0)) / tl, dy = (sy(tip[1]) - sy(0)) / tl, hx = sx(tip[0]), hy = sy(tip[1]);
        head.setAttribute("points", [hx, hy, hx - 14 * dx - 7 * dy, hy - 14 * dy + 7 * dx, hx - 14 * dx + 7 * dy, hy - 14 * dy - 7 * dx].join(" "));
        wLabel.setAttribute("x", hx + 24 * dx);
        wLabel.setAttribute("y", hy + 24 * dy + 5);
      }
      show(wLabel, tl > 12);
      tipHandle.setAttribute("cx", sx(tip[0])); tipHandle.setAttribute("cy", sy(tip[1]));
      tipHit.setAttribute("cx", sx(tip[0])); tipHit.setAttribute("cy", sy(tip[1]));
      chosen.setAttribute("cx", sx(state.x1));
      chosen.setAttribute("cy", sy(state.x2));
      marks.forEach(function (m, i) {
        var ok = sides[i] !== "line" && (sides[i] === "one") === (T[i][0] >= 0.5);
        m.textContent = sides[i] === "line" ? "?" : ok ? "✓" : "✗";
        m.setAttribute("class", "on-mark " + (sides[i] === "line" ? "is-line" : ok ? "is-right" : "is-wrong"));
      });
    }

    /* --- Everything from state -------------------------------------------------------- */
    var lastSummary = "";
    function render() {
      var s = state, sides = X.map(function (x) { return side(z(s, x[0], x[1])); });
      var right = 0, onLine = 0;
      sides.forEach(function (sd, i) {
        if (sd === "line") onLine++;
        else if ((sd === "one") === (T[i][0] >= 0.5)) right++;
      });
      // The shaded map waits for the first frame while the page starts (BPE.draw).
      BPE.draw(canvas, paint);
      drawPlot(sides);
      ["w1", "w2", "b"].forEach(function (k) {
        var shown = num(s[k]);
        if (Math.abs(Number(sliders[k].value) - s[k]) > 1e-9) sliders[k].value = String(s[k]);
        sliders[k].setAttribute("aria-valuetext", shown);
        outputs[k].textContent = shown;
      });
      var idx = dataIndex(s.x1, s.x2);
      radios.forEach(function (r, i) { r.checked = i === idx; });
      own.hidden = idx >= 0;
      own.textContent = idx >= 0 ? "" : "Your own point: " + pointText(s.x1, s.x2) + " (no right answer).";
      var zv = z(s, s.x1, s.x2), av = sigmoid(zv), sd = side(zv);
      out.set("point", "For the point (x1, x2) = " + pointText(s.x1, s.x2) + (idx >= 0 ? ", which should answer " + T[idx][0] + ":" : ", your own:"));
      out.set("zsum", paren(num(s.w1)) + "·" + paren(coord(s.x1)) + " + " + paren(num(s.w2)) + "·" + paren(coord(s.x2)) + " + " + paren(num(s.b)));
      out.set("z", num(zv, 3));
      out.set("negz", num(-zv, 3));
      out.set("a", num(av, 3));
      var verdict;
      if (sd === "line") verdict = "z is 0, so a is exactly 0.5: the point is on the line and the neuron cannot decide (undecided).";
      else {
        verdict = num(av, 3) + " is " + (sd === "one" ? "above" : "below") + " 0.5, so the neuron answers " + (sd === "one" ? 1 : 0) + " for this point";
        if (idx >= 0) verdict += (sd === "one") === (T[idx][0] >= 0.5) ? ": right ✓" : ", but it should answer " + T[idx][0] + ": wrong ✗";
        verdict += ".";
      }
      out.set("verdict", verdict);
      fig.querySelector('[data-readout="verdict"]').setAttribute("data-side", sd);
      var rightText = right + " of " + n + " points right" + (onLine ? ", " + onLine + " on the line" : "");
      out.set("right", rightText);
      fig.setAttribute("data-right", String(right));
      var isPinned = Math.abs(s.b) <= ON_LINE && (s.w1 !== 0 || s.w2 !== 0), isFlat = s.w1 === 0 && s.w2 === 0;
      pinned.hidden = !isPinned;
      flat.hidden = !isFlat;
      var group = function (want) {
        var pts = X.filter(function (x, i) { return sides[i] === want; }).map(function (x) { return pointText(x[0], x[1]); });
        return pts.length ? pts.join(", ") : "none";
      };
      svg.setAttribute("aria-label", "The input plane, x1 and x2 from −2 to 2. " +
        (isFlat ? "Both weights are 0: no line, every point gets σ(b) = " + num(sigmoid(s.b), 3) + ". "
                : "The line " + lineText(s) + ", where a = 0.5" + (isPinned ? ", through the origin" : "") + ". " +
                  "On the side that answers 1: " + group("one") + ". On the side that answers 0: " + group("zero") + ". " +
                  (onLine ? "On the line: " + group("line") + ". " : "")) +
        rightText + ". Chosen point " + pointText(s.x1, s.x2) + ", a = " + num(av, 3) + ".");
      lastSummary = verdict.replace(/ [✓✗]/, "") + " " + "a = " + num(av, 3) + ". Your line: " + rightText + "." +
        (isPinned ? " With the bias at 0 the line is pinned through the origin." : "");
    }
    function announce() { out.announce(region, lastSummary); }

    /* --- Player, shared controls, URL ------------------------------------------------- */
    var player = new BPE.Player(2);
    player.onFrame(function (i) {
      if (i === 0) { state.w1 = start.w1; state.w2 = start.w2; state.b = start.b; startPoint(); }
      render();
    });
    function changed() { player.seek(1); }
    var kit = BPE.controls(fig, player, {
      actions: {
        trained: function () { state.w1 = final.w1; state.w2 = final.w2; state.b = final.b; changed(); announce(); },
        reset: function () { player.reset(); announce(); }
      },
      keys: { t: "trained" },
      state: {
        save: function () {
          var r = function (v) { return +v.toFixed(6); };
          return { w1: r(state.w1), w2: r(state.w2), b: r(state.b), x1: r(state.x1), x2: r(state.x2) };
        },
        restore: function (got) {
          ["w1", "w2", "b"].forEach(function (k) { var v = Number(got[k]); if (got[k] !== undefined && isFinite(v)) state[k] = clamp(v, -RANGE, RANGE); });
          ["x1", "x2"].forEach(function (k) { var v = Number(got[k]); if (got[k] !== undefined && isFinite(v)) state[k] = clamp(v, LO, HI); });
          changed();
        }
      }
    });

    ["w1", "w2", "b"].forEach(function (k) {
      sliders[k].addEventListener("input", function () { state[k] = Number(sliders[k].value); changed(); });
      sliders[k].addEventListener("change", announce);
    });
    radios.forEach(function (r, i) {
      r.addEventListener("change", function () {
        if (!r.checked) return;
        state.x1 = X[i][0]; state.x2 = X[i][1]; changed(); announce();
      });
    });

    /* Pointer: drag the tip (w1, w2), the line handle (b), or choose a point anywhere else. */
    var dragging = null;
    function dragTo(ev) {
      var p = fromScreen(ev);
      if (dragging === "tip") {
        state.w1 = clamp(tenth(p[0] / ARROW), -RANGE, RANGE);
        state.w2 = clamp(tenth(p[1] / ARROW), -RANGE, RANGE);
      } else if (dragging === "line") {
        state.b = clamp(tenth(-(state.w1 * p[0] + state.w2 * p[1])), -RANGE, RANGE);
      } else {
        var x1 = clamp(tenth(p[0]), LO, HI), x2 = clamp(tenth(p[1]), LO, HI);
        // Near a data point: take it exactly, so its right answer shows.
        for (var i = 0; i < n; i++) if (Math.hypot(X[i][0] - p[0], X[i][1] - p[1]) < 0.15) { x1 = X[i][0]; x2 = X[i][1]; }
        state.x1 = x1; state.x2 = x2;
      }
      changed();
    }
    svg.addEventListener("pointerdown", function (ev) {
      if (ev.button !== undefined && ev.button !== 0) return;
      dragging = ev.target.getAttribute("data-drag") || "point";
      fig.setAttribute("data-dragging", dragging);
      try { svg.setPointerCapture(ev.pointerId); } catch (e) { /* synthetic events have no capture */ }
      ev.preventDefault();
      svg.focus({ preventScroll: true });
      if (dragging === "point") dragTo(ev);
    });
    svg.addEventListener("pointermove", function (ev) { if (dragging) dragTo(ev); });
    function endDrag() {
      if (!dragging) return;
      dragging = null;
      fig.removeAttribute("data-dragging");
      announce();
    }
    svg.addEventListener("pointerup", endDrag);
    svg.addEventListener("pointercancel", endDrag);
    svg.addEventListener("lostpointercapture", endDrag);

    /* Keys on the plot: the arrows move the chosen point by 0.1 (with Shift by 0.5). */
    svg.addEventListener("keydown", function (ev) {
      var d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[ev.key];
      if (!d || ev.altKey || ev.ctrlKey || ev.metaKey) return;
      var by = ev.shiftKey ? 0.5 : 0.1;
      state.x1 = clamp(tenth(state.x1 + d[0] * by), LO, HI);
      state.x2 = clamp(tenth(state.x2 + d[1] * by), LO, HI);
      ev.preventDefault();
      changed();
      announce();
    });

    if (!kit.restore()) render();
  };
})();
