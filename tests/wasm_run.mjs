// Checks the run binding (src/wasm/run.rs; build first with scripts/build.sh)
// in Node: every example run of www/examples/runs, pushed in odd-sized chunks
// through RunReader, gives the per-step columns of
// tests/fixtures/run_examples_expected.json (plain Python, independent of
// Rust); stepsCsv() and parseStepsCsv() agree; errors are Errors with code,
// file, line and field; correlation, Tokenizer and logitsForPoint work.
//
//   node tests/wasm_run.mjs
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const m = await import(join(root, 'www', 'pkg', 'entropy_polarity.js'));
m.initSync({ module: readFileSync(join(root, 'www', 'pkg', 'entropy_polarity_bg.wasm')) });

let checks = 0;
const fail = (msg) => {
  throw new Error(msg);
};
const ok = (cond, msg) => {
  checks++;
  if (!cond) fail(msg);
};

function files(p) {
  if (statSync(p).isDirectory()) return readdirSync(p).flatMap((f) => files(join(p, f)));
  return /\.(jsonl|safetensors)$/.test(p) ? [p] : [];
}

const runs = join(root, 'www', 'examples', 'runs');
const fixture = JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'run_examples_expected.json'), 'utf8'));
const keys = [
  'step',
  'samples',
  'tokens',
  'meanEntropy',
  'meanProb',
  'tokenTerm',
  'sharePosExpand',
  'sharePosContract',
  'shareNegExpand',
  'shareNegContract',
  'pgPolarity',
  'realisedDh',
  'realisedDhSame',
  'agreeTokenTerm',
  'agreePgPolarity',
];

for (const [name, run] of Object.entries(fixture.runs)) {
  const r = new m.RunReader({ samplesPerStep: 2, extremes: 5 });
  const paths = files(join(runs, run.path)).sort();
  for (const p of paths) {
    const bytes = readFileSync(p);
    r.beginFile(relative(runs, p));
    for (let at = 0; at < bytes.length; at += 333) r.push(bytes.subarray(at, at + 333));
    const f = r.endFile();
    ok(f.format === run.format && f.counted <= f.tokens, `${name}: file summary ${JSON.stringify(f)}`);
  }
  const s = r.summary();
  ok(s.format === run.format && s.files === paths.length, `${name}: summary ${JSON.stringify(s)}`);
  const steps = r.steps();
  ok(steps.step instanceof Float64Array && steps.step.length === run.rows.length, `${name}: steps`);
  run.rows.forEach((row, i) =>
    row.forEach((want, k) => {
      const got = steps[keys[k]][i];
      const good = want === null ? Number.isNaN(got) : Math.abs(got - want) <= 1e-13 * Math.max(Math.abs(want), 1e-2);
      ok(good, `${name} step ${row[0]} ${keys[k]}: got ${got}, want ${want}`);
    }),
  );
  // The CSV reads back to the same columns.
  const back = m.parseStepsCsv(r.stepsCsv());
  for (const k of keys)
    ok(
      back[k].every((v, i) => Object.is(v, steps[k][i])),
      `${name}: CSV round trip ${k}`,
    );
  // The page's download: the same writer, fed the columns back from JavaScript.
  ok(m.writeStepsCsv(steps) === r.stepsCsv(), `${name}: writeStepsCsv(steps()) is stepsCsv()`);
  const d = r.detail();
  ok(d.step.length > 0 && d.whole instanceof Uint8Array && d.file instanceof Uint32Array, `${name}: detail`);
  const pk = (i) => Math.exp(d.logprob[i]);
  ok(
    d.prob.every((p, i) => (Number.isNaN(p) ? Number.isNaN(pk(i)) : Math.abs(p - pk(i)) < 1e-15)),
    `${name}: detail prob`,
  );
  // The same-context scatter: only runs with entropy_after (read off the raw files:
  // a JSONL key or a safetensors tensor name); its numbers are checked natively
  // (tests/native/run_examples.rs) against the Python reference.
  const hasAfter = paths.some((p) => readFileSync(p).includes('"entropy_after"'));
  ok(!run.same_context || hasAfter, `${name}: the fixture has same-context figures, the files no entropy_after`);
  if (hasAfter) {
    ok(s.hasEntropyAfter && d.dhSame instanceof Float64Array && d.point instanceof Uint8Array, `${name}: same-context detail`);
    const sc = r.sameContext();
    ok(sc.overall.n > 0 && sc.overall.n === d.point.reduce((a, b) => a + b, 0), `${name}: sameContext n ${JSON.stringify(sc.overall)}`);
    ok(sc.steps.step instanceof Float64Array && sc.steps.agreement.length === sc.steps.step.length, `${name}: sameContext steps`);
  } else ok(!s.hasEntropyAfter, `${name}: no entropy_after`);
  r.free();
}

