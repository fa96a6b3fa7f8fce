#!/usr/bin/env bash
# The fast tier for the inner loop: formatting, lints, native tests and the
# JavaScript unit tests; no browser, no wasm build, no trainer. A few minutes
# warm. `bash scripts/test.sh` runs everything (CI runs that).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
step() { printf '\n\033[1;34m== %s (%s)\033[0m\n' "$*" "$(date +%T)"; }

step "setup (what the build needs)"
bash scripts/setup.sh

step "format and lints"
cargo fmt --check
cargo clippy --all-targets -q -- -D warnings

step "native tests"
cargo test -q

step "JavaScript: format and lint (biome), types (tsc), unit tests"
node_modules/.bin/biome ci --max-diagnostics=50 .
# The page modules import the built module's declarations (www/pkg, scripts/build.sh).
if [[ -f www/pkg/entropy_polarity.d.ts ]]; then
  node_modules/.bin/tsc -p tsconfig.json
else
  echo "tsc skipped: www/pkg is not built yet (bash scripts/build.sh)"
fi
node --test tests/js/
