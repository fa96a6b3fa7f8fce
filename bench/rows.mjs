// Times analyzeRows (the wasm build in www/pkg, as the page loads it) against
// a straightforward JavaScript Math.exp two-pass loop, interleaved in one
// process, on the slice written by `cargo bench --bench rows -- --write-data DIR`.
//
//   node bench/rows.mjs [--data DIR] [--pkg DIR] [--reps N] [--json]
//
// Also checks both against the f64 reference entropies (entropy_ref.f64).
import { readFileSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (flag, dflt) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : dflt;
};
const dataDir = opt('--data', join(here, '..', 'target', 'rows-bench'));
const pkgDir = resolve(opt('--pkg', join(here, '..', 'www', 'pkg')));
const reps = Number(opt('--reps', '9'));
const json = args.includes('--json');

const { initSync, analyzeRows, RowsBuffer } = await import(pathToFileURL(join(pkgDir, 'entropy_polarity.js')).href);
initSync({ module: readFileSync(join(pkgDir, 'entropy_polarity_bg.wasm')) });

const read = (name, Type) => {
  const b = readFileSync(join(dataDir, name));
  return new Type(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};
const { rows, vocab } = JSON.parse(readFileSync(join(dataDir, 'shape.json'), 'utf8'));
const logits = read('logits.f32', Float32Array);
const tokens = read('tokens.u32', Uint32Array);
const advantages = read('advantages.f32', Float32Array);
const reference = read('entropy_ref.f64', Float64Array);

// Principal Lambert W for x >= 0 (Halley iterations), for p† = exp(W(S̄ e^H) − H).
function lambertW0(x) {
  if (x === 0) return 0;
  let w = x < 3 ? Math.log1p(x) : Math.log(x) - Math.log(Math.log(x));
  for (let i = 0; i < 60; i++) {
    const ew = Math.exp(w);
    const f = w * ew - x;
    const next = w - f / (ew * (w + 1) - ((w + 2) * f) / (2 * w + 2));
    if (Math.abs(next - w) <= 1e-15 * Math.abs(next)) return next;
    w = next;
  }
  return w;
}

// The baseline: what a person would write in plain JavaScript (f64 math).
function analyzeRowsJs(x, rows, vocab, tokens, adv) {
  const col = () => new Float64Array(rows);
  const out = {
    entropy: col(),
    meanDiscriminator: col(),
    flipNudge: col(),
    flipPolicyGradient: col(),
    prob: col(),
    discriminator: col(),
    sensitivity: col(),
    polarity: col(),
  };
  for (let r = 0; r < rows; r++) {
    const off = r * vocab;
    let m = -Infinity;
    for (let j = 0; j < vocab; j++) if (x[off + j] > m) m = x[off + j];
    let z = 0,
      sey = 0,
      se2 = 0,
      se2y = 0;
    for (let j = 0; j < vocab; j++) {
      const y = x[off + j] - m;
      if (y === -Infinity) continue;
      const e = Math.exp(y);
      z += e;
      sey += e * y;
      se2 += e * e;
      se2y += e * e * y;
    }
    const ybar = sey / z;
    const h = Math.log(z) - ybar;
    const sbar = Math.max(0, (se2y - ybar * se2) / (z * z));
    const k = tokens[r];
    const yk = x[off + k] - m;
    const pk = yk === -Infinity ? 0 : Math.exp(yk) / z;
    const sk = pk === 0 ? 0 : pk * (yk - ybar);
    out.entropy[r] = h;
    out.meanDiscriminator[r] = sbar;
    out.flipNudge[r] = Math.exp(-h);
    out.flipPolicyGradient[r] = Math.exp(lambertW0(sbar * Math.exp(h)) - h);
    out.prob[r] = pk;
    out.discriminator[r] = sk;
    out.sensitivity[r] = sbar - sk;
    out.polarity[r] = (adv.length === 1 ? adv[0] : adv[r]) * (sbar - sk);
  }
  return out;
}

// The same kernel on logits already in WebAssembly memory (RowsBuffer): no
// copy of the Float32Array into the module, which analyzeRows makes row by row.
const resident = new RowsBuffer(rows, vocab);
resident.view().set(logits);
const impls = {
  wasm: () => analyzeRows(logits, rows, vocab, tokens, advantages),
  'wasm-resident': () => resident.analyze(tokens, advantages),
  js: () => analyzeRowsJs(logits, rows, vocab, tokens, advantages),
};
const maxRelErr = (h) => h.reduce((w, v, i) => Math.max(w, Math.abs((v - reference[i]) / reference[i])), 0);
const accuracy = {};
for (const [name, f] of Object.entries(impls)) {
  const out = f(); // warm-up (and wasm memory growth)
  f();
  accuracy[name] = maxRelErr(out.entropy);
}
// On-CPU time of this process (user + system, s): less sensitive than wall
// time to other processes sharing the cores. Both are reported.
const onCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const times = Object.fromEntries(Object.keys(impls).map((k) => [k, []]));
const cpu = Object.fromEntries(Object.keys(impls).map((k) => [k, []]));
for (let i = 0; i < reps; i++) {
  for (const [name, f] of Object.entries(impls)) {
    const c0 = onCpu();
    const t0 = process.hrtime.bigint();
    f();
    const t1 = process.hrtime.bigint();
    cpu[name].push(onCpu() - c0);
    times[name].push(Number(t1 - t0) / 1e9);
  }
}
const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const n = rows * vocab;
const result = {};
for (const name of Object.keys(impls)) {
  const t = median(times[name]);
  const c = median(cpu[name]);
  result[name] = {
    seconds: t,
    logits_per_s: n / t,
    cpu_seconds: c,
    cpu_logits_per_s: n / c,
    max_rel_entropy_err: accuracy[name],
  };
}
if (json) {
  console.log(JSON.stringify(result));
} else {
  for (const [name, r] of Object.entries(result)) {
    console.log(
      `${name.padEnd(13)} [${rows} x ${vocab}]: median ${(r.seconds * 1e3).toFixed(2)} ms of ${reps} -> ` +
        `${r.logits_per_s.toExponential(3)} logits/s (on-CPU ${r.cpu_logits_per_s.toExponential(3)}); ` +
        `entropy max rel. error vs f64 ${r.max_rel_entropy_err.toExponential(2)}`,
    );
  }
  console.log(
    `wasm / js speed: ${(result.js.seconds / result.wasm.seconds).toFixed(2)}x ` +
      `(on-CPU ${(result.js.cpu_seconds / result.wasm.cpu_seconds).toFixed(2)}x)`,
  );
}
