// @ts-check
// The static markup of the "Your logits" panel (no data goes in here: the
// panel fills it with textContent) and the example files it offers.

/** [file in www/examples/, what it shows] */
export const EXAMPLES = [
  [
    'smollm2/slice.safetensors',
    'SmolLM2-135M: a real completion, all 49,152 logits per row (bf16; ids decode with smollm2/tokenizer.json)',
  ],
  ['toy.npy', '.npy float32, 8 × 50, masked tokens'],
  ['slice.safetensors', '.safetensors bfloat16 + tokens + advantages'],
  ['slice.json', 'JSON {logits, tokens, advantages}'],
  ['chat_top_logprobs.json', 'chat top_logprobs (truncated)'],
  ['completions_top_logprobs.json', 'completions top_logprobs (truncated)'],
  ['slice.csv', 'CSV, 6 × 30'],
  ['f16.npy', '.npy float16, header v3'],
  ['bf16.npy', '.npy raw |V2 (bfloat16, asks to confirm)'],
  ['big_endian_v2.npy', '.npy big-endian float32, (1, 5, 32)'],
  ['fortran_f64.npy', '.npy float64, Fortran order'],
];

export const TEMPLATE = `
<div class="slice-load" data-testid="slice-drop">
  <label class="slice-file">
    <span class="slice-file-button">Choose a file…</span>
    <input type="file" data-testid="upload" accept=".npy,.safetensors,.json,.csv,.txt,application/json,text/csv">
  </label>
  <span class="slice-or">or drop one here, or try an example</span>
  <select data-testid="slice-example" aria-label="Example slice">
    <option value="">example…</option>
  </select>
</div>
<div class="slice-options">
  <label><input type="checkbox" data-testid="confirm-bf16"> read raw 2-byte (<code>|V2</code>) .npy data as bfloat16</label>
  <label><input type="checkbox" data-testid="greedy"> no sampled tokens in the file: use each row’s most likely token</label>
</div>
<div class="slice-prompt" data-testid="slice-prompt" hidden></div>
<div class="slice-progress" data-testid="slice-progress-box" hidden>
  <progress data-testid="slice-progress" max="1" value="0"></progress>
  <span class="slice-progress-text" aria-live="polite"></span>
  <button type="button" data-testid="cancel">Cancel</button>
</div>
<p class="slice-status" data-testid="slice-status" aria-live="polite"></p>
<div class="slice-view" data-testid="slice-view" hidden>
  <dl class="slice-summary" data-testid="slice-summary"></dl>
  <div class="slice-tensors" hidden>
    <label>logits <select data-role="logits"></select></label>
    <label>token ids <select data-role="tokens"></select></label>
    <label>advantages <select data-role="advantages"></select></label>
    <button type="button" data-role="apply-tensors">Read with these tensors</button>
  </div>
  <ul class="slice-warnings" data-testid="slice-warnings"></ul>
  <div class="slice-truncated" data-testid="truncated" hidden></div>
  <div class="slice-charts">
    <figure class="slice-chart">
      <figcaption>Entropy along the positions <small>(click to open a row)</small></figcaption>
      <svg class="slice-svg" data-testid="slice-entropy" role="img" aria-label="Entropy per row"></svg>
    </figure>
    <figure class="slice-chart">
      <figcaption>Every row on the normalised axis <small class="scatter-note"></small></figcaption>
      <svg class="slice-svg" data-testid="slice-scatter" role="img" aria-label="Rows by ln p_k + H and polarity"></svg>
      <p class="scatter-readout" aria-live="polite"></p>
      <p class="slice-legend"><span class="key adv-pos">●</span> A &gt; 0 (rewarded)
        <span class="key adv-neg">▲</span> A &lt; 0 (penalised) <span class="key adv-zero">□</span> A = 0</p>
    </figure>
    <figure class="slice-chart">
      <figcaption>Advantage sign × polarity sign</figcaption>
      <div class="slice-quadrants" data-testid="quadrants"></div>
    </figure>
    <figure class="slice-chart">
      <figcaption>Polarity of the sampled token <small class="hist-note"></small></figcaption>
      <svg class="slice-svg" data-testid="slice-histogram" role="img" aria-label="Histogram of polarity"></svg>
    </figure>
  </div>
  <div class="panel-head slice-table-head">
    <h3>Per row</h3>
    <div class="tools">
      <label class="inline">order <select data-testid="slice-sort">
        <option value="row">position</option>
        <option value="pol-asc">polarity, most contracting first</option>
        <option value="pol-desc">polarity, most expanding first</option>
        <option value="h-desc">entropy, highest first</option>
        <option value="h-asc">entropy, lowest first</option>
      </select></label>
      <button type="button" data-testid="export-rows">Download CSV</button>
    </div>
  </div>
  <div class="slice-table-wrap">
    <table class="slice-table" data-testid="slice-table">
      <thead></thead>
      <tbody></tbody>
    </table>
  </div>
  <div class="slice-pager">
    <button type="button" data-role="prev" aria-label="Previous page">‹</button>
    <span data-role="page"></span>
    <button type="button" data-role="next" aria-label="Next page">›</button>
    <label class="inline">row <input type="number" data-role="goto" min="0" step="1"></label>
  </div>
</div>`;
