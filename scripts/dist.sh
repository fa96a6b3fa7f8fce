#!/usr/bin/env bash
# Writes a self-contained static folder (default dist/) that a documentation
# site can copy as is: the page, the custom element, the wasm module and the
# examples, and the TypeScript declarations (pkg/*.d.ts) for editors and
# documentation authors. It needs no server logic: any static host works.
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
echo "wrote $out/ ($(du -sh "$out" | cut -f1)): open $out/index.html through any static server; embed with $out/entropy-polarity-view.js"
