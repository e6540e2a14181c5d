/* Decode the compact page encoding of a trace (docs/trace-format.md) into plain arrays.
 * Numeric arrays arrive as {dtype, shape, b64}: little-endian float64, float32 or int8 bytes.
 * An object's encoded arrays are decoded when first read (a getter that replaces itself with
 * the plain array), so a page pays only for what its widgets use: a sweep's other members,
 * say, until the reader picks one. Every run ends up with its own net, X, T (and labels, when
 * sent): a sweep whose members share them sends them once, at the top of the document. */
(function () {
  "use strict";
  var BPE = window.BPE = window.BPE || {};
  var SIZES = { f64: 8, f32: 4, i8: 1 };
  var LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

  function unpack(p) {
    if (!p || typeof p !== "object" || !("b64" in p)) return p;
    var size = SIZES[p.dtype];
    if (!size) throw new Error("unknown dtype in trace: " + p.dtype);
    var bytes = Uint8Array.fromBase64 ? Uint8Array.fromBase64(p.b64) : null;
    if (!bytes) {
      var bin = window.atob(p.b64);
      bytes = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    }
    var n = bytes.length;
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

  function encoded(obj) { return !!obj && typeof obj === "object" && "b64" in obj && "dtype" in obj; }

  // obj[key] is got() from its first read on (a plain property from then, or from a write).
  function lazy(obj, key, got) {
    function set(v) { Object.defineProperty(obj, key, { value: v, writable: true, enumerable: true, configurable: true }); return v; }
    Object.defineProperty(obj, key, { get: function () { return set(got()); }, set: set, enumerable: true, configurable: true });
  }

  function unpackAll(obj) {
    if (Array.isArray(obj)) return obj.map(unpackAll);
    if (encoded(obj)) return unpack(obj);
    if (obj && typeof obj === "object") {
      var out = {};
      for (var k in obj) {
        if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
        if (encoded(obj[k])) lazy(out, k, unpack.bind(null, obj[k])); else out[k] = unpackAll(obj[k]);
      }
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
        if (!(key in run) && key in out) lazy(run, key, function () { return out[key]; });
      });
    });
    return out;
  };
})();
