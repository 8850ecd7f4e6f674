#!/usr/bin/env bash
# Runs every benchmark on this machine, prints a table and writes bench/results.json.
# Everything runs on loopback, bounded in time. DURATION=seconds per load test (default 10);
# WATCHERS=number of WebSocket watchers (default 20000, capped by the open-file limit).
# The scale-out benchmark (bench/cluster.sh) starts local PostgreSQL and RabbitMQ servers.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
WATCHERS=${WATCHERS:-20000}

scripts/install-deps.sh --test
need=()
for tool in wrk nginx; do command -v "$tool" >/dev/null || need+=("$tool"); done
if ((${#need[@]})); then
    sudo=""; [[ $(id -u) -ne 0 ]] && sudo=sudo
    $sudo apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi
(cd bench && npm ci --silent --no-audit --no-fund)

cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build-release -j2 --target flashsale flashsale_bench flashsale_uistall flashsale_barefront

work=$(mktemp -d)
results="$work/results.jsonl"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [[ -n "${KEEP_WORK:-}" ]]; then echo "logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"

wait_http() { for _ in $(seq 100); do curl -sf -m 1 "$1" >/dev/null && return 0; sleep 0.1; done; echo "no answer from $1" >&2; return 1; }
wrk_rps() { awk '/Requests\/sec/ {print int($2)}'; }
admin() { curl -sf -m 10 -H "Authorization: Bearer bench" -H 'Content-Type: application/json' "$@" >/dev/null; }
start_engine() { # port, then extra arguments; prints the pid
    local port=$1; shift
    "$@" --data-dir "$work/data-$port" --listen "127.0.0.1:$port" --admin-token bench > "$work/engine-$port.log" 2>&1 &
    echo $!
}
create_event() {
    admin -X POST "http://127.0.0.1:$1/api/v1/admin/events" \
        -d '{"id":"bench","name":"Bench","priceCents":100,"stock":1000000000,"perUserLimit":1000000}'
    admin -X POST "http://127.0.0.1:$1/api/v1/admin/events/bench/open"
}

echo "== 1, 2: decider and group commit (in process)"
(cd "$work" && "$OLDPWD/build-release/bench/flashsale_bench" decider commit) | tee -a "$results"

echo "== 3: HTTP purchase path (wrk -t1 -c64, ${DURATION}s) against nginx's fixed 200"
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $work/nginx;
    server { listen 127.0.0.1:18181; location / { return 200 "ok"; } }
}
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" & pids+=($!)
wait_http http://127.0.0.1:18181/
nginx_rps=$(wrk -t1 -c64 -d"${DURATION}s" http://127.0.0.1:18181/ | wrk_rps)
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
# The bare front: the node's HTTP library doing the same JSON parse, without the engine.
build-release/bench/flashsale_barefront 18184 > "$work/barefront.log" & pids+=($!)
wait_http_up() { for _ in $(seq 100); do curl -s -m 1 -o /dev/null "$1" && return 0; sleep 0.1; done; return 1; }
wait_http_up http://127.0.0.1:18184/
bare_rps=$(EVENT_ID=bench wrk -t1 -c64 -d"${DURATION}s" -s bench/purchase.lua http://127.0.0.1:18184 | wrk_rps)
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

# wrk plays the whole crowd from 127.0.0.1: the rate limiter runs (its cost is measured) with a
# rate no benchmark reaches.
engine=$(start_engine 18182 build-release/app/flashsale --headless --rate-limit 1000000); pids+=("$engine")
wait_http http://127.0.0.1:18182/healthz
create_event 18182
EVENT_ID=bench wrk -t1 -c64 -d2s -s bench/purchase.lua http://127.0.0.1:18182 > /dev/null # warm-up
line=$(EVENT_ID=bench wrk -t1 -c64 -d"${DURATION}s" -s bench/purchase.lua http://127.0.0.1:18182 | grep '^RESULT')
echo "$line"
node -e '
const kv = Object.fromEntries(process.argv[1].split(" ").slice(1).map(s => s.split("=")));
const nginx = Number(process.argv[2]);
const bare = Number(process.argv[3]);
console.log(JSON.stringify({bench: "http-purchase", requestsPerSecond: Number(kv.rps), p50Ms: Number(kv.p50_ms),
  p99Ms: Number(kv.p99_ms), errors: Number(kv.errors), nginxRequestsPerSecond: nginx, ratioToNginx: Number(kv.rps) / nginx,
  bareFrontRequestsPerSecond: bare, bareFrontRatioToNginx: bare / nginx}));
' "$line" "$nginx_rps" "$bare_rps" | tee -a "$results"

echo "== 4: WebSocket purchase path (200 connections, pipelined, ${DURATION}s)"
DURATION_MS=$((DURATION * 1000)) node bench/ws-purchase.mjs ws://127.0.0.1:18182/api/v1/ws bench | tee -a "$results"

echo "== 5: many watchers"
limit=$(( $(ulimit -Hn) - 300 ))
watchers=$(( WATCHERS < limit ? WATCHERS : limit ))
admin -X POST http://127.0.0.1:18182/api/v1/admin/events \
    -d '{"id":"watched","name":"Watched","priceCents":100,"stock":1000,"perUserLimit":1}'
admin -X POST http://127.0.0.1:18182/api/v1/admin/events/watched/open
rss_before=$(awk '/VmRSS/ {print $2}' "/proc/$engine/status")
WATCHERS=$watchers HOLD_MS=3000 node bench/ws-watchers.mjs ws://127.0.0.1:18182/api/v1/ws watched \
    http://127.0.0.1:18182 bench > "$work/watchers.json" 2> "$work/watchers.err" &
watcher_pid=$!
for _ in $(seq 1200); do grep -q "watchers ready" "$work/watchers.err" && break; sleep 0.1; done
sleep 1
rss_held=$(awk '/VmRSS/ {print $2}' "/proc/$engine/status")
wait "$watcher_pid" || true
node -e '
const r = JSON.parse(process.argv[1]);
r.requested = Number(process.argv[4]);
r.engineRssMiB = +(Number(process.argv[3]) / 1024).toFixed(1);
r.engineRssGrowthMiB = +((Number(process.argv[3]) - Number(process.argv[2])) / 1024).toFixed(1);
console.log(JSON.stringify(r));
' "$(cat "$work/watchers.json")" "$rss_before" "$rss_held" "$WATCHERS" | tee -a "$results"
kill -TERM "$engine"; wait "$engine" 2>/dev/null || true

echo "== 6: console under load (offscreen, engine serving benchmark 3)"
QT_QPA_PLATFORM=offscreen build-release/bench/flashsale_uistall --data-dir "$work/data-ui" --listen 127.0.0.1:18183 \
    --admin-token bench --seconds $((DURATION + 6)) > "$work/uistall.json" 2> "$work/uistall.log" &
ui=$!; pids+=("$ui")
wait_http http://127.0.0.1:18183/healthz
create_event 18183
EVENT_ID=bench wrk -t1 -c64 -d"${DURATION}s" -s bench/purchase.lua http://127.0.0.1:18183 > /dev/null
wait "$ui" || true
tee -a "$results" < "$work/uistall.json"

echo "== 7: scale-out (PostgreSQL, RabbitMQ, three nodes behind nginx) against the embedded engine"
DURATION=$DURATION bench/cluster.sh | tee -a "$results"

node bench/summary.mjs "$results" bench/results.json
