#!/usr/bin/env bash
# Builds the wasm module into www/pkg and shrinks it with wasm-opt.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

wasm-pack build --release --target web --out-dir www/pkg --no-pack . >/dev/null 2>build.log || { cat build.log >&2; exit 1; }
rm -f build.log www/pkg/.gitignore
wasm=www/pkg/entropy_polarity_bg.wasm
before=$(stat -c %s "$wasm")
node_modules/.bin/wasm-opt -Oz --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$wasm" -o "$wasm.opt"
mv "$wasm.opt" "$wasm"
after=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
echo "built $wasm: $after bytes ($gz gzipped; $before before wasm-opt)"
