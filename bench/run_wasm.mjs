// The run reader as the page's worker runs it (the wasm RunReader), in Node,
// without a browser: the files of a run folder are read into memory once,
// then pushed in 1 MiB chunks, `reps` times; reports the median wall and
// on-CPU time and MB/s. For comparing builds of the module (opt-level) and
// the native reader (`cargo run --release --example run_steps -- DIR --time`).
//
//   node bench/run_wasm.mjs DIR [--pkg www/pkg] [--reps 3] [--json]
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const dir = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (!dir) throw new Error('usage: node bench/run_wasm.mjs DIR [--pkg DIR] [--reps N] [--json]');
const pkg = resolve(opt('--pkg', join(here, '..', 'www', 'pkg')));
const reps = Number(opt('--reps', '3'));

const m = await import(join(pkg, 'entropy_polarity.js'));
const wasm = readFileSync(join(pkg, 'entropy_polarity_bg.wasm'));
m.initSync({ module: wasm });

const walk = (p) => (statSync(p).isDirectory() ? readdirSync(p).flatMap((f) => walk(join(p, f))) : /\.jsonl$/.test(p) ? [p] : []);
const files = walk(dir)
  .sort()
  .map((p) => ({ path: relative(dir, p), bytes: readFileSync(p) }));
const total = files.reduce((s, f) => s + f.bytes.length, 0);
const CHUNK = 1 << 20;

const walls = [];
const cpus = [];
let csv = '';
for (let r = 0; r < reps; r++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const reader = new m.RunReader({ samplesPerStep: 4, extremes: 20 });
  for (const f of files) {
    reader.beginFile(f.path);
    for (let at = 0; at < f.bytes.length; at += CHUNK) reader.push(f.bytes.subarray(at, at + CHUNK));
    reader.endFile();
  }
  csv = reader.stepsCsv?.() ?? '';
  reader.free();
  walls.push((performance.now() - t0) / 1000);
  const c = process.cpuUsage(c0);
  cpus.push((c.user + c.system) / 1e6);
}
const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const res = {
  pkg,
  wasm_bytes: wasm.length,
  bytes: total,
  files: files.length,
  wall: median(walls),
  cpu: median(cpus),
  csv_bytes: csv.length,
};
if (args.includes('--json')) console.log(JSON.stringify(res));
else
  console.log(
    `${files.length} files, ${(total / 1e6).toFixed(1)} MB: median of ${reps} ${res.wall.toFixed(3)} s wall, ${res.cpu.toFixed(3)} s CPU ` +
      `(${(total / 1e6 / res.cpu).toFixed(0)} MB/s on-CPU); module ${wasm.length} bytes`,
  );
