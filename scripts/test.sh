#!/usr/bin/env bash
# One command that installs what the tests need, builds, and runs every test with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
# tst_postgres runs against a real server: a local cluster unless the caller names one.
if [[ -z "${FLASHSALE_TEST_PG_URL:-}" ]]; then
    FLASHSALE_TEST_PG_URL=$(scripts/start-postgres.sh)
fi
export FLASHSALE_TEST_PG_URL
# The cluster tests need a RabbitMQ broker: a local one unless the caller names one.
if [[ -z "${FLASHSALE_TEST_AMQP_URL:-}" ]]; then
    FLASHSALE_TEST_AMQP_URL=$(scripts/start-rabbitmq.sh)
fi
export FLASHSALE_TEST_AMQP_URL
scripts/build.sh
ctest --test-dir build --output-on-failure --timeout 600 "$@"
# The Debian package built, installed, run on a 0.1.0 database and removed on this machine (as root,
# as in CI; it says so when it skips). Not when ctest was given arguments to run a subset.
if (($# == 0)); then
    scripts/package-check.sh
    # The engine and API tests once under ASan+UBSan, then the HTTP, WebSocket and JSON fuzz targets
    # under them, 30 s each (FUZZ_SECONDS).
    FUZZ_SECONDS="${FUZZ_SECONDS:-30}" scripts/sanitize.sh
else
    echo "package check and sanitizers: not run (ctest arguments given); run scripts/package-check.sh and scripts/sanitize.sh on their own"
fi
