// The speed table of issue 23 in one run: this project against the tools a
// researcher would pick instead, each pair measured in this run, one after
// the other, so that their ratio means something on a shared machine.
//
//   node bench/table.mjs [--gb 0.5] [--steps 10] [--rows 3500] [--vocab 152064]
//                        [--rounds 1] [--run DIR] [--only run,slice,kernel] [--json FILE]
//
// Defaults are the sizes: a 0.5 GB prime-rl run (bench/make_big_run.py)
// and a 2.1 GB .npy of 3,500 × 152,064 float32. For a quick loop:
//   node bench/table.mjs --gb 0.05 --steps 4 --rows 300 --rounds 1
//
// Sections (each a program of its own, run from here):
//   run     bench/run_steps_bench.py --page: the run panel in Chromium (files
//           picked on run-upload, timed until the correlation is drawn) against
//           DuckDB's run_steps.py, polars (if installed), json + NumPy, and the
//           same Rust reader natively (CPU time); every table must equal DuckDB's.
//   slice   bench/slice_pool.mjs: the slice page with default settings against
//           the browser's raw read of the same File (the floor) and NumPy.
//   kernel  bench/rows.mjs (wasm) against bench/rows_numpy.py (fused-log1p,
//           the fastest NumPy formulation accurate to 1e-5), [64 × 152,064].
// Each also reports the main thread's long tasks during the loads and the
// renderer's memory once the big input is replaced by a small one.
//
// Needs: scripts/build.sh (www/pkg), cargo, python3 with numpy and duckdb.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg, tmpdir, cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const gb = opt('--gb', '0.5');
const steps = opt('--steps', '10');
const rows = opt('--rows', '3500');
const vocab = opt('--vocab', '152064');
const rounds = opt('--rounds', '1');
const only = opt('--only', 'run,slice,kernel').split(',');
const jsonOut = opt('--json', null);

const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const say = (s) => process.stderr.write(`${s}\n`);

