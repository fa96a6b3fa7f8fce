#!/usr/bin/env bash
# Runs every test: formatting and lints, native unit/property/accuracy tests,
# the browser tier (wasm-pack test in headless Chromium) and the end-to-end
# tests of the served page. Installs whatever is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
step() { printf '\n\033[1;34m== %s (%s)\033[0m\n' "$*" "$(date +%T)"; }

step "setup"
bash scripts/setup.sh --test

step "format and lints"
cargo fmt --check
cargo clippy --all-targets -q -- -D warnings
cargo clippy --target wasm32-unknown-unknown --lib --tests -q -- -D warnings

step "native tests (core, chart, 60-digit references, properties)"
cargo test -q

step "Python tests (the DuckDB per-step table against the Python reference and the core; the writer against 50 digits; PolarityGRPOTrainer on a tiny GPT-2)"
python3 -m unittest discover -s tests/python

step "browser tests (wasm-pack test, headless Chromium and Firefox ESR)"
# The wasm test binaries (two: tests/native, whose rows and simulate_wasm modules
# run in Node, and tests/web.rs in the browser; both link the whole crate) are optimised but
# need neither LTO nor one codegen unit: those two make the shipped module
# small (scripts/build.sh) and cost minutes of linking per binary.
export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
# webdriver.json passes each browser's binary and flags to the drivers.
wasm-pack test --headless --chrome --chromedriver "$(command -v chromedriver)" --release
wasm-pack test --headless --firefox --geckodriver "$(command -v geckodriver)" --release

step "the simulation in wasm (Node) against the native fixture: same seed, same run"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --release --target wasm32-unknown-unknown --test native simulate_wasm::  # (the runner rejects -q)

step "build the page"
unset CARGO_PROFILE_RELEASE_LTO CARGO_PROFILE_RELEASE_CODEGEN_UNITS  # the shipped module: Cargo.toml's profile
bash scripts/build.sh

step "analyzeRows in wasm (Node) against a float64 JavaScript reference"
node tests/wasm_rows.mjs

step "the run reader in wasm (Node) against the example runs' independent Python columns"
node tests/wasm_run.mjs

step "whole-number arguments and options in wasm (Node): −1, 2.5, NaN refused by name"
node tests/wasm_arguments.mjs

step "the cargo-fuzz target still builds (stable: cargo check; running it needs nightly)"
cargo check -q --manifest-path fuzz/Cargo.toml --target-dir target/fuzz

step "JavaScript: format and lint (biome), types (tsc over the // @ts-check modules), unit tests"
node_modules/.bin/biome ci --max-diagnostics=50 .
node_modules/.bin/tsc -p tsconfig.json
node --test tests/js/

# The same e2e files in each engine (e2e/harness.mjs picks it from E2E_ENGINE;
# e2e/README.md lists what each engine tests another way). The three run at
# once: most of their time is spent waiting on a browser, and one after the
# other they would take the whole suite past 25 minutes on two cores.
step "end-to-end tests in Chromium, Firefox ESR and WebKitGTK at once (the served page)"
mkdir -p test-artifacts
engines=(chromium firefox webkit)
pids=()
for engine in "${engines[@]}"; do
  E2E_ENGINE=$engine node --test e2e/ >"test-artifacts/e2e-$engine.log" 2>&1 &
  pids+=($!)
done
failed=()
for i in "${!engines[@]}"; do
  wait "${pids[$i]}" || failed+=("${engines[$i]}")
  step "end-to-end tests in ${engines[$i]}"
  cat "test-artifacts/e2e-${engines[$i]}.log"
done
if (( ${#failed[@]} )); then
  # The failures again, last, so that the end of the output says what broke.
  for engine in "${failed[@]}"; do
    step "failures in $engine"
    grep -A 14 '^not ok' "test-artifacts/e2e-$engine.log" | grep -v '^  *\(async \|process\.\|TestContext\)' || true
  done
  echo "end-to-end tests failed in: ${failed[*]}" >&2
  exit 1
fi
