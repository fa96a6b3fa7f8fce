#!/usr/bin/env bash
# Writes a self-contained static folder (default dist/) that a documentation
# site can copy as is: the page, the custom element, the wasm module and the
# examples. It needs no server logic: any static host works.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-dist}"
bash scripts/setup.sh
bash scripts/build.sh
rm -rf "$out"
mkdir -p "$out"
cp -r www/. "$out/"
rm -f "$out"/pkg/*.d.ts
echo "wrote $out/ ($(du -sh "$out" | cut -f1)): open $out/index.html through any static server; embed with $out/entropy-polarity-view.js"
