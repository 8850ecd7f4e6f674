#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang-14, AddressSanitizer and
# UndefinedBehaviorSanitizer into build-fuzz/, then runs each on its seed corpus for a bounded
# time: FUZZ_SECONDS each (default 60). A crash, leak or sanitizer report fails the script and
# leaves the input that caused it in build-fuzz/findings/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-60}"
sanitizers="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
# The engine is built with libFuzzer's coverage hooks too (fuzzer-no-link), so the fuzzer is
# guided by the parser, routes and readers it drives, not just by the target's own file.
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_CXX_FLAGS="$sanitizers -fsanitize=fuzzer-no-link" \
    -DCMAKE_EXE_LINKER_FLAGS="$sanitizers" -DFLASHSALE_BUILD_TESTS=OFF -DFLASHSALE_FUZZ=ON \
    > build-fuzz-configure.log || { cat build-fuzz-configure.log; exit 1; }
cmake --build build-fuzz -j2 --target fuzz_http fuzz_websocket fuzz_json
mkdir -p build-fuzz/findings
for target in http websocket json; do
    # A scratch corpus: what the run discovers stays out of the repository's seeds.
    scratch="build-fuzz/corpus-$target"
    mkdir -p "$scratch"
    echo "fuzz_$target: ${seconds} s"
    # Qt and the engine keep caches for the process's life: report leaks only at exit
    # (libFuzzer's own -detect_leaks stays on).
    QT_QPA_PLATFORM=offscreen ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "build-fuzz/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
        -max_len=70000 -artifact_prefix="build-fuzz/findings/$target-" "$scratch" "tests/fuzz/corpus/$target"
done
echo "fuzz: every target ran ${seconds} s without a finding"
