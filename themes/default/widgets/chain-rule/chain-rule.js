/* chain-rule: the page already lists every unit's delta (readable without JS and in print).
 * This script walks the blame back one layer at a time with the shared Player. The player's
 * index is where the walk stands, counted in layers from the inputs: it starts at the
 * outputs (index = layers, no blame handed out yet) and each Step back moves it one layer
 * toward the inputs, giving every unit of the layer it leaves its delta; Step goes forward
 * again. URL state #w1.at=N (the index). */
(function () {
  "use strict";
  var BPE = window.BPE = window.BPE || {};
  BPE.widgets = BPE.widgets || {};

  BPE.widgets["chain-rule"] = function (fig) {
    var L = Number(fig.getAttribute("data-layers"));
    var marked = Array.prototype.slice.call(fig.querySelectorAll("[data-blame]"));
    var items = Array.prototype.slice.call(fig.querySelectorAll(".cr-layers > li"));
    var status = fig.querySelector("[data-announce]");
    var player = new BPE.Player(L + 1, { interval: 1600 });

    function render(index) {
      marked.forEach(function (el) {
        var l = Number(el.getAttribute("data-blame")), has = l > index;
        if (el.tagName === "LI") el.hidden = !has;
        else el.classList.toggle("cr-hidden", !has);
        el.classList.toggle("cr-new", l === index + 1);
      });
      fig.setAttribute("data-blamed", String(L - index));
      if (index === L) {
        status.textContent = "At the outputs: only the errors o − t are known. Press Step back to hand out blame.";
      } else {
        var item = items.filter(function (li) { return Number(li.getAttribute("data-blame")) === index + 1; })[0];
        status.textContent = item.textContent.replace(/\s+/g, " ").trim();
      }
    }

    player.onFrame(render);
    var kit = BPE.controls(fig, player, {
      state: {
        save: function () { return { at: player.index }; },
        restore: function (s) { var k = Number(s.at); if (k >= 0 && k <= L) player.seek(k); }
      }
    });
    fig.classList.add("is-enhanced");
    fig.querySelector(".widget-live").hidden = false;
    // Start at the outputs without writing the URL (only a move of the learner does).
    if (!kit.restore()) { player.index = L; render(L); kit.refresh(); }
  };
})();
