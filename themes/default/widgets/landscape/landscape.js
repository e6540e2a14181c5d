/* landscape: the engine's loss surface over two weights, drawn as shaded cells and contour
 * lines, and the recorded path of gradient descent for the chosen start and learning rate as
 * a ball rolling on it. Runs are eta-major (for each rate, each start). */
(function () {
  "use strict";
  var BPE = window.BPE;

  // Contour segments of `grid` (loss[i][j] at (u[i], v[j])) at each of `levels`, by marching
  // squares: each cell's edges that a level crosses, joined in pairs, handed to
  // segment(x1, y1, x2, y2) in the coordinates x() and y() give. One pass over the cells.
  function contours(u, v, grid, levels, x, y, segment) {
    var px = [0, 0, 0, 0], py = [0, 0, 0, 0], level;
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
          for (var k = 0; k + 1 < n; k += 2) segment(px[k], py[k], px[k + 1], py[k + 1]);
        }
      }
    }
  }

  // A CSS colour as [r, g, b] (0-255), read back through a canvas.
  var probe = null;
  function rgb(css) {
    probe = probe || document.createElement("canvas").getContext("2d");
    probe.fillStyle = "#000";
    probe.fillStyle = css.trim();
    var c = probe.fillStyle, m = /^#(..)(..)(..)$/.exec(c);
    if (m) return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
    m = /(\d+), (\d+), (\d+)/.exec(c);
    return m ? [+m[1], +m[2], +m[3]] : [0, 0, 0];
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
    // The shaded cells and the contour lines are one picture on a canvas under the map's SVG,
    // covering exactly the cells' box, drawn through BPE.draw (after the first frame while the
    // page starts) in the page's own colours, and again when the colour scheme changes. A
    // cell's shade: a whole percent of the accent mixed into the surface, from 85 % at the
    // lowest loss to 5 % at the highest (log scale).
    var canvas = fig.querySelector(".ls-shade"), K = 2;
    var du = (u[1] - u[0]) / 2, dv = (v[1] - v[0]) / 2;
    var X0 = ax.x(u[0] - du), X1 = ax.x(u[u.length - 1] + du), Y0 = ax.y(v[v.length - 1] + dv), Y1 = ax.y(v[0] - dv);
    canvas.style.left = (100 * X0 / ax.W).toFixed(3) + "%";
    canvas.style.top = (100 * Y0 / ax.H).toFixed(3) + "%";
    canvas.style.width = (100 * (X1 - X0) / ax.W).toFixed(3) + "%";
    canvas.style.height = (100 * (Y1 - Y0) / ax.H).toFixed(3) + "%";
    canvas.width = Math.round(K * (X1 - X0));
    canvas.height = Math.round(K * (Y1 - Y0));
    var levels = [0.01, 0.04, 0.1, 0.2, 0.35, 0.55, 0.8].map(function (f) { return lo + f * (hi - lo); });
    function paintMap() {
      var style = window.getComputedStyle(fig), accent = rgb(style.getPropertyValue("--accent"));
      var surface = rgb(style.getPropertyValue("--surface")), span = Math.log(hi / lo);
      var ctx = canvas.getContext("2d"), sx = canvas.width / (X1 - X0), sy = canvas.height / (Y1 - Y0);
      function cx(w) { return (ax.x(w) - X0) * sx; }
      function cy(w) { return (ax.y(w) - Y0) * sy; }
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      for (var i = 0; i < u.length; i++) {
        for (var j = 0; j < v.length; j++) {
          // 0 at the bottom, 1 at the top
          var shade = Math.log(grid[i][j] / lo) / span, f = Math.round(85 - 80 * shade) / 100;
          ctx.fillStyle = "rgb(" + accent.map(function (c, k) { return Math.round(c * f + surface[k] * (1 - f)); }).join(",") + ")";
          // a little wider than its step, so neighbours never show a seam
          var x0 = cx(u[i] - du), y0 = cy(v[j] + dv);
          ctx.fillRect(x0, y0, cx(u[i] + du) - x0 + 0.6 * sx, cy(v[j] - dv) - y0 + 0.6 * sy);
        }
      }
      ctx.beginPath();
      contours(u, v, grid, levels, cx, cy, function (x1, y1, x2, y2) { ctx.moveTo(x1, y1); ctx.lineTo(x2, y2); });
      ctx.globalAlpha = 0.55;
      ctx.lineWidth = 0.7 * sx;
      ctx.strokeStyle = style.getPropertyValue("--ink").trim();
      ctx.stroke();
      ctx.globalAlpha = 1;
    }
    BPE.draw(canvas, paintMap);
    var scheme = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)");
    if (scheme && scheme.addEventListener) scheme.addEventListener("change", function () { BPE.draw(canvas, paintMap); });
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
