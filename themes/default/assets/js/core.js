/* Backprop Explained: the shared player core. One global, window.BPE.
 * BPE.Player  timing for replaying recorded steps (play, pause, step, stepBack, seek, speed)
 * BPE.svg     tiny SVG helpers; BPE.lineChart draws a loss-over-steps chart
 * BPE.readout writes changing values into aria-live regions, throttled for screen readers
 * BPE.boot    starts every widget on the page, then sets <html data-ready="true"> */
(function () {
  "use strict";
  var BPE = window.BPE = window.BPE || {};
  BPE.widgets = BPE.widgets || {};

  BPE.reducedMotion = function () {
    return !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  };

  /* A Player walks an index from 0 to length-1. Listeners get (index, player) on every change. */
  function Player(length, opts) {
    opts = opts || {};
    this.length = length;
    this.index = 0;
    this.interval = opts.interval || 450; // ms between frames at speed 1
    this.speed = 1;
    this.timer = null;
    this.listeners = [];
  }
  Player.prototype.onFrame = function (fn) { this.listeners.push(fn); return this; };
  Player.prototype.emit = function () {
    for (var i = 0; i < this.listeners.length; i++) this.listeners[i](this.index, this);
  };
  Player.prototype.seek = function (i) {
    var next = Math.max(0, Math.min(this.length - 1, i));
    if (next !== this.index) { this.index = next; }
    this.emit();
    if (this.index >= this.length - 1) this.pause();
  };
  Player.prototype.step = function () { this.seek(this.index + 1); };
  Player.prototype.stepBack = function () { this.pause(); this.seek(this.index - 1); };
  Player.prototype.reset = function () { this.pause(); this.seek(0); };
  Player.prototype.playing = function () { return this.timer !== null; };
  Player.prototype.play = function () {
    if (this.timer !== null) return;
    if (this.index >= this.length - 1) this.seek(0);
    var self = this;
    // Reduced motion: the same steps, but slower, so nothing flickers past.
    var wait = this.interval / this.speed * (BPE.reducedMotion() ? 2 : 1);
    this.timer = window.setInterval(function () { self.step(); }, wait);
    this.emit();
  };
  Player.prototype.pause = function () {
    if (this.timer === null) return;
    window.clearInterval(this.timer);
    this.timer = null;
    this.emit();
  };
  Player.prototype.toggle = function () { if (this.playing()) this.pause(); else this.play(); };
  Player.prototype.setSpeed = function (s) {
    this.speed = s;
    if (this.playing()) { this.pause(); this.play(); }
  };
  BPE.Player = Player;

  /* --- SVG helpers ---------------------------------------------------------------------- */
  var NS = "http://www.w3.org/2000/svg";
  BPE.svg = function (tag, attrs, parent) {
    var el = document.createElementNS(NS, tag);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) el.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(el);
    return el;
  };
  BPE.text = function (parent, x, y, str, cls, anchor) {
    var t = BPE.svg("text", { x: x, y: y, "class": cls || "", "text-anchor": anchor || "start" }, parent);
    t.textContent = str;
    return t;
  };
  BPE.scale = function (d0, d1, r0, r1) {
    var span = (d1 - d0) || 1;
    return function (v) { return r0 + (v - d0) / span * (r1 - r0); };
  };
  BPE.niceTicks = function (lo, hi, count) {
    var span = hi - lo || 1, step = Math.pow(10, Math.floor(Math.log10(span / count)));
    var err = count / span * step;
    if (err <= 0.15) step *= 10; else if (err <= 0.35) step *= 5; else if (err <= 0.75) step *= 2;
    var ticks = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.round(v / step) * step);
    return ticks;
  };
  BPE.fmt = function (v, digits) {
    if (typeof v !== "number" || isNaN(v)) return "NaN";
    if (!isFinite(v)) return v > 0 ? "∞" : "−∞";
    return v.toFixed(digits === undefined ? 4 : digits).replace("-", "−");
  };

  /* Axes with ticks inside a viewBox; returns {x, y, plot} scales and the plot group. */
  BPE.axes = function (svg, opts) {
    var W = opts.width || 360, H = opts.height || 240, m = { l: 52, r: 22, t: 16, b: 40 };
    while (svg.lastChild && svg.lastChild.nodeName !== "title") svg.removeChild(svg.lastChild);
    var x = BPE.scale(opts.x[0], opts.x[1], m.l, W - m.r), y = BPE.scale(opts.y[0], opts.y[1], H - m.b, m.t);
    var g = BPE.svg("g", { "class": "axes" }, svg);
    BPE.svg("line", { x1: m.l, y1: H - m.b, x2: W - m.r, y2: H - m.b }, g);
    BPE.svg("line", { x1: m.l, y1: m.t, x2: m.l, y2: H - m.b }, g);
    BPE.niceTicks(opts.x[0], opts.x[1], 5).forEach(function (v) {
      BPE.svg("line", { x1: x(v), y1: H - m.b, x2: x(v), y2: H - m.b + 4 }, g);
      BPE.text(g, x(v), H - m.b + 16, String(+v.toFixed(6)), "tick", "middle");
    });
    BPE.niceTicks(opts.y[0], opts.y[1], 4).forEach(function (v) {
      BPE.svg("line", { x1: m.l - 4, y1: y(v), x2: m.l, y2: y(v) }, g);
      BPE.text(g, m.l - 7, y(v) + 4, String(+v.toFixed(6)), "tick", "end");
    });
    BPE.text(g, (m.l + W - m.r) / 2, H - 6, opts.xLabel || "", "axis-label", "middle");
    var yl = BPE.text(g, 14, (m.t + H - m.b) / 2, opts.yLabel || "", "axis-label", "middle");
    yl.setAttribute("transform", "rotate(-90 14 " + (m.t + H - m.b) / 2 + ")");
    var plot = BPE.svg("g", { "class": "plot" }, svg);
    return { x: x, y: y, plot: plot, box: m, W: W, H: H };
  };

  /* Loss over steps: the whole run faint, the part so far solid, a marker at the current step. */
  BPE.lineChart = function (svg, xs, ys, opts) {
    opts = opts || {};
    var finite = ys.filter(function (v) { return isFinite(v); });
    var top = finite.length ? Math.max.apply(null, finite) : 1;
    var ax = BPE.axes(svg, { x: [xs[0], xs[xs.length - 1]], y: [0, top * 1.05 || 1], xLabel: opts.xLabel || "step", yLabel: opts.yLabel || "loss" });
    function path(n) {
      var d = "";
      for (var i = 0; i < n; i++) if (isFinite(ys[i])) d += (d ? "L" : "M") + ax.x(xs[i]).toFixed(1) + "," + ax.y(ys[i]).toFixed(1);
      return d;
    }
    BPE.svg("path", { d: path(xs.length), "class": "series-ghost" }, ax.plot);
    var solid = BPE.svg("path", { d: "", "class": "series" }, ax.plot);
    var dot = BPE.svg("circle", { r: 4.5, "class": "marker" }, ax.plot);
    return {
      show: function (i) {
        solid.setAttribute("d", path(i + 1));
        if (isFinite(ys[i])) { dot.setAttribute("cx", ax.x(xs[i])); dot.setAttribute("cy", ax.y(ys[i])); }
      }
    };
  };

  /* Readouts: set text now; announce through the region's aria-live at most every 700 ms. */
  BPE.readout = function (root) {
    var pending = null, last = 0;
    return {
      set: function (name, text) {
        var el = root.querySelector('[data-readout="' + name + '"]');
        if (el && el.textContent !== text) el.textContent = text;
      },
      announce: function (region, text) {
        var now = Date.now();
        if (pending) window.clearTimeout(pending);
        var wait = Math.max(0, 700 - (now - last));
        pending = window.setTimeout(function () { region.textContent = text; last = Date.now(); pending = null; }, wait);
      }
    };
  };

  BPE.traceFor = function (figure) {
    var id = figure.getAttribute("data-trace");
    if (!id) return null;
    var el = document.getElementById(id);
    return el && BPE.decodeTrace ? BPE.decodeTrace(el.textContent) : null;
  };

  /* Formulas wider than the screen scroll in their box; give those boxes a tab stop. */
  BPE.focusableOverflow = function () {
    var boxes = document.querySelectorAll(".math-block, .table-scroll");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i], wide = box.scrollWidth > box.clientWidth + 1;
      if (wide && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "group");
        box.setAttribute("aria-label", box.classList.contains("math-block") ? "Formula, scrolls sideways" : "Table, scrolls sideways");
      }
    }
  };

  BPE.boot = function () {
    var figures = document.querySelectorAll("figure[data-widget]");
    for (var i = 0; i < figures.length; i++) {
      var fig = figures[i], name = fig.getAttribute("data-widget"), make = BPE.widgets[name];
      if (!make) continue; // a static widget (tables, cards): nothing to enhance
      try {
        make(fig, BPE.traceFor(fig));
        fig.setAttribute("data-enhanced", "true");
      } catch (e) {
        fig.setAttribute("data-enhanced", "failed");
        if (window.console) window.console.error("widget " + name + " could not start:", e);
      }
    }
    BPE.focusableOverflow();
    window.addEventListener("resize", BPE.focusableOverflow);
    document.documentElement.setAttribute("data-ready", "true");
    if (window.performance && window.performance.mark) window.performance.mark("bpe-ready");
  };
})();
