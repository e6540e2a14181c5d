/* Embedded pages tell the page that holds them how tall they are, whenever that changes.
 * Message: {type: "backprop-explained:height", height: <CSS pixels>, page: "<slug>"}
 * sent to window.parent with targetOrigin "*" (the height is not a secret, and the host's
 * origin is unknown). Hosts must check event.source (see README, "Embedding"). */
(function () {
  "use strict";
  if (window.parent === window) return;
  var last = -1, page = document.documentElement.getAttribute("data-page") || "";
  function send() {
    var h = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (h === last) return;
    last = h;
    try { window.parent.postMessage({ type: "backprop-explained:height", height: h, page: page }, "*"); } catch (e) { /* no parent to tell */ }
  }
  // The observer reports once the page is laid out, then on every change: asking for the
  // height now would force a layout of the page while it starts.
  if (window.ResizeObserver) new ResizeObserver(send).observe(document.documentElement);
  else { window.addEventListener("load", send); send(); }
})();
