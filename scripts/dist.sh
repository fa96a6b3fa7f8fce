#!/usr/bin/env bash
# Writes a self-contained static folder (default dist/) that a documentation
# site can copy as is, and that is also an npm package (`npm pack` in it):
# the page, the lab, the figures, the custom element and its .d.ts, the wasm
# module and its declarations (pkg/*.d.ts), the examples, a package.json with
# `exports` and `types`, and a README for authors (scripts/dist-readme.md).
# It needs no server logic and no Rust on the author's side: any static host
# works. README, "Embedding", says how to pack and vendor it.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-dist}"
if [[ "${2:-}" == "--no-build" ]]; then
  # Tests use this: they run after the build and must not rewrite www/pkg
  # while other tests serve it.
  [[ -f www/pkg/entropy_polarity_bg.wasm ]] || { echo "www/pkg is not built: run scripts/build.sh" >&2; exit 1; }
else
  bash scripts/setup.sh
  bash scripts/build.sh
fi
rm -rf "$out"
mkdir -p "$out"
cp -r www/. "$out/"
cp scripts/dist-readme.md "$out/README.md"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
license=$(sed -n 's/^license = "\(.*\)"/\1/p' Cargo.toml | head -1)
# The package's entry points: the element (the default), the figures
# element, and the wasm module for scripts that compute without a chart.
cat > "$out/package.json" <<JSON
{
  "name": "entropy-polarity",
  "version": "$version",
  "description": "Entropy polarity of policy-gradient updates: a <entropy-polarity-view> custom element, live figures, the explorer page and the WebAssembly core. No build step, no dependencies.",
  "license": "$license",
  "type": "module",
  "main": "./entropy-polarity-view.js",
  "types": "./entropy-polarity-view.d.ts",
  "exports": {
    ".": { "types": "./entropy-polarity-view.d.ts", "default": "./entropy-polarity-view.js" },
    "./figures": { "types": "./js/figures.d.ts", "default": "./js/figures.js" },
    "./wasm": { "types": "./pkg/entropy_polarity.d.ts", "default": "./pkg/entropy_polarity.js" },
    "./embed-resize.js": "./embed-resize.js",
    "./*": "./*"
  },
  "sideEffects": true,
  "files": ["*.html", "*.js", "*.css", "*.d.ts", "favicon.svg", "css/", "js/", "pkg/", "examples/"],
  "keywords": ["entropy", "reinforcement-learning", "policy-gradient", "custom-element", "webassembly"]
}
JSON
echo "wrote $out/ ($(du -sh "$out" | cut -f1)): serve it from any static host; embed with $out/entropy-polarity-view.js; npm pack in $out/ makes the package"
