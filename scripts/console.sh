#!/usr/bin/env bash
# One command for a fresh Debian 12 machine: install dependencies, build, start the console.
# Extra arguments go to flashsale (e.g. --listen 127.0.0.1:9090 or --headless).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/app/flashsale "$@"
