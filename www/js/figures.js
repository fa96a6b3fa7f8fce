// @ts-check
// The published path of <entropy-polarity-figure> (package export "./figures", types in
// figures.d.ts): the element lives in figures/main.js; importing this defines it.
export * from './figures/main.js';
