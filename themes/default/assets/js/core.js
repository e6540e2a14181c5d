/* Backprop Explained: the shared player core. One global, window.BPE.
 * BPE.Player  all timing: replay a recorded run, or live steps computed in the page
 * BPE.controls the shared Step/Play/Pause/Reset/speed buttons and keys; BPE.hashState URL state
 * BPE.svg     tiny SVG helpers; BPE.lineChart draws a loss-over-steps chart
 * BPE.readout writes changing values into aria-live regions, throttled for screen readers
 * BPE.draw    draws a canvas picture, after data-ready if the page is still starting
 * BPE.boot    starts every widget on the page, then sets <html data-ready="true"> */
(function () {
  "use strict";
  var BPE = window.BPE = window.BPE || {};
  BPE.widgets = BPE.widgets || {};

  BPE.reducedMotion = function () {
    return !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  };

  /* The one Player every widget shares; it owns all timing.
   * Replay: new BPE.Player(length, {interval}) walks a recorded run, index 0..length-1:
   *   seek, step, stepBack, play, pause, reset, setSpeed. Playing stops at the end.
   * Live:   new BPE.Player(null, {live: true, advance: fn(n) -> steps done, reset: fn, budget, perFrame})
   *   open-ended steps the page computes (the learner's own input). Each animation frame runs
   *   advance() in slices until perFrame x speed steps are done or `budget` ms of work are
   *   spent, then emits once, so no frame's task grows long however fast the machine.
   *   advance returning 0 means it cannot go on (diverged, a cap): the Player pauses.
   * Listeners get (index, player) on every change; index counts steps taken in live mode. */
  function Player(length, opts) {
    opts = opts || {};
    this.live = !!opts.live;
    this.length = this.live ? Infinity : length;
    this.index = 0;
    // replay: ms between frames at speed 1
    this.interval = opts.interval || 450;
    this.advance = opts.advance || null;
    this.onReset = opts.reset || null;
    // live: ms of work per frame at most
    this.budget = opts.budget || 10;
    // live: steps per frame at speed 1
    this.perFrame = opts.perFrame || 1;
    this.speed = 1;
    this.timer = null;
    this.listeners = [];
  }
  Player.prototype.onFrame = function (fn) { this.listeners.push(fn); return this; };
  Player.prototype.emit = function () {
    for (var i = 0; i < this.listeners.length; i++) this.listeners[i](this.index, this);
  };
  Player.prototype.atStart = function () { return this.index <= 0; };
  Player.prototype.atEnd = function () { return !this.live && this.index >= this.length - 1; };
  Player.prototype.seek = function (i) {
    if (this.live) return;
    this.index = Math.max(0, Math.min(this.length - 1, i));
    if (this.atEnd()) this.stopTimer();
    this.emit();
  };
  /* Run up to n live steps now; returns how many were done. */
  Player.prototype.run = function (n) {
    var done = this.advance ? this.advance(n) || 0 : 0;
    this.index += done;
    if (done < n) this.stopTimer();
    return done;
  };
  Player.prototype.step = function () {
    if (this.live) { this.run(1); this.emit(); } else this.seek(this.index + 1);
  };
  Player.prototype.stepBack = function () { if (!this.live) { this.pause(); this.seek(this.index - 1); } };
  Player.prototype.reset = function () {
    this.pause();
    if (this.live) { if (this.onReset) this.onReset(); this.index = 0; this.emit(); } else this.seek(0);
  };
  Player.prototype.playing = function () { return this.timer !== null; };
  Player.prototype.stopTimer = function () {
    if (this.timer === null) return false;
    if (this.live) window.cancelAnimationFrame(this.timer); else window.clearInterval(this.timer);
    this.timer = null;
    return true;
  };
  Player.prototype.play = function () {
    if (this.timer !== null) return;
    var self = this;
    if (this.live) {
      var frame = function () {
        self.timer = window.requestAnimationFrame(frame);
        var want = Math.max(1, Math.round(self.perFrame * self.speed)), done = 0, t0 = BPE.now(), slice = 1;
        while (done < want && self.timer !== null) {
          var got = self.run(Math.min(slice, want - done));
          done += got;
          if (!got) break;
          var spent = BPE.now() - t0;
          if (spent > self.budget) break;
          // Grow the slice while there is time left, so timing calls stay rare.
          slice = Math.min(want - done, Math.max(1, Math.floor(slice * 2)));
        }
        self.emit();
      };
      this.timer = window.requestAnimationFrame(frame);
    } else {
      if (this.atEnd()) this.seek(0);
      // Reduced motion: the same steps, but slower, so nothing flickers past.
      var wait = this.interval / this.speed * (BPE.reducedMotion() ? 2 : 1);
      this.timer = window.setInterval(function () { self.seek(self.index + 1); }, wait);
    }
    this.emit();
  };
  Player.prototype.pause = function () { if (this.stopTimer()) this.emit(); };
  Player.prototype.toggle = function () { if (this.playing()) this.pause(); else this.play(); };
  Player.prototype.setSpeed = function (s) {
    this.speed = s;
    if (this.playing() && !this.live) { this.stopTimer(); this.play(); }
  };
  BPE.Player = Player;
  BPE.now = function () { return window.performance && window.performance.now ? window.performance.now() : Date.now(); };

  /* --- URL state ------------------------------------------------------------------------
   * A widget's state lives in the hash as FIGID.KEY=VALUE pairs joined by "&", e.g.
   * #w1.step=12&w2.eta=2, so a teacher can link to "step 12 with eta = 2". A hash without "="
   * is an ordinary anchor and is left alone until a widget writes its state. */
  BPE.hashState = {
    all: function () {
      var h = window.location.hash.slice(1), out = {};
      if (h.indexOf("=") < 0) return out;
      h.split("&").forEach(function (pair) {
        var eq = pair.indexOf("="), key = decodeURIComponent(pair.slice(0, eq)), dot = key.indexOf(".");
        if (eq < 0 || dot < 1) return;
        var id = key.slice(0, dot);
        (out[id] = out[id] || {})[key.slice(dot + 1)] = decodeURIComponent(pair.slice(eq + 1));
      });
      return out;
    },
    read: function (id) { return BPE.hashState.all()[id] || null; },
    write: function (id, state) {
      var all = BPE.hashState.all(), parts = [];
      all[id] = state;
      Object.keys(all).sort().forEach(function (fid) {
        Object.keys(all[fid]).forEach(function (k) {
          parts.push(encodeURIComponent(fid + "." + k) + "=" + encodeURIComponent(String(all[fid][k])));
        });
      });
      var hash = "#" + parts.join("&");
      if (hash === window.location.hash) return;
      // A sandboxed or file:// page may refuse history changes; the widget still works.
      try { window.history.replaceState(null, "", hash); } catch (e) { /* keep going */ }
    }
  };

  /* --- Controls ------------------------------------------------------------------------
   * BPE.controls(fig, player, opts) wires the buttons the controls macro wrote
   * ([data-action] inside fig) and the keys, which work wherever focus is inside the figure
   * (a chart included), except in fields that need the keys themselves (selects, sliders,
   * text). Buttons at an end are aria-disabled: they keep their focus and say they are
   * unavailable. opts: {actions: {name: fn}} extra actions; {keys: {key: action}} extra keys;
   * {state: {save: fn() -> {k: v}, restore: fn({k: v})}} URL hash state, saved whenever the
   * player stops on a frame and restored at start and on hashchange. */
  var KEYS = { s: "step", ArrowRight: "step", ArrowLeft: "back", p: "play", t: "train", r: "reset", Home: "first", End: "last" };
  BPE.controls = function (fig, player, opts) {
    opts = opts || {};
    var actions = {
      step: function () { player.pause(); player.step(); },
      next: function () { player.pause(); player.step(); },
      back: function () { player.stepBack(); },
      prev: function () { player.stepBack(); },
      play: function () { player.toggle(); },
      train: function () { player.toggle(); },
      reset: function () { player.reset(); },
      first: function () { player.pause(); player.seek(0); },
      last: function () { player.pause(); player.seek(player.length - 1); }
    };
    var k;
    for (k in opts.actions || {}) actions[k] = opts.actions[k];
    var keys = {};
    for (k in KEYS) keys[k] = KEYS[k];
    for (k in opts.keys || {}) keys[k] = opts.keys[k];
    var buttons = Array.prototype.slice.call(fig.querySelectorAll("button[data-action]"));
    var has = function (name) { return buttons.some(function (b) { return b.getAttribute("data-action") === name; }); };
    // Alias keys to the buttons this widget has: Previous/Next play the part of back/step.
    if (!has("step") && has("next")) keys.s = keys.ArrowRight = "next";
    if (!has("back") && has("prev")) keys.ArrowLeft = "prev";
    var atStartActs = ["back", "prev", "first"], atEndActs = ["step", "next", "last"];

    function disabled(btn) { return btn.getAttribute("aria-disabled") === "true"; }
    function refresh() {
      buttons.forEach(function (btn) {
        var act = btn.getAttribute("data-action"), off = false;
        if (atStartActs.indexOf(act) >= 0) off = player.atStart() || player.live;
        if (atEndActs.indexOf(act) >= 0) off = player.atEnd();
        if (act === "reset") off = player.atStart() && !player.playing();
        btn.setAttribute("aria-disabled", off ? "true" : "false");
        if (act === "play" || act === "train") {
          btn.textContent = player.playing() ? "Pause" : act === "play" ? "Play" : "Train";
          btn.setAttribute("aria-pressed", player.playing() ? "true" : "false");
        }
      });
    }
    function act(name) {
      var fn = actions[name];
      if (!fn) return false;
      var btn = buttons.filter(function (b) { return b.getAttribute("data-action") === name; })[0];
      // unavailable at this end: nothing happens
      if (btn && disabled(btn)) return true;
      fn();
      return true;
    }
    buttons.forEach(function (btn) {
      btn.addEventListener("click", function () { act(btn.getAttribute("data-action")); });
    });
    var speed = fig.querySelector("select[data-speed]");
    if (speed) {
      var setSpeed = function () { player.setSpeed(Number(speed.value) || 1); };
      speed.addEventListener("change", setSpeed);
      setSpeed();
    }
    fig.addEventListener("keydown", function (ev) {
      if (ev.altKey || ev.ctrlKey || ev.metaKey || ev.defaultPrevented) return;
      var t = ev.target, tag = t.tagName;
      if (tag === "SELECT" || tag === "TEXTAREA" || (tag === "INPUT" && t.type !== "button" && t.type !== "checkbox")) return;
      var key = ev.key.length === 1 ? ev.key.toLowerCase() : ev.key, name = keys[key];
      if (!name) return;
      // A key acts when its button is on the page or the widget named it; Home and End
      // work wherever a recorded run can be stepped through.
      var ends = (name === "first" || name === "last") && !player.live && ["prev", "back", "step", "next"].some(has);
      if (!has(name) && !(opts.actions && opts.actions[name]) && !ends) return;
      if (act(name)) ev.preventDefault();
    });

    var state = opts.state, saving = null;
    function save() {
      if (!state || player.playing()) return;
      if (saving) window.clearTimeout(saving);
      // What the address said of this figure when the save was asked for: if a link or the
      // address bar has changed it since (its hashchange may still be queued), that state
      // wins and this older one is not written over it.
      var asked = JSON.stringify(BPE.hashState.read(fig.id));
      saving = window.setTimeout(function () {
        saving = null;
        if (JSON.stringify(BPE.hashState.read(fig.id)) === asked) BPE.hashState.write(fig.id, state.save());
      }, 150);
    }
    player.onFrame(function () { refresh(); save(); });
    function restore() {
      var got = state && BPE.hashState.read(fig.id);
      if (got) { player.pause(); state.restore(got); }
      return !!got;
    }
    if (state) window.addEventListener("hashchange", restore);
    refresh();
    return { refresh: refresh, act: act, restore: restore };
  };

  /* --- SVG helpers ---------------------------------------------------------------------- */
  var NS = "http://www.w3.org/2000/svg";
  BPE.svg = function (tag, attrs, parent) {
    var el = document.createElementNS(NS, tag), keys = Object.keys(attrs || {});
    for (var i = 0; i < keys.length; i++) el.setAttribute(keys[i], attrs[keys[i]]);
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
    return v.toFixed(digits === undefined ? 4 : digits).replace("-", "\u2212");
  };

  /* Axes with ticks inside a viewBox; returns {x, y, plot} scales and the plot group.
   * opts.xTicks: [[value, label], ...] instead of evenly spaced x ticks (a log axis). */
  BPE.axes = function (svg, opts) {
    var W = opts.width || 360, H = opts.height || 240, m = { l: 52, r: 22, t: 16, b: 40 };
    while (svg.lastChild && svg.lastChild.nodeName !== "title") svg.removeChild(svg.lastChild);
    var x = BPE.scale(opts.x[0], opts.x[1], m.l, W - m.r), y = BPE.scale(opts.y[0], opts.y[1], H - m.b, m.t);
    var g = BPE.svg("g", { "class": "axes" }, svg);
    BPE.svg("line", { x1: m.l, y1: H - m.b, x2: W - m.r, y2: H - m.b }, g);
    BPE.svg("line", { x1: m.l, y1: m.t, x2: m.l, y2: H - m.b }, g);
    function label(v) { return String(+v.toFixed(6)).replace("-", "\u2212"); }
    var xTicks = opts.xTicks || BPE.niceTicks(opts.x[0], opts.x[1], 5).map(function (v) { return [v, label(v)]; });
    xTicks.forEach(function (t) {
      BPE.svg("line", { x1: x(t[0]), y1: H - m.b, x2: x(t[0]), y2: H - m.b + 4 }, g);
      BPE.text(g, x(t[0]), H - m.b + 16, t[1], "tick", "middle");
    });
    BPE.niceTicks(opts.y[0], opts.y[1], 4).forEach(function (v) {
      BPE.svg("line", { x1: m.l - 4, y1: y(v), x2: m.l, y2: y(v) }, g);
      BPE.text(g, m.l - 7, y(v) + 4, label(v), "tick", "end");
    });
    BPE.text(g, (m.l + W - m.r) / 2, H - 6, opts.xLabel || "", "axis-label", "middle");
    var yl = BPE.text(g, 14, (m.t + H - m.b) / 2, opts.yLabel || "", "axis-label", "middle");
    yl.setAttribute("transform", "rotate(-90 14 " + (m.t + H - m.b) / 2 + ")");
    var plot = BPE.svg("g", { "class": "plot" }, svg);
    return { x: x, y: y, plot: plot, box: m, W: W, H: H };
  };

  /* Loss over steps: the part so far solid, a marker at the current step, and (unless
   * opts.ghost is false) the whole run faint behind it. A chart that replays learning the
   * reader has not seen yet passes ghost: false, so it never shows the future. */
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
    if (opts.ghost !== false) BPE.svg("path", { d: path(xs.length), "class": "series-ghost" }, ax.plot);
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
    var pending = null, last = 0, found = {};
    return {
      set: function (name, text) {
        // each readout found once (again if it has left the figure)
        var el = found[name];
        if (!el || !root.contains(el)) el = found[name] = root.querySelector('[data-readout="' + name + '"]');
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

  // Each trace is decoded once, and figures that show the same one share it (read-only).
  var decoded = {};
  BPE.traceFor = function (figure) {
    var id = figure.getAttribute("data-trace");
    if (!id) return null;
    if (!(id in decoded)) {
      var el = document.getElementById(id);
      decoded[id] = el && BPE.decodeTrace ? BPE.decodeTrace(el.textContent) : null;
    }
    return decoded[id];
  };

  /* Formulas, tables and other .scroll-box boxes wider than the screen scroll in their box.
   * The page marks every such box focusable and labelled (it cannot know the reader's width);
   * here the boxes that fit lose their tab stop and the ones that overflow keep or regain it.
   * A box with data-scroll-start="center" (a drawing whose middle matters most) starts
   * scrolled to its middle, once. While the page starts this waits for the browser's own
   * layout (boot's ResizeObserver), rather than force one. */
  var SCROLLERS = ".math-block, .table-scroll, .scroll-box";
  var starting = false;
  function judge(boxes) {
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      // hidden: judged when it is shown
      if (!box.getClientRects().length) continue;
      var wide = box.scrollWidth > box.clientWidth + 1;
      if (wide && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "group");
        if (!box.hasAttribute("aria-labelledby"))
          box.setAttribute("aria-label", box.classList.contains("math-block") ? "Formula, scrolls sideways" : "Table, scrolls sideways");
      } else if (!wide && box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
      }
      if (wide && box.getAttribute("data-scroll-start") === "center") {
        box.removeAttribute("data-scroll-start");
        box.scrollLeft = (box.scrollWidth - box.clientWidth) / 2;
      }
    }
  }
  BPE.focusableOverflow = function () {
    if (!starting) judge(document.querySelectorAll(SCROLLERS));
  };

  /* Digits: numbers carry a short and a full form (.d-short, .d-full); any button
   * .digits-toggle switches the whole page between them (html.digits-full). */
  BPE.digits = function () {
    var buttons = document.querySelectorAll(".digits-toggle");
    function show(full) {
      document.documentElement.classList.toggle("digits-full", full);
      for (var i = 0; i < buttons.length; i++) {
        buttons[i].setAttribute("aria-pressed", full ? "true" : "false");
        buttons[i].textContent = full ? "Show short numbers" : "Show every digit";
      }
      BPE.focusableOverflow();
    }
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function () { show(!document.documentElement.classList.contains("digits-full")); });
    }
  };

  // Think-first blocks: the answer is on the page (print, JS off); here it waits behind a button.
  BPE.thinkFirst = function () {
    var answers = document.querySelectorAll(".think-answer");
    for (var i = 0; i < answers.length; i++) {
      var answer = answers[i], button = document.createElement("button");
      button.type = "button";
      button.className = "think-reveal";
      button.textContent = "Show the answer";
      button.setAttribute("aria-expanded", "false");
      button.setAttribute("aria-controls", answer.id);
      answer.hidden = true;
      answer.parentNode.insertBefore(button, answer);
      button.addEventListener("click", function (event) {
        var b = event.currentTarget, a = document.getElementById(b.getAttribute("aria-controls"));
        a.hidden = !a.hidden;
        b.setAttribute("aria-expanded", a.hidden ? "false" : "true");
        b.textContent = a.hidden ? "Show the answer" : "Hide the answer";
      });
    }
  };

  // Glossary tips show on hover and focus (CSS); Escape hides them until the next move.
  BPE.termTips = function () {
    var root = document.documentElement;
    document.addEventListener("keydown", function (e) { if (e.key === "Escape") root.classList.add("tips-off"); });
    var back = function () { root.classList.remove("tips-off"); };
    document.addEventListener("focusin", back);
    document.addEventListener("mouseover", back);
  };

  /* Canvas pictures drawn while the page starts wait: those on screen for the first frame,
   * the rest for idle moments, one at a time. Reading such a canvas (getContext, toDataURL)
   * draws its picture first; after the start, BPE.draw(canvas, fn) draws at once. */
  var waiting = [], READS = ["getContext", "toDataURL", "toBlob"];
  function take(canvas) {
    for (var i = 0; i < waiting.length; i++) {
      if (waiting[i][0] !== canvas) continue;
      READS.forEach(function (m) { delete canvas[m]; });
      return waiting.splice(i, 1)[0][1];
    }
  }
  function drawWaiting(canvas) { var draw = take(canvas); if (draw) draw(); }
  BPE.draw = function (canvas, fn) {
    // a newer picture replaces one still waiting
    take(canvas);
    if (!starting) return fn();
    waiting.push([canvas, fn]);
    READS.forEach(function (m) {
      canvas[m] = function () { drawWaiting(canvas); return canvas[m].apply(canvas, arguments); };
    });
  };
  // idle time, or 200 ms at most even on a busy page
  function drawLater() {
    var next = function () { if (waiting.length) { drawWaiting(waiting[0][0]); drawLater(); } };
    if (window.requestIdleCallback) window.requestIdleCallback(next, { timeout: 200 }); else window.setTimeout(next, 20);
  }

  BPE.boot = function () {
    starting = true;
    BPE.thinkFirst();
    BPE.termTips();
    var figures = document.querySelectorAll("figure[data-widget]");
    for (var i = 0; i < figures.length; i++) {
      var fig = figures[i], name = fig.getAttribute("data-widget"), make = BPE.widgets[name];
      // a static widget (tables, cards): nothing to enhance
      if (!make) continue;
      try {
        make(fig, BPE.traceFor(fig));
        fig.setAttribute("data-enhanced", "true");
      } catch (e) {
        fig.setAttribute("data-enhanced", "failed");
        if (window.console) window.console.error("widget " + name + " could not start:", e);
      }
    }
    BPE.digits();
    document.documentElement.setAttribute("data-ready", "true");
    starting = false;
    // From data-ready the short forms of numbers show: each box is judged once laid out, and
    // again whenever its size changes (a resize, a box shown).
    var seen = new ResizeObserver(function (list) { judge(list.map(function (e) { return e.target; })); });
    [].forEach.call(document.querySelectorAll(SCROLLERS), function (b) { seen.observe(b); });
    if (waiting.length) window.requestAnimationFrame(function () {
      // layout is due in this frame anyway
      waiting.slice().forEach(function (w) {
        var r = w[0].getBoundingClientRect();
        if (r.width && r.bottom > 0 && r.top < window.innerHeight) drawWaiting(w[0]);
      });
      drawLater();
    });
    if (window.performance && window.performance.mark) window.performance.mark("bpe-ready");
  };
})();
