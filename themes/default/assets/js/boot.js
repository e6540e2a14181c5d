/* Runs last on every page: start the widgets, then mark the page ready. */
window.BPE.boot();
