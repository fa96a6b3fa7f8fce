#!/usr/bin/env bash
# Installs what is missing, builds the page and serves it on 127.0.0.1:$PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
exec node scripts/serve.mjs --port "${PORT:-8080}"