// prime-rl's trace streams: the plan (count the annotation chunks first, then read
// in its order), endRun, against the plain-Python fold's table
// (tests/fixtures/prime_traces_expected.json); a bad update is a problem, named.
{
  const traces = JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'prime_traces_expected.json'), 'utf8'));
  const index = JSON.parse(readFileSync(join(runs, 'index.json'), 'utf8'))['prime-rl-traces'];
  const r = new m.RunReader();
  const plan = r.planFiles(index);
  ok(plan && plan.count.length === 3 && plan.read.length === 6 && plan.skipped.length === 0, `trace plan ${JSON.stringify(plan)}`);
  const extra = Buffer.from('{"version":3,"trace_id":"x","info":{},"branches":[]}\n');
  for (const [list, count] of [
    [plan.count, true],
    [plan.read, false],
  ])
    for (const i of list) {
      let bytes = readFileSync(join(runs, index[i]));
      if (index[i].endsWith('trainer/00001.jsonl')) bytes = Buffer.concat([bytes, extra]);
      if (count) r.beginCount(index[i]);
      else r.beginFile(index[i]);
      for (let at = 0; at < bytes.length; at += 777) r.push(bytes.subarray(at, at + 777));
      ok(r.endFile().format === 'prime-rl-traces', `${index[i]}: format`);
    }
  r.endRun();
  const s = r.summary();
  ok(s.format === 'prime-rl-traces' && s.files === 6 && s.problemsTotal === 1, `trace summary ${JSON.stringify(s)}`);
  const [p] = s.problems;
  ok(
    p.code === 'version' && p.field === 'version' && p.file.endsWith('trainer/00001.jsonl') && p.line === 23,
    `trace problem ${JSON.stringify(p)}`,
  );
  const steps = r.steps();
  traces.rows.forEach((row, i) =>
    row.forEach((want, k) => {
      const got = steps[keys[k]][i];
      ok(
        want === null ? Number.isNaN(got) : Math.abs(got - want) <= 1e-12 * Math.max(Math.abs(want), 1),
        `traces step ${row[0]} ${keys[k]}: ${got} vs ${want}`,
      );
    }),
  );
  ok(m.RunReader.prototype.planFiles.call(new m.RunReader(), ['a/step_0/rank_0.jsonl']) === null, 'token exports: no plan');
  throws(() => new m.RunReader().planFiles('stream/00000.jsonl'), 'type', { field: 'paths' });
  r.free();
}

// Errors: an Error with code, file, line and field.
function throws(fn, code, props) {
  try {
    fn();
  } catch (e) {
    ok(e instanceof Error && e.code === code, `expected ${code}, got ${e.code}: ${e.message}`);
    for (const [k, v] of Object.entries(props)) ok(e[k] === v, `${code}: ${k} = ${e[k]}, want ${v} (${e.message})`);
    return e;
  }
  fail(`expected an error ${code}`);
}
const enc = new TextEncoder();
const line = (extra) =>
  `{"trace":"entropy-polarity","version":1,"step":0,"sample":0,"logprob":[-0.5,-1],"entropy":[1,1],"advantage":1${extra}}\n`;
let r = new m.RunReader();
r.beginFile('t/run.jsonl');
r.push(enc.encode(line('')));
throws(() => r.push(enc.encode(line(',"token_id":[1,2,3]'))), 'lengths', { file: 't/run.jsonl', line: 2, field: 'token_id' });
r = new m.RunReader();
r.beginFile('t/run.jsonl');
throws(() => r.push(enc.encode('nope, not JSON\n')), 'not-json', { file: 't/run.jsonl', line: 1, field: null });
throws(() => new m.RunReader().endFile(), 'state', {});
throws(() => new m.RunReader().beginFile('slice.npy'), 'logit-slice', { file: 'slice.npy', line: null });
throws(() => new m.RunReader({ samplesPerStp: 3 }), 'unknown-option', { field: 'samplesPerStp' });
throws(() => new m.RunReader({ extremes: -1 }), 'range', { field: 'extremes' });
throws(() => m.parseStepsCsv('step,samples\n'), 'csv', { line: 1 });

// correlation: y = 2x + 1 on the finite pairs; ties share ranks.
const c = m.correlation(new Float64Array([1, 2, 3, Number.NaN]), new Float64Array([3, 5, 7, 0]));
ok(c.n === 3 && Math.abs(c.pearson - 1) < 1e-15 && Math.abs(c.spearman - 1) < 1e-15, `correlation ${JSON.stringify(c)}`);

// The per-step CSV by column name (issue 19): a quoted header is one; an
// unknown column is a note; stepEvidence leaves out a gap (steps 0 1 3).
const head =
  'step,samples,tokens,mean_entropy,mean_prob,token_term,share_pos_expand,share_pos_contract,share_neg_expand,share_neg_contract,pg_polarity,realised_dh';
