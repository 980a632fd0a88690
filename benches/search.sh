#!/usr/bin/env bash
# Search benchmark at synthetic scale (10k challenges, 100k proposals by default):
#   1. `innolab reindex` of the whole database (time, with its progress bar),
#   2. benches/search.rs: the engine's p50/p99 for a fixed query mix beside SQLite FTS5
#      over the same texts, the lag from save to searchable, the process's RSS,
#   3. GET /api/v1/search under wrk at 16 connections (page cache off, queries rotating;
#      after a 5 s warm-up, shown apart),
#      and the server's RSS afterwards.
# Sizes: CHALLENGES=… PROPOSALS=…; DURATION=…s for wrk; DATABASE_URL=postgres://… for
# PostgreSQL (its public schema is emptied first). Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18082}
# shellcheck source=benches/synthetic.sh
source benches/synthetic.sh
URL=${DATABASE_URL:-sqlite://$DATA/innolab.db}

echo "machine: $(nproc) cores; database: ${DATABASE_URL:-sqlite (default)}"
"$BIN" --data-dir "$DATA" --database-url "$URL" seed --synthetic --challenges "$CHALLENGES" --proposals "$PROPOSALS"
echo
echo "== full reindex =="
/usr/bin/time -f "reindex: %e s wall, %M KB max RSS" "$BIN" --data-dir "$DATA" --database-url "$URL" reindex

echo
echo "== engine and SQLite FTS5, lag, memory =="
cargo bench --quiet --bench search -- "$URL" "$DATA/search"

echo
echo "== GET /api/v1/search, 16 connections, rotating queries =="
cat >"$DATA/innolab.toml" <<TOML
page_cache_ms = 0
TOML
"$BIN" --config "$DATA/innolab.toml" --data-dir "$DATA" --database-url "$URL" serve --no-demo --listen "127.0.0.1:$PORT" >"$DATA/server.log" 2>&1 &
PID=$!
until curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do sleep 0.05; done
cat >"$DATA/queries.lua" <<'LUA'
local queries = { "hundesteuer", "Wohngeld%20barrierefrei", "%22Leichte%20Sprache%22", "anmeldung",
  "Schuldnerberatung%20Smartphone", "elterngeld", "Parkausweis%20digital", "Sperrmuell",
  "fuehrungszeugnis", "Bauantrg", "open%20source", "mehrsprachig", "status%3Aopen%20hitzeschutz",
  "kind%3Aproposal%20wohngeld", "Stra%C3%9Fensanierung", "Kita-Platzvergabe" }
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v1/search?q=" .. queries[(i % #queries) + 1])
end
LUA
# The first seconds read the index from disk into the OS's cache; they are shown apart.
echo "warm-up, 5 s:"
wrk -t2 -c16 -d5s --latency -s "$DATA/queries.lua" "http://127.0.0.1:$PORT" \
    | grep -E "Requests/sec|99%" || true
echo "measured, ${DURATION} s:"
wrk -t2 -c16 -d"${DURATION}s" --latency -s "$DATA/queries.lua" "http://127.0.0.1:$PORT" \
    | grep -E "Requests/sec|Latency|50%|99%|Non-2xx|Socket errors" || true
echo "server RSS after the run: $(ps -o rss= -p "$PID" | awk '{printf "%.0f MB", $1/1024}')"
