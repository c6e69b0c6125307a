// The TypeScript compile suite of phoenix-wasm's declarations (types/phoenix-wasm.d.ts).
//
//   node --test --test-reporter=tap tests/types/
//
// Runs tsc once per tsconfig (in parallel) and reports one test per (config, file): a file
// passes when its diagnostics are exactly the known ones listed in KNOWN (none, for all but
// three seed files). The `@ts-expect-error` lines of negative-common.ts and runtime-1-8.ts make
// the suite fail in the other direction too: a check that stops failing is reported by tsc
// as an unused directive. Further tests keep the suite itself honest: every .ts file is
// compiled, the cross-check leaves out only the documented files, the value exports equal
// the real phoenix 1.8.16 package's, every @types/phoenix name is exported, the seed files
// hold the seed's blocks, and a deliberately broken file is caught.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const tsc = path.join(root, "node_modules/.bin/tsc");
const dts = path.join(root, "types/phoenix-wasm.d.ts");
const typesPhoenix = path.join(root, "node_modules/@types/phoenix/index.d.ts");
const seedDoc = path.resolve(root, "../shared/seed/presence.md");
const rel = (p) => path.relative(root, path.resolve(root, p)).split(path.sep).join("/");

// tsconfig → what it checks. The cross-check configs compile the same files against
// @types/phoenix 1.6.7; tsconfig.types-phoenix.json leaves out the files below (see its
// comments): keep this list and that config in step.
const CONFIGS = [
  "tsconfig.json",
  "tsconfig.types-phoenix.json",
  "tsconfig.vite.json",
  "tsconfig.vite.types-phoenix.json",
];
const EXCLUDED_FROM_TYPES_PHOENIX = ["improvements.ts", "runtime-1-8.ts", "seed-11.ts", "seed-8.ts", "seed-9.ts"];

// Diagnostics that are expected, per file, in every config that compiles the file. All are
// defects of the seed's snippets under --strict that have nothing to do with phoenix's types
// (they occur with @types/phoenix too); tsc still checks everything else in those files, and
// any other diagnostic there fails the test.
const KNOWN = {
  "tests/types/seed-6.ts": [
    {
      code: "TS7006",
      text: "Parameter 'meta' implicitly has an 'any' type",
      why:
        "block 6 calls presence.metas.map(meta => …) on a chooser argument typed `any` (as block 5 " +
        "documents it), so noImplicitAny rejects `meta`; block 9 writes (meta: any) instead",
    },
  ],
  "tests/types/seed-10.ts": [
    {
      code: "TS18047",
      text: "'indicator' is possibly 'null'",
      why: "block 10 dereferences document.getElementById(…) without a null check",
    },
  ],
  "tests/types/seed-11.ts": [
    {
      code: "TS2564",
      text: "Property 'activityCheckInterval' has no initializer",
      why:
        "block 11 assigns the field in a helper called from the constructor, which " +
        "strictPropertyInitialization cannot see",
    },
  ],
};

async function tscRun(args) {
  try {
    const { stdout, stderr } = await run(tsc, args, { cwd: root, maxBuffer: 64 << 20 });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    if (typeof e.code !== "number") throw e; // tsc missing or not runnable
    return { code: e.code, out: (e.stdout ?? "") + (e.stderr ?? "") };
  }
}

// `file(line,col): error TSnnnn: message` plus indented continuation lines; a diagnostic
// without a location (`error TSnnnn: …`) gets file null.
function parseDiagnostics(out) {
  const diags = [];
  for (const line of out.split(/\r?\n/)) {
    let m;
    if ((m = /^(.+?)\((\d+),(\d+)\): (error|warning) (TS\d+): (.*)$/.exec(line))) {
      diags.push({ file: rel(m[1]), line: +m[2], col: +m[3], code: m[5], text: m[6] });
    } else if ((m = /^(error|warning) (TS\d+): (.*)$/.exec(line))) {
      diags.push({ file: null, line: 0, col: 0, code: m[2], text: m[3] });
    } else if (/^\s+\S/.test(line) && diags.length > 0) {
      diags[diags.length - 1].text += "\n" + line;
    } else if (line.trim() !== "") {
      diags.push({ file: null, line: 0, col: 0, code: "?", text: line });
    }
  }
  return diags;
}

