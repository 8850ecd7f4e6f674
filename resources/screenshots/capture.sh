#!/bin/sh
# Takes the README screenshots: the real console under Xvfb during a simulated sale.
# The dashboard's (dashboard.png, dashboard-zh_CN.png) come from capture-rehearsal.sh, the
# remote console's from capture-remote.sh.
# Usage: resources/screenshots/capture.sh [BUILD_DIR]   (needs Xvfb, xdotool, ImageMagick, curl)
# Clicks go to fixed positions on a 1300x840 screen with the default Qt style; if the layout
# changes, adjust them by looking at the pictures.
set -eu
BUILD=${1:-build}
OUT=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
PORT=18080
export DISPLAY=:99
Xvfb :99 -screen 0 1300x840x24 >"$WORK/xvfb.log" 2>&1 &
XVFB=$!
sleep 1
XDG_CONFIG_HOME="$WORK/config" LANG=en_US.UTF-8 "$BUILD/app/flashsale" --data-dir "$WORK/store" \
    --listen 127.0.0.1:$PORT --admin-token demo-token >"$WORK/app.log" 2>&1 &
APP=$!
trap 'kill $APP 2>/dev/null; sleep 2; kill $XVFB 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do curl -fs http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.2; done

api() { curl -s -o /dev/null -H 'Authorization: Bearer demo-token' -H 'Content-Type: application/json' "$@"; }
EVENTS=http://127.0.0.1:$PORT/api/v1/admin/events
T1=$(date -u -d '+1 day' +%Y-%m-%dT10:00:00Z)
T2=$(date -u -d '+1 day' +%Y-%m-%dT12:00:00Z)
api -X POST $EVENTS -d '{"id":"spring-sale","name":"Spring Sale · 春季大促","priceCents":12999,"currency":"CNY","stock":2000,"perUserLimit":2}'
api -X POST $EVENTS/spring-sale/open
api -X POST $EVENTS -d '{"id":"flash-earbuds","name":"Wireless earbuds","priceCents":19900,"currency":"CNY","stock":300,"perUserLimit":1}'
api -X POST $EVENTS/flash-earbuds/open
api -X POST $EVENTS -d "{\"id\":\"summer-preview\",\"name\":\"Summer preview\",\"priceCents\":5900,\"currency\":\"USD\",\"stock\":500,\"perUserLimit\":1,\"startsAt\":\"$T1\",\"endsAt\":\"$T2\"}"
api -X POST $EVENTS/summer-preview/open
sleep 1
shot() { import -window root "$WORK/shot.png" && convert "$WORK/shot.png" -crop 1280x800+0+0 +repage "$OUT/$1.png"; }
click() { xdotool mousemove "$1" "$2" click 1; sleep "${3:-0.5}"; }

# Tools → Simulate a sale: 30,000 shoppers against spring-sale.
click 59 8; xdotool key Down Return; sleep 1
xdotool mousemove 680 345 click --repeat 3 1; xdotool key ctrl+a; xdotool type 30000
click 743 479 4                       # Start
shot simulate
xdotool key Escape; sleep 0.5            # Close: the run goes on
click 122 32                          # Live dashboard
click 444 64; xdotool key Up Return   # Window: last minute
sleep 5
sleep 12                              # the sale finishes
click 32 32 1; shot events
click 213 32 1; shot orders
click 293 32 1; click 875 64 1        # Intent leads, include simulated shoppers
shot leads
click 378 32 1; shot settings
click 700 279; xdotool key Down Return; sleep 1   # Language: 简体中文
click 24 35 1; shot events-zh_CN
