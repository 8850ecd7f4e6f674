#!/bin/sh
# Takes the event dialog with its validation messages, in English and Chinese: the real console
# under Xvfb, Ctrl+N, wrong values typed, OK pressed (every field says what is wrong).
# Usage: resources/screenshots/capture-eventdialog.sh [BUILD_DIR]   (needs Xvfb, xdotool, ImageMagick, curl,
# a Chinese font such as fonts-wqy-microhei)
set -eu
BUILD=${1:-build}
OUT=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
PORT=18097
export DISPLAY=:97
Xvfb :97 -screen 0 1300x840x24 >"$WORK/xvfb.log" 2>&1 &
XVFB=$!
APP=
trap 'test -n "$APP" && kill $APP 2>/dev/null; sleep 1; kill $XVFB 2>/dev/null; rm -rf "$WORK"' EXIT
sleep 1

for lang in ${LANGS:-en zh_CN}; do
    case $lang in en) locale=en_US.UTF-8 suffix= ;; *) locale=zh_CN.UTF-8 suffix=-zh_CN ;; esac
    XDG_CONFIG_HOME="$WORK/config-$lang" LANG=$locale LANGUAGE= LC_ALL= "$BUILD/app/flashsale" \
        --data-dir "$WORK/store-$lang" --listen 127.0.0.1:$PORT --admin-token demo-token >"$WORK/app.log" 2>&1 &
    APP=$!
    for _ in $(seq 50); do curl -fs http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.2; done
    sleep 1
    xdotool mousemove 640 300 click 1
    xdotool key ctrl+n; sleep 1
    xdotool type 'Spring Sale!'           # not a valid id
    xdotool key alt+p; xdotool type '12.345'   # three decimals
    xdotool key alt+s; xdotool key ctrl+a; xdotool type 'lots'
    xdotool key alt+l; xdotool key ctrl+a; xdotool type '0'
    xdotool key Return; sleep 1          # OK: every problem shows
    dialog=$(xdotool getwindowfocus)     # the dialog has the keyboard
    import -window "$dialog" "$OUT/eventdialog-validation$suffix.png"
    xdotool key Escape; sleep 0.5
    kill $APP; wait $APP 2>/dev/null || true
    APP=
done
