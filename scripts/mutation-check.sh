#!/usr/bin/env bash
# Plants known bugs one at a time in a scratch copy of the committed tree, builds, runs the tests
# the README's guarantees table names for each, and prints which bugs the tests caught.
# Not part of CI (it builds once per bug); run it after changing a guarantee or its tests:
#   scripts/mutation-check.sh            # every planted bug
#   scripts/mutation-check.sh early      # only the bugs whose name contains "early"
# Needs what scripts/test.sh needs; it starts the local PostgreSQL like the test command does.
set -euo pipefail
cd "$(dirname "$0")/.."
filter="${1:-}"

scratch=$(mktemp -d /tmp/flashsale-mutation.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
git archive HEAD | tar -x -C "$scratch"
if [[ -z "${FLASHSALE_TEST_PG_URL:-}" ]]; then
    FLASHSALE_TEST_PG_URL=$(scripts/start-postgres.sh)
fi
export FLASHSALE_TEST_PG_URL QT_QPA_PLATFORM=offscreen
# The scratch build shares ccache entries with build/ (paths relative to the build dir).
export CCACHE_BASEDIR="$scratch"

# Each planted bug: a name, the file it changes, a perl substitution (run with -0pe on the whole
# file) and the ctest names of the tests the README's guarantees table names for it.
names=() files=() substitutions=() tests=()
plant() { names+=("$1"); files+=("$2"); substitutions+=("$3"); tests+=("$4"); }
plant early-answer engine/node/writer.cpp \
    's/(\n(\s*)QString error;\n\s*int attempt = 0;)/\n$2m_publish(batch); \/\/ planted: answer before the commit$1/; s/(if \(!committed\)\n\s*break;\n\s*m_failing[^\n]*\n)\s*m_publish\(batch\);\n/$1/' \
    "tst_durability tst_faults tst_shutdown"
plant order-ids-restart-at-1 engine/node/engine.cpp \
    's/loaded\.maxOrderId \+ 1/1/' \
    "tst_restart tst_postgres"
plant lead-loses-contact engine/storage/store.cpp \
    "s/contact = CASE WHEN excluded\.contact <> '' THEN excluded\.contact ELSE intents\.contact END/contact = excluded.contact/" \
    "tst_store tst_httpapi"
plant lead-loses-contact-in-batch engine/storage/store.cpp \
    's/if \(!r\.contact\.isEmpty\(\)\)\n\s*l\.contact = r\.contact;/l.contact = r.contact;/' \
    "tst_store tst_httpapi"
plant per-user-limit-one-too-strict engine/core/decider.cpp \
    's/(unitsOf\(userHash, request\.userId\) \+ request\.quantity) > event\.config\.perUserLimit/$1 >= event.config.perUserLimit/' \
    "tst_httpapi"

build() { # $1: space-separated ctest names, which are also their targets; the binary too
    cmake -S "$scratch" -B "$scratch/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$scratch/configure.log" \
        || { cat "$scratch/configure.log"; exit 1; }
    # shellcheck disable=SC2086
    cmake --build "$scratch/build" -j2 --target flashsale $1 > "$scratch/build.log" 2>&1
}

run_tests() { # $1: space-separated ctest names; the tests' own timeouts bound a wedged engine
    ctest --test-dir "$scratch/build" -R "^($(tr ' ' '|' <<< "$1"))\$" --timeout 300 > "$scratch/ctest.log" 2>&1
}

echo "Baseline: building the unchanged tree and running every named test once"
all_named=$(printf '%s\n' ${tests[@]} | sort -u | paste -sd' ')
build "$all_named" || { tail -30 "$scratch/build.log"; exit 1; }
if ! run_tests "$all_named"; then
    cat "$scratch/ctest.log"
    echo "The unchanged tree fails its tests: fix that first." >&2
    exit 1
fi

caught=0
missed=0
printf '\n%-32s %-40s %s\n' "planted bug" "tests" "result"
for i in "${!names[@]}"; do
    name=${names[$i]} file=${files[$i]} substitution=${substitutions[$i]} named=${tests[$i]}
    [[ -z "$filter" || "$name" == *"$filter"* ]] || continue
    original="$scratch/original.src"
    cp "$scratch/$file" "$original"
    perl -0pe "$substitution" "$original" > "$scratch/$file"
    if cmp -s "$original" "$scratch/$file"; then
        printf '%-32s %-40s %s\n' "$name" "$named" "NOT PLANTED (the code it changes moved; update this script)"
        missed=$((missed + 1))
        continue
    fi
    if ! build "$named"; then
        result="does not build (fix the substitution)"
        missed=$((missed + 1))
    elif run_tests "$named"; then
        result="MISSED"
        missed=$((missed + 1))
    else
        failed=$(grep -oE '[0-9]+ - [a-z_]+' "$scratch/ctest.log" | awk '{print $3}' | paste -sd, -)
        result="caught by ${failed}"
        caught=$((caught + 1))
    fi
    printf '%-32s %-40s %s\n' "$name" "$named" "$result"
    cp "$original" "$scratch/$file"
done
echo
echo "$caught caught, $missed missed"
((missed == 0))
