/* landscape: the engine's loss surface over two weights, drawn as shaded cells and contour
 * lines, and the recorded path of gradient descent for the chosen start and learning rate as
 * a ball rolling on it. Runs are eta-major (for each rate, each start). */
(function () {
  "use strict";
  var BPE = window.BPE;

  // Contour segments of `grid` (loss[i][j] at (u[i], v[j])) at each of `levels`, by marching
  // squares: each cell's edges that a level crosses, joined in pairs. One pass over the cells
  // for all levels; a path string per level.
  function contours(u, v, grid, levels, x, y) {
    var d = levels.map(function () { return ""; }), px = [0, 0, 0, 0], py = [0, 0, 0, 0], level;
    function cross(a, b, ua, va, ub, vb, n) {
      if ((a < level) === (b < level)) return n;
      var t = (level - a) / (b - a);
      px[n] = x(ua + t * (ub - ua)); py[n] = y(va + t * (vb - va));
      return n + 1;
    }
    for (var i = 0; i + 1 < u.length; i++) {
      var g0 = grid[i], g1 = grid[i + 1], u0 = u[i], u1 = u[i + 1];
      for (var j = 0; j + 1 < v.length; j++) {
        var a = g0[j], b = g1[j], c = g1[j + 1], e = g0[j + 1], v0 = v[j], v1 = v[j + 1];
        var lo = Math.min(a, b, c, e), hi = Math.max(a, b, c, e);
        for (var q = 0; q < levels.length; q++) {
          level = levels[q];
          // no crossing here
          if (lo >= level || hi < level) continue;
          var n = cross(a, b, u0, v0, u1, v0, 0);
          n = cross(b, c, u1, v0, u1, v1, n);
          n = cross(c, e, u1, v1, u0, v1, n);
          n = cross(e, a, u0, v1, u0, v0, n);
          for (var k = 0; k + 1 < n; k += 2) {
            d[q] += "M" + px[k].toFixed(1) + "," + py[k].toFixed(1) + "L" + px[k + 1].toFixed(1) + "," + py[k + 1].toFixed(1);
          }
        }
      }
    }
    return d;
  }

  BPE.widgets.landscape = function (fig, trace) {
    var runs = trace.runs, etas = trace.sweep.values.eta, nSeeds = runs.length / etas.length;
    var surf = runs[0].surface[0], u = surf.u, v = surf.v, grid = surf.loss;
    var ref = surf.weights.map(function (r) { var m = /^(\w+)\[(\d+),(\d+)\]$/.exec(r); return [m[1], +m[2], +m[3]]; });
    var out = BPE.readout(fig), announcer = fig.querySelector("[data-announce]");
    fig.querySelector(".static-fallback").hidden = true;
    fig.querySelector(".ls-live").hidden = false;

    var svg = fig.querySelector(".ls-map");
    var ax = BPE.axes(svg, { x: [u[0], u[u.length - 1]], y: [v[0], v[v.length - 1]], width: 360, height: 330,
      xLabel: fig.querySelector('[data-readout="wa"]').parentNode.firstElementChild.textContent,
      yLabel: fig.querySelector('[data-readout="wb"]').parentNode.firstElementChild.textContent });
    var lo = Infinity, hi = -Infinity;
    grid.forEach(function (row) { row.forEach(function (L) { if (isFinite(L)) { lo = Math.min(lo, L); hi = Math.max(hi, L); } }); });
    // Shaded cells, one path per shade (a whole percent of the accent mixed into the surface):
    // a few dozen elements instead of one per grid point. Opaque, and each a little wider than
    // its step, so neighbours never show a seam.
    var cells = BPE.svg("g", { "class": "ls-cells" }, ax.plot), shades = {};
    var du = (u[1] - u[0]) / 2, dv = (v[1] - v[0]) / 2;
    // A cell's corner and size depend on its column (i) and row (j) alone: written once each.
    var left = [], wide = [], back = [], top = [], tall = [];
    u.forEach(function (w) {
      var x0 = ax.x(w - du), x1 = ax.x(w + du);
      left.push("M" + x0.toFixed(2) + ","); wide.push("h" + (x1 - x0 + 0.6).toFixed(2) + "v"); back.push("h" + (x0 - x1 - 0.6).toFixed(2) + "z");
    });
    v.forEach(function (w) {
      var y0 = ax.y(w + dv), y1 = ax.y(w - dv);
      top.push(y0.toFixed(2)); tall.push((y1 - y0 + 0.6).toFixed(2));
    });
    var span = Math.log(hi / lo);
    for (var i = 0; i < u.length; i++) {
      for (var j = 0; j < v.length; j++) {
        // 0 at the bottom, 1 at the top
        var shade = Math.log(grid[i][j] / lo) / span;
        var pct = Math.round(85 - 80 * shade);
        shades[pct] = (shades[pct] || "") + left[i] + top[j] + wide[i] + tall[j] + back[i];
      }
    }
    Object.keys(shades).forEach(function (pct) {
      BPE.svg("path", { d: shades[pct] }, cells).style.fill = "color-mix(in srgb, var(--accent) " + pct + "%, var(--surface))";
    });
    var levels = [0.01, 0.04, 0.1, 0.2, 0.35, 0.55, 0.8].map(function (f) { return lo + f * (hi - lo); });
    contours(u, v, grid, levels, ax.x, ax.y).forEach(function (d) { BPE.svg("path", { d: d, "class": "ls-contour" }, ax.plot); });
    var trail = BPE.svg("polyline", { "class": "ls-trail" }, ax.plot);
    var ball = BPE.svg("circle", { r: 7, "class": "ls-ball" }, ax.plot);

    var run = null, pa = [], pb = [];
    function choose() {
      var e = Number(fig.querySelector('input[name="' + fig.id + '-eta"]:checked').value);
      var s = Number(fig.querySelector('input[name="' + fig.id + '-start"]:checked').value);
      run = runs[e * nSeeds + s];
      pa = run.params[ref[0][0]].map(function (m) { return m[ref[0][1]][ref[0][2]]; });
      pb = run.params[ref[1][0]].map(function (m) { return m[ref[1][1]][ref[1][2]]; });
      fig.setAttribute("data-run", String(e * nSeeds + s));
    }
    function clampU(w) { return Math.max(u[0], Math.min(u[u.length - 1], w)); }
    function clampV(w) { return Math.max(v[0], Math.min(v[v.length - 1], w)); }
    choose();
    var player = new BPE.Player(run.steps.length, { interval: 450 });

    function render(k) {
      var pts = [];
      for (var n = 0; n <= k; n++) pts.push(ax.x(clampU(pa[n])).toFixed(1) + "," + ax.y(clampV(pb[n])).toFixed(1));
      trail.setAttribute("points", pts.join(" "));
      ball.setAttribute("cx", ax.x(clampU(pa[k]))); ball.setAttribute("cy", ax.y(clampV(pb[k])));
      var off = clampU(pa[k]) !== pa[k] || clampV(pb[k]) !== pb[k];
      ball.setAttribute("class", "ls-ball" + (off ? " ls-off" : ""));
      out.set("step", run.steps[k] + " of " + run.steps[run.steps.length - 1]);
      out.set("wa", BPE.fmt(pa[k], 3));
      out.set("wb", BPE.fmt(pb[k], 3));
      out.set("loss", BPE.fmt(run.loss[k], 4));
      var rising = k > 0 && run.loss[k] > run.loss[k - 1];
      out.set("note", (off ? "The ball has left the map: this step threw the weights past its edge. " : "") +
        (rising ? "The loss went up on this step: the step was too long and jumped over the valley." : k > 0 ? "The loss went down on this step." : "Step to roll the ball."));
      fig.setAttribute("data-step", String(run.steps[k]));
      fig.setAttribute("data-wa", String(pa[k])); fig.setAttribute("data-wb", String(pb[k]));
      if (!player.playing()) out.announce(announcer, "Step " + run.steps[k] + ": weights " + BPE.fmt(pa[k], 3) + " and " + BPE.fmt(pb[k], 3) + ", loss " + BPE.fmt(run.loss[k], 4) + ".");
    }
    player.onFrame(render);
    var kit = BPE.controls(fig, player, {
      state: {
        save: function () { return { run: fig.getAttribute("data-run"), step: run.steps[player.index] }; },
        restore: function (st) {
          var r = Number(st.run);
          if (r >= 0 && r < runs.length) {
            fig.querySelector('input[name="' + fig.id + '-eta"][value="' + Math.floor(r / nSeeds) + '"]').checked = true;
            fig.querySelector('input[name="' + fig.id + '-start"][value="' + (r % nSeeds) + '"]').checked = true;
            choose();
          }
          var k = run.steps.indexOf(Number(st.step));
          player.seek(k >= 0 ? k : 0);
        }
      }
    });
    Array.prototype.forEach.call(fig.querySelectorAll('input[type="radio"]'), function (r) {
      r.addEventListener("change", function () { player.pause(); choose(); player.seek(0); render(0); });
    });
    if (!kit.restore()) render(0);
  };
})();
