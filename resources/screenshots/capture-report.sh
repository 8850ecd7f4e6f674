#!/bin/sh
# Makes the README's post-sale report pictures: a headless node sells spring-sale to 3,000
# shoppers (curl, 8 at a time, so the sale lasts some seconds), then `flashsale --report`
# renders its report as PNG in English and in Chinese, without a display.
# Usage: resources/screenshots/capture-report.sh [BUILD_DIR]   (needs curl)
set -eu
BUILD=${1:-build}
OUT=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
PORT=18081
"$BUILD/app/flashsale" --headless --data-dir "$WORK/store" --listen 127.0.0.1:$PORT --admin-token demo-token \
    >"$WORK/node.log" 2>&1 &
NODE=$!
trap 'kill $NODE 2>/dev/null; wait $NODE 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do curl -fs http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.2; done
api() { curl -s -o /dev/null -H 'Authorization: Bearer demo-token' -H 'Content-Type: application/json' "$@"; }
EVENTS=http://127.0.0.1:$PORT/api/v1/admin/events
api -X POST $EVENTS -d '{"id":"spring-sale","name":"Spring Sale · 春季大促","priceCents":12999,"currency":"CNY","stock":2000,"perUserLimit":2}'
api -X POST $EVENTS/spring-sale/open
# Every third shopper leaves a phone number; each asks for one or two units.
seq 3000 | xargs -P 8 -I{} sh -c 'n={}; q=$((n % 2 + 1)); c=""; [ $((n % 3)) -eq 0 ] && c=",\"contact\":\"+86 138 0000 $n\""; \
    curl -s -o /dev/null -H "Content-Type: application/json" -X POST \
    "http://127.0.0.1:'$PORT'/api/v1/events/spring-sale/purchases?wait=5000" \
    -d "{\"requestId\":\"r$n\",\"userId\":\"shopper-$n\",\"quantity\":$q$c}"'
mkdir -p "$WORK/en/flashsale" "$WORK/zh/flashsale"
printf '[console]\nlanguage=en\n' >"$WORK/en/flashsale/flashsale.conf"
printf '[console]\nlanguage=zh_CN\n' >"$WORK/zh/flashsale/flashsale.conf"
XDG_CONFIG_HOME="$WORK/en" "$BUILD/app/flashsale" --report spring-sale --output "$OUT/report.png" --data-dir "$WORK/store"
XDG_CONFIG_HOME="$WORK/zh" "$BUILD/app/flashsale" --report spring-sale --output "$OUT/report-zh_CN.png" --data-dir "$WORK/store"
