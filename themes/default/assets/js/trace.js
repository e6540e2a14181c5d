/* Decode the compact page encoding of a trace (docs/trace-format.md) into plain arrays.
 * Numeric arrays arrive as {dtype, shape, b64}: little-endian float64, float32 or int8 bytes.
 * Every run ends up with its own net, X, T (and labels, when sent): a sweep whose members
 * share them sends them once, at the top of the document. */
(function () {
  "use strict";
  var BPE = window.BPE = window.BPE || {};
  var SIZES = { f64: 8, f32: 4, i8: 1 };
  var LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

  function unpack(p) {
    if (!p || typeof p !== "object" || !("b64" in p)) return p;
    var size = SIZES[p.dtype];
    if (!size) throw new Error("unknown dtype in trace: " + p.dtype);
    var bin = window.atob(p.b64), n = bin.length, bytes = new Uint8Array(n);
    for (var i = 0; i < n; i++) bytes[i] = bin.charCodeAt(i);
    // Little-endian bytes, read in place (swapped first on a big-endian machine).
    if (!LE) for (var j = 0; j < n; j += size) bytes.subarray(j, j + size).reverse();
    var flat = new (size === 8 ? Float64Array : size === 4 ? Float32Array : Int8Array)(bytes.buffer);
    return nest(flat, p.shape);
  }

  // Plain nested arrays of the flat values, row by row.
  function nest(flat, shape) {
    var at = 0, last = shape.length - 1;
    function build(dim) {
      var out = [];
      for (var i = 0; i < shape[dim]; i++) out.push(dim === last ? flat[at++] : build(dim + 1));
      return out;
    }
    return last < 0 ? flat[0] : build(0);
  }

  function unpackAll(obj) {
    if (Array.isArray(obj)) return obj.map(unpackAll);
    if (obj && typeof obj === "object") {
      if ("b64" in obj && "dtype" in obj) return unpack(obj);
      var out = {};
      for (var k in obj) if (Object.prototype.hasOwnProperty.call(obj, k)) out[k] = unpackAll(obj[k]);
      return out;
    }
    return obj;
  }

  BPE.decodeTrace = function (text) {
    var doc = JSON.parse(text);
    if (doc.schema !== "backprop-explained/trace") throw new Error("not a Backprop Explained trace");
    var out = unpackAll(doc);
    (out.runs || []).forEach(function (run) {
      ["net", "X", "T", "labels"].forEach(function (key) {
        if (!(key in run) && key in out) run[key] = out[key];
      });
    });
    return out;
  };
})();
