#!/bin/sh
# Takes dashboard.png and dashboard-zh_CN.png: the live dashboard during a paced rehearsal
# (Tools → Simulate a sale on a real event at the default pace, 100 shoppers/s), with the
# rehearsal copy picked in the dashboard's event combo.
# Usage: resources/screenshots/capture-rehearsal.sh [BUILD_DIR]   (needs Xvfb, xdotool, ImageMagick, curl)
# Clicks go to fixed positions on a 1300x840 screen with the default Qt style; if the layout
# changes, adjust them by looking at the pictures.
set -eu
BUILD=${1:-build}
OUT=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
PORT=18083
export DISPLAY=:96
Xvfb :96 -screen 0 1300x840x24 >"$WORK/xvfb.log" 2>&1 &
XVFB=$!
sleep 1
XDG_CONFIG_HOME="$WORK/config" LANG=en_US.UTF-8 "$BUILD/app/flashsale" --data-dir "$WORK/store" \
    --listen 127.0.0.1:$PORT --admin-token demo-token >"$WORK/app.log" 2>&1 &
APP=$!
trap 'kill $APP 2>/dev/null; sleep 2; kill $XVFB 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do curl -fs http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.2; done

api() { curl -s -o /dev/null -H 'Authorization: Bearer demo-token' -H 'Content-Type: application/json' "$@"; }
EVENTS=http://127.0.0.1:$PORT/api/v1/admin/events
api -X POST $EVENTS -d '{"id":"spring-sale","name":"Spring Sale · 春季大促","priceCents":12999,"currency":"CNY","stock":2000,"perUserLimit":2}'
api -X POST $EVENTS/spring-sale/open
api -X POST $EVENTS -d '{"id":"flash-earbuds","name":"Wireless earbuds","priceCents":19900,"currency":"CNY","stock":300,"perUserLimit":1}'
api -X POST $EVENTS/flash-earbuds/open
sleep 1
shot() { import -window root "$WORK/shot.png" && convert "$WORK/shot.png" -crop 1280x800+0+0 +repage "$OUT/$1.png"; }
click() { xdotool mousemove "$1" "$2" click 1; sleep "${3:-0.5}"; }

# Tools → Simulate a sale: 3,000 shoppers against spring-sale at the default pace (30 s).
click 59 8; xdotool key Down Return; sleep 1
xdotool mousemove 680 345 click --repeat 3 1; xdotool key ctrl+a; xdotool type 3000
click 743 479 2                       # Start
xdotool key Escape; sleep 0.5         # Close the dialog: the run goes on
click 122 32                          # Live dashboard
click 444 64; xdotool key Up Return   # Window: last minute
click 210 64; xdotool key End Return  # Event: the rehearsal copy (the last one)
sleep 12
shot dashboard
click 378 32 1                        # Settings
click 700 279; xdotool key Down Return; sleep 1   # Language: 简体中文
click 84 35 3; shot dashboard-zh_CN
