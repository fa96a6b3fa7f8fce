// The run panel under the hostile inputs of issue 19's sweep (page-side items
// 1, 2, 4, 7, 9 and 11), each generated here: per-step CSVs with quoted,
// spaced, misspelt and extra headers, unordered steps, out-of-range cells, a
// 5 MB cell and 100,000 rows; a trace of 20,000 steps; traces without
// token_id, with a 10 MB env_name and with p = 2e−9 at H = 13.8; tokenizers
// that do not fit. Three page loads in all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { open } from './harness.mjs';
import { useEnv } from './hooks.mjs';
import { upload } from './run-page.mjs';

const RUNS = new URL('../www/examples/runs/', import.meta.url).pathname;
const INDEX = JSON.parse(await readFile(join(RUNS, 'index.json'), 'utf8'));
const files = (name) => INDEX[name].map((p) => join(RUNS, p));
const OLD_HEADER =
  'step,samples,tokens,mean_entropy,mean_prob,token_term,share_pos_expand,share_pos_contract,share_neg_expand,share_neg_contract,pg_polarity,realised_dh';

const env = useEnv({ tmp: 'ep-run-hostile-' });

const text = (page, id) =>
  page.evaluate((t) => {
    const e = document.querySelector(`[data-testid="${t}"]`);
    return e.hidden ? '' : e.textContent;
  }, id);
const longest = async (page) => Number(await page.getAttribute('#run', 'data-longest-ms'));
/** SVG elements the run view draws (charts and scatters). */
const svgNodes = (page) => page.evaluate(() => document.querySelectorAll('#run svg *').length);

async function write(name, body) {
  const path = join(env.tmp, name);
  await writeFile(path, body);
  return path;
}

/** A per-step row of the 12 columns; `tt` the token term, `dh` the realised ΔH. */
const row = (step, tt, dh, extra = {}) => {
  const r = {
    step,
    samples: 4,
    tokens: 40,
    mean_entropy: 2,
    mean_prob: 0.3,
    token_term: tt,
    s: '0.25,0.25,0.25,0.25',
    pg: '',
    dh,
    ...extra,
  };
  return `${r.step},${r.samples},${r.tokens},${r.mean_entropy},${r.mean_prob},${r.token_term},${r.s},${r.pg},${r.dh}`;
};
const csv = (rows, header = OLD_HEADER) => `${header}\n${rows.join('\n')}\n`;
const ROWS = [row(0, 0.02, -0.3), row(1, -0.01, 0.2), row(2, 0.005, -0.1), row(3, 0.03, 0.05), row(4, -0.004, '')];

