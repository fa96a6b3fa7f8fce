// End to end: the hostile inputs of the upload sweep (issue 9), each answered
// on the page with a message that names what is wrong, and none hanging the
// tab. Expected numbers are computed here from closed forms, apart from the
// wasm core. Uses only the harness's page subset (evaluate, waitForFunction,
// setInputFiles, click, textContent, goto).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { open } from './harness.mjs';
import { useEnv } from './hooks.mjs';
import { upload, errorText } from './slice-page.mjs';

const env = useEnv({ tmp: 'ep-hostile-' });

const EXAMPLES = new URL('../www/examples/', import.meta.url).pathname;

/** A .npy v1 file. */
function npy(descr, shape, payload) {
  let h = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  h += ' '.repeat(63 - ((10 + h.length) % 64)) + '\n';
  const head = Buffer.alloc(10);
  Buffer.from('\x93NUMPY', 'latin1').copy(head);
  head[6] = 1;
  head.writeUInt16LE(h.length, 8);
  return Buffer.concat([head, Buffer.from(h, 'latin1'), payload]);
}

function f64le(values) {
  const b = Buffer.alloc(8 * values.length);
  values.forEach((v, i) => b.writeDoubleLE(v, 8 * i));
  return b;
}

async function file(name, bytes) {
  const path = join(env.tmp, name);
  await writeFile(path, bytes);
  return path;
}

const warnings = (page) =>
  page.evaluate(() => [...document.querySelectorAll('[data-testid="slice-warnings"] li')].map((l) => l.textContent).join('\n'));
/** The table's cells of column `col` (data-col), in display order. */
const column = (page, col) =>
  page.evaluate((c) => [...document.querySelectorAll(`[data-testid="slice-row"] [data-col="${c}"]`)].map((td) => td.textContent), col);

