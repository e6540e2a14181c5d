/* BPE.nn: the numpy engine (site_builder/engine/nn.py, optim.py, train.py) again in
 * JavaScript, for pages that train live or draw from recorded weights. DOM-free; float64
 * throughout. tests/unit/test_nn_parity.py (node) and tests/e2e/test_nn_parity_chromium.py
 * train random networks with both and compare every weight, gradient and loss at every step.
 *
 * Conventions (docs/internals.md, "Engine"): samples are rows; layer l has W{l} of shape
 * (units_l, units_{l-1}) and b{l} of shape (units_l,);
 *     z_l = a_{l-1} @ W_l.T + b_l,   a_l = f_l(z_l),   a_0 = X
 *     delta_L = dE/da_L * f_L'(z_L)   (squared error)   or   a_L - T   (the cross-entropies)
 *     delta_l = (delta_{l+1} @ W_{l+1}) * f_l'(z_l)
 *     dW_l = delta_l.T @ a_{l-1},     db_l = sum over samples of delta_l
 * Arrays in and out are nested plain arrays, as BPE.decodeTrace gives them:
 * params = {W1: [[...], ...], b1: [...], W2: ..., b2: ...}; X, T: [[...], ...] (n rows).
 *
 * API
 *   BPE.nn.net(spec) -> net        spec = {sizes, activations, loss, reduction} (a trace's
 *                                  doc.net); checked like NetSpec. Every function below also
 *                                  takes the spec itself in place of a net.
 *   BPE.nn.forward(net, params, X) -> {z, a}        z[l-1] is z_l; a[0] is X
 *   BPE.nn.backward(net, params, z, a, T) -> {grads, delta}   grads = {W1, b1, ...} (dE/dW1 ...)
 *   BPE.nn.loss(net, z, a, T) -> E                  sum or mean over samples, as net.reduction
 *   BPE.nn.trainer(net, params, X, T, opts) -> trainer
 *       opts: eta (0.5), optimizer "sgd" | "momentum", momentum (0.9),
 *             batchSize null (full batch) | k (1 = one sample at a time),
 *             batches: optional function(step) -> array of sample indices for update step+1,
 *             seed (0): the shuffle when there is no `batches`,
 *             frozen: ["b1", ...] (never updated; names not in the net are ignored),
 *             stopLossBelow: number | null, stopAllCorrect: bool
 *       trainer.step() -> true if it updated, false once stopped
 *       trainer.run(k) -> updates done (at most k; fewer if it stops)
 *       trainer.state() -> {step, loss, params, grads, outputs, correct}: a Trace record.
 *              Record k is the state BEFORE update k+1: params after k updates, the full-data
 *              loss, outputs and gradient at them (with mini-batches too: each update then
 *              costs a batch pass plus a full-data forward pass, for the loss and the checks;
 *              the full-data gradient is computed when state() asks for it).
 *       trainer.steps (updates done), trainer.stopped (null | "diverged" | "loss_below" |
 *              "all_correct"), trainer.diverged (null | {step, reason}, reasons as train.py:
 *              parameters first in layer order, "W1 is NaN", "W1 is infinite", ..., then
 *              "loss is NaN", "loss is infinite"). A stopped trainer does not move again.
 *   BPE.nn.init(net, {scheme, distribution, scale, seed}) -> params  InitSpec's schemes, drawn
 *              from this file's own PRNG (not numpy's numbers).
 *   BPE.nn.paramsAt(run, r) -> params               record r of a decoded trace run
 *   BPE.nn.recordOutputs(net, run, X) -> Float64Array(R * n * d_out): the output layer's a on
 *              X at every record r of a decoded run, record-major; record r's n x d_out block is
 *              forward(net, paramsAt(run, r), X).a[L], bit for bit, without building a
 *              workspace and nested arrays for each record.
 *   BPE.nn.grid(net, params, x0, x1, y0, y1, nx, ny) -> Float64Array(nx * ny), row-major,
 *              row 0 at y0: output unit 0 at x_i = x0 + i * (x1 - x0) / (nx - 1) (the same
 *              for y). The numpy twin is site_builder/engine/grid.py.
 *   BPE.nn.gridPixels(values, lo, hi) -> Uint8ClampedArray: Math.round((v - lo) / (hi - lo)
 *              * 255) clamped to 0..255 (NaN -> 0).
 *
 * Agreement with numpy. The operations are numpy's, in numpy's order: 1 / (1 + exp(-z)), the
 * cross-entropies computed from z (never log 0), a - t output deltas, sums over output units and over
 * samples in numpy's pairwise order (sequential below 8 terms; a column of deltas is summed
 * pairwise when the layer has one unit, row by row otherwise, as numpy's reduction does),
 * eta * dW then W - that (momentum: v * mu - eta * dW, then W + v). Two things differ in the
 * last bit: numpy's matrix products run in OpenBLAS, which fuses multiply-adds (JavaScript has
 * no fma); and the browser's Math.exp/log/log1p/tanh are not numpy's (glibc's libm; np.tanh
 * is numpy's own SIMD code): each differs from it in the last bit for some arguments.
 * So about half the numbers agree bit for bit and the rest in the last bits: over 200 steps
 * within ~1e-14 of each array's largest entry, and an entry that is a small difference of
 * large terms (a gradient near zero) within ~1e-12 of itself. The parity tests measure it.
 * Mini-batches: numpy shuffles with its PCG64 generator, which this file does not reproduce; a
 * trainer given `batches` uses exactly those indices (the parity test passes numpy's
 * permutations), otherwise its own seeded shuffle, so a live mini-batch run is not comparable
 * sample for sample with a recorded one.
 */
