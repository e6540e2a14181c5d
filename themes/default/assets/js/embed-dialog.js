/* The teachers' page: each lesson's embed code gets the published site's real address, and a
 * copy button. Opened from a file (file://) the codes are hidden and the page says to publish
 * first: a local path in an LMS would work for no learner. */
(function () {
  "use strict";
  var boxes = document.querySelectorAll(".embed-code");
  if (!boxes.length) return;
  var local = window.location.protocol === "file:";
  var note = document.querySelector(".embed-local"), where = document.querySelector(".embed-where");
  if (local) {
    if (note) note.hidden = false;
    if (where) where.hidden = true;
  }
  Array.prototype.forEach.call(boxes, function (box) {
    var code = box.querySelector("code"), button = box.querySelector("button"), status = box.querySelector(".embed-status");
    if (local) { box.hidden = true; return; }
    var src = box.getAttribute("data-embed-src");
    try { code.textContent = code.textContent.split('src="' + src + '"').join('src="' + new URL(src, window.location.href).href + '"'); } catch (e) { /* keep base_url's */ }
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
  });
})();
