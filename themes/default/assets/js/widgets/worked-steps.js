/* worked-steps: a step-through of one training step's calculations.
 * The page already lists every calculation (with MathML) in an <ol>, readable without JS.
 * This script shows one at a time, highlights the units and weights it uses in the diagram,
 * and keeps the current step in the URL hash (#<figure id>-<step key>) so it can be linked. */
(function () {
  "use strict";
  var BPE = window.BPE = window.BPE || {};
  BPE.widgets = BPE.widgets || {};

  var SPEEDS = { slow: 3500, normal: 2000, fast: 900 };

  BPE.widgets["worked-steps"] = function (fig) {
    var items = Array.prototype.slice.call(fig.querySelectorAll(".ws-steps > li"));
    var controls = fig.querySelector(".ws-controls");
    var prev = fig.querySelector("[data-action=prev]");
    var next = fig.querySelector("[data-action=next]");
    var play = fig.querySelector("[data-action=play]");
    var speed = fig.querySelector("select[name=speed]");
    var status = fig.querySelector(".ws-status");
    var nodes = fig.querySelectorAll("[data-node]");
    var edges = fig.querySelectorAll("[data-edge]");
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var state = { index: 0, timer: null };

    function fromHash() {
      var h = decodeURIComponent((window.location.hash || "").slice(1));
      for (var i = 0; i < items.length; i++) if (items[i].id === h) return i;
      return -1;
    }

    function writeHash(id) {
      // A sandboxed or file:// page may refuse history changes; the step still shows.
      try { window.history.replaceState(null, "", "#" + id); } catch (e) { /* keep going */ }
    }

    function mark(list, attr, wanted) {
      for (var i = 0; i < list.length; i++) {
        var on = wanted.indexOf(list[i].getAttribute(attr)) >= 0;
        list[i].classList.toggle("is-active", on);
      }
    }

    function render(updateHash) {
      var item = items[state.index];
      for (var i = 0; i < items.length; i++) {
        items[i].hidden = i !== state.index;
        items[i].classList.toggle("is-current", i === state.index);
      }
      mark(nodes, "data-node", (item.getAttribute("data-nodes") || "").split(" "));
      mark(edges, "data-edge", (item.getAttribute("data-edges") || "").split(" "));
      // aria-disabled, not disabled: a disabled button drops keyboard focus to <body>.
      prev.setAttribute("aria-disabled", String(state.index === 0));
      next.setAttribute("aria-disabled", String(state.index === items.length - 1));
      var title = item.querySelector(".ws-title").textContent;
      var result = item.querySelector(".ws-value").textContent;
      status.textContent = "Step " + (state.index + 1) + " of " + items.length + ": " + title + " = " + result;
      fig.setAttribute("data-step", String(state.index + 1));
      if (updateHash) writeHash(item.id);
    }

    function go(i) {
      fig.classList.add("is-stepping"); // from now on each line is written out in turn
      state.index = Math.max(0, Math.min(items.length - 1, i));
      render(true);
    }

    function stop() {
      if (state.timer) window.clearInterval(state.timer);
      state.timer = null;
      play.textContent = "Play";
      play.setAttribute("aria-pressed", "false");
    }

    function start() {
      if (state.index === items.length - 1) go(0);
      play.textContent = "Pause";
      play.setAttribute("aria-pressed", "true");
      state.timer = window.setInterval(function () {
        if (state.index >= items.length - 1) { stop(); return; }
        go(state.index + 1);
      }, SPEEDS[speed.value] || SPEEDS.normal);
    }

    prev.addEventListener("click", function () { stop(); go(state.index - 1); });
    next.addEventListener("click", function () { stop(); go(state.index + 1); });
    // go() clamps, so a click on an aria-disabled button changes nothing.
    play.addEventListener("click", function () { if (state.timer) stop(); else start(); });
    speed.addEventListener("change", function () { if (state.timer) { stop(); start(); } });
    fig.addEventListener("keydown", function (ev) {
      if (ev.target.tagName === "SELECT" || ev.altKey || ev.ctrlKey || ev.metaKey) return;
      var handled = true;
      if (ev.key === "ArrowRight") { stop(); go(state.index + 1); }
      else if (ev.key === "ArrowLeft") { stop(); go(state.index - 1); }
      else if (ev.key === "Home") { stop(); go(0); }
      else if (ev.key === "End") { stop(); go(items.length - 1); }
      else handled = false;
      if (handled) ev.preventDefault();
    });
    window.addEventListener("hashchange", function () {
      var i = fromHash();
      if (i >= 0 && i !== state.index) { stop(); state.index = i; render(false); }
    });

    fig.classList.add("is-enhanced");
    controls.hidden = false;
    if (reduced) fig.classList.add("is-reduced-motion");
    var start_at = fromHash();
    state.index = start_at >= 0 ? start_at : 0;
    render(false);
    if (start_at >= 0) fig.scrollIntoView({ block: "start" });
  };
})();
