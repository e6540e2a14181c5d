/* learning-rates: a sweep of learning rates x random starts. Pick a rate; see every start's
 * loss over the epochs, how many starts solve the task, whether units saturated, and (for a
 * network with two inputs) a decision map per start. The numbers are read from the recorded
 * sweep; the maps are drawn by BPE.nn from each start's recorded final weights. */
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
    var logAxis = false;
    var scaleRadios = Array.prototype.slice.call(fig.querySelectorAll(".lr-scale input"));

    function anySaturated(r) {
      return (r.saturated || []).some(function (layer) { return layer.some(Boolean); });
    }

    // Decision maps: the input plane around the data, the network's output at each point.
    var mapsBox = fig.querySelector(".lr-where"), mapList = fig.querySelector(".lr-maps");
    var twoInputs = trace.net.sizes[0] === 2 && trace.net.sizes[trace.net.sizes.length - 1] === 1 && BPE.nn;
    // checked and laid out once for every map
    var mapNet = twoInputs ? BPE.nn.net(trace.net) : null;
    var GRID = 48, SIZE = 112;
    var xs = trace.X.map(function (r) { return r[0]; }), ys = trace.X.map(function (r) { return r[1]; });
    function padded(v) {
      var lo = Math.min.apply(null, v), hi = Math.max.apply(null, v), pad = Math.max(hi - lo, 1e-9) * 0.25;
      return [lo - pad, hi + pad];
    }
    var bx = padded(xs), by = padded(ys);
    var cell = document.createElement("canvas");
    cell.width = cell.height = GRID;
    // The colour of each of the 256 pixel values, sand (0) to blue (1), worked out once.
    var BYTES = new Uint8ClampedArray(1024), COLOURS = new Uint32Array(BYTES.buffer);
    for (var b = 0; b < 256; b++) {
      var v = b / 255;
      BYTES.set([Math.round(246 + (96 - 246) * v), Math.round(222 + (140 - 222) * v), Math.round(180 + (230 - 180) * v), 255], 4 * b);
    }

    function drawMap(run, number) {
      var li = document.createElement("li"), canvas = document.createElement("canvas");
      canvas.width = canvas.height = SIZE;
      var params = run.final;
      BPE.draw(canvas, function () {
        var values = BPE.nn.grid(mapNet, params, bx[0], bx[1], by[0], by[1], GRID, GRID);
        var px = BPE.nn.gridPixels(values, 0, 1), cctx = cell.getContext("2d"), image = cctx.createImageData(GRID, GRID);
        // one pixel per write, bytes in the table's order
        var rgba = new Uint32Array(image.data.buffer);
        for (var row = 0; row < GRID; row++) {
          // row 0 is the bottom
          for (var col = 0; col < GRID; col++) rgba[(GRID - 1 - row) * GRID + col] = COLOURS[px[row * GRID + col]];
        }
        cctx.putImageData(image, 0, 0);
        var ctx = canvas.getContext("2d");
        ctx.imageSmoothingEnabled = true;
        ctx.drawImage(cell, 0, 0, SIZE, SIZE);
        trace.X.forEach(function (x, i) {
          var cx = (x[0] - bx[0]) / (bx[1] - bx[0]) * SIZE, cy = SIZE - (x[1] - by[0]) / (by[1] - by[0]) * SIZE;
          ctx.beginPath();
          ctx.arc(cx, cy, 7, 0, 2 * Math.PI);
          ctx.fillStyle = trace.T[i][0] >= 0.5 ? "#1e3a8a" : "#ffffff";
          ctx.fill();
          ctx.lineWidth = 2.5;
          ctx.strokeStyle = "#1f2937";
          ctx.stroke();
        });
      });
      var out = BPE.nn.forward(mapNet, params, trace.X).a, answers = out[out.length - 1];
      var right = 0;
      trace.X.forEach(function (x, i) { if ((answers[i][0] >= 0.5) === (trace.T[i][0] >= 0.5)) right += 1; });
      var solved = right === trace.X.length;
      var said = trace.X.map(function (x, i) {
        return "(" + x.map(function (v) { return +v.toFixed(2); }).join(", ") + ") gives " + BPE.fmt(answers[i][0], 2);
      }).join("; ");
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", "Start " + number + ", " + (solved ? "solved" : "stuck") + ": " + said + ".");
      var label = document.createElement("span");
      label.className = "lr-map-label " + (solved ? "is-solved" : "is-stuck");
      var name = document.createElement("span"), verdict = document.createElement("span");
      name.textContent = "Start " + number;
      verdict.textContent = solved ? "✓ solved" : "✗ stuck, " + right + " of " + trace.X.length + " right";
      label.appendChild(name);
      label.appendChild(verdict);
      li.appendChild(canvas);
      li.appendChild(label);
      li.setAttribute("data-solved", solved ? "true" : "false");
      mapList.appendChild(li);
    }

    function render(k) {
      var runs = groups[k];
      if (twoInputs) {
        mapsBox.hidden = false;
        while (mapList.firstChild) mapList.removeChild(mapList.firstChild);
        runs.forEach(function (r, j) { drawMap(r, j + 1); });
      }
      // A narrow figure gets a narrower drawing, so its labels stay at full size.
      narrow = isNarrow();
      var W = narrow ? 340 : 480, H = narrow ? 260 : 280;
      svg.setAttribute("viewBox", "0 0 " + W + " " + H);
      // The epoch axis even (0 to the last epoch) or logarithmic, where the first few epochs,
      // in which large rates do everything, get as much room as the thousands after them.
      var ex = logAxis ? function (e) { return Math.log10(1 + e); } : function (e) { return e; };
      var ticks = null;
      if (logAxis) {
        ticks = [[0, "0"]];
        var power = 10;
        for (; power <= last; power *= 10) ticks.push([ex(power), power.toLocaleString("en")]);
        if (last * 10 / power >= 3) ticks.push([ex(last), last.toLocaleString("en")]);
      }
      var ax = BPE.axes(svg, { width: W, height: H, x: [0, ex(last)], y: [0, top * 1.05], xTicks: ticks,
                               xLabel: logAxis ? "epoch (log scale)" : "epoch", yLabel: "loss" });
      runs.forEach(function (r) {
        var d = "";
        for (var i = 0; i < r.steps.length; i++) {
          if (isFinite(r.loss[i])) d += (d ? "L" : "M") + ax.x(ex(r.steps[i])).toFixed(1) + "," + ax.y(r.loss[i]).toFixed(1);
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
    var radios = Array.prototype.slice.call(fig.querySelectorAll(".lr-choice input[type=radio]"));
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
    scaleRadios.forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (!radio.checked) return;
        logAxis = radio.value === "log";
        render(player.index);
      });
    });
    // The chart's width is read where the browser reports it after laying the page out (a
    // ResizeObserver), never by forcing a layout; until then the window's width stands in.
    var width = 0, narrow = null, guess = window.matchMedia && window.matchMedia("(max-width: 500px)");
    function isNarrow() { return width ? width < 440 : !!(guess && guess.matches); }
    if (window.ResizeObserver) {
      new ResizeObserver(function (list) {
        width = list[list.length - 1].contentRect.width || width;
        if (narrow !== null && isNarrow() !== narrow) render(player.index);
      }).observe(svg);
    }
    var checked = radios.filter(function (r) { return r.checked; })[0];
    player.index = checked ? Number(checked.value) : 0;
    if (!kit.restore()) render(player.index);
  };
})();
