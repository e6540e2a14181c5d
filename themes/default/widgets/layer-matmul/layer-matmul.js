/* layer-matmul: one layer written as W·a + b = z and unit by unit, with the recorded numbers.
 * Nothing is computed here: W and b are the trace's `start` or `final` parameters, the
 * layer's input, its sums z and its outputs the trace's `detail` at the first or last step for
 * the chosen point. The build wrote the trained weights and the first point into the page
 * (site_builder/widgets/layer_matmul.py, same formatting), so without JavaScript it reads
 * whole; this script lets the learner pick weights and point and links each unit's row, bias,
 * sum and line of the unit-by-unit form (hover or focus one: all light up).
 * URL state: #w2.at=start&w2.point=1. */
(function () {
  "use strict";
  var BPE = window.BPE;

  function num(v) {
    var s = v.toFixed(3);
    if (Number(s) === 0) s = s.replace("-", "");
    return s.replace("-", "\u2212");
  }
  function paren(s) { return s.charAt(0) === "\u2212" ? "(" + s + ")" : s; }

  BPE.widgets["layer-matmul"] = function (fig, trace) {
    var run = trace.runs[0], L = Number(fig.getAttribute("data-layer"));
    var steps = run.steps, first = steps[0], last = steps[steps.length - 1];
    var atRadios = Array.prototype.slice.call(fig.querySelectorAll('input[name$="-at"]'));
    var ptRadios = Array.prototype.slice.call(fig.querySelectorAll('input[name$="-point"]'));
    var out = BPE.readout(fig), region = fig.querySelector("[data-announce]");
    Array.prototype.forEach.call(fig.querySelectorAll(".widget-live"), function (el) { el.hidden = false; });
    var state = { at: "trained", point: 0 };

    function cell(name, text) {
      var el = fig.querySelector('[data-cell="' + name + '"]');
      if (el && el.textContent !== text) el.textContent = text;
    }
    function render(announce) {
      var trained = state.at === "trained";
      var params = trained ? run.final : run.start, d = run.detail[String(trained ? last : first)];
      var W = params["W" + L], b = params["b" + L], p = state.point, sample = d.samples[p];
      var aIn = d.a[L - 1][p], z = d.z[L - 1][p], aOut = d.a[L][p];
      for (var i = 0; i < W.length; i++) {
        var terms = [];
        for (var j = 0; j < W[i].length; j++) {
          cell("W-" + i + "-" + j, num(W[i][j]));
          terms.push(paren(num(W[i][j])) + "\u00d7" + paren(num(aIn[j])));
        }
        cell("b-" + i, num(b[i])); cell("z-" + i, num(z[i]));
        cell("terms-" + i, terms.join(" + ")); cell("ub-" + i, paren(num(b[i])));
        cell("uz-" + i, num(z[i])); cell("ua-" + i, num(aOut[i]));
      }
      for (var k = 0; k < aIn.length; k++) cell("in-" + k, num(aIn[k]));
      cell("aout-all", aOut.map(num).join(", "));
      var label = ptRadios[p] ? ptRadios[p].parentNode.textContent.trim() : "";
      var when = trained ? "after " + last + " steps of training" : "at the start, before any training";
      out.set("what", "Layer " + L + " of " + (trace.net.sizes.length - 1) + ", " + when + ", for the point " + label + ".");
      fig.setAttribute("data-at", state.at);
      fig.setAttribute("data-point", String(p));
      fig.setAttribute("data-sample", String(sample));
      if (announce) {
        out.announce(region, "Weights " + when + ", point " + label + ": z = (" + z.map(num).join(", ") +
          "), outputs (" + aOut.map(num).join(", ") + ").");
      }
    }
    function save() { BPE.hashState.write(fig.id, { at: state.at, point: state.point }); }
    atRadios.forEach(function (r) {
      r.addEventListener("change", function () { if (r.checked) { state.at = r.value; render(true); save(); } });
    });
    ptRadios.forEach(function (r) {
      r.addEventListener("change", function () { if (r.checked) { state.point = Number(r.value); render(true); save(); } });
    });

    // One unit lit up everywhere: its row of W, its bias, its sum, its line below.
    var rows = Array.prototype.slice.call(fig.querySelectorAll("[data-row]"));
    function light(i) {
      rows.forEach(function (el) { el.classList.toggle("lm-on", el.getAttribute("data-row") === i); });
      fig.setAttribute("data-lit", i === null ? "" : i);
    }
    rows.forEach(function (el) {
      // W's rows, units
      if (el.tagName === "LI" || el.classList.contains("lm-wrow")) el.setAttribute("tabindex", "0");
      el.addEventListener("mouseenter", function () { light(el.getAttribute("data-row")); });
      el.addEventListener("mouseleave", function () { light(null); });
      el.addEventListener("focus", function () { light(el.getAttribute("data-row")); });
      el.addEventListener("blur", function () { light(null); });
    });

    function restore() {
      var got = BPE.hashState.read(fig.id);
      if (!got) return false;
      if (got.at === "start" || got.at === "trained") state.at = got.at;
      var p = Number(got.point);
      if (Number.isInteger(p) && p >= 0 && p < ptRadios.length) state.point = p;
      atRadios.forEach(function (r) { r.checked = r.value === state.at; });
      ptRadios.forEach(function (r) { r.checked = Number(r.value) === state.point; });
      render(false);
      return true;
    }
    window.addEventListener("hashchange", restore);
    if (!restore()) render(false);
  };
})();
