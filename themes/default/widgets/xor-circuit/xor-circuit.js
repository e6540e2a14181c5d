/* xor-circuit: a 2-2-1 sigmoid network learning XOR, drawn as a circuit.
 * The run shown is a recorded trace (a preset rate and start) or, for a rate between the
 * recorded ones, the same start trained in the page by BPE.nn on the same record schedule.
 * Everything on screen at record i is read from that run's weights: the forward pass, the
 * deltas and the gradients are BPE.nn on those weights (the parity tests prove BPE.nn equal to
 * the engine). One Step animates forward -> error -> blame back -> gradients -> update; in slow
 * mode each of those waits for the learner and is said in words. URL state: #wN.rate=2&seed=1&step=40. */
(function () {
  "use strict";
  var BPE = window.BPE;
  var NS = "http://www.w3.org/2000/svg";
  // Two drawings of the same circuit: left to right where there is room, top to bottom on a
  // phone, so the numbers on the wires stay readable. Labels: [x, y, anchor] per wire, w1..w6.
  var LAYOUTS = {
    wide: { box: "0 0 620 300", pos: { x1: [60, 75], x2: [60, 225], h1: [290, 75], h2: [290, 225], o: [470, 150], t: [570, 150] },
            labels: [[175, 66, "middle"], [112, 178, "middle"], [112, 112, "middle"], [175, 216, "middle"],
                     [380, 104, "middle"], [380, 180, "middle"]] },
    tall: { box: "0 0 340 520", pos: { x1: [80, 60], x2: [260, 60], h1: [80, 270], h2: [260, 270], o: [170, 440], t: [295, 440] },
            labels: [[68, 165, "end"], [220, 106, "middle"], [120, 106, "middle"], [272, 165, "start"],
                     [112, 360, "end"], [228, 360, "start"]] }
  };
  var POS = LAYOUTS.wide.pos;
  // [parameter, row, col, from, to, name]: w1..w6 as in the worked example
  var WIRES = [
    ["W1", 0, 0, "x1", "h1", "w₁"], ["W1", 0, 1, "x2", "h1", "w₂"], ["W1", 1, 0, "x1", "h2", "w₃"],
    ["W1", 1, 1, "x2", "h2", "w₄"], ["W2", 0, 0, "h1", "o", "w₅"], ["W2", 0, 1, "h2", "o", "w₆"]
  ];
  var PHASES = ["forward", "error", "blame", "gradients", "update"];
  var R = 30;

  function sub(s) { return s.replace("1", "₁").replace("2", "₂"); }
  function fmt(v, d) { return BPE.fmt(v, d === undefined ? 3 : d); }
  function signed(v, d) { return (v >= 0 ? "+" : "") + fmt(v, d); }
  // a gradient, in plain decimals (no e-notation): at least 4 decimals, enough for 3 significant digits
  function grad(v) {
    if (!isFinite(v)) return fmt(v);
    if (v === 0) return "0";
    var d = Math.min(8, Math.max(4, 2 - Math.floor(Math.log10(Math.abs(v)))));
    return (v > 0 ? "+" : "−") + Math.abs(v).toFixed(d);
  }

  BPE.widgets["xor-circuit"] = function (fig, trace) {
    // The network checked and laid out once, not again at every pass over it.
    var nn = BPE.nn, net = nn.net(trace.net), X = trace.X, T = trace.T;
    var rates = JSON.parse(fig.getAttribute("data-rates"));
    var seeds = JSON.parse(fig.getAttribute("data-seeds"));
    var schedule = trace.runs[0].steps;
    var live = fig.querySelector(".xc-live");
    fig.querySelector(".static-fallback").hidden = true;
    live.hidden = false;

    var els = {
      svg: fig.querySelector(".xc-circuit"), map: fig.querySelector(".xc-map"), loss: fig.querySelector(".xc-loss"),
      rate: fig.querySelector(".xc-rate-input"), rateValue: fig.querySelector(".xc-rate-value"),
      rateNote: fig.querySelector(".xc-rate-note"), slow: fig.querySelector(".xc-slow-input"),
      narration: fig.querySelector(".xc-narration"), bar: fig.querySelector(".xc-progress-bar"),
      presets: Array.prototype.slice.call(fig.querySelectorAll("[data-preset]")),
      cases: Array.prototype.slice.call(fig.querySelectorAll("input[type=radio]")),
      outs: Array.prototype.slice.call(fig.querySelectorAll("[data-out]"))
    };
    var out = BPE.readout(fig);
    var state = { rate: Number(els.rate.value), seed: seeds[0], sample: 2, phase: -1, run: null };

    // --- the run shown: recorded, or trained here from the same start ----------------------
    function recorded(eta, seed) {
      for (var i = 0; i < trace.runs.length; i++) if (trace.runs[i].eta === eta && trace.runs[i].seed === seed) return trace.runs[i];
      return null;
    }
    function paramsOf(run, i) {
      var p = {};
      for (var k in run.params) p[k] = run.params[k][i];
      return p;
    }
    function makeRun() {
      var eta = rates[state.rate].value, rec = recorded(eta, state.seed);
      if (rec) return { eta: eta, live: false, steps: rec.steps, loss: rec.loss, params: function (i) { return paramsOf(rec, i); }, stopped: null };
      var start = null;
      for (var i = 0; i < trace.runs.length && !start; i++) if (trace.runs[i].seed === state.seed) start = trace.runs[i].start;
      var tr = nn.trainer(net, start, X, T, { eta: eta }), steps = [], loss = [], params = [];
      var last = schedule[schedule.length - 1];
      for (var k = 0; k < schedule.length; k++) {
        while (tr.steps < schedule[k] && !tr.stopped) tr.step();
        var s = tr.state();
        steps.push(s.step); loss.push(s.loss); params.push(s.params);
        if (tr.stopped || s.step >= last) break;
      }
      return { eta: eta, live: true, steps: steps, loss: loss, params: function (j) { return params[j]; },
               stopped: tr.diverged ? tr.diverged : null };
    }

    // --- the circuit ----------------------------------------------------------------------
    function el(tag, attrs, parent) { return BPE.svg(tag, attrs, parent); }
    var layer = {}, wires = [], nodes = {}, layout = null;
    function buildCircuit(name) {
      layout = name;
      var L = LAYOUTS[name];
      POS = L.pos;
      while (els.svg.lastChild && els.svg.lastChild.nodeName !== "title") els.svg.removeChild(els.svg.lastChild);
      els.svg.setAttribute("viewBox", L.box);
      ["wires", "labels", "nodes", "dots"].forEach(function (k) { layer[k] = el("g", { "class": "xc-" + k }, els.svg); });
      wires = WIRES.map(function (w, k) {
        var a = POS[w[3]], b = POS[w[4]], at = L.labels[k];
        var line = el("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1], "class": "xc-wire" }, layer.wires);
        var halo = BPE.text(layer.labels, at[0], at[1], "", "xc-halo", at[2]);
        var text = BPE.text(layer.labels, at[0], at[1], "", "xc-wlabel", at[2]);
        var ghalo = BPE.text(layer.labels, at[0], at[1] + 17, "", "xc-halo xc-ghalo", at[2]);
        var gtext = BPE.text(layer.labels, at[0], at[1] + 17, "", "xc-glabel", at[2]);
        return { spec: w, line: line, text: text, halo: halo, gtext: gtext, ghalo: ghalo };
      });
      el("line", { x1: POS.o[0] + R, y1: POS.o[1], x2: POS.t[0] - R, y2: POS.t[1], "class": "xc-compare" }, layer.wires);
      nodes = {};
      ["x1", "x2", "h1", "h2", "o", "t"].forEach(function (n) {
        var g = el("g", { "class": "xc-node xc-node-" + n }, layer.nodes), p = POS[n];
        el("circle", { cx: p[0], cy: p[1], r: R, "class": "xc-disc" }, g);
        var circle = el("circle", { cx: p[0], cy: p[1], r: R, "class": n === "t" ? "xc-target" : "" }, g);
        var title = n === "o" ? "output" : n === "t" ? "answer" : sub(n);
        BPE.text(g, p[0], p[1] - R - 8, title, "xc-name", "middle");
        var value = BPE.text(g, p[0], p[1] + 6, "", "xc-value", "middle");
        var extra = BPE.text(g, p[0], p[1] + R + (n === "o" && layout === "wide" ? 26 : 20), "", "xc-extra", "middle");
        nodes[n] = { g: g, circle: circle, value: value, extra: extra };
      });
    }
    var narrow = window.matchMedia ? window.matchMedia("(max-width: 560px)") : null;
    buildCircuit(narrow && narrow.matches ? "tall" : "wide");

    function setLabel(t, h, s) { t.textContent = s; h.textContent = s; }

    // --- the decision map ----------------------------------------------------------------
    // 31 points over [-0.25, 1.25]: a grid point falls exactly on each of the four cases.
    var GRID = 31, cell = document.createElement("canvas");
    cell.width = cell.height = GRID;
    // The colour of each of the 256 pixel values, sand (0) to blue (1), worked out once.
    var BYTES = new Uint8ClampedArray(1024), COLOURS = new Uint32Array(BYTES.buffer);
    for (var b = 0; b < 256; b++) {
      var v = b / 255;
      BYTES.set([Math.round(246 + (96 - 246) * v), Math.round(222 + (140 - 222) * v), Math.round(180 + (230 - 180) * v), 255], 4 * b);
    }
    // The map's grid is worked out when it is drawn (BPE.draw: maybe after the page starts);
    // its values at the four cases, on grid points, are the answers forward() gave there.
    function drawMap(params, answers) {
      BPE.draw(els.map, function () {
        var values = nn.grid(net, params, -0.25, 1.25, -0.25, 1.25, GRID, GRID);
        var px = nn.gridPixels(values, 0, 1);
        var cctx = cell.getContext("2d"), image = cctx.createImageData(GRID, GRID), rgba = new Uint32Array(image.data.buffer);
        for (var row = 0; row < GRID; row++) for (var col = 0; col < GRID; col++) rgba[(GRID - 1 - row) * GRID + col] = COLOURS[px[row * GRID + col]];
        cctx.putImageData(image, 0, 0);
        var ctx = els.map.getContext("2d"), S = els.map.width;
        ctx.imageSmoothingEnabled = true;
        ctx.drawImage(cell, 0, 0, S, S);
        X.forEach(function (x, i) {
          var cx = (x[0] + 0.25) / 1.5 * S, cy = S - (x[1] + 0.25) / 1.5 * S;
          ctx.beginPath(); ctx.arc(cx, cy, 9, 0, 2 * Math.PI);
          ctx.fillStyle = T[i][0] >= 0.5 ? "#1e3a8a" : "#ffffff"; ctx.fill();
          ctx.lineWidth = 3; ctx.strokeStyle = "#1f2937"; ctx.stroke();
        });
      });
      els.map.setAttribute("data-corners", answers.map(function (v) { return v.toFixed(6); }).join(" "));
      els.map.setAttribute("aria-label", "The network's answer over the input square. At the four cases it says " +
        X.map(function (x, i) { return "(" + x.join(", ") + ") " + fmt(answers[i], 2); }).join(", ") + ".");
    }

    // --- the loss chart: only the epochs trained so far -----------------------------------
    function drawLoss(i) {
      var run = state.run, top = 0;
      for (var k = 0; k < run.loss.length; k++) if (isFinite(run.loss[k]) && run.loss[k] > top) top = run.loss[k];
      var ax = BPE.axes(els.loss, { width: 360, height: 220, x: [0, schedule[schedule.length - 1]], y: [0, Math.max(1.05, top * 1.05)],
                                    xLabel: "epoch", yLabel: "loss" });
      var d = "";
      for (var j = 0; j <= i; j++) if (isFinite(run.loss[j])) d += (d ? "L" : "M") + ax.x(run.steps[j]).toFixed(1) + "," + ax.y(run.loss[j]).toFixed(1);
      el("path", { d: d, "class": "series" }, ax.plot);
      if (isFinite(run.loss[i])) el("circle", { cx: ax.x(run.steps[i]), cy: ax.y(run.loss[i]), r: 4.5, "class": "marker" }, ax.plot);
    }

    // --- what the network computes at record i ------------------------------------------
    function look(i) {
      var params = state.run.params(i), fw = nn.forward(net, params, X), bw = nn.backward(net, params, fw.z, fw.a, T);
      var answers = fw.a[2].map(function (r) { return r[0]; });
      var right = answers.filter(function (o, k) { return (o >= 0.5) === (T[k][0] >= 0.5); }).length;
      var saturated = [];
      [["h1", 1, 0], ["h2", 1, 1], ["the output", 2, 0]].forEach(function (u) {
        var flat = fw.a[u[1]].every(function (r) { var a = r[u[2]]; return a * (1 - a) < 1e-4; });
        if (flat) saturated.push(u[0]);
      });
      return { params: params, z: fw.z, a: fw.a, delta: bw.delta, grads: bw.grads, answers: answers, right: right,
               saturated: saturated, loss: state.run.loss[i], epoch: state.run.steps[i] };
    }

    function drawCircuit(now, showGrads) {
      var s = state.sample, x = X[s];
      wires.forEach(function (w) {
        var v = now.params[w.spec[0]][w.spec[1]][w.spec[2]];
        w.line.setAttribute("class", "xc-wire " + (v >= 0 ? "xc-pos" : "xc-neg"));
        w.line.style.strokeWidth = String(Math.min(14, 1.5 + 2.2 * Math.abs(v)));
        setLabel(w.text, w.halo, w.spec[5] + " " + signed(v, 2));
        var g = now.grads[w.spec[0]][w.spec[1]][w.spec[2]];
        setLabel(w.gtext, w.ghalo, showGrads ? grad(g) : "");
      });
      var h = now.a[1][s], o = now.a[2][s][0];
      var values = { x1: x[0], x2: x[1], h1: h[0], h2: h[1], o: o, t: T[s][0] };
      Object.keys(values).forEach(function (name) {
        var v = values[name];
        nodes[name].value.textContent = name[0] === "x" || name === "t" ? String(v) : fmt(v, 2);
        nodes[name].circle.style.fillOpacity = String(0.12 + 0.6 * Math.max(0, Math.min(1, v)));
      });
      nodes.h1.extra.textContent = "b " + signed(now.params.b1[0], 2);
      nodes.h2.extra.textContent = "b " + signed(now.params.b1[1], 2);
      nodes.o.extra.textContent = "b " + signed(now.params.b2[0], 2);
      nodes.t.extra.textContent = "";
      nodes.h1.g.classList.toggle("is-saturated", now.saturated.indexOf("h1") >= 0);
      nodes.h2.g.classList.toggle("is-saturated", now.saturated.indexOf("h2") >= 0);
      nodes.o.g.classList.toggle("is-saturated", now.saturated.indexOf("the output") >= 0);
    }

    function statusOf(now, i) {
      var run = state.run, end = i === run.steps.length - 1;
      if (run.stopped && end) return "Broken: the numbers grew without bound (" + run.stopped.reason + ") and training stopped.";
      if (now.saturated.length) {
        return "Stuck: " + now.saturated.join(" and ") + (now.saturated.length > 1 ? " are" : " is") +
          " saturated. Its input is so large that its slope is almost zero, so almost no blame gets through and the weights barely move.";
      }
      if (now.right === 4) return "Solved: all four cases right. Training only makes the answers more confident now.";
      if (i === 0) return "Ready: a random start. Press Step to send one guess forward and the blame back.";
      var before = run.loss[Math.max(0, i - 5)];
      if (end || before - now.loss < 1e-5 * Math.max(1, run.steps[i] - run.steps[Math.max(0, i - 5)])) {
        return end && now.loss > 0.2 ? "Stuck: the loss has stopped falling with " + now.right + " of 4 right. This start has settled in a valley."
                                     : "Learning slowly: the loss is hardly falling.";
      }
      return "Learning: the loss is falling.";
    }

    function render(i, showGrads) {
      var now = look(i), run = state.run;
      drawCircuit(now, !!showGrads);
      drawMap(now.params, now.answers);
      drawLoss(i);
      els.outs.forEach(function (td, k) {
        var ok = (now.answers[k] >= 0.5) === (T[k][0] >= 0.5);
        td.textContent = fmt(now.answers[k], 3) + (ok ? " ✓" : " ✗");
        td.className = ok ? "is-right" : "is-wrong";
      });
      out.set("loss", fmt(now.loss, 4));
      out.set("epochs", String(now.epoch));
      out.set("correct", String(now.right));
      out.set("rate", rates[state.rate].text + (run.live ? " (live)" : ""));
      var progress = Math.max(0, Math.min(1, 1 - now.loss / run.loss[0]));
      out.set("progress", Math.round(progress * 100) + "%");
      els.bar.style.width = (progress * 100).toFixed(1) + "%";
      out.set("status", statusOf(now, i));
      fig.setAttribute("data-step", String(now.epoch));
      fig.setAttribute("data-correct", String(now.right));
      return now;
    }

    // --- player, controls, URL ---------------------------------------------------------
    var player = new BPE.Player(1, { interval: 70 });
    function load(keepIndex) {
      state.run = makeRun();
      player.pause();
      player.length = state.run.steps.length;
      var eta = rates[state.rate].value;
      els.rateValue.textContent = rates[state.rate].text;
      els.rate.setAttribute("aria-valuetext", "η = " + rates[state.rate].text + (state.run.live ? ", trained live in your browser" : ", a recorded run"));
      els.rateNote.textContent = state.run.live
        ? "Between the recorded rates, this page trains the same start itself with η = " + rates[state.rate].text + "."
        : "A recorded run: the engine trained this start with η = " + rates[state.rate].text + " when the site was built.";
      els.presets.forEach(function (b) {
        b.setAttribute("aria-pressed", String(Number(b.getAttribute("data-eta")) === eta && Number(b.getAttribute("data-seed")) === state.seed));
      });
      fig.setAttribute("data-seed", String(state.seed));
      fig.setAttribute("data-eta", rates[state.rate].text);
      state.phase = -1;
      player.index = Math.min(keepIndex || 0, player.length - 1);
      player.emit();
    }

    var animating = null;
    function cancelAnimation() {
      if (animating) { animating.cancelled = true; animating = null; }
      while (layer.dots.firstChild) layer.dots.removeChild(layer.dots.firstChild);
      fig.classList.remove("is-forward", "is-error", "is-blame");
    }
    player.onFrame(function (i) { cancelAnimation(); state.phase = -1; render(i, false); });

    // Dots travel along wires; one flight is a promise-free chain of frames.
    function fly(pairs, cls, ms, then) {
      var job = { cancelled: false };
      animating = job;
      var dots = pairs.map(function () { return el("circle", { r: 6, "class": "xc-dot " + cls }, layer.dots); });
      var t0 = null;
      function frame(t) {
        if (job.cancelled) return;
        if (t0 === null) t0 = t;
        var f = Math.min(1, (t - t0) / ms);
        pairs.forEach(function (p, k) {
          var a = POS[p[0]], b = POS[p[1]];
          dots[k].setAttribute("cx", a[0] + (b[0] - a[0]) * f);
          dots[k].setAttribute("cy", a[1] + (b[1] - a[1]) * f);
        });
        if (f < 1) window.requestAnimationFrame(frame);
        else { dots.forEach(function (d) { layer.dots.removeChild(d); }); if (animating === job) animating = null; then(); }
      }
      window.requestAnimationFrame(frame);
    }

    function say(text) { els.narration.textContent = text; }
    // Past the first epochs the run is recorded every few epochs: say so when a step jumps.
    function jumpNote(i) {
      var gap = state.run.steps[Math.min(i + 1, state.run.steps.length - 1)] - state.run.steps[i];
      return gap > 1 ? " (From here on the run is recorded every " + gap + " epochs, so one press moves " + gap + " epochs.)" : "";
    }

    function phaseText(phase, now) {
      var s = state.sample, x = X[s], h = now.a[1][s], o = now.a[2][s][0], t = T[s][0];
      var dO = now.delta[1][s][0], dH = now.delta[0][s];
      if (phase === "forward") return "Forward: the case (" + x.join(", ") + ") goes in; the hidden units give h₁ = " + fmt(h[0], 3) +
        " and h₂ = " + fmt(h[1], 3) + ", and the output guesses " + fmt(o, 3) + ".";
      if (phase === "error") return "Error: the right answer is " + t + " and the guess " + fmt(o, 3) + ", so this case is off by " +
        fmt(o - t, 3) + ". Over all four cases the loss is " + fmt(now.loss, 4) + ".";
      if (phase === "blame") return "Blame: the output's share is δ = " + fmt(dO, 4) + "; passed back through w₅ and w₆ it becomes " +
        "δ = " + fmt(dH[0], 4) + " at h₁ and " + fmt(dH[1], 4) + " at h₂.";
      if (phase === "gradients") return "Gradients: each weight's blame times what flowed into it, added over all four cases: " +
        "∂E/∂w₅ = " + grad(now.grads.W2[0][0]) + ", ∂E/∂w₁ = " + grad(now.grads.W1[0][0]) + " (every wire now shows its own).";
      return "Update: every weight moves by −η × its gradient, with η = " + rates[state.rate].text + ". The loss becomes " +
        fmt(state.run.loss[Math.min(player.index + 1, state.run.loss.length - 1)], 4) + ".";
    }

    function showPhase(phase, now) {
      fig.classList.toggle("is-forward", phase === "forward");
      fig.classList.toggle("is-error", phase === "error");
      fig.classList.toggle("is-blame", phase === "blame" || phase === "gradients");
      nodes.o.extra.textContent = phase === "error" || phase === "blame" || phase === "gradients"
        ? "off by " + signed(now.a[2][state.sample][0] - T[state.sample][0], 2) : nodes.o.extra.textContent;
      if (phase === "blame" || phase === "gradients") {
        nodes.h1.extra.textContent = "δ " + signed(now.delta[0][state.sample][0], 3);
        nodes.h2.extra.textContent = "δ " + signed(now.delta[0][state.sample][1], 3);
      }
      if (phase === "gradients") drawCircuitGradsOnly(now);
    }
    function drawCircuitGradsOnly(now) {
      wires.forEach(function (w) { setLabel(w.gtext, w.ghalo, grad(now.grads[w.spec[0]][w.spec[1]][w.spec[2]])); });
    }

    // One Step: the whole round trip, animated unless motion is reduced, then the update.
    function stepAnimated() {
      if (player.atEnd()) return;
      var i = player.index, now = look(i);
      cancelAnimation();
      if (BPE.reducedMotion()) {
        player.step();
        // the gradients that made this step, shown at once
        drawCircuitGradsOnly(now);
        say("Step done: the gradients on the wires moved every weight by −η × gradient. " + phaseText("update", now).replace("Update: ", "") + jumpNote(i));
        return;
      }
      var forward1 = [["x1", "h1"], ["x2", "h1"], ["x1", "h2"], ["x2", "h2"]], forward2 = [["h1", "o"], ["h2", "o"]];
      var back = [["o", "h1"], ["o", "h2"]];
      showPhase("forward", now);
      fly(forward1, "xc-dot-forward", 380, function () {
        fly(forward2, "xc-dot-forward", 320, function () {
          showPhase("error", now);
          fly([["t", "o"]], "xc-dot-blame", 260, function () {
            showPhase("blame", now);
            fly(back, "xc-dot-blame", 380, function () {
              showPhase("gradients", now);
              fly([["h1", "x1"], ["h1", "x2"], ["h2", "x1"], ["h2", "x2"]], "xc-dot-blame", 380, function () {
                player.step();
                drawCircuitGradsOnly(now);
                say("Step done: " + phaseText("update", now).replace("Update: ", "").replace("The loss becomes", "the loss is now") + jumpNote(i));
              });
            });
          });
        });
      });
    }

    // Slow mode: each press shows one part of the step and says it; the fifth press updates.
    function stepSlow() {
      if (player.atEnd()) return;
      var now = look(player.index);
      state.phase += 1;
      var phase = PHASES[state.phase];
      if (phase === "update") {
        var text = phaseText("update", now) + jumpNote(player.index);
        // resets the phase
        player.step();
        drawCircuitGradsOnly(now);
        say(text);
        return;
      }
      showPhase(phase, now);
      say(phaseText(phase, now) + " (Step again for the next part.)");
    }

    function newBrain() {
      var k = seeds.indexOf(state.seed);
      state.seed = seeds[(k + 1) % seeds.length];
      load(0);
      say("A new brain: random start " + state.seed + " (" + (k + 2 > seeds.length ? 1 : k + 2) + " of " + seeds.length + ").");
    }

    var kit = BPE.controls(fig, player, {
      actions: {
        step: function () { player.pause(); if (els.slow.checked) stepSlow(); else stepAnimated(); },
        "new": newBrain,
        back: function () { player.stepBack(); }
      },
      keys: { n: "new", ArrowLeft: "back" },
      state: {
        save: function () { return { rate: rates[state.rate].text, seed: state.seed, step: state.run.steps[player.index] }; },
        restore: function (s) {
          var r = -1;
          rates.forEach(function (x, k) { if (x.text === s.rate) r = k; });
          if (r >= 0) { state.rate = r; els.rate.value = String(r); }
          if (seeds.indexOf(Number(s.seed)) >= 0) state.seed = Number(s.seed);
          load(0);
          var at = state.run.steps.indexOf(Number(s.step));
          if (at >= 0) player.seek(at);
        }
      }
    });

    if (narrow) {
      var relayout = function () {
        var want = narrow.matches ? "tall" : "wide";
        if (want === layout) return;
        cancelAnimation();
        buildCircuit(want);
        render(player.index, false);
      };
      if (narrow.addEventListener) narrow.addEventListener("change", relayout); else narrow.addListener(relayout);
    }
    els.rate.addEventListener("input", function () { state.rate = Number(els.rate.value); load(0); });
    els.presets.forEach(function (b) {
      b.addEventListener("click", function () {
        var eta = Number(b.getAttribute("data-eta"));
        rates.forEach(function (x, k) { if (x.value === eta) state.rate = k; });
        els.rate.value = String(state.rate);
        state.seed = Number(b.getAttribute("data-seed"));
        load(0);
        say(b.textContent + ": η = " + rates[state.rate].text + ", start " + state.seed + ". Press Train to watch it.");
      });
    });
    els.cases.forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (!radio.checked) return;
        state.sample = Number(radio.value);
        cancelAnimation();
        render(player.index, false);
      });
    });
    els.slow.addEventListener("change", function () {
      cancelAnimation();
      state.phase = -1;
      render(player.index, false);
      say(els.slow.checked ? "Slow mode: each press of Step shows one part of the step and says it here." : "");
    });

    state.sample = Number((els.cases.filter(function (r) { return r.checked; })[0] || { value: 2 }).value);
    if (!kit.restore()) load(0);
  };
})();
