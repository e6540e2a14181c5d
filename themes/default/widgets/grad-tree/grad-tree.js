/* grad-tree: the page already draws the whole tree with every factor and leaf product (and
 * the table), readable without JS and in print. This script lets the gradient flow: frame k
 * of the shared Player lights the branches down to depth k (the trunk is depth 1, the leaves
 * the last), so Play sends the blame from the root to every leaf, one fork at a time, each
 * new level drawn along its branches. With reduced motion Play shows the whole flow at once.
 * URL state #w1.depth=k. */
(function () {
  "use strict";
  var BPE = window.BPE = window.BPE || {};
  BPE.widgets = BPE.widgets || {};

  BPE.widgets["grad-tree"] = function (fig) {
    var depth = Number(fig.getAttribute("data-depth"));
    var parts = Array.prototype.slice.call(fig.querySelectorAll(".gt-tree [data-depth]"));
    var status = fig.querySelector("[data-announce]");
    var reduced = BPE.reducedMotion();
    var player = new BPE.Player(depth + 1, { interval: 900 });
    // Each branch's length, so a newly lit level can be drawn from its start to its end.
    parts.forEach(function (el) {
      if (el.tagName.toLowerCase() === "line") {
        var dx = el.x2.baseVal.value - el.x1.baseVal.value, dy = el.y2.baseVal.value - el.y1.baseVal.value;
        el.style.setProperty("--len", Math.ceil(Math.sqrt(dx * dx + dy * dy)) + "px");
      }
    });

    function render(index) {
      parts.forEach(function (el) {
        var d = Number(el.getAttribute("data-depth"));
        el.classList.toggle("gt-lit", d <= index);
        el.classList.toggle("gt-new", d === index && !reduced);
      });
      fig.setAttribute("data-lit", String(index));
      var text;
      if (index === 0) text = "The gradient waits at the loss. Press Play or Step to send it up the tree.";
      else if (index === 1) text = "The trunk: the output's blame enters the tree.";
      else if (index < depth) text = "Fork " + (index - 1) + ": every branch multiplies the blame it receives by its own factor.";
      else text = "Every leaf has its product. The leaves that end at the same unit add up to that unit's blame.";
      status.textContent = text;
    }

    player.onFrame(render);
    var kit = BPE.controls(fig, player, {
      actions: {
        // Reduced motion: no animation, the whole flow is shown at once.
        play: function () { if (reduced) { player.pause(); player.seek(depth); } else if (player.atEnd()) { player.seek(0); player.play(); } else player.toggle(); }
      },
      state: {
        save: function () { return { depth: player.index }; },
        restore: function (s) { var k = Number(s.depth); if (k >= 0 && k <= depth) player.seek(k); }
      }
    });
    fig.classList.add("is-enhanced");
    fig.querySelector(".widget-live").hidden = false;
    if (!kit.restore()) render(0);
  };
})();
