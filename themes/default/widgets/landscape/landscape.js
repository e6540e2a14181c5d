/* landscape: the engine's loss surface over two weights, drawn as shaded cells and contour
 * lines, and the recorded path of gradient descent for the chosen start and learning rate as
 * a ball rolling on it. Runs are eta-major (for each rate, each start). */
(function () {
  "use strict";
  var BPE = window.BPE;

  // Contour segments of `grid` (loss[i][j] at (u[i], v[j])) at `level`, by marching squares.
  function contour(u, v, grid, level, x, y) {
    var d = "";
    for (var i = 0; i + 1 < u.length; i++) {
      for (var j = 0; j + 1 < v.length; j++) {
        var c = [[i, j], [i + 1, j], [i + 1, j + 1], [i, j + 1]], pts = [];
        for (var e = 0; e < 4; e++) {
          var p = c[e], q = c[(e + 1) % 4], a = grid[p[0]][p[1]], b = grid[q[0]][q[1]];
          if ((a < level) !== (b < level)) {
            var t = (level - a) / (b - a);
            pts.push([x(u[p[0]] + t * (u[q[0]] - u[p[0]])), y(v[p[1]] + t * (v[q[1]] - v[p[1]]))]);
          }
        }
        for (var k = 0; k + 1 < pts.length; k += 2) {
          d += "M" + pts[k][0].toFixed(1) + "," + pts[k][1].toFixed(1) + "L" + pts[k + 1][0].toFixed(1) + "," + pts[k + 1][1].toFixed(1);
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
    var cells = BPE.svg("g", { "class": "ls-cells" }, ax.plot);
    var du = (u[1] - u[0]) / 2, dv = (v[1] - v[0]) / 2;
    for (var i = 0; i < u.length; i++) {
      for (var j = 0; j < v.length; j++) {
        var x0 = ax.x(u[i] - du), x1 = ax.x(u[i] + du), y0 = ax.y(v[j] + dv), y1 = ax.y(v[j] - dv);
        var shade = Math.log(grid[i][j] / lo) / Math.log(hi / lo); // 0 at the bottom, 1 at the top
        var rect = BPE.svg("rect", { x: x0.toFixed(2), y: y0.toFixed(2), width: (x1 - x0 + 0.6).toFixed(2), height: (y1 - y0 + 0.6).toFixed(2) }, cells);
        // Opaque cells (the accent mixed into the surface) so neighbours never show a seam.
        rect.style.fill = "color-mix(in srgb, var(--accent) " + (85 - 80 * shade).toFixed(1) + "%, var(--surface))";
      }
    }
    [0.01, 0.04, 0.1, 0.2, 0.35, 0.55, 0.8].forEach(function (f) {
      BPE.svg("path", { d: contour(u, v, grid, lo + f * (hi - lo), ax.x, ax.y), "class": "ls-contour" }, ax.plot);
    });
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
