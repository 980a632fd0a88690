#!/usr/bin/env bash
# Pilot submissions under load: builds the release binary, starts the server with the demo
# data (the hourly start limit off, webhooks to this machine allowed), registers a webhook
# of the demo pilot `wohnsitz-anmelden` to a local receiver, and has
# benches/pilot_submissions.py send completed runs at RATE per second (default 100) for
# DURATION seconds (default 60). DATABASE_URL=postgres://… measures on PostgreSQL (its public schema
# is emptied first).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18082}
SINK=${SINK:-18099}
RATE=${RATE:-100}
DURATION=${DURATION:-60}
# BIN=… measures a binary already built (a quick check of the script with a debug build).
if [[ -z "${BIN:-}" ]]; then
    cargo build --release --quiet
    BIN=target/release/innolab
fi
DATA=$(mktemp -d)
export RUST_LOG=warn INNOLAB_PILOT_STARTS_PER_HOUR=0 INNOLAB_WEBHOOK_ALLOW_PRIVATE=true
PID=""
trap '[[ -n "$PID" ]] && kill "$PID" 2>/dev/null; rm -rf "$DATA"' EXIT
if [[ "${DATABASE_URL:-}" == postgres* ]]; then
    PGOPTIONS=--client-min-messages=warning psql "$DATABASE_URL" -qc "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
fi
if curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then echo "port $PORT is already in use" >&2; exit 1; fi

echo "machine: $(nproc) cores; database: ${DATABASE_URL:-sqlite (default)}"
"$BIN" serve --data-dir "$DATA" --listen "127.0.0.1:$PORT" >"$DATA/server.log" 2>&1 &
PID=$!
until curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do sleep 0.05; done
base="http://127.0.0.1:$PORT"

if [[ "${DATABASE_URL:-}" == postgres* ]]; then
    pilot=$(psql "$DATABASE_URL" -tAc "SELECT id FROM pilots WHERE slug = 'wohnsitz-anmelden'")
else
    pilot=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT id FROM pilots WHERE slug = ?", ("wohnsitz-anmelden",)).fetchone()[0])' "$DATA/innolab.db")
fi

# The team signs in and adds its receiver as the pilot's webhook.
jar="$DATA/cookies"
token() { curl -fs -c "$jar" -b "$jar" "$base$1" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | cut -d'"' -f4; }
curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf_token=$(token /login)" \
    --data-urlencode "email=startup.formfluss@innolab.example" \
    --data-urlencode "password=Quittenmus-Anker-Dachrinne-Kiesel-73" "$base/login"
code=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" \
    --data-urlencode "csrf_token=$(token "/pilots/$pilot")" \
    --data-urlencode "url=http://127.0.0.1:$SINK/hook" \
    --data-urlencode "secret=bench-secret-0123456789" "$base/pilots/$pilot/webhooks")
echo "webhook of pilot $pilot to 127.0.0.1:$SINK: HTTP $code"

python3 benches/pilot_submissions.py "$base" wohnsitz-anmelden --rate "$RATE" --seconds "$DURATION" --sink-port "$SINK"
echo "RSS after the run: $(ps -o rss= -p "$PID" | awk '{printf "%.0f MB", $1/1024}')"
