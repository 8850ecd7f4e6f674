#!/usr/bin/env bash
# ctest entry for the browser test: installs the driver (npm ci) when missing, then runs it.
# Exit 77 (skipped) only when Chromium is absent outside CI; in CI (CI=true) that is a failure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
binary="$1"
screenshots="${2:-$here/screenshots}"
chromium="${CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "$chromium" ]]; then
    if [[ "${CI:-}" == "true" ]]; then
        echo "FAIL: $chromium is missing (scripts/install-deps.sh --test installs it)" >&2
        exit 1
    fi
    echo "SKIP: $chromium is not installed (apt-get install chromium)"
    exit 77
fi
if [[ ! -d "$here/node_modules/playwright-core" ]]; then
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
exec node "$here/shop.test.mjs" "$binary" "$screenshots"
