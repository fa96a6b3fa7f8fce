// @ts-check
// The explorer's inputs: writing the state into them (syncInputs) and
// turning what a person does into edits of the state (wireControls). The
// state itself, and what an edit does, live in main.js.

import { BarEditor } from './bars.js';
import { $, byTest } from '../lib/dom.js';
import { download, wireCopyLink } from '../lib/share.js';
import { MAX_GROUP, MAX_TOKENS, MIN_TOKENS, formatLogit, parseLogit, preset, roundLogit } from '../lib/link-state.js';

/** Puts the state into every input, except the one being typed in. */
export function syncInputs(s) {
  const active = document.activeElement;
  const put = (el, v) => {
    if (el !== active) el.value = v;
  };
  const sel = $('token');
  if (sel.options.length !== s.logits.length || [...sel.options].some((o, i) => o.textContent !== `${i}: ${s.labels[i]}`)) {
    sel.replaceChildren(...s.labels.map((l, i) => new Option(`${i}: ${l}`, String(i))));
  }
  sel.value = String(s.token);
  put($('tok-label'), s.labels[s.token]);
  put($('tok-logit'), formatLogit(s.logits[s.token]));
  put($('logits-text'), s.logits.map(formatLogit).join(', '));
  put($('temp'), String(s.temperature));
  put($('temp-range'), String(Math.log10(s.temperature)));
  // An advantage from a float32 file (0.7919999957…) reads better short.
  put($('adv'), String(Number(s.adv.toPrecision(6))));
  put($('adv-range'), String(s.adv));
  put($('step'), String(s.step));
  put($('step-range'), String(Math.log10(Math.max(s.step, 1e-4))));
  /** @type {HTMLInputElement} */ (document.querySelector(`input[name="kind"][value="${s.kind}"]`)).checked = true;
  $('logx').checked = s.logX;
  $('units').textContent = s.bits ? 'bits' : 'nats';
  $('tok-add').disabled = s.logits.length >= MAX_TOKENS;
  $('tok-remove').disabled = s.logits.length <= MIN_TOKENS;
}

/**
 * @typedef {object} Explorer what the controls need from main.js
 * @property {() => any} state the current state
 * @property {(fn: (s: any) => void, opts?: object) => boolean} edit
 * @property {(message: string, field?: Element | null) => void} showError
 * @property {(j: number) => boolean} isBucket is bar j the "rest" bucket
 * @property {(logits: number[], j: number, q: number, T: number) => number} logitForProb
 * @property {() => void} leaveRow
 * @property {(n: number) => void} takeSteps
 * @property {(n: number) => void} sampleSteps
 * @property {() => void} undoStep
 * @property {() => void} resetSteps
 * @property {() => void} exportSvg
 * @property {() => void} exportTokens
 * @property {() => void} loadHash
 * @property {() => void} redraw
 */

