#!/usr/bin/env bash
# One command that installs what the tests need, builds, and runs every test with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
scripts/build.sh
ctest --test-dir build --output-on-failure --timeout 600 "$@"
