#!/bin/sh
# Takes remote-events.png and remote-dashboard.png: the console attached to a headless node
# (`flashsale --connect`, token from FLASHSALE_ADMIN_TOKEN) while shoppers buy on that node.
# Usage: resources/screenshots/capture-remote.sh [BUILD_DIR]   (needs Xvfb, xdotool, ImageMagick, curl)
set -eu
BUILD=${1:-build}
OUT=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
PORT=18084
export DISPLAY=:94
"$BUILD/app/flashsale" --headless --data-dir "$WORK/node" --listen 127.0.0.1:$PORT --admin-token T >"$WORK/node.log" 2>&1 &
NODE=$!
Xvfb :94 -screen 0 1300x840x24 >"$WORK/xvfb.log" 2>&1 &
XVFB=$!
SHOPPERS=
trap 'kill $SHOPPERS $CONSOLE $NODE 2>/dev/null; sleep 2; kill $XVFB 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do curl -fs http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.2; done

api() { curl -s -o /dev/null -H 'Authorization: Bearer T' -H 'Content-Type: application/json' "$@"; }
EVENTS=http://127.0.0.1:$PORT/api/v1/admin/events
T1=$(date -u -d '+1 day' +%Y-%m-%dT10:00:00Z)
api -X POST $EVENTS -d '{"id":"spring-sale","name":"Spring Sale · 春季大促","priceCents":12999,"currency":"CNY","stock":600,"perUserLimit":2}'
api -X POST $EVENTS/spring-sale/open
api -X POST $EVENTS -d '{"id":"flash-earbuds","name":"Wireless earbuds","priceCents":19900,"currency":"CNY","stock":300,"perUserLimit":1}'
api -X POST $EVENTS/flash-earbuds/open
api -X POST $EVENTS -d "{\"id\":\"summer-preview\",\"name\":\"Summer preview\",\"priceCents\":5900,\"currency\":\"USD\",\"stock\":500,\"perUserLimit\":1,\"startsAt\":\"$T1\"}"
api -X POST $EVENTS/summer-preview/open
# Shoppers on the node: about 40 a second, every fifth leaves a phone number.
(i=0; while :; do
    i=$((i + 1)); event=spring-sale; [ $((i % 3)) -eq 0 ] && event=flash-earbuds
    contact=; [ $((i % 5)) -eq 0 ] && contact=",\"contact\":\"1380013$(printf %04d $i)\""
    curl -s -o /dev/null -H 'Content-Type: application/json' \
        -d "{\"requestId\":\"r$i\",\"userId\":\"shopper-$i\",\"quantity\":1$contact}" \
        http://127.0.0.1:$PORT/api/v1/events/$event/purchases &
    sleep 0.025
done) &
SHOPPERS=$!

XDG_CONFIG_HOME="$WORK/config" XDG_DATA_HOME="$WORK/data" LANG=en_US.UTF-8 FLASHSALE_ADMIN_TOKEN=T \
    "$BUILD/app/flashsale" --connect http://127.0.0.1:$PORT >"$WORK/console.log" 2>&1 &
CONSOLE=$!
sleep 12
shot() { import -window root "$WORK/shot.png" && convert "$WORK/shot.png" -crop 1280x800+0+0 +repage "$OUT/$1.png"; }
click() { xdotool mousemove "$1" "$2" click 1; sleep "${3:-0.5}"; }
shot remote-events
click 122 32 1                        # Live dashboard
click 444 64; xdotool key Up Return   # Window: last minute
sleep 6
shot remote-dashboard
# The console kept no database of its own.
if find "$WORK/config" "$WORK/data" -name '*.sqlite*' 2>/dev/null | grep -q .; then echo "a remote console wrote a database" >&2; exit 1; fi