const show = (d) => `${d.file ?? "(no file)"}(${d.line},${d.col}): ${d.code}: ${d.text}`;

async function check(config) {
  const cfg = path.join("tests/types", config);
  const [compiled, listed] = await Promise.all([
    tscRun(["-p", cfg, "--pretty", "false"]),
    tscRun(["-p", cfg, "--listFilesOnly"]),
  ]);
  assert.equal(listed.code, 0, `tsc --listFilesOnly failed for ${config}:\n${listed.out}`);
  const libDir = path.dirname(path.dirname(fs.realpathSync(tsc)));
  const files = listed.out
    .split(/\r?\n/)
    .filter((f) => f.trim() !== "")
    .filter((f) => !f.includes("/@typescript/") && !fs.realpathSync(f).startsWith(libDir))
    .map(rel);
  return { config, code: compiled.code, out: compiled.out, diags: parseDiagnostics(compiled.out), files };
}

// Run every config first (in parallel), then declare the tests.
const results = await Promise.all(CONFIGS.map(check));

for (const r of results) {
  for (const file of r.files) {
    test(`${r.config}: ${file} compiles with exactly the expected diagnostics`, () => {
      const got = r.diags.filter((d) => d.file === file);
      const known = KNOWN[file] ?? [];
      const unexpected = got.filter((d) => !known.some((k) => k.code === d.code && d.text.includes(k.text)));
      const missing = known.filter((k) => !got.some((d) => k.code === d.code && d.text.includes(k.text)));
      assert.deepEqual(unexpected.map(show), [], "unexpected diagnostics");
      assert.deepEqual(
        missing.map((k) => `${k.code} ${k.text} (${k.why})`),
        [],
        "a known seed defect no longer occurs: update KNOWN",
      );
    });
  }
  test(`${r.config}: no diagnostic outside the compiled files, exit status consistent`, () => {
    const stray = r.diags.filter((d) => d.file === null || !r.files.includes(d.file));
    assert.deepEqual(stray.map(show), [], r.out);
    assert.equal(r.code === 0, r.diags.length === 0, `tsc exit ${r.code} with ${r.diags.length} diagnostics`);
  });
}

const byConfig = Object.fromEntries(results.map((r) => [r.config, r]));
const tsFiles = fs
  .readdirSync(here)
  .filter((f) => f.endsWith(".ts"))
  .sort();

test("tsconfig.json compiles every .ts file of tests/types and the phoenix-wasm declarations", () => {
  const compiled = byConfig["tsconfig.json"].files;
  assert.deepEqual(tsFiles.filter((f) => !compiled.includes(`tests/types/${f}`)), []);
  assert.ok(compiled.includes(rel(dts)), "types/phoenix-wasm.d.ts is not part of the compilation");
});

test("tsconfig.types-phoenix.json compiles against @types/phoenix and leaves out only the documented files", () => {
  const compiled = byConfig["tsconfig.types-phoenix.json"].files;
  assert.ok(compiled.includes(rel(typesPhoenix)), "@types/phoenix is not what phoenix-wasm resolves to");
  assert.ok(!compiled.includes(rel(dts)), "types/phoenix-wasm.d.ts leaked into the @types cross-check");
  assert.deepEqual(tsFiles.filter((f) => !compiled.includes(`tests/types/${f}`)), EXCLUDED_FROM_TYPES_PHOENIX);
  const pinned = JSON.parse(fs.readFileSync(path.join(root, "node_modules/@types/phoenix/package.json"), "utf8"));
  assert.equal(pinned.version, "1.6.7");
});

