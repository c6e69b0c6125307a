// `jsonClone` (src/web/host.js) must give exactly what phoenix.js's clone,
// `JSON.parse(JSON.stringify(value))`, gives: the Presence instance and statics clone every
// diff, joined and left presence with it. Random values (a seeded generator, so a failure
// repeats) and the awkward cases JSON has rules for are compared structurally: the same
// types, prototypes, own keys in the same order, numbers by `Object.is` (so -0 shows), the
// same exception class, and the same number of getter reads.
import { test } from "node:test";
import assert from "node:assert/strict";

import { jsonClone } from "../../src/web/host.js";

const roundTrip = (v) => JSON.parse(JSON.stringify(v));

/** Throws unless `a` and `b` are the same JSON-made structure. */
function sameStructure(a, b, path = "$") {
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) {
    assert.ok(Object.is(a, b), `${path}: ${String(a)} vs ${String(b)}`);
    return;
  }
  assert.equal(Array.isArray(a), Array.isArray(b), `${path}: array or not`);
  assert.equal(Object.getPrototypeOf(a), Object.getPrototypeOf(b), `${path}: prototype`);
  const ka = Reflect.ownKeys(a), kb = Reflect.ownKeys(b);
  assert.deepEqual(ka, kb, `${path}: own keys`);
  for (const k of ka) {
    const da = Object.getOwnPropertyDescriptor(a, k), db = Object.getOwnPropertyDescriptor(b, k);
    assert.equal(da.enumerable, db.enumerable, `${path}.${String(k)}: enumerable`);
    assert.equal(da.writable, db.writable, `${path}.${String(k)}: writable`);
    sameStructure(da.value, db.value, `${path}.${String(k)}`);
  }
}

/** The outcome of `f(value)`: its result, or the class of what it threw. */
function outcome(f, value) {
  try {
    return { value: f(value) };
  } catch (e) {
    return { threw: e && e.constructor && e.constructor.name };
  }
}

function assertLikeJSON(make, what) {
  const expected = outcome(roundTrip, make());
  const actual = outcome(jsonClone, make());
  assert.equal(actual.threw, expected.threw, `${what}: exception`);
  if (!expected.threw) sameStructure(actual.value, expected.value, what);
}

// A small seeded generator (mulberry32).
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ["a", "b", "phx_ref", "metas", "__proto__", "constructor", "toString", "10", "2", "-1", "01", "", "é", "\u{1F600}", "\ud800"];
const LEAVES = [
  0, -0, 1.5, -7, 2 ** 53, NaN, Infinity, -Infinity, "", "x", "\ud800 lone", "\u{1F600}", true, false, null,
  undefined, () => 1, Symbol("s"), new Date(0), new Number(3), new String("s"), new Boolean(false),
];

function randomValue(r, depth) {
  const x = r();
  if (depth > 4 || x < 0.45) return LEAVES[Math.floor(r() * LEAVES.length)];
  if (x < 0.7) {
    const a = [];
    const n = Math.floor(r() * 4);
    for (let i = 0; i < n; i++) a.push(randomValue(r, depth + 1));
    if (r() < 0.1) a.length += 2; // holes
    return a;
  }
  const o = r() < 0.15 ? Object.create(null) : {};
  const n = Math.floor(r() * 5);
  for (let i = 0; i < n; i++) {
    const k = KEYS[Math.floor(r() * KEYS.length)];
    Object.defineProperty(o, k, { value: randomValue(r, depth + 1), enumerable: r() < 0.9, writable: true, configurable: true });
  }
  return o;
}

test("random values clone exactly as the JSON round trip does", () => {
  for (let seed = 1; seed <= 3000; seed++) {
    assertLikeJSON(() => randomValue(rng(seed), 0), `seed ${seed}`);
  }
});

test("presence-shaped data clones as the JSON round trip does", () => {
  const diff = () => ({
    joins: { "user:1": { metas: [{ phx_ref: "F1", online_at: 1700000000, device: "web", typing: false }] } },
    leaves: { "user:2": { metas: [{ phx_ref: "F2", phx_ref_prev: "F0", online_at: -0 }] } },
  });
  assertLikeJSON(diff, "diff");
  const a = diff(), b = jsonClone(a);
  assert.notEqual(b.joins, a.joins);
  assert.notEqual(b.joins["user:1"].metas[0], a.joins["user:1"].metas[0]);
});

test("toJSON gets the key JSON would pass it", () => {
  const seen = [];
  const mk = () => {
    const t = { toJSON(k) { seen.push(k); return { k }; } };
    return { a: t, list: [t, t], nested: { deep: t } };
  };
  seen.length = 0;
  const expected = roundTrip(mk());
  const jsonKeys = [...seen];
  seen.length = 0;
  sameStructure(jsonClone(mk()), expected);
  assert.deepEqual(seen, jsonKeys);
  assertLikeJSON(() => ({ toJSON: () => undefined }), "toJSON → undefined at the top");
  assertLikeJSON(() => ({ a: { toJSON: () => undefined } }), "toJSON → undefined in an object");
  assertLikeJSON(() => [{ toJSON: () => undefined }], "toJSON → undefined in an array");
  assertLikeJSON(() => Object.assign(() => 1, { toJSON: () => "fn" }), "a function with toJSON");
});

test("getters are read once each, in JSON's order", () => {
  const make = (log) => {
    const o = {};
    for (const k of ["b", "1", "a"]) Object.defineProperty(o, k, { get() { log.push(k); return { k }; }, enumerable: true });
    return { o, list: [o] };
  };
  const jsonLog = [], ourLog = [];
  const expected = roundTrip(make(jsonLog));
  sameStructure(jsonClone(make(ourLog)), expected);
  assert.deepEqual(ourLog, jsonLog);
});

test("what JSON rejects is rejected with the same exception", () => {
  assertLikeJSON(() => undefined, "undefined at the top");
  assertLikeJSON(() => Symbol("x"), "a symbol at the top");
  assertLikeJSON(() => () => 1, "a function at the top");
  assertLikeJSON(() => ({ n: 10n }), "a BigInt");
  assertLikeJSON(() => { const o = { a: {} }; o.a.self = o; return o; }, "a cycle");
  assertLikeJSON(() => { const a = []; a.push({ a }); return a; }, "a cycle through an array");
  assertLikeJSON(() => ({ get bad() { throw new RangeError("no"); } }), "a throwing getter");
});

test("deep nesting past the copying depth still clones", () => {
  assertLikeJSON(() => {
    let v = { leaf: [1, -0, "x", undefined] };
    for (let i = 0; i < 200; i++) v = i % 2 ? { v, i } : [v, i];
    return v;
  }, "200 levels");
});

test("raw JSON, typed arrays, maps and class instances go through JSON", () => {
  class Point { constructor() { this.x = 1; this.y = undefined; } }
  assertLikeJSON(() => ({ p: new Point(), m: new Map([[1, 2]]), t: new Uint8Array([1, 2]) }), "non-plain objects");
  if (typeof JSON.rawJSON === "function") assertLikeJSON(() => ({ r: JSON.rawJSON("12345678901234567890") }), "raw JSON");
  const args = (function () { return arguments; })(1, "a");
  assertLikeJSON(() => ({ args }), "an arguments object");
});
