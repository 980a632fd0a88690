#!/usr/bin/env bash
# Builds the release binary and prints the foundation's figures: cold start on an empty
# and on an existing database, and login p99 at 50 logins/s with /healthz p99 meanwhile.
# DATABASE_URL=postgres://… measures on PostgreSQL (the database is emptied first).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
BIN=target/release/innolab
PORT=${PORT:-18080}
DATA=$(mktemp -d)
export RUST_LOG=warn
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$DATA"' EXIT

if [[ "${DATABASE_URL:-}" == postgres* ]]; then
    PGOPTIONS=--client-min-messages=warning psql "$DATABASE_URL" -qc "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
fi

PID=""
MS=0
# Starts the server and sets PID and MS (milliseconds until /healthz answers 200).
start_and_time() {
    local t0 t1
    t0=$(date +%s%N)
    "$BIN" serve --data-dir "$DATA" --listen "127.0.0.1:$PORT" >"$DATA/server.log" 2>&1 &
    PID=$!
    until curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do sleep 0.005; done
    t1=$(date +%s%N)
    MS=$(( (t1 - t0) / 1000000 ))
}
stop() { kill "$PID"; wait "$PID" 2>/dev/null || true; }

if curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then echo "port $PORT is already in use" >&2; exit 1; fi
echo "machine: $(nproc) cores, $(uname -m); database: ${DATABASE_URL:-sqlite (default)}"
start_and_time
echo "cold start, empty database (migrations + demo data): $MS ms"
stop
runs=()
for _ in 1 2 3 4 5; do
    start_and_time
    runs+=("$MS")
    stop
done
echo "start-up with an existing database, 5 runs: ${runs[*]} ms"

start_and_time
python3 benches/login_burst.py "http://127.0.0.1:$PORT" --rate "${RATE:-50}" --seconds "${SECONDS_:-20}"
