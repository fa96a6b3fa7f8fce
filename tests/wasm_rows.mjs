// Checks the wasm binding analyzeRows / RowsBuffer (build first with
// scripts/build.sh) in Node and, with --chromium, in headless Chromium
// (Debian's, driven by playwright-core): the module loads with simd128,
// results agree with a float64 JavaScript reference, the token columns are
// absent without tokens, "greedy" picks each row's first maximum, and bad input throws an Error with a message.
//
//   node tests/wasm_rows.mjs [--chromium]
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// Runs in Node and in the page: `m` is the wasm-bindgen module, initialised.
async function checks(m) {
  const fail = (msg) => {
    throw new Error(msg);
  };
  const rows = 3,
    vocab = 1000;
  let s = 1;
  const rand = () => (s = (s * 48271) % 2147483647) / 2147483647;
  const logits = new Float32Array(rows * vocab).map(() => 3 * (rand() + rand() + rand() - 1.5));
  logits[5] = 12; // a peaked first row
  logits[vocab + 7] = -Infinity; // a masked token in row 1
  const tokens = new Uint32Array([5, 7, 999]);
  const adv = new Float32Array([1, -2, 0.5]);

  // float64 reference, two passes, straight from the definitions.
  const ref = [];
  for (let r = 0; r < rows; r++) {
    const z = Array.from(logits.subarray(r * vocab, (r + 1) * vocab));
    const mx = Math.max(...z);
    const e = z.map((v) => Math.exp(v - mx));
    const Z = e.reduce((a, b) => a + b, 0);
    const p = e.map((v) => v / Z);
    const h = -p.reduce((a, q) => a + (q > 0 ? q * Math.log(q) : 0), 0);
    const S = p.map((q) => (q > 0 ? q * (h + Math.log(q)) : 0));
    const sbar = p.reduce((a, q, j) => a + q * S[j], 0);
    ref.push({ h, sbar, pk: p[tokens[r]], sk: S[tokens[r]] });
  }
  const out = m.analyzeRows(logits, rows, vocab, tokens, adv);
  const keys = ['entropy', 'meanDiscriminator', 'flipNudge', 'flipPolicyGradient', 'prob', 'discriminator', 'sensitivity', 'polarity'];
  for (const k of keys) {
    if (!(out[k] instanceof Float64Array) || out[k].length !== rows) fail(`${k} is not a Float64Array of ${rows}`);
    if (out[k].some((v) => !Number.isFinite(v))) fail(`${k} has a non-finite value`);
  }
  for (let r = 0; r < rows; r++) {
    const x = ref[r];
    const near = (a, b, tol, what) => {
      if (Math.abs(a - b) > tol) fail(`row ${r} ${what}: ${a} against ${b}`);
    };
    near(out.entropy[r], x.h, 1e-5 * x.h, 'entropy');
    near(out.meanDiscriminator[r], x.sbar, 1e-5 * Math.max(x.sbar, 1e-3), 'S̄');
    near(out.prob[r], x.pk, 1e-5 * x.pk, 'p_k');
    near(out.discriminator[r], x.sk, 1e-5 * Math.max(Math.abs(x.sk), 1e-6), 'S_k');
    near(out.polarity[r], adv[r] * out.sensitivity[r], 1e-12, 'polarity');
    near(out.flipNudge[r], Math.exp(-out.entropy[r]), 1e-15, 'e^-H');
    if (!(out.flipPolicyGradient[r] >= out.flipNudge[r])) fail(`row ${r}: p† < e^-H`);
  }
  // Without tokens: no token columns at all.
  const plain = m.analyzeRows(logits, rows, vocab);
  for (const k of ['prob', 'discriminator', 'sensitivity', 'polarity']) {
    if (k in plain) fail(`${k} present without tokens`);
  }
  if (plain.entropy.some((v, i) => v !== out.entropy[i])) fail('entropy depends on tokens');
  // The token column says which token the per-token columns are about.
  if (!(out.token instanceof Uint32Array) || out.token.some((t, r) => t !== tokens[r])) fail('token column differs from tokens');
  // "greedy": each row's first maximum, found by the core; the same numbers
  // as passing those tokens.
  const firstMax = Array.from({ length: rows }, (_, r) => {
    let best = 0;
    for (let j = 1; j < vocab; j++) if (logits[r * vocab + j] > logits[r * vocab + best]) best = j;
    return best;
  });
  const greedy = m.analyzeRows(logits, rows, vocab, 'greedy', adv);
  if (greedy.token.some((t, r) => t !== firstMax[r])) fail(`greedy tokens ${greedy.token} against ${firstMax}`);
  const given = m.analyzeRows(logits, rows, vocab, Uint32Array.from(firstMax), adv);
  for (const k of keys) if (greedy[k].some((v, i) => v !== given[k][i])) fail(`greedy ${k} differs from the same tokens given`);
  // RowsBuffer gives the same numbers without the copy.
  const buf = new m.RowsBuffer(rows, vocab);
  buf.view().set(logits);
  const res = buf.analyze(tokens, [1, -2, 0.5]);
  buf.free();
  for (const k of keys) if (res[k].some((v, i) => v !== out[k][i])) fail(`RowsBuffer ${k} differs`);

  // Errors: a JS Error whose message says what is wrong.
  const throws = (f, part) => {
    try {
      f();
    } catch (e) {
      if (!(e instanceof Error)) fail(`not an Error: ${e}`);
      if (!e.message.includes(part)) fail(`message "${e.message}" lacks "${part}"`);
      return;
    }
    fail(`no error (expected "${part}")`);
  };
  const bad = logits.slice();
  bad[2 * vocab + 17] = NaN;
  throws(() => m.analyzeRows(bad, rows, vocab), 'Row 2, column 17');
  bad[2 * vocab + 17] = Infinity;
  throws(() => m.analyzeRows(bad, rows, vocab), '+Infinity');
  throws(() => m.analyzeRows(new Float32Array(3).fill(-Infinity), 1, 3), 'masked');
  throws(() => m.analyzeRows(logits, rows, vocab + 1), 'need');
  throws(() => m.analyzeRows(logits, rows, vocab, new Uint32Array([0, 1000, 0])), 'Row 1');
  throws(() => m.analyzeRows(logits, rows, vocab, tokens, new Float32Array(2)), '2 advantages');
  throws(() => m.analyzeRows(Array.from(logits), rows, vocab), 'Float32Array');
  throws(() => m.analyzeRows(logits, -1, vocab), 'whole number');
  throws(() => m.analyzeRows(logits, rows, vocab, 'x'), 'Uint32Array');
  throws(() => m.analyzeRows(logits, rows, vocab, 'Greedy'), 'greedy');
  throws(() => m.analyzeRows(logits, rows, vocab, tokens, [1, NaN, 2]), 'finite');
  return 'ok';
}