/** Wires every control of the explorer; returns the bar editor. @param {Explorer} app */
export function wireControls(app) {
  const { edit, showError } = app;
  const bars = new BarEditor($('bars'), {
    onProb: (j, q) =>
      edit((s) => {
        s.logits[j] = roundLogit(app.logitForProb(s.logits, j, q, s.temperature));
        s.token = j;
      }),
    onSelect: (j) => {
      if (!app.isBucket(j))
        edit((s) => {
          s.token = j;
        });
    },
    onStepLogit: (j, dz) =>
      edit(
        (s) => {
          if (s.logits[j] !== -Infinity) s.logits[j] = roundLogit(s.logits[j] + dz);
        },
        { focusBars: true },
      ),
  });

  $('preset').addEventListener('change', (e) => {
    const p = preset(e.target.value);
    e.target.value = '';
    if (p)
      edit((s) => {
        s.logits = p.logits;
        s.labels = p.labels;
        s.token = 0;
      });
  });
  $('tok-label').addEventListener('input', (e) =>
    edit((s) => {
      s.labels[s.token] = e.target.value.replaceAll(',', ' ').slice(0, 24) || `t${s.token}`;
    }),
  );
  $('tok-logit').addEventListener('change', (e) => {
    const z = parseLogit(e.target.value);
    if (Number.isNaN(z)) {
      const s = app.state();
      showError(`The logit of “${s.labels[s.token]}” must be a number (or -inf to mask it); “${e.target.value}” is not.`, e.target);
      return;
    }
    edit((s) => {
      s.logits[s.token] = z;
    });
  });
  $('logits-text').addEventListener('change', (e) => {
    const parts = e.target.value.split(/[\s,;]+/).filter((x) => x !== '');
    const zs = parts.map(parseLogit);
    const bad = zs.findIndex((z) => Number.isNaN(z));
    if (bad >= 0) {
      showError(`Logit ${bad + 1} (“${parts[bad]}”) is not a number. Use numbers separated by commas, and -inf to mask a token.`, e.target);
      return;
    }
    if (zs.length < MIN_TOKENS || zs.length > MAX_TOKENS) {
      showError(`The editor takes ${MIN_TOKENS} to ${MAX_TOKENS} tokens; you gave ${zs.length}.`, e.target);
      return;
    }
    edit((s) => {
      s.labels = zs.map((_, i) => s.labels[i] ?? `t${i}`);
      s.logits = zs;
      s.token = Math.min(s.token, zs.length - 1);
    });
  });
  $('tok-add').addEventListener('click', () =>
    edit((s) => {
      if (s.logits.length >= MAX_TOKENS) return;
      const finite = s.logits.filter(Number.isFinite);
      s.logits.push(roundLogit(Math.min(...finite) - 0.5));
      s.labels.push(`t${s.logits.length - 1}`);
      s.token = s.logits.length - 1;
    }),
  );
  $('tok-remove').addEventListener('click', () =>
    edit((s) => {
      if (s.logits.length <= MIN_TOKENS) return;
      s.logits.splice(s.token, 1);
      s.labels.splice(s.token, 1);
      s.rewards.splice(s.token, 1);
      s.token = Math.min(s.token, s.logits.length - 1);
    }),
  );
  $('token').addEventListener('change', (e) => {
    if (app.isBucket(Number(e.target.value))) {
      showError('The “rest” bucket stands for many tokens; choose a single token to update.');
      syncInputs(app.state());
      return;
    }
    edit((s) => {
      s.token = Number(e.target.value);
    });
  });
  $('row-leave').addEventListener('click', () => app.leaveRow());
  document.querySelectorAll('input[name="kind"]').forEach((/** @type {HTMLInputElement} */ r) =>
    r.addEventListener('change', () =>
      edit((s) => {
        s.kind = r.value;
      }),
    ),
  );
  // Each number has a slider (on a log10 scale for T and η) and a box; both
  // set one key of the state.
  for (const n of NUMBERS) {
    $(n.range).addEventListener('input', (e) => {
      const x = Number(e.target.value);
      edit((s) => {
        s[n.key] = n.log ? Number((10 ** x).toPrecision(3)) : x;
      });
    });
    numberInput($(n.box), n.what, showError, (v) => {
      if (n.tooSmall && v < 0) {
        showError(n.tooSmall, $(n.box));
        return;
      }
      edit((s) => {
        s[n.key] = v;
      });
    });
  }
  $('logx').addEventListener('change', (e) =>
    edit((s) => {
      s.logX = e.target.checked;
    }),
  );
  $('units').addEventListener('click', () =>
    edit((s) => {
      s.bits = !s.bits;
    }),
  );

  $('export-svg').addEventListener('click', () => app.exportSvg());
  $('take-step').addEventListener('click', () => app.takeSteps(1));
  $('take-10').addEventListener('click', () => app.takeSteps(10));
  $('sample-step').addEventListener('click', () => app.sampleSteps(1));
  $('sample-10').addEventListener('click', () => app.sampleSteps(10));
  $('rewards').addEventListener('click', (e) => {
    const b = /** @type {HTMLElement} */ (e.target).closest('button[data-index]');
    if (b)
      edit((s) => {
        const j = Number(/** @type {HTMLElement} */ (b).dataset.index);
        s.rewards[j] = s.rewards[j] ? 0 : 1;
      });
  });
  numberInput($('group'), 'Group size', showError, (v) => {
    if (!Number.isInteger(v) || v < 1 || v > MAX_GROUP) {
      showError(`Group size: draw a whole number of tokens from 1 to ${MAX_GROUP}; “${$('group').value}” is not.`, $('group'));
      return;
    }
    edit((s) => {
      s.group = v;
    });
  });
  $('undo-step').addEventListener('click', () => app.undoStep());
  $('reset-steps').addEventListener('click', () => app.resetSteps());
  $('export-tokens').addEventListener('click', () => app.exportTokens());
  byTest('token-table').addEventListener('click', (e) => {
    const tr = e.target.closest('tr[data-index]');
    if (tr)
      edit((s) => {
        s.token = Number(tr.dataset.index);
      });
  });
  $('export-png').addEventListener('click', () => {
    byTest('curve').toBlob((b) => b && download(b, 'entropy-polarity.png'), 'image/png');
  });
  wireCopyLink($('copy-link'));

  // In-page links scroll without touching the hash, which holds the state.
  document.querySelectorAll('a[href^="#"]:not([href="#"])').forEach((link) =>
    link.addEventListener('click', (e) => {
      e.preventDefault();
      anchorTarget(link.getAttribute('href'))?.scrollIntoView({ behavior: 'smooth' });
    }),
  );
  window.addEventListener('hashchange', () => app.loadHash());
  // Only a new width needs a redraw: the height follows from it, and redrawing
  // on every size change makes WebKit report a ResizeObserver loop.
  let curveWidth = -1;
  new ResizeObserver((entries) => {
    const width = entries[entries.length - 1].contentRect.width;
    if (width === curveWidth) return;
    curveWidth = width;
    app.redraw();
  }).observe(byTest('curve'));
  window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener('change', () => app.redraw());
  return bars;
}

/**
 * The element an in-page anchor (#slices) names, or null. By id, never as a
 * CSS selector: "#1" or "#javascript:alert(1)" are not valid selectors, and
 * querySelector would throw (issue 9 item 3).
 * @param {string} hash
 */
export function anchorTarget(hash) {
  let id = hash.replace(/^#/, '');
  try {
    id = decodeURIComponent(id);
  } catch {
    // a stray % stays as typed
  }
  return id ? document.getElementById(id) : null;
}

const NUMBERS = [
  { key: 'temperature', range: 'temp-range', box: 'temp', what: 'Temperature', log: true },
  { key: 'adv', range: 'adv-range', box: 'adv', what: 'Advantage', log: false },
  {
    key: 'step',
    range: 'step-range',
    box: 'step',
    what: 'Step size',
    log: true,
    tooSmall: 'The step size η must be 0 or more; use a negative advantage to push the other way.',
  },
];

function numberInput(el, what, showError, apply) {
  el.addEventListener('change', () => {
    const v = Number(el.value);
    if (el.value.trim() === '' || !Number.isFinite(v)) {
      showError(`${what}: “${el.value}” is not a number.`, el);
      return;
    }
    apply(v);
  });
}
