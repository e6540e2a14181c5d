/* worked-steps: a step-through of one training step's calculations.
 * The page already lists every calculation (with MathML) in an <ol>, readable without JS.
 * This script shows one at a time with the shared Player and controls, highlights the units
 * and weights it uses in the diagram, and keeps the current step in the URL
 * (#w1.step=<key>); a plain anchor to a calculation (#w1-<key>) opens there too. */
(function () {
  "use strict";
  var BPE = window.BPE = window.BPE || {};
  BPE.widgets = BPE.widgets || {};

  BPE.widgets["worked-steps"] = function (fig) {
    var items = Array.prototype.slice.call(fig.querySelectorAll(".ws-steps > li"));
    var status = fig.querySelector(".ws-status");
    var nodes = fig.querySelectorAll("[data-node]");
    var edges = fig.querySelectorAll("[data-edge]");
    var prefix = fig.id + "-";
    var player = new BPE.Player(items.length, { interval: 2000 });

    function indexOfKey(key) {
      for (var i = 0; i < items.length; i++) if (items[i].id === prefix + key) return i;
      return -1;
    }

    function mark(list, attr, wanted) {
      for (var i = 0; i < list.length; i++) list[i].classList.toggle("is-active", wanted.indexOf(list[i].getAttribute(attr)) >= 0);
    }

    /* The diagram shows a value once the calculation that produces it has been reached
     * (data-from), and a weight's old label until its update (data-until). */
    var timed = fig.querySelectorAll("[data-from], [data-until]");
    function reveal(index) {
      for (var i = 0; i < timed.length; i++) {
        var el = timed[i], from = el.getAttribute("data-from"), until = el.getAttribute("data-until");
        var shown = (!from || index >= indexOfKey(from)) && (!until || index < indexOfKey(until));
        el.classList.toggle("ws-off", !shown);
      }
    }

    var moved = false;
    function render(index) {
      var item = items[index];
      for (var i = 0; i < items.length; i++) {
        items[i].hidden = i !== index;
        items[i].classList.toggle("is-current", i === index);
      }
      // From the first move on, each line is written out in turn (CSS; instant under reduced motion).
      if (moved) fig.classList.add("is-stepping");
      moved = true;
      mark(nodes, "data-node", (item.getAttribute("data-nodes") || "").split(" "));
      mark(edges, "data-edge", (item.getAttribute("data-edges") || "").split(" "));
      var title = item.querySelector(".ws-title").textContent;
      var full = document.documentElement.classList.contains("digits-full");
      var result = item.querySelector(".ws-value " + (full ? ".d-full" : ".d-short")).textContent;
      reveal(index);
      status.textContent = "Step " + (index + 1) + " of " + items.length + ": " + title + " = " + result;
      fig.setAttribute("data-step", String(index + 1));
      // the formula just shown may be wider than the screen
      if (BPE.focusableOverflow) BPE.focusableOverflow();
    }

    player.onFrame(render);
    var kit = BPE.controls(fig, player, {
      state: {
        save: function () { return { step: items[player.index].id.slice(prefix.length) }; },
        restore: function (s) { var i = indexOfKey(s.step); if (i >= 0) player.seek(i); }
      }
    });

    fig.classList.add("is-enhanced");
    fig.querySelector(".widget-controls").hidden = false;
    if (BPE.reducedMotion()) fig.classList.add("is-reduced-motion");
    var anchor = decodeURIComponent(window.location.hash.slice(1));
    var fromAnchor = anchor.indexOf(prefix) === 0 ? indexOfKey(anchor.slice(prefix.length)) : -1;
    if (kit.restore()) {
      fig.scrollIntoView({ block: "start" });
    } else if (fromAnchor >= 0) {
      player.seek(fromAnchor);
      fig.scrollIntoView({ block: "start" });
    } else {
      render(0);
    }
  };
})();
