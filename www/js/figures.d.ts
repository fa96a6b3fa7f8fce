// Types of <entropy-polarity-figure> (js/figures.js), the paper's figures as
// a custom element. docs/contract.md, "The figures".

export type FigureName = 'curves' | 'flip' | 'scatter' | 'quadrants';

export class EntropyPolarityFigure extends HTMLElement {
  static observedAttributes: string[];
  /**
   * The figure's numbers, null before the first render or while an attribute
   * is wrong: `{ figure, curves }` (curves), `{ figure, points, summary }`
   * (flip, scatter) or `{ figure, step, samples, quadrants }` (quadrants).
   * Every entry carries the logits it was computed from.
   */
  readonly values: ({ figure: FigureName } & Record<string, unknown>) | null;
}

declare global {
  interface HTMLElementTagNameMap {
    'entropy-polarity-figure': EntropyPolarityFigure;
  }
}