// Value and type exports of a declaration file, read from its text.
function exportsOf(text) {
  const values = new Set();
  const types = new Set();
  for (const m of text.matchAll(/^export (?:declare )?(class|const|function|let|var|type|interface|enum) (\w+)/gm)) {
    if (m[1] === "type" || m[1] === "interface") types.add(m[2]);
    else {
      values.add(m[2]);
      if (m[1] === "class" || m[1] === "enum") types.add(m[2]);
    }
  }
  for (const m of text.matchAll(/^export (type )?\{([^}]*)\}/gm)) {
    for (const name of m[2].split(",").map((s) => s.trim()).filter(Boolean)) {
      types.add(name); // a re-exported class or const is a value and (for a class) a type
      if (!m[1]) values.add(name);
    }
  }
  return { values, types };
}

test("the value exports are exactly those of the phoenix 1.8.16 package at runtime", async () => {
  const phoenix = await import("phoenix");
  const runtime = Object.keys(phoenix).filter((k) => k !== "default").sort();
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "node_modules/phoenix/package.json"), "utf8"));
  assert.equal(pkg.version, "1.8.16");
  assert.deepEqual([...exportsOf(fs.readFileSync(dts, "utf8")).values].sort(), runtime);
});

test("every name @types/phoenix 1.6.7 exports is exported by phoenix-wasm (as a value or a type)", () => {
  const ours = exportsOf(fs.readFileSync(dts, "utf8"));
  const theirs = exportsOf(fs.readFileSync(typesPhoenix, "utf8"));
  const all = new Set([...ours.values, ...ours.types]);
  const names = [...theirs.values, ...theirs.types];
  assert.ok(names.length >= 16, `parsed only ${names.length} names from @types/phoenix`);
  assert.deepEqual(names.filter((n) => !all.has(n)), []);
});

// The seed's TypeScript blocks, in order; seed-N.ts must hold block N's lines in order (the
// signature fragments are wrapped in declarations, so other lines may come in between).
const seedBlocks = fs.existsSync(seedDoc)
  ? [...fs.readFileSync(seedDoc, "utf8").matchAll(/```typescript\n([\s\S]*?)```/g)].map((m) => m[1])
  : null;
test("the seed has 11 TypeScript blocks, one seed-N.ts file each", { skip: seedBlocks ? false : `${seedDoc} not found` }, () => {
  assert.equal(seedBlocks.length, 11);
  assert.deepEqual(
    tsFiles.filter((f) => /^seed-\d+\.ts$/.test(f)).map((f) => +/\d+/.exec(f)[0]).sort((a, b) => a - b),
    seedBlocks.map((_, i) => i + 1),
  );
});
for (let n = 1; n <= 11; n++) {
  test(`seed-${n}.ts holds block ${n} of the seed, with only the import line changed`, { skip: seedBlocks ? false : `${seedDoc} not found` }, () => {
    const file = fs.readFileSync(path.join(here, `seed-${n}.ts`), "utf8").split("\n");
    const lines = seedBlocks[n - 1]
      .replace(/\n$/, "")
      .split("\n")
      .map((l) => l.replace(/from "phoenix";$/, 'from "phoenix-wasm";'));
    let at = 0;
    for (const line of lines) {
      const found = file.indexOf(line, at);
      assert.notEqual(found, -1, `line not found (in order) in seed-${n}.ts: ${JSON.stringify(line)}`);
      at = found + 1;
    }
  });
}

test("canary: a file that misuses the API is reported, in that file", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-wasm-types-"));
  try {
    fs.writeFileSync(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({
        extends: path.join(here, "tsconfig.json"),
        compilerOptions: { paths: { "phoenix-wasm": [dts] } },
        include: ["*.ts"],
      }),
    );
    fs.writeFileSync(
      path.join(dir, "bad.ts"),
      'import { Socket } from "phoenix-wasm";\nconst socket = new Socket("/socket");\nsocket.channel("room:1").push();\n',
    );
    const r = await tscRun(["-p", path.join(dir, "tsconfig.json"), "--pretty", "false"]);
    const diags = parseDiagnostics(r.out);
    assert.notEqual(r.code, 0);
    assert.deepEqual(
      diags.map((d) => [path.basename(path.resolve(root, d.file ?? "")), d.line, d.code]),
      [["bad.ts", 3, "TS2554"]],
      r.out,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