test('per-step CSVs: headers by name, validated cells, and big ones', async () => {
  const { page, problems, context } = await open(env.browser, `${env.base}/`);
  const plain = await write('plain.csv', csv(ROWS));
  assert.equal(await upload(page, [plain]), 'ready', await text(page, 'run-error'));
  const want = await page.getAttribute('[data-testid="run-correlation"]', 'data-pearson');

  // item 7: pandas QUOTE_ALL / Excel quoting, ", " separators, an extra column
  const quote = (l) =>
    l
      .split(',')
      .map((c) => `"${c}"`)
      .join(',');
  const spaced = (l) => l.replaceAll(',', ', ');
  for (const [name, body] of [
    ['quoted.csv', csv(ROWS.map(quote), quote(OLD_HEADER)).replaceAll('\n', '\r\n')],
    ['spaced.csv', csv(ROWS.map(spaced), spaced(OLD_HEADER))],
    [
      'extra.csv',
      csv(
        ROWS.map((r) => `${r},3e-6`),
        `${OLD_HEADER},learning_rate`,
      ),
    ],
  ]) {
    assert.equal(await upload(page, [await write(name, body)]), 'ready', `${name}: ${await text(page, 'run-error')}`);
    assert.equal(await page.getAttribute('[data-testid="run-status"]', 'data-format'), 'steps-csv', name);
    assert.equal(await page.getAttribute('[data-testid="run-correlation"]', 'data-pearson'), want, name);
  }
  assert.match(await text(page, 'run-status'), /column 13 \("learning_rate"\) is not a per-step column: it is ignored/);
  // a misspelt column is named, not taken for a logit slice or a token file
  const misspelt = await write('misspelt.csv', csv(ROWS, OLD_HEADER.replace('mean_entropy', 'mean_entrpy')));
  assert.equal(await upload(page, [misspelt]), 'error');
  assert.match(await text(page, 'run-error'), /misspelt\.csv.*column 4 is "mean_entrpy".*is it mean_entropy\?/);

  // item 9: steps out of order, cells out of range
  for (const [name, rows, pattern] of [
    [
      'unordered.csv',
      [row(3, 0.1, 0.1), row(0, 0.1, 0.1), row(5, 0.1, 0.1), row(0, 0.1, 0.1), row(1, 0.1, '')],
      /line 3.*step 0 comes after step 3/,
    ],
    ['share.csv', [row(0, 0.1, 0.1, { s: '7,0.25,0.25,0.25' })], /line 2.*share_pos_expand is 7: it must be a share, from 0 to 1/],
    ['prob.csv', [row(0, 0.1, 0.1, { mean_prob: -3 })], /line 2.*mean_prob is -3/],
    ['fraction.csv', [row(0, 0.1, 0.1, { tokens: 1.5 })], /line 2.*tokens is 1.5: it must be a whole number/],
  ]) {
    assert.equal(await upload(page, [await write(name, csv(rows))]), 'error', name);
    assert.match(await text(page, 'run-error'), pattern, name);
  }
  // a constant token term: say that no correlation can be computed
  const flat = await write('flat.csv', csv([row(0, 0.01, 0.1), row(1, 0.01, -0.2), row(2, 0.01, 0.3), row(3, 0.01, '')]));
  assert.equal(await upload(page, [flat]), 'ready');
  assert.match(await text(page, 'run-correlation'), /No correlation can be computed: the mean token term is the same at all 3 steps used/);
  assert.doesNotMatch(await text(page, 'run-correlation'), /r = —/);

  // item 11: a 5 MB cell is not copied into the error box
  const huge = await write('huge-cell.csv', csv([row(0, 0.1, 0.1, { mean_entropy: `${'9'.repeat(5 << 20)}x` })]));
  assert.equal(await upload(page, [huge]), 'error');
  const message = await text(page, 'run-error');
  assert.ok(message.length < 500, `the error box holds ${message.length} characters`);
  assert.match(message, /mean_entropy/);

  // item 2: 100,000 steps draw a bounded number of SVG nodes, in small tasks
  const many = [];
  for (let i = 0; i < 100000; i++) many.push(row(i, Math.sin(i) * 0.01, i + 1 < 100000 ? Math.cos(i) * 0.1 : ''));
  await page.evaluate(() => (document.getElementById('run').dataset.longestMs = '0'));
  assert.equal(await upload(page, [await write('long.csv', csv(many))]), 'ready', await text(page, 'run-error'));
  await page.waitForFunction(() => document.querySelector('[data-testid="run-scatter"] .pt'));
  const nodes = await svgNodes(page);
  assert.ok(nodes < 3000, `${nodes} SVG nodes for 100,000 steps`);
  await page.click('.run-table-box summary');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="run-steps-table"] tbody tr').length > 0);
  const rows = await page.evaluate(() => document.querySelectorAll('[data-testid="run-steps-table"] tbody tr').length);
  assert.ok(rows <= 1001, `${rows} table rows`);
  assert.match(await text(page, 'run-steps-table'), /and 99,000 more steps: the downloaded CSV has them all/);
  const ms = await longest(page);
  console.log(`# 100,000-row CSV: ${nodes} SVG nodes, ${rows} table rows, the panel's longest task ${ms} ms`);
  assert.ok(ms < 1000, `the panel held the main thread for ${ms} ms`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('20,000 steps and 3,000 files: filters and jumps in linear time, bounded options, short tasks', async () => {
  const { page, problems, context } = await open(env.browser, `${env.base}/`);
  // 4 one-token samples per step (the sweep's case: quadratic in steps before)
  const N = 20000;
  const lines = [];
  for (let step = 0; step < N; step++)
    for (let sample = 0; sample < 4; sample++) {
      const lp = -0.1 - ((step * 7 + sample) % 13) / 4;
      lines.push(
        `{"trace":"entropy-polarity","version":1,"step":${step},"sample":${sample},"token_id":[${sample}],"logprob":[${lp}],"entropy":[${1 + (sample % 3)}],"advantage":${sample % 2 ? 1 : -1}}`,
      );
    }
  assert.equal(await upload(page, [await write('many-steps.jsonl', lines.join('\n'))]), 'ready', await text(page, 'run-error'));
  const options = await page.evaluate(() => document.querySelectorAll('[data-testid="run-filter-step"] option').length);
  assert.ok(options <= 502, `${options} step options`);
  const nodes = await svgNodes(page);
  assert.ok(nodes < 3000, `${nodes} SVG nodes for ${N} steps`);
  // the last step option, then the most expanding token: each one synchronous handler
  const timed = (sel) =>
    page.evaluate((q) => {
      const t0 = performance.now();
      if (q.endsWith('step"]')) {
        const s = /** @type {HTMLSelectElement} */ (document.querySelector(q));
        s.value = s.options[s.options.length - 1].value;
        s.dispatchEvent(new Event('change'));
      } /** @type {HTMLElement} */ else document.querySelector(q).click();
      return performance.now() - t0;
    }, sel);
  const filter = await timed('[data-testid="run-filter-step"]');
  const jump = await timed('[data-testid="run-jump-expand"]');
  console.log(
    `# ${N} steps: ${options} step options, ${nodes} SVG nodes; last-step filter ${filter.toFixed(0)} ms, jump ${jump.toFixed(0)} ms`,
  );
  assert.ok(filter < 1500 && jump < 1500, `filter ${filter} ms, jump ${jump} ms`);
  assert.match(
    await page.evaluate(() => document.querySelector('[data-testid="run-token"] dd[data-key="where"]').textContent),
    /step 19\d\d\d/,
  );

  // 3,000 files of one step each: picking them is one short task (File.size per file was a synchronous stat)
  const many = [];
  for (let step = 0; step < 3000; step++)
    many.push(
      await write(
        `f${step}.jsonl`,
        `{"trace":"entropy-polarity","version":1,"step":${step},"sample":0,"token_id":[1,2],"logprob":[-0.5,-1.2],"entropy":[1.5,2],"advantage":${step % 2 ? 1 : -1}}\n`,
      ),
    );
  // the input's change event, timed from outside the panel (first and last listeners of the dispatch)
  await page.evaluate(() => {
    document.addEventListener('change', () => (window.__c0 = performance.now()), true);
    document.addEventListener('change', () => (window.__c1 = performance.now()));
  });
  assert.equal(await upload(page, many), 'ready', await text(page, 'run-error'));
  assert.match(await text(page, 'run-status'), /Read 3,000 file\(s\)/);
  const change = await page.evaluate(() => window.__c1 - window.__c0);
  const ms = await longest(page);
  console.log(`# 3,000 files: the change event ${change.toFixed(0)} ms, the panel's longest task ${ms} ms`);
  assert.ok(change < 500 && ms < 1000, `the panel held the main thread for ${change} ms (change), ${ms} ms (longest)`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('tokens: tokenizers that do not fit, no token_id, a 10 MB env_name, a stand-in too large', async () => {
  const { page, problems, context } = await open(env.browser, `${env.base}/`);
  const strip = () => page.evaluate(() => [...document.querySelectorAll('[data-testid="run-tok"]')].map((t) => t.textContent));
  const vocab = {};
  for (let id = 0; id < 2000; id++) vocab[`w${id}`] = id;
  vocab.ZERO = 0;
  const tokenizer = await write('tokenizer.json', JSON.stringify({ model: { type: 'BPE', vocab, merges: [] } }));
  const setTokenizer = async (path) => {
    await page.evaluate(() => {
      document.querySelector('[data-testid="run-error"]').hidden = true;
      const n = document.querySelector('[data-testid="run-notice"]');
      if (n) n.textContent = '';
    });
    await page.setInputFiles('[data-testid="run-tokenizer"]', path);
    await page.waitForFunction(
      () =>
        !document.querySelector('[data-testid="run-error"]').hidden ||
        /Token text from/.test(document.querySelector('[data-testid="run-notice"]')?.textContent ?? ''),
    );
  };

  // item 4: a trace without token_id: nothing to decode (was: every token shown as id 0's text)
  const noIds = [0, 1, 2].map(
    (step) => `{"trace":"entropy-polarity","version":1,"step":${step},"sample":0,"logprob":[-0.5,-1.2],"entropy":[1.5,2],"advantage":1}`,
  );
  assert.equal(await upload(page, [await write('no-ids.jsonl', noIds.join('\n'))]), 'ready', await text(page, 'run-error'));
  await setTokenizer(tokenizer);
  assert.match(await text(page, 'run-error'), /no token ids/);
  assert.ok(
    (await strip()).every((t) => t === '(no id)'),
    `${await strip()}`,
  );
  await page.focus('[data-testid="run-tok"][tabindex="0"]');
  assert.match(await text(page, 'run-token'), /no id in the file/);

  // a tokenizer decodes the run it was chosen for, not the next one
  assert.equal(await upload(page, files('prime-rl')), 'ready');
  const ids = await strip();
  await setTokenizer(tokenizer);
  assert.deepEqual(
    await strip(),
    ids.map((t) => `w${t.slice(1)}`),
  );
  assert.equal(await upload(page, files('prime-rl')), 'ready');
  assert.deepEqual(await strip(), ids, 'the next run shows its ids until a tokenizer is chosen for it');
  assert.match(await text(page, 'run-notice'), /tokenizer\.json decoded the previous run/);
  // an added token with id 2³² + 1 is refused (it relabelled token 1); a vocabulary too small is not this run's
  const wraps = await write(
    'wraps.json',
    JSON.stringify({ added_tokens: [{ id: 2 ** 32 + 1, content: 'EVIL' }], model: { type: 'BPE', vocab } }),
  );
  await setTokenizer(wraps);
  assert.match(await text(page, 'run-error'), /wraps\.json.*added_tokens\[0\]\.id is 4294967297/);
  const small = await write('small.json', JSON.stringify({ model: { type: 'BPE', vocab: { a: 0, b: 1 } } }));
  await setTokenizer(small);
  assert.match(await text(page, 'run-error'), /small\.json.*not this run's tokenizer/);
  assert.deepEqual(await strip(), ids);

  // item 11: a 10 MB env_name: short labels, no long task
  const big = 'e'.repeat(10 << 20);
  const envLines = [0, 1].map(
    (step) =>
      `{"trace":"entropy-polarity","version":1,"step":${step},"sample":0,"env_name":"${big}","token_id":[1,2],"logprob":[-0.5,-1.2],"entropy":[1.5,2],"advantage":1}`,
  );
  await page.evaluate(() => (document.getElementById('run').dataset.longestMs = '0'));
  assert.equal(await upload(page, [await write('env.jsonl', envLines.join('\n'))]), 'ready', await text(page, 'run-error'));
  const envOption = await page.evaluate(() => document.querySelector('[data-testid="run-filter-env"] option:last-child').textContent);
  assert.ok(envOption.length < 200, `env option of ${envOption.length} characters`);
  const ms = await longest(page);
  console.log(`# 10 MB env_name: the panel's longest task ${ms} ms`);
  assert.ok(ms < 1000, `${ms} ms`);

  // item 11: p = 2e−9 at H = 13.8 opens a bounded stand-in (was 984,612 tokens)
  const rare = `{"trace":"entropy-polarity","version":1,"step":0,"sample":0,"token_id":[5],"logprob":[${Math.log(2e-9)}],"entropy":[13.8],"advantage":1}`;
  assert.equal(await upload(page, [await write('rare.jsonl', `${rare}\n`)]), 'ready', await text(page, 'run-error'));
  await page.focus('[data-testid="run-tok"][tabindex="0"]');
  await page.click('[data-testid="run-open"]');
  await page.waitForFunction(() => /Opened step 0/.test(document.querySelector('[data-testid="run-notice"]')?.textContent ?? ''));
  const standIn = Number(await page.getAttribute('[data-testid="run-token"]', 'data-stand-in'));
  assert.ok(standIn <= 32768, `a stand-in of ${standIn} tokens`);
  assert.match(await text(page, 'run-notice'), /the nearest a stand-in reaches; the file says H = 13\.8/);
  assert.deepEqual(problems, []);
  await context.close();
});
