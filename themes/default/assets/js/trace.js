/* Decode the compact page encoding of a trace (docs/trace-format.md) into plain arrays.
 * Numeric arrays arrive as {dtype, shape, b64}: little-endian float64, float32 or int8 bytes.
 * Every run ends up with its own net, X, T (and labels, when sent): a sweep whose members
 * share them sends them once, at the top of the document. */
(function () {
  "use strict";
  var BPE = window.BPE = window.BPE || {};
  var SIZES = { f64: 8, f32: 4, i8: 1 };

  function unpack(p) {
    if (!p || typeof p !== "object" || !("b64" in p)) return p;
    var size = SIZES[p.dtype];
    if (!size) throw new Error("unknown dtype in trace: " + p.dtype);
    var bin = window.atob(p.b64), n = bin.length, bytes = new Uint8Array(n);
    for (var i = 0; i < n; i++) bytes[i] = bin.charCodeAt(i);
    var view = new DataView(bytes.buffer), count = n / size;
    var flat = new Array(count);
    for (var j = 0; j < count; j++) {
      flat[j] = size === 8 ? view.getFloat64(j * 8, true) : size === 4 ? view.getFloat32(j * 4, true) : view.getInt8(j);
    }
    return nest(flat, p.shape, 0, 0).value;
  }

  function nest(flat, shape, dim, offset) {
    if (dim === shape.length) return { value: flat[offset], next: offset + 1 };
    var out = [], at = offset;
    for (var i = 0; i < shape[dim]; i++) { var r = nest(flat, shape, dim + 1, at); out.push(r.value); at = r.next; }
    return { value: out, next: at };
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
