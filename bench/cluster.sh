#!/usr/bin/env bash
# Scale-out throughput: the same wrk purchase load (bench/purchase.lua, -c64, ?wait) against
#   1. one embedded node (SQLite, in-process queue): the reference, measured in this run;
#   2. one node on PostgreSQL with the in-process queue;
#   3. one node on PostgreSQL and RabbitMQ;
#   4. three nodes on PostgreSQL and RabbitMQ behind nginx (resources/nginx-flashsale.conf's upstream).
# Prints one JSON line per setup. Starts PostgreSQL and RabbitMQ with the scripts if needed and
# uses a database of its own. Expects build-release/app/flashsale (bench/run.sh builds it).
# DURATION=seconds per load (default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
binary=build-release/app/flashsale

pg_url=$(scripts/start-postgres.sh)
amqp_url=$(scripts/start-rabbitmq.sh)
work=$(mktemp -d)
database="flashsale_bench_$$"
bench_url="${pg_url%/*}/$database"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    psql -q "$pg_url" -c "DROP DATABASE IF EXISTS $database" 2>/dev/null || true
    if [[ -n "${KEEP_WORK:-}" ]]; then echo "logs kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
psql -q "$pg_url" -c "CREATE DATABASE $database"

wait_http() { for _ in $(seq 150); do curl -sf -m 1 "$1" >/dev/null && return 0; sleep 0.1; done; echo "no answer from $1" >&2; return 1; }
admin() { curl -sf -m 10 -H "Authorization: Bearer bench" -H 'Content-Type: application/json' "$@" >/dev/null; }
start_node() { # port, then extra arguments
    local port=$1; shift
    # The load comes from 127.0.0.1: the rate limiter runs with a rate the benchmark never reaches.
    "$binary" --headless --data-dir "$work/data-$port" --listen "127.0.0.1:$port" --admin-token bench \
        --rate-limit 1000000 "$@" \
        > "$work/node-$port.log" 2>&1 &
    pids+=($!)
    wait_http "http://127.0.0.1:$port/healthz"
}
stop_nodes() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    pids=()
}
# Creates and opens a fresh event (queues outlive runs, so each gets its own id); prints its id.
new_event() {
    local id="bench-$1-$$"
    admin -X POST "http://127.0.0.1:$2/api/v1/admin/events" \
        -d "{\"id\":\"$id\",\"name\":\"Bench\",\"priceCents\":100,\"stock\":1000000000,\"perUserLimit\":1000000}"
    admin -X POST "http://127.0.0.1:$2/api/v1/admin/events/$id/open"
    echo "$id"
}
measure() { # name, url, event id
    EVENT_ID=$3 wrk -t1 -c64 -d2s -s bench/purchase.lua "$2" > /dev/null # warm-up
    local line
    line=$(EVENT_ID=$3 wrk -t1 -c64 -d"${DURATION}s" -s bench/purchase.lua "$2" | grep '^RESULT')
    echo "$1: $line" >&2
    echo "$1 $line"
}

results=()
start_node 18281
results+=("$(measure embedded-sqlite http://127.0.0.1:18281 "$(new_event sqlite 18281)")")
stop_nodes

start_node 18282 --store "$bench_url"
results+=("$(measure postgresql-in-process-queue http://127.0.0.1:18282 "$(new_event pg 18282)")")
stop_nodes

start_node 18283 --store "$bench_url" --queue "$amqp_url" --node-id solo
results+=("$(measure rabbitmq-1-node http://127.0.0.1:18283 "$(new_event one 18283)")")
stop_nodes

mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $work/nginx;
    upstream flashsale_nodes {
        server 127.0.0.1:18284; server 127.0.0.1:18285; server 127.0.0.1:18286;
        keepalive 64;
    }
    server {
        listen 127.0.0.1:18280;
        location / {
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass http://flashsale_nodes;
        }
    }
}
CONF
for port in 18284 18285 18286; do
    start_node "$port" --store "$bench_url" --queue "$amqp_url" --node-id "n$port" --http-threads 1
done
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" & pids+=($!)
wait_http http://127.0.0.1:18280/healthz
results+=("$(measure rabbitmq-3-nodes-nginx http://127.0.0.1:18280 "$(new_event three 18284)")")
stop_nodes

node -e '
const lines = process.argv.slice(1).map(l => {
  const [name, , ...kv] = l.split(" ");
  return [name, Object.fromEntries(kv.map(s => s.split("=")))];
});
const ref = Number(lines[0][1].rps);
for (const [name, kv] of lines)
  console.log(JSON.stringify({bench: "scale-out", setup: name, requestsPerSecond: Number(kv.rps), p50Ms: Number(kv.p50_ms),
    p99Ms: Number(kv.p99_ms), errors: Number(kv.errors), ratioToEmbedded: +(Number(kv.rps) / ref).toFixed(2)}));
' "${results[@]}"
