/* forward-steps: the forward pass, one layer per Step. The numbers are the engine's: the
 * trace's `detail` (z and a of every layer) at the step the build chose (data-detail-step),
 * for the chosen point. The build wrote every value for the first point (forward_steps.py),
 * so without JavaScript the whole pass reads at once; here the layers not reached yet are
 * hidden (a ? in their circles, "not worked out yet" in the list) and the wires into the
 * layer just worked out light up. A replay Player of layers + 1 frames: frame l shows the
 * inputs and layers 1..l. URL state: #w3.layer=1&w3.point=2. */
(function () {
  "use strict";
  var BPE = window.BPE;

  function num(v, digits) {
    var s = v.toFixed(digits === undefined ? 3 : digits);
    if (Number(s) === 0) s = s.replace("-", "");
    return s.replace("-", "\u2212");
  }
  function num3(v) { return num(v, 3); }
  function coord(v) { return Number.isInteger(v) ? num(v).replace(/\.000$/, "") : String(v).replace("-", "\u2212"); }
  function vec(xs, f) { return "(" + xs.map(f).join(",\u00a0") + ")"; }

  BPE.widgets["forward-steps"] = function (fig, trace) {
    var run = trace.runs[0], d = run.detail[fig.getAttribute("data-detail-step")];
    var layers = Number(fig.getAttribute("data-layers")), X = run.X, T = run.T;
    var radios = Array.prototype.slice.call(fig.querySelectorAll('input[name$="-point"]'));
    var out = BPE.readout(fig);
    Array.prototype.forEach.call(fig.querySelectorAll(".widget-live"), function (el) { el.hidden = false; });
    var point = 0;
    var names = Array.prototype.map.call(fig.querySelectorAll(".fs-layer-name"), function (el) { return el.textContent; });

    function fill() {
      var sample = d.samples[point];
      for (var l = 0; l <= layers; l++) {
        var a = d.a[l][point];
        a.forEach(function (v, u) { var el = fig.querySelector('[data-node="' + l + "-" + u + '"]'); if (el) el.textContent = num(v, 2); });
        var va = fig.querySelector('[data-vals="a-' + l + '"]');
        if (va) va.textContent = a.map(num3).join(", ");
        var vz = fig.querySelector('[data-vals="z-' + l + '"]');
        if (vz) vz.textContent = d.z[l - 1][point].map(num3).join(", ");
      }
      T[sample].forEach(function (v, u) { var el = fig.querySelector('[data-target="' + u + '"]'); if (el) el.textContent = coord(v); });
      out.set("target", vec(T[sample], coord));
      var when = fig.querySelector('[data-readout="what"]').textContent.replace(/^.*?Weights /, "Weights ");
      out.set("what", "The point " + vec(X[sample], coord) + " goes in; the right answer is " + vec(T[sample], coord) + ". " + when);
      fig.setAttribute("data-point", String(point));
      fig.setAttribute("data-sample", String(sample));
    }
    function sentence(l) {
      if (l === 0) return "The inputs are in: x = " + vec(d.a[0][point], num3) + ". Press Step to work out " + names[1].toLowerCase() + ".";
      var s = names[l] + ": z = " + vec(d.z[l - 1][point], num3) + ", so a = " + vec(d.a[l][point], num3) + ".";
      if (l === layers) s += " That is the network's answer; the right answer is " + vec(T[d.samples[point]], coord) + ".";
      else s += " Next: " + names[l + 1].toLowerCase() + ".";
      return s;
    }
    function render(stage) {
      Array.prototype.forEach.call(fig.querySelectorAll(".fs-node"), function (g) {
        var l = Number(g.getAttribute("data-layer"));
        g.classList.toggle("fs-off", l > stage);
        g.classList.toggle("fs-new", l === stage && stage > 0);
      });
      Array.prototype.forEach.call(fig.querySelectorAll(".fs-edge"), function (e) {
        var l = Number(e.getAttribute("data-into"));
        e.classList.toggle("fs-off", l > stage);
        e.classList.toggle("fs-active", l === stage);
      });
      Array.prototype.forEach.call(fig.querySelectorAll(".fs-layers li"), function (li) {
        var off = Number(li.getAttribute("data-layer")) > stage;
        li.classList.toggle("fs-li-off", off);
        li.classList.toggle("fs-li-new", Number(li.getAttribute("data-layer")) === stage);
        li.querySelector(".fs-vals").hidden = off;
        li.querySelector(".fs-wait").hidden = !off;
      });
      fig.setAttribute("data-stage", String(stage));
      out.set("status", sentence(stage));
    }
    var player = new BPE.Player(layers + 1);
    player.onFrame(render);
    var kit = BPE.controls(fig, player, {
      state: {
        save: function () { return { layer: player.index, point: point }; },
        restore: function (s) {
          var p = Number(s.point);
          if (Number.isInteger(p) && p >= 0 && p < radios.length) { point = p; radios[p].checked = true; fill(); }
          var l = Number(s.layer);
          player.seek(Number.isInteger(l) && l >= 0 && l <= layers ? l : 0);
        }
      }
    });
    radios.forEach(function (r) {
      r.addEventListener("change", function () {
        if (!r.checked) return;
        point = Number(r.value);
        fill();
        player.seek(player.index);
        render(player.index);
        BPE.hashState.write(fig.id, { layer: player.index, point: point });
      });
    });
    fill();
    if (!kit.restore()) render(0);
  };
})();
