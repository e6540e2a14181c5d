/* "Embed this lesson": fill the host snippet with this page's real address and copy it. */
(function () {
  "use strict";
  var box = document.querySelector(".embed-this");
  if (!box) return;
  var code = box.querySelector("code"), button = box.querySelector("button"), status = box.querySelector(".embed-status");
  var rel = box.getAttribute("data-embed-href");
  try { code.textContent = code.textContent.split(rel).join(new URL(rel, window.location.href).href); } catch (e) { /* keep relative */ }
  button.hidden = false;
  button.addEventListener("click", function () {
    var text = code.textContent;
    function done(ok) { status.textContent = ok ? "Copied." : "Select the code and copy it."; }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
    } else {
      var range = document.createRange();
      range.selectNodeContents(code);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      done(ok);
    }
  });
})();
