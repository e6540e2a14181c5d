/* loss-moves: the page already shows the whole table and all three moves (readable without
 * JS and in print). This script reveals them one move at a time with the shared Player:
 * frame 0 shows only the guess and the targets, frame k adds move k. URL state #w1.move=k. */
(function () {
  "use strict";
  var BPE = window.BPE = window.BPE || {};
  BPE.widgets = BPE.widgets || {};

  BPE.widgets["loss-moves"] = function (fig) {
    var parts = Array.prototype.slice.call(fig.querySelectorAll("[data-move]"));
    var moves = Array.prototype.slice.call(fig.querySelectorAll(".lm-moves > li"));
    var status = fig.querySelector("[data-announce]");
    var player = new BPE.Player(moves.length, { interval: 1800 });

    function render(index) {
      parts.forEach(function (el) {
        var k = Number(el.getAttribute("data-move"));
        if (el.tagName === "LI") {
          el.hidden = k !== index;
        } else {
          el.classList.toggle("lm-later", k > index);
          el.classList.toggle("lm-now", k === index && index > 0);
        }
      });
      fig.setAttribute("data-move", String(index));
      var text = moves[index].textContent.replace(/\s+/g, " ").trim();
      status.textContent = "Move " + index + " of " + (moves.length - 1) + ". " + text;
    }

    player.onFrame(render);
    var kit = BPE.controls(fig, player, {
      state: {
        save: function () { return { move: player.index }; },
        restore: function (s) { var k = Number(s.move); if (k >= 0 && k < moves.length) player.seek(k); }
      }
    });
    fig.classList.add("is-enhanced");
    fig.querySelector(".widget-live").hidden = false;
    if (!kit.restore()) render(0);
  };
})();
