/* scorecard: the learner sets p, the page shows the loss −ln p as a number and as a point on the
 * curve. The network's own p at its first and last step comes from the figure (built from the
 * trace at build time). */
(function () {
  "use strict";
  var BPE = window.BPE;
  var TOP = 4.8;

  BPE.widgets.scorecard = function (fig) {
    var input = fig.querySelector('[data-sc="p"]'), out = BPE.readout(fig);
    fig.querySelector(".static-fallback").hidden = true;
    fig.querySelector(".sc-live").hidden = false;
    var ax = BPE.axes(fig.querySelector(".sc-chart"), { x: [0, 1], y: [0, TOP], xLabel: "p, the probability of the right word", yLabel: "loss −ln p" });
    var d = "";
    for (var k = 0; k <= 200; k++) {
      var p = 0.009 + (1 - 0.009) * k / 200;
      d += (k ? "L" : "M") + ax.x(p).toFixed(1) + "," + ax.y(-Math.log(p)).toFixed(1);
    }
    BPE.svg("path", { d: d, "class": "sc-curve" }, ax.plot);
    (fig.getAttribute("data-marks") || "").split(";").forEach(function (m) {
      var parts = m.split(":"), q = Number(parts[1]);
      if (!(q > 0)) return;
      BPE.svg("circle", { cx: ax.x(q), cy: ax.y(-Math.log(q)), r: 5, "class": "sc-mark" }, ax.plot);
      // labels near p = 1 go on the left so they stay inside the chart
      var right = q > 0.6;
      BPE.text(ax.plot, ax.x(q) + (right ? -8 : 8), ax.y(-Math.log(q)) - 10, parts[0], "sc-mark-label", right ? "end" : "start");
    });
    var drop = BPE.svg("line", { "class": "sc-drop" }, ax.plot);
    var dot = BPE.svg("circle", { r: 7, "class": "marker" }, ax.plot);

    function render() {
      var p = Number(input.value), loss = -Math.log(p);
      out.set("p", p.toFixed(2));
      out.set("loss", loss.toFixed(2));
      dot.setAttribute("cx", ax.x(p)); dot.setAttribute("cy", ax.y(Math.min(loss, TOP)));
      drop.setAttribute("x1", ax.x(p)); drop.setAttribute("x2", ax.x(p));
      drop.setAttribute("y1", ax.y(0)); drop.setAttribute("y2", ax.y(Math.min(loss, TOP)));
      input.setAttribute("aria-valuetext", "p " + p.toFixed(2) + ", loss " + loss.toFixed(2));
      fig.setAttribute("data-p", p.toFixed(2));
    }
    input.addEventListener("input", render);
    var saved = BPE.hashState.read(fig.id);
    if (saved && Number(saved.p) >= 0.01 && Number(saved.p) <= 1) input.value = saved.p;
    input.addEventListener("change", function () { BPE.hashState.write(fig.id, { p: Number(input.value).toFixed(2) }); });
    render();
  };
})();