// Rows where a float32 sum loses the entropy: one logit lifted by 40–60 over
// a 152,064-token row (H down to ~1e-20), with and without masked tokens.
// f64 reference: ln Z = log1p of the non-max mass, right on such rows.
function hardRows() {
  const vocab = 152064;
  const lifts = [40, 50, 60, 0];
  const z = new Float32Array(lifts.length * vocab);
  let s = 7;
  const rand = () => (s = (s * 48271) % 2147483647) / 2147483647;
  lifts.forEach((lift, r) => {
    for (let j = 0; j < vocab; j++) z[r * vocab + j] = 3 * (rand() + rand() + rand() - 1.5);
    if (r % 2) for (let j = 0; j < vocab; j += 3) z[r * vocab + j] = -Infinity;
    z[r * vocab + 1000 + r] = lift ? 9 + lift : z[r * vocab + 1000 + r];
  });
  const ref = lifts.map((_, r) => {
    const row = z.subarray(r * vocab, (r + 1) * vocab);
    let i = 0;
    for (let j = 1; j < vocab; j++) if (row[j] > row[i]) i = j;
    let rest = 0,
      ey = 0;
    for (let j = 0; j < vocab; j++) {
      if (j === i || row[j] === -Infinity) continue;
      const y = row[j] - row[i];
      rest += Math.exp(y);
      ey += Math.exp(y) * y;
    }
    return Math.log1p(rest) - ey / (1 + rest);
  });
  return { z, rows: lifts.length, vocab, ref };
}

// Node: www/pkg's module, or the one given by --wasm FILE (same JS glue).
const wasmArg = process.argv.indexOf('--wasm');
const wasmPath = wasmArg > 0 ? process.argv[wasmArg + 1] : join(root, 'www', 'pkg', 'entropy_polarity_bg.wasm');
const m = await import(join(root, 'www', 'pkg', 'entropy_polarity.js'));
m.initSync({ module: readFileSync(wasmPath) });
const label = wasmArg > 0 ? `node (${wasmPath.split('/').pop()})` : 'node';
console.log(`${label}:`, await checks(m));
const hard = hardRows();
const hardH = m.analyzeRows(hard.z, hard.rows, hard.vocab).entropy;
hard.ref.forEach((h, r) => {
  if (!(Math.abs(hardH[r] - h) <= 1e-5 * h)) throw new Error(`${label}: near-one-hot row ${r}: H ${hardH[r]} against f64 ${h}`);
});
console.log(`${label}: near-one-hot and masked 152k rows within 1e-5 of f64 (H down to ${Math.min(...hard.ref).toExponential(1)})`);

if (process.argv.includes('--chromium')) {
  const { chromium } = await import(join(root, 'node_modules', 'playwright-core', 'index.mjs'));
  const { startServer } = await import(join(root, 'scripts', 'serve.mjs'));
  const server = await startServer(0);
  const port = server.address().port;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    // The server's Content-Security-Policy forbids eval; the checks are
    // handed to the page as source text, so this test context bypasses it.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/pkg/entropy_polarity.d.ts`);
    const result = await page.evaluate(async (src) => {
      const m = await import('/pkg/entropy_polarity.js');
      await m.default();
      const checks = new Function(`return (${src})`)();
      const verdict = await checks(m);
      // A rough timing, for information: 16 rows of 152,064.
      const rows = 16,
        vocab = 152064;
      const z = new Float32Array(rows * vocab);
      for (let i = 0; i < z.length; i++) z[i] = 3 * Math.sin(i * 12.9898) * Math.cos(i * 0.37);
      // Warm up until V8 has tiered the module up from its baseline compiler.
      for (let i = 0; i < 10; i++) m.analyzeRows(z, rows, vocab);
      const t = [];
      for (let i = 0; i < 15; i++) {
        const t0 = performance.now();
        m.analyzeRows(z, rows, vocab);
        t.push(performance.now() - t0);
      }
      t.sort((a, b) => a - b);
      return { verdict, logitsPerSecond: (rows * vocab) / (t[7] / 1000), version: navigator.userAgent };
    }, checks.toString());
    console.log(
      `chromium: ${result.verdict} (${result.version.match(/Chrome\/[\d.]+/)?.[0]}; analyzeRows ~${result.logitsPerSecond.toExponential(2)} logits/s)`,
    );
  } finally {
    await browser.close();
    server.close();
  }
}