test('float64 logits near 1e8 keep their differences; a finite 1e300 is read', async () => {
  const { page, context, problems } = await open(env.browser, `${env.base}/`);
  // H of softmax([0, 1, 2, 3]) in closed form (shift-invariant): ln Z − Σ p y + max.
  const y = [0, 1, 2, 3];
  const Z = y.reduce((a, v) => a + Math.exp(v), 0);
  const H = Math.log(Z) - y.reduce((a, v) => a + (Math.exp(v) / Z) * v, 0);
  assert.ok(Math.abs(H - 0.9475369639754256) < 1e-15); // Python decimal, 40 digits
  const path = await file('near1e8.npy', npy('<f8', '(4,)', f64le([1e8, 1e8 + 1, 1e8 + 2, 1e8 + 3])));
  assert.equal(await upload(page, path), 'ready', await errorText(page));
  const [h] = await column(page, 'H');
  assert.ok(Math.abs(Number(h) - H) < 1e-4, `H shown ${h}, truth ${H} (ln 4 = 1.386 would be the float32 cut)`);
  assert.match(await warnings(page), /Row 0 of the float64 logits .*shifted by its maximum/);
  const big = await file('e300.npy', npy('<f8', '(2, 2)', f64le([0, 1, 1e300, 2])));
  assert.equal(await upload(page, big), 'ready', await errorText(page));
  assert.match(await warnings(page), /row 1, column 1, 2\) lie more than 3\.4e38 below/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('wrong-reason inputs now get the right reason', async () => {
  const { page, context, problems } = await open(env.browser, `${env.base}/`);
  const cases = [
    // A safetensors header length of 2^63: too large, not "does not start like one".
    [
      'huge.safetensors',
      Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 0, 0, 0x80]), Buffer.from('{"a": 1}')]),
      /header is 9223372036854775808 bytes long, over the 100000000-byte limit/,
    ],
    ['deep.json', Buffer.from('[[[1, 2], [3, 4]]]'), /row 0, column 0 is itself an array/],
    ['neg.npy', npy('<f4', '(3, -1)', Buffer.alloc(16)), /'shape' is \(3, -1\).*-1 is not/],
    [
      'dup.safetensors',
      (() => {
        const h = Buffer.from(
          '{"logits":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"logits":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}',
        );
        const n = Buffer.alloc(8);
        n.writeBigUInt64LE(BigInt(h.length));
        return Buffer.concat([n, h, Buffer.alloc(16)]);
      })(),
      /lists the tensor "logits" twice/,
    ],
  ];
  for (const [name, bytes, want] of cases) {
    assert.equal(await upload(page, await file(name, bytes)), 'error', name);
    const e = await errorText(page);
    assert.match(e, want, `${name}: ${e}`);
    assert.doesNotMatch(e, /does not start like one|shape \(\)/, name);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('top_logprobs: a lone surrogate marks one token, two choices are shown, nulls and repeats are named', async () => {
  const { page, context, problems } = await open(env.browser, `${env.base}/`);
  const entry = (t, lp, top) =>
    `{"token": "${t}", "logprob": ${lp}, "top_logprobs": [${top.map(([a, b]) => `{"token": "${a}", "logprob": ${b}}`).join(', ')}]}`;
  const chat = (...choices) => `{"choices": [${choices.map((c) => `{"logprobs": {"content": [${c.join(', ')}]}}`).join(', ')}]}`;
  const surrogate = chat([
    entry('a', -0.5, [
      ['a', -0.5],
      ['b', -1.5],
    ]),
    entry('x\\ud800', -0.25, [
      ['x\\ud800', -0.25],
      ['y', -2],
    ]),
  ]);
  assert.equal(await upload(page, await file('surrogate.json', surrogate)), 'ready', await errorText(page));
  assert.match((await column(page, 'token'))[1], /“x\uFFFD”/);
  assert.match(await warnings(page), /lone UTF-16 surrogate[\s\S]*position 1, token "x\uFFFD"/);

  const two = chat(
    [
      entry('a', -0.5, [
        ['a', -0.5],
        ['b', -1.5],
      ]),
      entry('b', -0.7, [
        ['b', -0.7],
        ['a', -1],
      ]),
    ],
    [
      entry('c', null, [
        ['c', null],
        ['c', -3],
        ['d', -0.1],
      ]),
    ],
  );
  assert.equal(await upload(page, await file('two.json', two)), 'ready', await errorText(page));
  assert.deepEqual(await column(page, 'choice'), ['0', '0', '1']);
  assert.match(await page.textContent('[data-testid="slice-choices"]'), /2 choices.*choice 0 from row 0, choice 1 from row 2/);
  const w = await warnings(page);
  assert.match(w, /rows 0–1 are choice 0, row 2 is choice 1/);
  assert.match(w, /2 logprob\(s\) are null .*position 2, token "c"/);
  assert.match(w, /share their text .*position 2, token "c" with logprobs -3 and -inf/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a long JSON parse cancels at once and the next file loads at once', async () => {
  const { page, context, problems } = await open(env.browser, `${env.base}/`);
  assert.equal(await upload(page, join(EXAMPLES, 'slice.json')), 'ready');
  // ~120 MB of JSON rows: seconds of parsing in one wasm call.
  const row = `[${Array.from({ length: 1000 }, (_, j) => (Math.sin(j) * 7).toFixed(6)).join(',')}]`;
  const big = await file('big.json', `[${Array(12_000).fill(row).join(',\n')}]`);
  await page.setInputFiles('[data-testid="upload"]', big);
  await page.waitForFunction(() => /Parsing/.test(document.querySelector('.slice-progress-text').textContent), null, {
    polling: 20,
    timeout: 30000,
  });
  const cancelMs = await page.evaluate(async () => {
    const t0 = performance.now();
    document.querySelector('[data-testid="cancel"]').click();
    while (document.getElementById('slices').dataset.sliceState !== 'cancelled') await new Promise((ok) => setTimeout(ok, 5));
    return performance.now() - t0;
  });
  assert.ok(cancelMs < 2000, `cancel took ${cancelMs} ms`);
  assert.match(await page.textContent('[data-testid="slice-status"]'), /Cancelled; kept the previous slice \(slice\.json\)/);
  // A file picked during a long parse starts at once (the old load is dropped).
  await page.setInputFiles('[data-testid="upload"]', big);
  await page.waitForFunction(() => /Parsing/.test(document.querySelector('.slice-progress-text').textContent), null, {
    polling: 20,
    timeout: 30000,
  });
  const t0 = Date.now();
  assert.equal(await upload(page, join(EXAMPLES, 'slice.csv')), 'ready');
  const nextMs = Date.now() - t0;
  assert.ok(nextMs < 5000, `the next file took ${nextMs} ms`);
  assert.equal(await page.textContent('[data-testid="slice-shape"]'), '6 × 30');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the custom element clamps height="1e9" and drops its caption on an error', async () => {
  const { page, context, problems } = await open(env.browser, `${env.base}/docs-example.html`, { ready: false });
  await page.waitForFunction(() => document.getElementById('likely')?.values);
  const t0 = Date.now();
  const drawn = await page.evaluate(async () => {
    const el = document.getElementById('likely');
    el.setAttribute('height', '1e9');
    await new Promise((ok) => el.addEventListener('rendered', ok, { once: true }));
    const c = el.shadowRoot.querySelector('canvas');
    return { width: c.width, height: c.height, css: c.getBoundingClientRect().height };
  });
  assert.ok(Date.now() - t0 < 5000, 'the page answered');
  assert.ok(drawn.height <= 4096 && drawn.width <= 4096, JSON.stringify(drawn));
  assert.ok(Math.abs(drawn.css - 2000) < 1, `CSS height ${drawn.css}, clamped to 2000`);
  const after = await page.evaluate(async () => {
    const el = document.getElementById('likely');
    el.setAttribute('logits', '1,nope,2');
    await new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
    const root = el.shadowRoot;
    return {
      caption: root.querySelector('.readout').textContent,
      error: root.querySelector('.error').hidden ? '' : root.querySelector('.error').textContent,
      values: el.values,
      canvasHidden: root.querySelector('canvas').hidden,
    };
  });
  assert.equal(after.caption, '', 'no stale caption beside the error');
  assert.ok(after.error.length > 0);
  assert.equal(after.values, null);
  assert.equal(after.canvasHidden, true);
  // Errors in the console are the element's own (none expected).
  assert.deepEqual(problems, [], `console and page errors: ${JSON.stringify(problems)}`);
  await context.close();
});
