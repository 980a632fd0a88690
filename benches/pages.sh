#!/usr/bin/env bash
# Page benchmark at synthetic scale: builds the release binary, fills a fresh database with
# `innolab seed --synthetic` (10k challenges, 100k proposals by default), starts the server
# and measures the challenge list, a challenge page and a (public) proposal page with wrk.
# Sizes: CHALLENGES=… PROPOSALS=…; DURATION=…s per page; DATABASE_URL=postgres://… for
# PostgreSQL (its public schema is emptied first). Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet
BIN=target/release/innolab
PORT=${PORT:-18081}
DATA=$(mktemp -d)
CHALLENGES=${CHALLENGES:-10000}
PROPOSALS=${PROPOSALS:-100000}
DURATION=${DURATION:-15}
export RUST_LOG=warn
PID=""
trap '[[ -n "$PID" ]] && kill "$PID" 2>/dev/null; rm -rf "$DATA"' EXIT

if [[ "${DATABASE_URL:-}" == postgres* ]]; then
    psql "$DATABASE_URL" -qc "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
fi
if curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then echo "port $PORT is already in use" >&2; exit 1; fi

echo "machine: $(nproc) cores; database: ${DATABASE_URL:-sqlite (default)}"
"$BIN" --data-dir "$DATA" seed --synthetic --challenges "$CHALLENGES" --proposals "$PROPOSALS"
"$BIN" serve --data-dir "$DATA" --listen "127.0.0.1:$PORT" --no-demo >"$DATA/server.log" 2>&1 &
PID=$!
until curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do sleep 0.05; done

base="http://127.0.0.1:$PORT"
challenge=$(curl -fs "$base/api/v1/challenges?status=open&per_page=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["url"])')
# A proposal the public may read: submitted, of a challenge that made its proposals public.
proposal=$(python3 - "$DATA" "${DATABASE_URL:-}" <<'PY'
import sqlite3, subprocess, sys
data, url = sys.argv[1], sys.argv[2]
q = ("SELECT p.id FROM proposals p JOIN challenges c ON c.id = p.challenge_id "
     "WHERE p.status = 'submitted' AND c.proposal_visibility = 'public_after_deadline' "
     "AND c.status <> 'draft' AND c.submission_deadline < CURRENT_TIMESTAMP ORDER BY p.id LIMIT 1")
if url.startswith("postgres"):
    print(subprocess.check_output(["psql", url, "-tAc", q], text=True).strip())
else:
    print(sqlite3.connect(f"{data}/innolab.db").execute(q).fetchone()[0])
PY
)
rss() { ps -o rss= -p "$PID" | awk '{printf "%.0f MB", $1/1024}'; }

for path in "/challenges" "$challenge" "/proposals/$proposal" "/api/v1/challenges?per_page=20"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$base$path")
    echo
    echo "== $path (HTTP $code) =="
    wrk -t2 -c64 -d"${DURATION}s" --latency "$base$path" | grep -E "Requests/sec|Latency|50%|99%|Non-2xx|Socket errors" || true
    echo "   with 50 connections:"
    wrk -t2 -c50 -d"${DURATION}s" --latency "$base$path" | grep -E "Requests/sec|99%" || true
done
echo
echo "RSS after the runs: $(rss)"
