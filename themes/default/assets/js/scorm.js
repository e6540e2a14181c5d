/* SCORM 1.2 tracking, in pages packaged for an LMS (site-builder scorm).
 * Finds the LMS's API object by walking parent windows, then the opener; with none found
 * (the page opened outside an LMS) it does nothing at all.
 *   launch:  LMSInitialize; "not attempted" becomes "incomplete"; a saved
 *            cmi.core.lesson_location (a section id) is scrolled back into view
 *   reading: the section in view is saved as cmi.core.lesson_location
 *   the end: reaching the end of the lesson sets "completed"
 *   leaving: on pagehide (unload where there is no pagehide), cmi.core.session_time is the time
 *            since LMSInitialize (CMITimespan HHHH:MM:SS.SS), cmi.core.exit is "suspend" unless
 *            completed; LMSCommit; LMSFinish */
(function () {
  "use strict";
  function findAPI(win) {
    for (var hops = 0; win && hops < 500; hops++) {
      try { if (win.API && typeof win.API.LMSInitialize === "function") return win.API; } catch (e) { /* another origin */ }
      if (!win.parent || win.parent === win) break;
      win = win.parent;
    }
    return null;
  }
  var api = window.parent !== window ? findAPI(window.parent) : null;
  if (!api && window.opener) api = findAPI(window.opener);
  if (!api || String(api.LMSInitialize("")) !== "true") return;
  var clock = window.performance && typeof window.performance.now === "function"
    ? function () { return window.performance.now(); } : function () { return Date.now(); };
  var started = clock();

  // SCORM 1.2 CMITimespan: HHHH:MM:SS.SS, hours two to four digits, hundredths of a second.
  function timespan(ms) {
    var cs = Math.round(ms / 10);
    if (!(cs > 0)) cs = 0;
    if (cs > 9999 * 360000 + 359999) return "9999:59:59.99";
    function pad(n) { return n < 10 ? "0" + n : String(n); }
    return pad(Math.floor(cs / 360000)) + ":" + pad(Math.floor(cs / 6000) % 60) + ":" +
      pad(Math.floor(cs / 100) % 60) + "." + pad(cs % 100);
  }

  var status = String(api.LMSGetValue("cmi.core.lesson_status") || "");
  var done = status === "completed" || status === "passed";
  if (status === "" || status === "not attempted") api.LMSSetValue("cmi.core.lesson_status", "incomplete");
  var location = String(api.LMSGetValue("cmi.core.lesson_location") || "");
  var target = location && document.getElementById(location);
  if (target) target.scrollIntoView({ block: "start" });
  api.LMSCommit("");

  var marks = Array.prototype.slice.call(document.querySelectorAll(".lesson-body h2[id], .lesson-body h3[id]"));
  var end = document.getElementById("end-of-lesson");
  var pending = null;

  function check() {
    pending = null;
    var line = window.innerHeight / 3, here = "";
    for (var i = 0; i < marks.length; i++) if (marks[i].getBoundingClientRect().top <= line) here = marks[i].id;
    if (here && here !== location) {
      // SCORM 1.2: CMIString255
      location = here.slice(0, 255);
      api.LMSSetValue("cmi.core.lesson_location", location);
      api.LMSCommit("");
    }
    if (!done && end && end.getBoundingClientRect().top <= window.innerHeight) {
      done = true;
      api.LMSSetValue("cmi.core.lesson_status", "completed");
      api.LMSCommit("");
    }
  }
  window.addEventListener("scroll", function () { if (!pending) pending = window.setTimeout(check, 250); }, { passive: true });
  window.addEventListener("resize", function () { if (!pending) pending = window.setTimeout(check, 250); });

  var finished = false;
  window.addEventListener("onpagehide" in window ? "pagehide" : "unload", function () {
    if (finished) return;
    finished = true;
    api.LMSSetValue("cmi.core.session_time", timespan(clock() - started));
    api.LMSSetValue("cmi.core.exit", done ? "" : "suspend");
    api.LMSCommit("");
    api.LMSFinish("");
  });
  check();
})();
