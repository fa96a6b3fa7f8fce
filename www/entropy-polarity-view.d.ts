// Types of <entropy-polarity-view> (entropy-polarity-view.js) for editors and
// documentation sites written in TypeScript. The attributes are described in
// docs/contract.md ("The element"); the wasm API is in pkg/entropy_polarity.d.ts.
import type { ChartLayout } from './pkg/entropy_polarity.js';

/** The state a `change` event carries, and what the attributes hold. */
export interface EntropyPolarityState {
  logits: number[];
  labels: string[];
  temperature: number;
  token: number;
  kind: 'pg' | 'nudge' | string;
  step: number;
  adv: number;
  logX: boolean;
}

/** The numbers of the last successful render (`element.values`). */
export interface EntropyPolarityValues {
  entropy: number;
  flipNudge: number;
  flipPolicyGradient: number;
  firstOrder: number;
  exact: number;
  exactFlip?: number;
  /** Probability of the chosen token. */
  prob: number;
  label: string;
  scheme: 'light' | 'dark';
  layout: ChartLayout;
}

export class EntropyPolarityView extends HTMLElement {
  static observedAttributes: string[];
  /** null while the attributes cannot be drawn (the error part says why). */
  readonly values: EntropyPolarityValues | null;
  readonly interactive: boolean;
  readonly scheme: 'light' | 'dark';
}

export interface EntropyPolarityViewEventMap extends HTMLElementEventMap {
  /** The reader chose a token or moved a logit (interactive only). */
  change: CustomEvent<EntropyPolarityState>;
  /** A render finished. */
  rendered: CustomEvent<EntropyPolarityValues>;
}

declare global {
  interface HTMLElementTagNameMap {
    'entropy-polarity-view': EntropyPolarityView;
  }
}