ok(
  m.isStepsCsv(
    head
      .split(',')
      .map((c) => `"${c}"`)
      .join(', '),
  ) && !m.isStepsCsv('token,logit'),
  'isStepsCsv',
);
const noted = m.parseStepsCsv(`${head},lr\n0,1,2,1,0.5,0.1,1,0,0,0,,0.2,9\n1,1,2,1,0.5,0.3,1,0,0,0,,0.1,9\n3,1,2,1,0.5,0.2,1,0,0,0,,,9\n`);
ok(noted.notes.length === 1 && /lr/.test(noted.notes[0]), `notes ${noted.notes}`);
const ev = m.stepEvidence(noted);
ok(
  ev.n === 1 && [...ev.gaps].join() === '1' && [...ev.used].join() === '0' && ev.stride === 1,
  `stepEvidence ${JSON.stringify({ ...ev, gaps: [...ev.gaps] })}`,
);

// Tokenizer: byte-level, a character split across two tokens.
const t = m.Tokenizer.fromJson('{"model":{"vocab":{"Hello":0,"Ġworld":1,"Ã":2,"©":3}},"decoder":{"type":"ByteLevel"}}');
const dec = t.decode(new Uint32Array([0, 1, 2, 3]));
ok(JSON.stringify(dec) === JSON.stringify(['Hello', ' world', '', 'é']), `decode ${JSON.stringify(dec)}`);
ok(t.decodeText(new Uint32Array([0, 2, 3])) === 'Helloé', 'decodeText');

// logitsForPoint: token 0 at p, entropy H, checked with Distribution.
const l = m.logitsForPoint(0.3, 1.7);
const dist = m.Distribution.fromLogits(l);
ok(Math.abs(dist.probs()[0] - 0.3) < 1e-12 && Math.abs(dist.entropy - 1.7) < 1e-9, 'logitsForPoint');
ok(m.logitsForPoint(0.5, 0.01) === null, 'unreachable point');
// standIn: the same, H raised to h(p) (here ln 2) or lowered to what maxVocab tokens reach.
for (const [p, H, max, want] of [
  [0.3, 1.7, 2 ** 15, 1.7],
  [0.5, 0.01, 2 ** 15, Math.LN2],
  [0.01, 20, 100, -0.01 * Math.log(0.01) - 0.99 * Math.log(0.99 / 99)],
]) {
  const s = m.standIn(p, H, max);
  const d = m.Distribution.fromLogits(s.logits);
  ok(Math.abs(s.entropy - want) < 1e-12 && Math.abs(d.entropy - want) < 1e-9 && Math.abs(d.probs()[0] - p) < 1e-12, `standIn(${p}, ${H})`);
  ok(s.vocab === s.logits.length && s.vocab <= max, `standIn vocab ${s.vocab}`);
}
ok(m.standIn(0, 1, 100) === null && m.standIn(0.5, -1, 100) === null, 'standIn outside (0, 1) or H < 0');
throws(() => m.standIn(0.5, 1, 2), 'range', { field: 'maxVocab' });
throws(() => m.writeStepsCsv({ step: [0, 1] }), 'type', { field: 'step' });

// Arguments of the wrong type or range are Errors with code and field, never a
// trap or a silent zero (issue 19): a negative vocab, a number for a string, a
// string for bytes.
throws(() => m.logitsForPoint(0.5, 3, -5), 'range', { field: 'vocab' });
throws(() => m.logitsForPoint(0.5, 3, 2.5), 'range', { field: 'vocab' });
throws(() => m.logitsForPoint(0.5, 3, 2 ** 40), 'range', { field: 'vocab' });
ok(m.logitsForPoint('x', 3) === null, 'logitsForPoint of a string p is null');
throws(() => m.parseStepsCsv(42), 'type', { field: 'text' });
r = new m.RunReader();
throws(() => r.beginFile(42), 'type', { field: 'path' });
r.beginFile('t/run.jsonl');
throws(() => r.push('text'), 'type', { field: 'bytes' });
throws(() => r.push([123, 10]), 'type', { field: 'bytes' });
throws(() => m.correlation(42, new Float64Array(1)), 'type', { field: 'x' });
throws(() => m.Tokenizer.fromJson(42), 'type', { field: 'text' });
throws(() => t.decode('abc'), 'type', { field: 'ids' });
throws(() => t.decode([1.5]), 'range', { field: 'ids[0]' });
ok(t.decode([0]).length === 1, 'decode takes an array of ids');
// The explorer's update kind: a number is a type Error (wasm-bindgen's own string
// conversion traps on it).
const d1 = m.Distribution.fromLogits(new Float64Array([0, 1]));
throws(() => d1.firstOrder(0, 42, 0.1), 'type', { field: 'kind' });
ok(Number.isFinite(d1.firstOrder(0, 'pg', 0.1)), 'firstOrder with a kind');
// The slice readers' names and bytes, likewise.
throws(() => m.parseSlice(42, new Uint8Array(2)), 'type', { field: 'name' });
throws(() => m.parseSlice('a.json', '[1, 2]'), 'type', { field: 'bytes' });
throws(() => m.readHeader('a.npy', 'text', 4), 'type', { field: 'prefix' });
// A file that is not a run file says so (err.foreign), so a reader of a folder can skip it.
ok(throws(() => new m.RunReader().beginFile('slice.npy'), 'logit-slice', {}).foreign === true, 'foreign');

console.log(`wasm_run.mjs: ${checks} checks passed`);
