/* final-loss: rewrite the sentence from the trace in the page (epochs and loss fields). */
(function () {
  "use strict";
  var BPE = window.BPE;
  BPE.widgets["final-loss"] = function (fig, trace) {
    var run = trace.runs[0], last = run.loss.length - 1, digits = Number(fig.getAttribute("data-digits"));
    fig.querySelector(".fl-text").textContent =
      "From the page's trace: after " + run.epochs[last] + " epochs the loss is " + run.loss[last].toFixed(digits) + ".";
    fig.setAttribute("data-live", "true");
  };
})();