/** Runs a program, its stderr passed through; returns the last line of its stdout. */
function run(cmd, argv, env = {}) {
  say(`$ ${cmd} ${argv.join(' ')}`);
  const p = spawnSync(cmd, argv, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 30,
  });
  if (p.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (exit ${p.status})`);
  const out = p.stdout.toString().trim().split('\n');
  for (const l of out.slice(0, -1)) say(`    ${l}`);
  return out.at(-1);
}

if (!existsSync(join(root, 'www', 'pkg', 'entropy_polarity_bg.wasm')))
  throw new Error('www/pkg is missing: run bash scripts/build.sh first');
const out = { machine: `${cpus().length} × ${cpus()[0]?.model}`, started: new Date().toISOString(), load_start: load() };
const table = [];
const s = (x) => `${x.toFixed(2)} s`;
const tmp = mkdtempSync(join(tmpdir(), 'ep-table-'));
try {
  if (only.includes('run')) {
    say(`-- run section; load average ${load()}`);
    execFileSync('cargo', ['build', '--release', '--example', 'run_steps'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    let dir = opt('--run', null);
    if (!dir) {
      dir = join(tmp, 'run');
      run('python3', ['bench/make_big_run.py', dir, '--gb', gb, '--steps', steps]);
    }
    const r = JSON.parse(
      run('python3', [
        'bench/run_steps_bench.py',
        dir,
        '--page',
        '--rounds',
        rounds,
        '--json',
        '--only',
        'duckdb,polars,json-numpy,native,page',
      ]),
    );
    out.run = r;
    const I = r.impls;
    const mb = r.bytes / 1e9;
    const page = I.page.wall;
    const alt = (name) =>
      I[name]
        ? `${s(I[name].wall)} wall (${I[name].cpu.toFixed(2)} s CPU)`
        : `not installed here (pip install ${name === 'polars' ? 'polars' : name})`;
    const longest = Math.max(...r.page.map((p) => p.longest_task_ms));
    const MiB = (b) => `${Math.round(b / 2 ** 20)} MiB`;
    table.push([
      `a ${mb.toFixed(2)} GB prime-rl run, ${r.files} files (load average ${r.loadavg_start.map((x) => x.toFixed(1)).join(' ')} → ${r.loadavg_end.map((x) => x.toFixed(1)).join(' ')})`,
      `run panel ${s(page)} (${Math.round(r.bytes / 1e6 / page)} MB/s); native core ${I.native.cpu.toFixed(2)} s CPU`,
      `DuckDB run_steps.py ${alt('duckdb')}; polars ${alt('polars')}; json + NumPy ${alt('json-numpy')}`,
      `page ÷ DuckDB wall **${(page / I.duckdb.wall).toFixed(2)}** (target ≤ 1); DuckDB CPU ÷ native CPU **${(I.duckdb.cpu / I.native.cpu).toFixed(2)}** (target ≥ 2)` +
        (I.polars ? `; page ÷ polars ${(page / I.polars.wall).toFixed(2)}` : '') +
        `; page ÷ json+NumPy ${(page / I['json-numpy'].wall).toFixed(2)}` +
        `; longest main-thread task ${Math.round(longest)} ms; renderer ${MiB(r.page[0].rss_idle)} idle, ${MiB(r.page[0].rss_peak)} peak, ${MiB(r.page.at(-1).rss_replaced)} once replaced`,
    ]);
  }

  if (only.includes('slice')) {
    say(`-- slice section; load average ${load()}`);
    const r = JSON.parse(run('node', ['bench/slice_pool.mjs', rows, vocab, '--rounds', rounds, '--quick', '--json']));
    out.slice = r;
    const page = median(r.page) / 1000;
    const floor = r.floor.ms / 1000;
    const np = median(r.numpy) / 1000;
    const MiB = (b) => `${Math.round(b / 2 ** 20)} MiB`;
    table.push([
      `a ${(r.bytes / 2 ** 30).toFixed(2)} GiB .npy (${r.rows} × ${r.vocab}) in the slice panel (load average ${r.loadavg_start.map((x) => x.toFixed(1)).join(' ')} → ${r.loadavg_end.map((x) => x.toFixed(1)).join(' ')})`,
      `slice page, default settings, ${s(page)}; ?workers=1 ${s(median(r.page_workers1) / 1000)}`,
      `raw read of the same File (${r.floor.key}) ${s(floor)}; NumPy script ${s(np)}`,
      `page ÷ raw **${(page / floor).toFixed(2)}** (target ≤ 1.15); page ÷ NumPy ${(page / np).toFixed(2)}; longest main-thread task ${Math.round(r.longest_task_ms)} ms; renderer ${MiB(r.rss_idle)} idle, peak rise ${MiB(Math.max(...r.rise))}, ${MiB(r.rss_replaced)} once replaced`,
    ]);
  }

  if (only.includes('kernel')) {
    say(`-- kernel section; load average ${load()}`);
    const data = join(tmp, 'rows');
    const l0 = load();
    execFileSync('cargo', ['bench', '--bench', 'rows', '--', '--write-data', data, '--reps', '1'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const reps = '5';
    const w = JSON.parse(run('node', ['bench/rows.mjs', '--data', data, '--json', '--reps', reps]));
    // The environment may tune OpenBLAS for another machine: not for this run.
    const np = JSON.parse(
      run('python3', ['bench/rows_numpy.py', '--data', data, '--json', '--reps', reps], { OPENBLAS_CORETYPE: '', OPENBLAS_L2_SIZE: '' }),
    );
    out.kernel = { wasm: w, numpy: np };
    const acc = Object.entries(np).filter(([, v]) => v.accurate);
    const [bestName, best] = acc.sort((a, b) => a[1].cpu_seconds - b[1].cpu_seconds)[0] ?? [null, null];
    table.push([
      `the row kernel alone, [64 × 152,064] f32, one core (load average ${l0} → ${load()})`,
      `wasm ${(w.wasm.cpu_logits_per_s / 1e9).toFixed(2)} G logits/s on-CPU (in wasm memory: ${(w['wasm-resident'].cpu_logits_per_s / 1e9).toFixed(2)})`,
      best
        ? `NumPy ${bestName} ${(best.cpu_logits_per_s / 1e9).toFixed(2)} G logits/s on-CPU (within 1e-5)`
        : 'no NumPy formulation within 1e-5',
      best ? `wasm ÷ NumPy **${(w.wasm.cpu_logits_per_s / best.cpu_logits_per_s).toFixed(2)}×** on-CPU` : '',
    ]);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

out.load_end = load();
console.log(`\n${out.machine}; load average ${out.load_start} at the start, ${out.load_end} at the end\n`);
console.log('| work | this project | the alternative, same run | ratio |');
console.log('|---|---|---|---|');
for (const r of table) console.log(`| ${r.join(' | ')} |`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(out, null, 1));
