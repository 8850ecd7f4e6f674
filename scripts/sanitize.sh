#!/usr/bin/env bash
# The engine under AddressSanitizer and UndefinedBehaviorSanitizer (clang-14), built into
# build-sanitize/ with libFuzzer's coverage hooks:
#   1. the engine's in-process tests and the API tests once (ctest label "sanitized");
#   2. each libFuzzer target (tests/fuzz) on its seed corpus for FUZZ_SECONDS (default 60).
# A test failure, a crash, a leak or a sanitizer report fails the script; a fuzzer's finding is
# kept in build-sanitize/findings/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-60}"
sanitizers="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
# The engine is built with libFuzzer's coverage hooks (fuzzer-no-link), so the fuzzers are guided
# by the parser, routes and readers they drive; the tests link the sanitizers' no-op hooks.
cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_CXX_FLAGS="$sanitizers -fsanitize=fuzzer-no-link" \
    -DCMAKE_EXE_LINKER_FLAGS="$sanitizers" -DFLASHSALE_FUZZ=ON \
    > build-sanitize-configure.log || { cat build-sanitize-configure.log; exit 1; }
cmake --build build-sanitize -j2 --target sanitized_tests fuzz_http fuzz_websocket fuzz_json

echo "sanitize: the engine and API tests under ASan+UBSan"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-sanitize -L sanitized --output-on-failure --timeout 600

mkdir -p build-sanitize/findings
for target in http websocket json; do
    # A scratch corpus: what the run discovers stays out of the repository's seeds.
    scratch="build-sanitize/corpus-$target"
    mkdir -p "$scratch"
    echo "fuzz_$target: ${seconds} s"
    # Qt and the engine keep caches for the process's life: report leaks only at exit
    # (libFuzzer's own -detect_leaks stays on).
    QT_QPA_PLATFORM=offscreen ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "build-sanitize/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
        -max_len=70000 -artifact_prefix="build-sanitize/findings/$target-" "$scratch" "tests/fuzz/corpus/$target"
done
echo "sanitize: the tests passed and every fuzz target ran ${seconds} s without a finding"
