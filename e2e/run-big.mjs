// Writes a large prime-rl-shaped run (token_exports/step_<n>/rank_0.jsonl)
// for the cancel test and the page measurement, streamed to disk. Values
// repeat with a short period, so the expected per-step token count and mean
// entropy are known without reading the files back.
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

const H = [0.5, 1.25, 2, 3.5, 0.125];
const LP = [-0.25, -1.5, -3, -0.0625, -2];

/** One sample line with `t` completion tokens after one context token. */
function line(step, s, t) {
  const ids = [1],
    pos = [0],
    mask = [false],
    adv = [0],
    lp = [0],
    ent = [1];
  const a = (s % 2 ? -1 : 1) * (0.5 + (s % 3) / 4);
  for (let i = 0; i < t; i++) {
    ids.push(1000 + ((i * 7 + s) % 500));
    pos.push(i + 1);
    mask.push(true);
    adv.push(a);
    lp.push(LP[(i + s) % LP.length]);
    ent.push(H[(i + step) % H.length]);
  }
  return (
    JSON.stringify({
      schema_version: 1,
      step,
      rank: 0,
      micro_step: 0,
      env_name: s % 2 ? 'math' : 'code',
      token_ids: ids,
      position_ids: pos,
      loss_mask: mask,
      advantages: adv,
      inference_logprobs: lp,
      trainer_logprobs: lp,
      entropy: ent,
      is_masked: null,
    }) + '\n'
  );
}

/**
 * Writes `steps` files of about `mbPerStep` MiB under dir/token_exports/.
 * Returns { files: [paths], bytes, expected: [{ step, tokens, meanEntropy }] }.
 */
export async function writeBigRun(dir, { steps = 4, mbPerStep = 50, tokensPerSample = 512 } = {}) {
  const files = [];
  const expected = [];
  let bytes = 0;
  for (let step = 0; step < steps; step++) {
    const d = join(dir, 'token_exports', `step_${step}`);
    await mkdir(d, { recursive: true });
    const path = join(d, 'rank_0.jsonl');
    const out = createWriteStream(path);
    let written = 0,
      s = 0,
      sumH = 0,
      n = 0;
    while (written < mbPerStep * 2 ** 20) {
      const l = line(step, s, tokensPerSample);
      for (let i = 0; i < tokensPerSample; i++) sumH += H[(i + step) % H.length];
      n += tokensPerSample;
      written += Buffer.byteLength(l);
      if (!out.write(l)) await new Promise((ok) => out.once('drain', ok));
      s++;
    }
    await new Promise((ok, fail) => out.end((e) => (e ? fail(e) : ok())));
    files.push(path);
    bytes += written;
    expected.push({ step, samples: s, tokens: n, meanEntropy: sumH / n });
  }
  return { files, bytes, expected };
}
