#!/bin/sh
# Takes the orders-and-payment screenshots: the Orders page with its status column and the
# dashboard's payment tiles, on the real console under Xvfb, after a sale with a payment window
# (one order paid, one cancelled and offered to a lead, the rest awaiting payment).
# Usage: resources/screenshots/capture-orders.sh [BUILD_DIR]   (needs Xvfb, xdotool, ImageMagick, curl)
# Clicks go to fixed positions on a 1300x840 screen with the default Qt style (as capture.sh).
set -eu
BUILD=${1:-build}
OUT=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
PORT=18083
DISPLAY_NUMBER=${DISPLAY_NUMBER:-:97}
export DISPLAY=$DISPLAY_NUMBER
Xvfb "$DISPLAY" -screen 0 1300x840x24 >"$WORK/xvfb.log" 2>&1 &
XVFB=$!
sleep 1
XDG_CONFIG_HOME="$WORK/config" LANG=en_US.UTF-8 "$BUILD/app/flashsale" --data-dir "$WORK/store" \
    --listen 127.0.0.1:$PORT --admin-token demo-token >"$WORK/app.log" 2>&1 &
APP=$!
trap 'kill $APP 2>/dev/null; sleep 2; kill $XVFB 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do curl -fs http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.2; done

BASE=http://127.0.0.1:$PORT/api/v1
admin() { curl -s -H 'Authorization: Bearer demo-token' -H 'Content-Type: application/json' "$@"; }
admin -o /dev/null -X POST $BASE/admin/events -d '{"id":"console-drop","name":"Console drop · 主机首发","priceCents":299900,"currency":"CNY","stock":8,"perUserLimit":1,"paymentWindowSeconds":900,"releasePolicy":"offer","launch":true}'
for i in $(seq 1 12); do
    curl -s -o /dev/null -H 'Content-Type: application/json' "$BASE/events/console-drop/purchases?wait=5000" \
        -d "{\"requestId\":\"r$i\",\"userId\":\"shopper-$i\",\"quantity\":1,\"contact\":\"13800138$(printf %03d $i)\"}"
done
order() { admin "$BASE/admin/events/console-drop/orders?user=shopper-$1" | sed -n 's/.*"orderId":\([0-9]*\).*/\1/p'; }
admin -o /dev/null -X POST "$BASE/admin/events/console-drop/orders/$(order 1)/paid"
admin -o /dev/null -X POST "$BASE/admin/events/console-drop/orders/$(order 2)/paid"
admin -o /dev/null -X POST "$BASE/admin/events/console-drop/orders/$(order 3)/cancel"   # offered to shopper-9
sleep 2
shot() { import -window root "$WORK/shot.png" && convert "$WORK/shot.png" -crop 1280x800+0+0 +repage "$OUT/$1.png"; }
click() { xdotool mousemove "$1" "$2" click 1; sleep "${3:-0.5}"; }

click 213 32 2; shot orders-payment       # Orders
click 122 32 2; shot dashboard-payment    # Live dashboard
