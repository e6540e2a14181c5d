/* xor-hidden-layer: why XOR needs the hidden layer. A sweep over `hidden` with two members,
 * a single neuron (2 -> 1) and the 2-2-1 network, trained from the same start. At the chosen
 * recorded step, four maps over the input square [-0.5, 1.5]^2, drawn by BPE.nn from the
 * recorded weights: the single neuron's output, each hidden unit's own output (a[1][:, j])
 * and the network's output, each with its verdict in words (the four cases' values come from
 * BPE.nn.forward). A replay Player scrubs training;
 * the slider, the shared buttons and keys and the URL (#w1.step=K) all drive it.
 *
 * Reading an answer (site_builder/widgets/xor_hidden_layer.py, MARGIN): above 0.505 is 1,
 * below 0.495 is 0, in between it reads 0.50 and is undecided, never right. */
(function () {
  "use strict";
  var BPE = window.BPE;
  var MARGIN = 0.005, LO = -0.5, HI = 1.5, GRID = 121;
  // Sand (answers 0) and blue (answers 1) as the learning-rates maps, through a pale neutral
  // at 0.5, so an undecided output looks like neither.
  var SAND = [246, 222, 180], PALE = [244, 244, 240], BLUE = [96, 140, 230];

  // The colour of each of the 256 pixel values, worked out once.
  var BYTES = new Uint8ClampedArray(1024), COLOURS = new Uint32Array(BYTES.buffer);
  for (var b = 0; b < 256; b++) {
    var v = b / 255, from = v < 0.5 ? SAND : PALE, to = v < 0.5 ? PALE : BLUE, f = v < 0.5 ? v * 2 : v * 2 - 1;
    for (var c = 0; c < 3; c++) BYTES[4 * b + c] = Math.round(from[c] + (to[c] - from[c]) * f);
    BYTES[4 * b + 3] = 255;
  }

  function side(v) { return v > 0.5 + MARGIN ? "on" : v < 0.5 - MARGIN ? "off" : "undecided"; }
  // A case as "(0, 1)" with a no-break space, so it never wraps in the middle.
  function point(x) { return "(" + x.map(function (v) { return +v.toFixed(2); }).join(",\u00a0") + ")"; }

  function rightCount(values, T) {
    var right = 0, unsure = 0;
    values.forEach(function (v, i) {
      var s = side(v), one = T[i][0] >= 0.5;
      if (s === "undecided") unsure++;
      else if ((s === "on") === one) right++;
    });
    return { right: right, unsure: unsure };
  }

  function answerWords(values, T) {
    var c = rightCount(values, T), n = T.length;
    if (c.unsure === n) return "0 of " + n + " right: it answers 0.50 to every case, a shrug";
    return c.right + " of " + n + " right" + (c.unsure ? ", " + c.unsure + " undecided (0.50)" : "");
  }

  function unitWords(values, X) {
    var on = [], off = [], mid = [];
    values.forEach(function (v, i) {
      var s = side(v);
      (s === "on" ? on : s === "off" ? off : mid).push(point(X[i]));
    });
    if (!on.length && !off.length) return "0.50 for every case: no split yet";
    if (!off.length && !mid.length) return "on for all four cases: no split yet";
    if (!on.length && !mid.length) return "off for all four cases: no split yet";
    var parts = [];
    if (on.length) parts.push("on for " + on.join(", "));
    if (off.length) parts.push("off for " + off.join(", "));
    if (mid.length) parts.push("0.50 for " + mid.join(", "));
    return parts.join("; ");
  }

  /* The 0.5 contour of a grid (row 0 at LO) by marching squares, in canvas pixels. */
  function contour(ctx, vals, size) {
    var cell = size / (GRID - 1);
    function px(i) { return i * cell; }
    function py(j) { return size - j * cell; }
    ctx.beginPath();
    for (var j = 0; j < GRID - 1; j++) {
      for (var i = 0; i < GRID - 1; i++) {
        var a = vals[j * GRID + i] - 0.5, b = vals[j * GRID + i + 1] - 0.5;
        var c = vals[(j + 1) * GRID + i + 1] - 0.5, d = vals[(j + 1) * GRID + i] - 0.5;
        // no crossing here
        if ((a < 0) === (b < 0) && (b < 0) === (c < 0) && (c < 0) === (d < 0)) continue;
        var pts = [];
        if ((a < 0) !== (b < 0)) pts.push([px(i + a / (a - b)), py(j)]);
        if ((b < 0) !== (c < 0)) pts.push([px(i + 1), py(j + b / (b - c))]);
        if ((c < 0) !== (d < 0)) pts.push([px(i + 1 - c / (c - d)), py(j + 1)]);
        if ((d < 0) !== (a < 0)) pts.push([px(i), py(j + 1 - d / (d - a))]);
        for (var k = 0; k + 1 < pts.length; k += 2) {
          ctx.moveTo(pts[k][0], pts[k][1]);
          ctx.lineTo(pts[k + 1][0], pts[k + 1][1]);
        }
      }
    }
  }

  BPE.widgets["xor-hidden-layer"] = function (fig, trace) {
    var alone = trace.runs.filter(function (r) { return r.net.sizes.length === 2; })[0];
    var deep = trace.runs.filter(function (r) { return r.net.sizes.length === 3; })[0];
    if (!alone || !deep) throw new Error("xor-hidden-layer needs a single neuron and a 2-2-1 network");
    var X = deep.X, T = deep.T, R = deep.steps.length;

    fig.querySelector(".static-fallback").hidden = true;
    fig.querySelector(".xh-live").hidden = false;
    var out = BPE.readout(fig), region = fig.querySelector("[data-announce]");
    var slider = fig.querySelector(".xh-slider");
    slider.max = String(R - 1);
    var items = Array.prototype.slice.call(fig.querySelectorAll(".xh-map"));
    var maps = items.map(function (li) {
      var canvas = li.querySelector("canvas");
      return { li: li, canvas: canvas, words: li.querySelector("[data-words]"),
               title: li.querySelector(".xh-map-title").textContent, size: canvas.width };
    });

    // A hidden unit's own output over the square, a[1][:, j], is the output of the one-unit
    // network made of its weights W1[j] and bias b1[j]: the same arithmetic, so the same
    // numbers, and BPE.nn.grid computes it without building nested arrays (about 25 times
    // faster than BPE.nn.forward on the grid points, which would stall playing).
    var unitNet = BPE.nn.net({ sizes: [2, 1], activations: [deep.net.activations[0]], loss: deep.net.loss, reduction: deep.net.reduction });
    // Each network checked and laid out once, not again for every pass over it.
    var aloneNet = BPE.nn.net(alone.net), deepNet = BPE.nn.net(deep.net);
    function unitParams(p, j) { return { W1: [p.W1[j]], b1: [p.b1[j]] }; }
    function gridOf(spec, p) { return BPE.nn.grid(spec, p, LO, HI, LO, HI, GRID, GRID); }

    var cell = document.createElement("canvas");
    cell.width = cell.height = GRID;

    function paint(map, vals) {
      var cctx = cell.getContext("2d"), image = cctx.createImageData(GRID, GRID);
      var px = BPE.nn.gridPixels(vals, 0, 1);
      // one pixel per write, bytes in the table's order
      var rgba = new Uint32Array(image.data.buffer);
      for (var row = 0; row < GRID; row++) {
        // row 0 is the bottom
        for (var col = 0; col < GRID; col++) rgba[(GRID - 1 - row) * GRID + col] = COLOURS[px[row * GRID + col]];
      }
      cctx.putImageData(image, 0, 0);
      var size = map.size, ctx = map.canvas.getContext("2d");
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(cell, 0, 0, size, size);
      // The 0.5 line: a light underlay under a dark line, so it reads on sand and on blue. Only
      // where the map really has two sides: an output within the margin of 0.5 everywhere has
      // a 0.5 line drawn by rounding noise alone.
      var lo = Infinity, hi = -Infinity;
      for (var q = 0; q < vals.length; q++) { if (vals[q] < lo) lo = vals[q]; if (vals[q] > hi) hi = vals[q]; }
      if (lo < 0.5 - MARGIN && hi > 0.5 + MARGIN) {
        ctx.save();
        contour(ctx, vals, size);
        ctx.lineCap = "round";
        ctx.lineWidth = 7;
        ctx.strokeStyle = "rgba(255, 255, 255, 0.75)";
        ctx.stroke();
        ctx.lineWidth = 3.5;
        ctx.strokeStyle = "#1f2937";
        ctx.stroke();
        ctx.restore();
      }
      // The four XOR cases: filled if the right answer is 1, hollow if it is 0.
      X.forEach(function (x, k) {
        var cx = (x[0] - LO) / (HI - LO) * size, cy = size - (x[1] - LO) / (HI - LO) * size;
        ctx.beginPath();
        ctx.arc(cx, cy, 12, 0, 2 * Math.PI);
        ctx.fillStyle = T[k][0] >= 0.5 ? "#1e3a8a" : "#ffffff";
        ctx.fill();
        ctx.lineWidth = 4;
        ctx.strokeStyle = "#1f2937";
        ctx.stroke();
      });
    }

    function casesOf(a, j) { return a.map(function (row) { return row[j]; }); }

    // The lone neuron's best over the whole run, and the first step the network gets all four.
    // (Each record's outputs on the four cases are forward(net, paramsAt(run, r), X)'s.)
    var aloneCounts = [], deepCounts = [], n = X.length;
    var aloneOut = BPE.nn.recordOutputs(aloneNet, alone, X), deepOut = BPE.nn.recordOutputs(deepNet, deep, X);
    for (var r = 0; r < R; r++) {
      aloneCounts.push(rightCount(Array.from(aloneOut.subarray(r * n, (r + 1) * n)), T).right);
      deepCounts.push(rightCount(Array.from(deepOut.subarray(r * n, (r + 1) * n)), T).right);
    }
    var best = Math.max.apply(null, aloneCounts);
    var solvedAt = deepCounts.indexOf(T.length);
    out.set("best", "never more than " + best + " of " + T.length + " right");
    out.set("solved", solvedAt < 0 ? "never all " + T.length + " right"
                                   : "all " + T.length + " right from epoch " + deep.epochs[solvedAt]);
    fig.setAttribute("data-best-alone", String(best));

    function render(r) {
      var epoch = deep.epochs[r];
      var pa = BPE.nn.paramsAt(alone, r), pd = BPE.nn.paramsAt(deep, r);
      var ca = BPE.nn.forward(aloneNet, pa, X).a, cd = BPE.nn.forward(deepNet, pd, X).a;
      // Each map's grid is worked out when it is drawn (BPE.draw: maybe after the page starts).
      var shown = [
        { net: aloneNet, p: pa, cases: casesOf(ca[1], 0), words: answerWords(casesOf(ca[1], 0), T) },
        { net: unitNet, p: unitParams(pd, 0), cases: casesOf(cd[1], 0), words: unitWords(casesOf(cd[1], 0), X) },
        { net: unitNet, p: unitParams(pd, 1), cases: casesOf(cd[1], 1), words: unitWords(casesOf(cd[1], 1), X) },
        { net: deepNet, p: pd, cases: casesOf(cd[2], 0), words: answerWords(casesOf(cd[2], 0), T) }
      ];
      maps.forEach(function (map, k) {
        var s = shown[k];
        BPE.draw(map.canvas, function () { paint(map, gridOf(s.net, s.p)); });
        var said = X.map(function (x, j) { return point(x) + " gives " + BPE.fmt(s.cases[j], 2); }).join("; ");
        map.canvas.setAttribute("aria-label", map.title + " at epoch " + epoch + ": " + said + ". " +
          s.words.charAt(0).toUpperCase() + s.words.slice(1) + ".");
        map.words.textContent = s.words.charAt(0).toUpperCase() + s.words.slice(1);
        if (k === 0 || k === 3) {
          var n = rightCount(s.cases, T).right;
          map.li.setAttribute("data-right", String(n));
          map.words.classList.toggle("is-solved", n === T.length);
        }
      });
      out.set("epoch", "epoch " + epoch + " of " + deep.epochs[R - 1]);
      slider.value = String(r);
      slider.setAttribute("aria-valuetext", "epoch " + epoch + " of " + deep.epochs[R - 1]);
      fig.setAttribute("data-step", String(deep.steps[r]));
      if (started && !player.playing()) {
        out.announce(region, "Epoch " + epoch + ": one neuron alone, " + shown[0].words +
          "; the network with the hidden layer, " + shown[3].words + ".");
      }
    }

    var started = false, player = new BPE.Player(R, { interval: 160 });
    player.onFrame(function (r) { render(r); });
    slider.addEventListener("input", function () { player.pause(); player.seek(Number(slider.value)); });
    function nearest(step) {
      var best = 0;
      for (var k = 0; k < R; k++) if (deep.steps[k] <= step) best = k;
      return best;
    }
    var kit = BPE.controls(fig, player, {
      state: {
        save: function () { return { step: deep.steps[player.index] }; },
        restore: function (s) { var k = Number(s.step); if (isFinite(k)) player.seek(nearest(k)); }
      }
    });
    if (!kit.restore()) render(0);
    started = true;
  };
})();