(function () {
  "use strict";
  var BPE = window.BPE = window.BPE || {};

  /* --- Activations: a = f(z) beside f'(z). f' gets a = f(z) too (sigmoid, tanh reuse it). */

  // exp(-z) = Infinity gives 0, rightly
  function sigmoid(z) { return 1.0 / (1.0 + Math.exp(-z)); }
  // sigma' = sigma (1 - sigma)
  function sigmoid_d(z, a) { return a * (1.0 - a); }

  function tanh(z) { return Math.tanh(z); }
  // tanh' = 1 - tanh^2
  function tanh_d(z, a) { return 1.0 - a * a; }

  // np.maximum(z, 0): NaN stays NaN
  function relu(z) { return z > 0.0 ? z : (z !== z ? z : 0.0); }
  // 0 at the kink
  function relu_d(z, a) { return z > 0.0 ? 1.0 : 0.0; }

  var LEAKY_SLOPE = 0.01;
  function leaky_relu(z) { return z > 0.0 ? z : LEAKY_SLOPE * z; }
  function leaky_relu_d(z, a) { return z > 0.0 ? 1.0 : LEAKY_SLOPE; }

  function linear(z) { return z; }
  function linear_d(z, a) { return 1.0; }

  // softmax (output layer only, with cross_entropy, whose delta a - t needs no f'):
  // a_k = exp(z_k - max z) / sum_j exp(z_j - max z), one row at a time (softmaxRow below).

  var ACTS = ["sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax"];
  var SIGMOID = 0, TANH = 1, RELU = 2, LEAKY = 3, LINEAR = 4, SOFTMAX = 5;
  // -> output it needs
  var LOSSES = { squared_error: null, binary_cross_entropy: "sigmoid", cross_entropy: "softmax" };
  var SQUARED = 0, BCE = 1, CE = 2;

  /* numpy's pairwise sum of v[start .. start+n) (numpy/_core/src/umath/loops_utils.h.src):
   * fewer than 8 terms in order from 0; up to 128 with 8 running sums; beyond, halves. */
  function pairwise(v, start, n) {
    var i, res;
    if (n < 8) {
      res = 0.0;
      for (i = 0; i < n; i++) res += v[start + i];
      return res;
    }
    if (n <= 128) {
      var r0 = v[start], r1 = v[start + 1], r2 = v[start + 2], r3 = v[start + 3],
        r4 = v[start + 4], r5 = v[start + 5], r6 = v[start + 6], r7 = v[start + 7];
      var end = n - (n % 8);
      for (i = 8; i < end; i += 8) {
        var p = start + i;
        r0 += v[p]; r1 += v[p + 1]; r2 += v[p + 2]; r3 += v[p + 3];
        r4 += v[p + 4]; r5 += v[p + 5]; r6 += v[p + 6]; r7 += v[p + 7];
      }
      res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
      for (; i < n; i++) res += v[start + i];
      return res;
    }
    var n2 = Math.floor(n / 2);
    n2 -= n2 % 8;
    return pairwise(v, start, n2) + pairwise(v, start + n2, n - n2);
  }

  /* a = f(z) for `count` values; softmax works on rows of `width`. */
  function activate(code, z, a, count, width, tmp) {
    var i;
    switch (code) {
      case SIGMOID: for (i = 0; i < count; i++) a[i] = sigmoid(z[i]); break;
      case TANH: for (i = 0; i < count; i++) a[i] = tanh(z[i]); break;
      case RELU: for (i = 0; i < count; i++) a[i] = relu(z[i]); break;
      case LEAKY: for (i = 0; i < count; i++) a[i] = leaky_relu(z[i]); break;
      case LINEAR: for (i = 0; i < count; i++) a[i] = linear(z[i]); break;
      default: for (i = 0; i < count; i += width) softmaxRow(z, a, i, width, tmp);
    }
  }

  function softmaxRow(z, a, at, m, e) {
    var k, mx = z[at];
    // NaN wins, as in numpy's max
    for (k = 1; k < m; k++) mx = Math.max(mx, z[at + k]);
    for (k = 0; k < m; k++) e[k] = Math.exp(z[at + k] - mx);
    var s = pairwise(e, 0, m);
    for (k = 0; k < m; k++) a[at + k] = e[k] / s;
  }

  /* out[i] = out[i] * f'(z[i]) (a[i] = f(z[i])); numpy's (delta @ W) * f.df(z, a). */
  function timesDerivative(code, z, a, out, count) {
    var i;
    switch (code) {
      case SIGMOID: for (i = 0; i < count; i++) out[i] = out[i] * sigmoid_d(z[i], a[i]); break;
      case TANH: for (i = 0; i < count; i++) out[i] = out[i] * tanh_d(z[i], a[i]); break;
      case RELU: for (i = 0; i < count; i++) out[i] = out[i] * relu_d(z[i], a[i]); break;
      case LEAKY: for (i = 0; i < count; i++) out[i] = out[i] * leaky_relu_d(z[i], a[i]); break;
      case LINEAR: for (i = 0; i < count; i++) out[i] = out[i] * linear_d(z[i], a[i]); break;
      default: throw new Error("softmax is only used with cross_entropy, whose delta is a - t");
    }
  }

  /* --- Losses, per sample (summed over output units); E and delta_L = dE/dz_L. ---------- */

  /* The loss of each of the n samples into e[0..n). */
  function sampleLosses(code, z, o, T, n, m, e, tmp) {
    var r, k, at, d, zk;
    for (r = 0; r < n; r++) {
      at = r * m;
      if (code === SQUARED) {
        // E = 1/2 sum_k (t_k - o_k)^2
        for (k = 0; k < m; k++) { d = o[at + k] - T[at + k]; tmp[k] = d * d; }
        e[r] = 0.5 * pairwise(tmp, 0, m);
      } else if (code === BCE) {
        // E = -sum_k [t log o + (1 - t) log(1 - o)], o = sigma(z)
        //   = sum_k [max(z, 0) - t z + log(1 + e^-|z|)]
        for (k = 0; k < m; k++) {
          zk = z[at + k];
          tmp[k] = Math.max(zk, 0.0) - T[at + k] * zk + Math.log1p(Math.exp(-Math.abs(zk)));
        }
        e[r] = pairwise(tmp, 0, m);
      } else {
        // E = -sum_k t_k log o_k, o = softmax(z)
        //   = sum_k t_k (logsumexp(z) - z_k)
        var mx = z[at];
        for (k = 1; k < m; k++) mx = Math.max(mx, z[at + k]);
        for (k = 0; k < m; k++) tmp[k] = Math.exp(z[at + k] - mx);
        var lse = mx + Math.log(pairwise(tmp, 0, m));
        for (k = 0; k < m; k++) tmp[k] = T[at + k] * (lse - z[at + k]);
        e[r] = pairwise(tmp, 0, m);
      }
    }
  }

  /* delta_L for n samples into delta. */
  function outputDelta(net, z, o, T, n, delta) {
    var count = n * net.sizes[net.L], i;
    if (net.lossCode === SQUARED) {
      // dE/do = o - t, then through the output's f'
      for (i = 0; i < count; i++) delta[i] = o[i] - T[i];
      timesDerivative(net.codes[net.L - 1], z, o, delta, count);
    } else {
      // sigmoid + BCE, softmax + CE: o - t (targets of a sample sum to 1 for CE)
      for (i = 0; i < count; i++) delta[i] = o[i] - T[i];
    }
    if (net.mean) for (i = 0; i < count; i++) delta[i] = delta[i] / n;
  }

  /* --- Networks -------------------------------------------------------------------------- */

  function net(spec) {
    if (spec && spec._nn) return spec;
    var sizes = (spec.sizes || []).map(Number), acts = (spec.activations || []).slice();
    var loss = spec.loss || "squared_error", reduction = spec.reduction || "sum", L = sizes.length - 1;
    if (sizes.length < 2 || sizes.some(function (s) { return !(s >= 1) || s !== Math.floor(s); })) {
      throw new Error("layer sizes must be at least two positive numbers, got [" + sizes.join(", ") + "]");
    }
    if (acts.length !== L) throw new Error(L + " layer(s) need " + L + " activation(s), got " + acts.length);
    acts.forEach(function (a) {
      if (ACTS.indexOf(a) < 0) throw new Error("unknown activation '" + a + "'; choose from " + ACTS.join(", "));
    });
    if (acts.slice(0, -1).indexOf("softmax") >= 0) throw new Error("softmax is only allowed on the output layer");
    if (!Object.prototype.hasOwnProperty.call(LOSSES, loss)) {
      throw new Error("unknown loss '" + loss + "'; choose from " + Object.keys(LOSSES).join(", "));
    }
    var needs = LOSSES[loss];
    if (needs && acts[L - 1] !== needs) throw new Error(loss + " needs a " + needs + " output layer, not " + acts[L - 1]);
    if (acts[L - 1] === "softmax" && loss !== "cross_entropy") throw new Error("a softmax output layer needs the cross_entropy loss");
    if (reduction !== "sum" && reduction !== "mean") throw new Error("reduction must be 'sum' or 'mean', got '" + reduction + "'");
    // Flat layout, as train.py's FlatParams: W1 (row-major), b1, W2, b2, ...
    var names = [], shapes = [], offW = [0], offB = [0], offset = 0, widest = 1;
    for (var l = 1; l <= L; l++) {
      offW.push(offset); offset += sizes[l] * sizes[l - 1];
      offB.push(offset); offset += sizes[l];
      names.push("W" + l, "b" + l);
      shapes.push([sizes[l], sizes[l - 1]], [sizes[l]]);
      widest = Math.max(widest, sizes[l], sizes[l - 1]);
    }
    return {
      _nn: true, sizes: sizes, activations: acts, loss: loss, reduction: reduction, L: L,
      codes: acts.map(function (a) { return ACTS.indexOf(a); }),
      lossCode: loss === "squared_error" ? SQUARED : (loss === "binary_cross_entropy" ? BCE : CE),
      mean: reduction === "mean", names: names, shapes: shapes, offW: offW, offB: offB,
      size: offset, widest: widest, spaces: {}
    };
  }

  /* Buffers for forward/backward passes over up to `rows` samples. a[0] is the input
   * buffer (filled by the caller), T the targets. */
  function workspace(nt, rows) {
    var ws = { rows: rows, z: [null], a: [new Float64Array(rows * nt.sizes[0])], delta: [null],
      T: new Float64Array(rows * nt.sizes[nt.L]), e: new Float64Array(rows), tmp: new Float64Array(nt.widest) };
    for (var l = 1; l <= nt.L; l++) {
      ws.z.push(new Float64Array(rows * nt.sizes[l]));
      ws.a.push(new Float64Array(rows * nt.sizes[l]));
      ws.delta.push(new Float64Array(rows * nt.sizes[l]));
    }
    return ws;
  }

  function cachedSpace(nt, rows) {
    var ws = nt.spaces[rows];
    if (!ws) ws = nt.spaces[rows] = workspace(nt, rows);
    return ws;
  }

  /* z_l = a_{l-1} @ W_l.T + b_l, a_l = f_l(z_l) for the first n rows of ws.a[0]. Each
   * product a_{l-1} W_l.T sums over sending units in order, from the first. */
  function forwardFlat(nt, theta, ws, n) {
    for (var l = 1; l <= nt.L; l++) {
      var m = nt.sizes[l], k = nt.sizes[l - 1], wo = nt.offW[l], bo = nt.offB[l];
      var A = ws.a[l - 1], Z = ws.z[l];
      for (var r = 0; r < n; r++) {
        var ar = r * k, zr = r * m;
        for (var j = 0; j < m; j++) {
          var wj = wo + j * k, s = A[ar] * theta[wj];
          for (var q = 1; q < k; q++) s += A[ar + q] * theta[wj + q];
          Z[zr + j] = s + theta[bo + j];
        }
      }
      activate(nt.codes[l - 1], Z, ws.a[l], n * m, m, ws.tmp);
    }
  }

  /* E over the first n samples (sum, or mean as net.reduction says). */
  function lossFlat(nt, ws, n) {
    sampleLosses(nt.lossCode, ws.z[nt.L], ws.a[nt.L], ws.T, n, nt.sizes[nt.L], ws.e, ws.tmp);
    var E = pairwise(ws.e, 0, n);
    return nt.mean ? E / n : E;
  }

  /* Gradients into grad (flat, the layout of theta) and ws.delta, after forwardFlat. */
  function backwardFlat(nt, theta, ws, n, grad) {
    var L = nt.L;
    outputDelta(nt, ws.z[L], ws.a[L], ws.T, n, ws.delta[L]);
    for (var l = L; l >= 1; l--) {
      var m = nt.sizes[l], k = nt.sizes[l - 1], wo = nt.offW[l], bo = nt.offB[l];
      var d = ws.delta[l], A = ws.a[l - 1], r, j, q, dr, ar, s;
      // dW_l = delta_l.T @ a_{l-1}: each entry sums over the samples in order.
      for (j = 0; j < m; j++) {
        for (q = 0; q < k; q++) {
          s = d[j] * A[q];
          for (r = 1; r < n; r++) s += d[r * m + j] * A[r * k + q];
          grad[wo + j * k + q] = s;
        }
      }
      // db_l = sum over samples of delta_l: numpy sums a single column pairwise, several
      // columns sample by sample.
      if (m === 1) {
        grad[bo] = pairwise(d, 0, n);
      } else {
        for (j = 0; j < m; j++) grad[bo + j] = 0.0;
        for (r = 0; r < n; r++) for (j = 0; j < m; j++) grad[bo + j] += d[r * m + j];
      }
      if (l > 1) {
        // A unit that feeds several units collects blame from each of them:
        // delta_{l-1} = (delta_l @ W_l) * f'_{l-1}(z_{l-1}), summing over receiving units.
        var prev = ws.delta[l - 1];
        for (r = 0; r < n; r++) {
          dr = r * m; ar = r * k;
          for (q = 0; q < k; q++) {
            s = d[dr] * theta[wo + q];
            for (j = 1; j < m; j++) s += d[dr + j] * theta[wo + j * k + q];
            prev[ar + q] = s;
          }
        }
        timesDerivative(nt.codes[l - 2], ws.z[l - 1], ws.a[l - 1], prev, n * k);
      }
    }
  }

  /* --- Nested arrays <-> flat ------------------------------------------------------------ */

  // Built only when thrown: an Error records the stack, which costs more than the packing.
  function badShape(name, shape) { return new Error(name + " must have shape [" + shape.join(", ") + "]"); }

  function pack(nt, params, into) {
    var theta = into || new Float64Array(nt.size);
    for (var i = 0; i < nt.names.length; i++) {
      var name = nt.names[i], shape = nt.shapes[i], v = params[name];
      var at = i % 2 === 0 ? nt.offW[i / 2 + 1] : nt.offB[(i + 1) / 2];
      if (!v || v.length !== shape[0]) throw badShape(name, shape);
      for (var r = 0; r < shape[0]; r++) {
        if (shape.length === 1) { theta[at + r] = +v[r]; continue; }
        if (!v[r] || v[r].length !== shape[1]) throw badShape(name, shape);
        for (var c = 0; c < shape[1]; c++) theta[at + r * shape[1] + c] = +v[r][c];
      }
    }
    return theta;
  }

  function unpack(nt, theta) {
    var out = {};
    for (var i = 0; i < nt.names.length; i++) {
      var shape = nt.shapes[i], at = i % 2 === 0 ? nt.offW[i / 2 + 1] : nt.offB[(i + 1) / 2];
      out[nt.names[i]] = shape.length === 1 ? Array.prototype.slice.call(theta, at, at + shape[0])
        : rowsOf(theta, at, shape[0], shape[1]);
    }
    return out;
  }

  function rowsOf(flat, at, n, m) {
    var out = new Array(n);
    for (var r = 0; r < n; r++) out[r] = Array.prototype.slice.call(flat, at + r * m, at + (r + 1) * m);
    return out;
  }

  function fill(flat, rows, width, what) {
    if (rows.length * width > flat.length) throw new Error(what + " has too many rows");
    for (var r = 0; r < rows.length; r++) {
      if (!rows[r] || rows[r].length !== width) throw new Error(what + " rows must have " + width + " value(s)");
      for (var c = 0; c < width; c++) flat[r * width + c] = +rows[r][c];
    }
  }

  /* --- One-shot forward / backward / loss on nested arrays -------------------------------- */

  function forward(spec, params, X) {
    var nt = net(spec), n = X.length, ws = workspace(nt, n);
    fill(ws.a[0], X, nt.sizes[0], "X");
    forwardFlat(nt, pack(nt, params), ws, n);
    var z = [], a = [X];
    for (var l = 1; l <= nt.L; l++) {
      z.push(rowsOf(ws.z[l], 0, n, nt.sizes[l]));
      a.push(rowsOf(ws.a[l], 0, n, nt.sizes[l]));
    }
    return { z: z, a: a };
  }

  function loadPass(nt, z, a, T) {
    var n = T.length, ws = workspace(nt, n);
    fill(ws.a[0], a[0], nt.sizes[0], "a[0]");
    for (var l = 1; l <= nt.L; l++) {
      fill(ws.z[l], z[l - 1], nt.sizes[l], "z" + l);
      fill(ws.a[l], a[l], nt.sizes[l], "a" + l);
    }
    fill(ws.T, T, nt.sizes[nt.L], "T");
    return ws;
  }

  function backward(spec, params, z, a, T) {
    var nt = net(spec), n = T.length, ws = loadPass(nt, z, a, T), grad = new Float64Array(nt.size);
    backwardFlat(nt, pack(nt, params), ws, n, grad);
    var delta = [];
    for (var l = 1; l <= nt.L; l++) delta.push(rowsOf(ws.delta[l], 0, n, nt.sizes[l]));
    return { grads: unpack(nt, grad), delta: delta };
  }

  function loss(spec, z, a, T) {
    var nt = net(spec);
    return lossFlat(nt, loadPass(nt, z, a, T), T.length);
  }

  /* Samples classified right (train.py's count_correct): one output unit is thresholded at
   * 0.5, several are compared by argmax (the first of equal maxima). */
  function countCorrect(o, T, n, m) {
    var right = 0;
    for (var r = 0; r < n; r++) {
      var at = r * m;
      if (m === 1) { if ((o[at] >= 0.5) === (T[at] >= 0.5)) right++; continue; }
      if (argmax(o, at, m) === argmax(T, at, m)) right++;
    }
    return right;
  }

  function argmax(v, at, m) {
    var best = 0;
    for (var k = 0; k < m; k++) {
      // numpy's argmax stops at the first NaN
      if (v[at + k] !== v[at + k]) return k;
      if (v[at + k] > v[at + best]) best = k;
    }
    return best;
  }

  /* Why a state is not finite (train.py's _divergence): parameters first, in layer order,
   * NaN before infinite within one, then the loss; null when all is finite. */
  function divergence(nt, theta, E) {
    for (var i = 0; i < nt.names.length; i++) {
      var at = i % 2 === 0 ? nt.offW[i / 2 + 1] : nt.offB[(i + 1) / 2];
      var count = nt.shapes[i].length === 1 ? nt.shapes[i][0] : nt.shapes[i][0] * nt.shapes[i][1];
      var nan = false, inf = false;
      for (var j = at; j < at + count; j++) {
        var v = theta[j];
        if (v !== v) nan = true; else if (v === Infinity || v === -Infinity) inf = true;
      }
      if (nan) return nt.names[i] + " is NaN";
      if (inf) return nt.names[i] + " is infinite";
    }
    if (E !== E) return "loss is NaN";
    if (E === Infinity || E === -Infinity) return "loss is infinite";
    return null;
  }

  /* --- A small seeded PRNG (mulberry32) for shuffles and live initialisation. ------------ */

  function prng(seed) {
    var s = (seed >>> 0) || 0;
    return function () {
      s = (s + 0x6D2B79F5) >>> 0;
      var t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  // Fisher-Yates over 0..n-1
  function permute(order, rand) {
    for (var i = 0; i < order.length; i++) order[i] = i;
    for (var j = order.length - 1; j > 0; j--) {
      var k = Math.floor(rand() * (j + 1)), t = order[j];
      order[j] = order[k]; order[k] = t;
    }
  }

  /* --- Training -------------------------------------------------------------------------- */

  function trainer(spec, params, X, T, opts) {
    opts = opts || {};
    var nt = net(spec), n = X.length;
    if (!n || T.length !== n) throw new Error("inputs and targets must be tables with one row per sample");
    var optimizer = opts.optimizer || "sgd";
    if (optimizer !== "sgd" && optimizer !== "momentum") {
      throw new Error("unknown optimizer '" + optimizer + "'; choose from sgd, momentum");
    }
    var eta = opts.eta == null ? 0.5 : +opts.eta, mu = opts.momentum == null ? 0.9 : +opts.momentum;
    if (!(eta >= 0 && isFinite(eta))) throw new Error("the learning rate must be a finite number >= 0, got " + opts.eta);
    if (!(mu >= 0 && mu < 1)) throw new Error("momentum must be in [0, 1), got " + opts.momentum);
    var batchSize = opts.batchSize == null ? null : +opts.batchSize, batches = opts.batches || null;
    if (batchSize !== null && !(batchSize >= 1 && batchSize <= n && batchSize === Math.floor(batchSize))) {
      throw new Error("batchSize must be a whole number from 1 to " + n + " (the number of samples)");
    }
    var minibatch = batchSize !== null || batches !== null;
    var perEpoch = batchSize === null ? 1 : Math.ceil(n / batchSize);

    var theta = pack(nt, params), grad = new Float64Array(nt.size), bgrad = new Float64Array(nt.size);
    var velocity = optimizer === "momentum" ? new Float64Array(nt.size) : null;
    var free = new Uint8Array(nt.size), frozen = opts.frozen || [], i;
    for (i = 0; i < nt.size; i++) free[i] = 1;
    for (i = 0; i < nt.names.length; i++) {
      if (frozen.indexOf(nt.names[i]) < 0) continue;
      var at = i % 2 === 0 ? nt.offW[i / 2 + 1] : nt.offB[(i + 1) / 2];
      var end = i % 2 === 0 ? nt.offB[i / 2 + 1] : (i + 1 < nt.names.length ? nt.offW[(i + 1) / 2 + 1] : nt.size);
      for (var j = at; j < end; j++) free[j] = 0;
    }
    var allFree = free.every(function (f) { return f === 1; });

    var full = workspace(nt, n);
    fill(full.a[0], X, nt.sizes[0], "X");
    fill(full.T, T, nt.sizes[nt.L], "T");
    var bws = minibatch ? workspace(nt, batchSize || 1) : null;
    var order = minibatch ? new Int32Array(n) : null, rand = prng(opts.seed || 0);
    var dIn = nt.sizes[0], dOut = nt.sizes[nt.L];

    var self = {
      steps: 0, loss: NaN, stopped: null, diverged: null,
      step: step, run: run, state: state
    };
    var gradReady = false;

    /* The state after self.steps updates: full-data forward (and, for full batch, backward,
     * whose gradient the next update uses), then the checks train.py makes at this step. */
    function evaluate() {
      forwardFlat(nt, theta, full, n);
      self.loss = lossFlat(nt, full, n);
      gradReady = false;
      if (!minibatch) { backwardFlat(nt, theta, full, n, grad); gradReady = true; }
      var reason = divergence(nt, theta, self.loss);
      if (reason) {
        self.stopped = "diverged";
        self.diverged = { step: self.steps, reason: reason };
      } else if (opts.stopLossBelow != null && self.loss < opts.stopLossBelow) {
        self.stopped = "loss_below";
      } else if (opts.stopAllCorrect && countCorrect(full.a[nt.L], full.T, n, dOut) === n) {
        self.stopped = "all_correct";
      }
    }

    /* Plain gradient descent: W <- W - eta dW. Momentum: v <- mu v - eta dW; W <- W + v. */
    function update(g) {
      var k;
      if (velocity) {
        for (k = 0; k < nt.size; k++) {
          velocity[k] = velocity[k] * mu - eta * g[k];
          if (allFree || free[k]) theta[k] = theta[k] + velocity[k];
        }
      } else {
        for (k = 0; k < nt.size; k++) if (allFree || free[k]) theta[k] = theta[k] - eta * g[k];
      }
    }

    function step() {
      if (self.stopped) return false;
      if (!minibatch) {
        update(grad);
      } else {
        var idx;
        if (batches) {
          idx = batches(self.steps);
        } else {
          var within = self.steps % perEpoch;
          if (within === 0) permute(order, rand);
          idx = order.subarray(within * batchSize, Math.min((within + 1) * batchSize, n));
        }
        var nb = idx.length, r, c;
        if (nb > bws.rows) bws = workspace(nt, nb);
        for (r = 0; r < nb; r++) {
          var s = idx[r];
          for (c = 0; c < dIn; c++) bws.a[0][r * dIn + c] = full.a[0][s * dIn + c];
          for (c = 0; c < dOut; c++) bws.T[r * dOut + c] = full.T[s * dOut + c];
        }
        forwardFlat(nt, theta, bws, nb);
        backwardFlat(nt, theta, bws, nb, bgrad);
        update(bgrad);
      }
      self.steps++;
      evaluate();
      return true;
    }

    function run(count) {
      var done = 0;
      while (done < count && step()) done++;
      return done;
    }

    function state() {
      if (!gradReady) { backwardFlat(nt, theta, full, n, grad); gradReady = true; }
      return {
        step: self.steps, loss: self.loss, params: unpack(nt, theta), grads: unpack(nt, grad),
        outputs: rowsOf(full.a[nt.L], 0, n, dOut), correct: countCorrect(full.a[nt.L], full.T, n, dOut)
      };
    }

    evaluate();
    return self;
  }

  /* --- Initialisation (InitSpec's schemes; this file's PRNG, not numpy's) ----------------- */

  function init(spec, opts) {
    opts = opts || {};
    var nt = net(spec), scheme = opts.scheme || "xavier", dist = opts.distribution || "uniform";
    var scale = opts.scale == null ? 1.0 : +opts.scale, rand = prng(opts.seed || 0);
    var theta = new Float64Array(nt.size);
    // Box-Muller
    function normal() {
      var u = 1 - rand(), v = rand();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
    for (var l = 1; l <= nt.L; l++) {
      var fanOut = nt.sizes[l], fanIn = nt.sizes[l - 1], uniform, width;
      if (scheme === "uniform" || scheme === "normal") {
        uniform = scheme === "uniform"; width = scale;
      } else if (scheme === "xavier" || scheme === "he") {
        var fans = scheme === "xavier" ? fanIn + fanOut : fanIn;
        uniform = dist === "uniform";
        width = scale * Math.sqrt((uniform ? 6.0 : 2.0) / fans);
      } else {
        throw new Error("unknown init scheme '" + scheme + "'; choose from uniform, normal, xavier, he");
      }
      for (var j = 0; j < fanOut * fanIn; j++) {
        theta[nt.offW[l] + j] = uniform ? (2 * rand() - 1) * width : normal() * width;
      }
    }
    // biases start at 0
    return unpack(nt, theta);
  }

  function paramsAt(run, r) {
    var out = {};
    for (var name in run.params) if (Object.prototype.hasOwnProperty.call(run.params, name)) out[name] = run.params[name][r];
    return out;
  }

  function recordOutputs(spec, run, X) {
    var nt = net(spec), n = X.length, R = run.steps.length, width = n * nt.sizes[nt.L];
    var ws = workspace(nt, n), theta = new Float64Array(nt.size), out = new Float64Array(R * width);
    fill(ws.a[0], X, nt.sizes[0], "X");
    for (var r = 0; r < R; r++) {
      forwardFlat(nt, pack(nt, paramsAt(run, r), theta), ws, n);
      out.set(ws.a[nt.L].subarray(0, width), r * width);
    }
    return out;
  }

  /* --- Grids: decision maps and surfaces from recorded weights ---------------------------- */

  function grid(spec, params, x0, x1, y0, y1, nx, ny) {
    var nt = net(spec);
    if (nt.sizes[0] !== 2) throw new Error("a grid needs a network with 2 inputs");
    var count = nx * ny, out = new Float64Array(count), theta = pack(nt, params);
    var chunk = Math.min(count, 1024), ws = cachedSpace(nt, chunk), dOut = nt.sizes[nt.L];
    var xs = new Float64Array(nx), ys = new Float64Array(ny), i;
    for (i = 0; i < nx; i++) xs[i] = nx > 1 ? x0 + i * (x1 - x0) / (nx - 1) : x0;
    for (i = 0; i < ny; i++) ys[i] = ny > 1 ? y0 + i * (y1 - y0) / (ny - 1) : y0;
    for (var start = 0; start < count; start += chunk) {
      var rows = Math.min(chunk, count - start), A = ws.a[0];
      for (var r = 0; r < rows; r++) {
        var p = start + r;
        A[2 * r] = xs[p % nx];
        A[2 * r + 1] = ys[Math.floor(p / nx)];
      }
      forwardFlat(nt, theta, ws, rows);
      var o = ws.a[nt.L];
      for (r = 0; r < rows; r++) out[start + r] = o[r * dOut];
    }
    return out;
  }

  function gridPixels(values, lo, hi) {
    var out = new Uint8ClampedArray(values.length);
    for (var i = 0; i < values.length; i++) {
      var q = Math.round((values[i] - lo) / (hi - lo) * 255);
      out[i] = q !== q ? 0 : (q < 0 ? 0 : (q > 255 ? 255 : q));
    }
    return out;
  }

  BPE.nn = {
    net: net, forward: forward, backward: backward, loss: loss, trainer: trainer,
    init: init, paramsAt: paramsAt, recordOutputs: recordOutputs, grid: grid, gridPixels: gridPixels,
    activations: ACTS.slice(), losses: Object.keys(LOSSES)
  };
})();
