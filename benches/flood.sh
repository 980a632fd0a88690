#!/usr/bin/env bash
# Logins during a registration flood: release build, demo data, registration rate limit
# off (so every registration of a new address reaches the hash pool, the worst case),
# then benches/flood.py (RATE= registrations/s, SECONDS_= per phase, LOGIN_RATE=).
# DATABASE_URL=postgres://… measures on PostgreSQL (the database is emptied first).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
BIN=target/release/innolab
PORT=${PORT:-18081}
DATA=$(mktemp -d)
export RUST_LOG=warn
PID=""
trap '[[ -n "$PID" ]] && kill "$PID" 2>/dev/null; rm -rf "$DATA"' EXIT
if [[ "${DATABASE_URL:-}" == postgres* ]]; then
    PGOPTIONS=--client-min-messages=warning psql "$DATABASE_URL" -qc "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
fi
if curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then echo "port $PORT is already in use" >&2; exit 1; fi
"$BIN" serve --data-dir "$DATA" --listen "127.0.0.1:$PORT" --registrations-per-hour 0 \
    >"$DATA/server.log" 2>&1 &
PID=$!
until curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do sleep 0.05; done
echo "machine: $(nproc) cores, $(uname -m); database: ${DATABASE_URL:-sqlite (default)}"
python3 benches/flood.py "http://127.0.0.1:$PORT" --rate "${RATE:-100}" \
    --seconds "${SECONDS_:-20}" --login-rate "${LOGIN_RATE:-5}"
