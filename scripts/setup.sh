#!/usr/bin/env bash
# Installs whatever the build (and, with --test, the tests) need and is not
# there yet. Idempotent: a second run only checks, in a second or two.
# Everything comes from the package registries (crates.io, npm, Debian):
# nothing downloads a browser or a prebuilt binary from elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1
say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

# The wasm-bindgen version is pinned once, in Cargo.toml; Cargo.lock holds
# the resolved number and wasm-bindgen-cli must equal it exactly.
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
[[ -n "$WB_VERSION" ]] || { echo "cannot read the wasm-bindgen version from Cargo.lock" >&2; exit 1; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
if ! command -v wasm-bindgen >/dev/null || [[ "$(wasm-bindgen --version | awk '{print $2}')" != "$WB_VERSION" ]]; then
  say "installing wasm-bindgen-cli $WB_VERSION (a few minutes, once)"
  # Not --locked: its lock file names a webpki-roots release the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --force
fi
if ! command -v wasm-pack >/dev/null; then
  say "installing wasm-pack (a few minutes, once)"
  cargo install wasm-pack --locked
fi
# npm's binaryen ships a current wasm-opt (Debian's 108 breaks wasm-bindgen
# output); playwright-core drives Debian's Chromium in the end-to-end tests;
# @biomejs/biome (formatter and linter, its binary in the npm package) and
# typescript (tsc --noEmit over the // @ts-check page modules) check the JS.
# Versions are pinned in package.json and package-lock.json.
if [[ ! -x node_modules/.bin/wasm-opt || ! -d node_modules/playwright-core || ! -x node_modules/.bin/biome \
      || ! -x node_modules/.bin/tsc || package-lock.json -nt node_modules/.package-lock.json ]]; then
  say "installing npm dev tools (binaryen, playwright-core, biome, typescript)"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [[ $want_test == 1 ]]; then
  # The three engines of the tests, all Debian's: Chromium (playwright-core),
  # Firefox ESR (puppeteer-core over WebDriver BiDi; geckodriver for
  # wasm-pack) and WebKitGTK's MiniBrowser (WebKitWebDriver under Xvfb).
  MINIBROWSER=/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser
  debs=()
  command -v chromium >/dev/null || debs+=(chromium)
  command -v chromedriver >/dev/null || debs+=(chromium-driver)
  command -v firefox-esr >/dev/null || debs+=(firefox-esr)
  command -v WebKitWebDriver >/dev/null || debs+=(webkit2gtk-driver)
  [[ -x $MINIBROWSER ]] || debs+=(libwebkit2gtk-4.1-0)
  command -v xvfb-run >/dev/null || debs+=(xvfb xauth)
  # Java 17+ for pyspark (run_steps.py --engine spark, tests/python/test_spark.py)
  java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])' || debs+=(openjdk-17-jre-headless)
  # The prime-rl trace-stream example's sealed chunks (scripts/prime_traces_example.py).
  command -v zstd >/dev/null || debs+=(zstd)
  if (( ${#debs[@]} )); then
    say "installing Debian's ${debs[*]}"
    apt-get update -qq
    mkdir -p /usr/share/man/man1  # openjdk's post-install step fails without it on slim images
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${debs[@]}" >/dev/null
  fi
  if ! command -v geckodriver >/dev/null; then
    say "installing geckodriver from crates.io (for wasm-pack test --firefox; a few minutes, once)"
    cargo install geckodriver --locked
  fi
  # DuckDB runs the whole-run query of scripts/run_steps.py; NumPy the Python twins.
  if ! python3 -c "import duckdb, numpy, sys; sys.exit(duckdb.__version__ != '2.0.1')" 2>/dev/null; then
    say "installing the Python test packages (duckdb, numpy)"
    python3 -m pip install -q --disable-pip-version-check duckdb==2.0.1 numpy==2.4.6
  fi
  # pyspark brings Spark itself (its jars) for run_steps.py --engine spark
  if ! python3 -c "import importlib.metadata as m, sys; sys.exit(m.version('pyspark') != '4.3.0')" 2>/dev/null; then
    say "installing pyspark 4.3.0 (Spark; a few minutes, once)"
    python3 -m pip install -q --disable-pip-version-check pyspark==4.3.0
  fi
  # The trainer tier (tests/python/test_trl_trainer.py, test_writer.py): PolarityGRPOTrainer
  # on a tiny GPT-2 needs TRL and what it runs on; mpmath gives the writer's 50-digit values;
  # jsonschema checks trace lines against docs/trace.schema.json.
  # PyPI's torch brings its CUDA libraries (about 5 GB, a few minutes once); it runs on the CPU.
  # The check reads the installed versions without importing torch, so it takes a moment.
  # gguf: scripts/real_run.py reads SmolLM2's GGUF file with it (the smoke test does not).
  PY_TRAINER=(torch==2.15.0 trl==1.16.0 transformers==5.25.0 accelerate==1.16.0 datasets==5.2.0 mpmath==1.3.0 jsonschema==4.26.0
    gguf==0.19.0)
  if ! python3 - "${PY_TRAINER[@]}" <<'PY' 2>/dev/null; then
import sys
from importlib.metadata import version
sys.exit(any(version(p.split("==")[0]) != p.split("==")[1] for p in sys.argv[1:]))
PY
    say "installing the Python trainer-test packages (${PY_TRAINER[*]}; about 5 GB, a few minutes once)"
    python3 -m pip install -q --disable-pip-version-check "${PY_TRAINER[@]}"
  fi
  for c in rustfmt clippy; do
    rustup component list --installed | grep -q "^$c" || rustup component add "$c"
  done
fi
