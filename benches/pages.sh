#!/usr/bin/env bash
# Page benchmark at synthetic scale: builds the release binary, fills a fresh database with
# `innolab seed --synthetic` (10k challenges, 100k proposals by default), starts the server
# and measures with wrk the challenge list, a challenge page and a (public) proposal page
# as a visitor, then every main page signed in as a member of the challenge's agency.
# Sizes: CHALLENGES=… PROPOSALS=…; DURATION=…s per page; DATABASE_URL=postgres://… for
# PostgreSQL (its public schema is emptied first). Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18081}
# shellcheck source=benches/synthetic.sh
source benches/synthetic.sh

echo "machine: $(nproc) cores; database: ${DATABASE_URL:-sqlite (default)}"
"$BIN" --data-dir "$DATA" seed --synthetic --challenges "$CHALLENGES" --proposals "$PROPOSALS"
"$BIN" serve --data-dir "$DATA" --listen "127.0.0.1:$PORT" --no-demo >"$DATA/server.log" 2>&1 &
PID=$!
until curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do sleep 0.05; done

base="http://127.0.0.1:$PORT"
challenge=$(curl -fs "$base/api/v1/challenges?status=open&per_page=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["url"])')
# Runs one SQL statement on whichever database the server uses and prints the first value.
sql() {
    python3 - "$DATA" "${DATABASE_URL:-}" "$1" <<'PY'
import sqlite3, subprocess, sys
data, url, q = sys.argv[1:4]
if url.startswith("postgres"):
    print(subprocess.check_output(["psql", url, "-tAc", q], text=True).strip())
else:
    db = sqlite3.connect(f"{data}/innolab.db")
    row = db.execute(q).fetchone()
    db.commit()
    print(row[0] if row else "")
PY
}
# A proposal the public may read: submitted, of a challenge that made its proposals public.
proposal=$(sql "SELECT p.id FROM proposals p JOIN challenges c ON c.id = p.challenge_id
    WHERE p.status = 'submitted' AND c.proposal_visibility = 'public_after_deadline'
    AND c.status <> 'draft' AND c.submission_deadline < CURRENT_TIMESTAMP ORDER BY p.id LIMIT 1")
rss() { ps -o rss= -p "$PID" | awk '{printf "%.0f MB", $1/1024}'; }

for path in "/challenges" "$challenge" "/proposals/$proposal" "/api/v1/challenges?per_page=20"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$base$path")
    echo
    echo "== $path (HTTP $code) =="
    wrk -t2 -c64 -d"${DURATION}s" --latency "$base$path" | grep -E "Requests/sec|Latency|50%|99%|Non-2xx|Socket errors" || true
    echo "   with 50 connections:"
    wrk -t2 -c50 -d"${DURATION}s" --latency "$base$path" | grep -E "Requests/sec|99%" || true
done

# Signed in: a member of the agency that owns $challenge, so that its desk, its proposals
# and a dashboard with counts are measured too. Nothing of these is cached per person.
slug=${challenge##*/}
"$BIN" --data-dir "$DATA" user create --email bench@example.org --name Bench \
    --password Zimtstern-Giesskanne-Leuchtturm-83 >/dev/null
sql "INSERT INTO memberships (organisation_id, user_id, role, joined_at)
    SELECT c.organisation_id, u.id, 'owner', CURRENT_TIMESTAMP FROM challenges c, users u
    WHERE c.slug = '$slug' AND u.email = 'bench@example.org' RETURNING id" >/dev/null
own=$(sql "SELECT p.id FROM proposals p JOIN challenges c ON c.id = p.challenge_id
    WHERE c.slug = '$slug' AND p.status = 'submitted' ORDER BY p.id LIMIT 1")
jar="$DATA/cookies"
token=$(curl -fs -c "$jar" -b "$jar" "$base/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | cut -d'"' -f4)
curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf_token=$token" \
    --data-urlencode "email=bench@example.org" \
    --data-urlencode "password=Zimtstern-Giesskanne-Leuchtturm-83" "$base/login"
cookie="innolab_session=$(awk '$6 == "innolab_session" {print $7}' "$jar")"
echo
echo "== signed in (agency member), 50 connections =="
for path in "/challenges" "$challenge" "$challenge/questions" "$challenge/proposals" \
    "${own:+/proposals/$own}" "/dashboard" "/organisations" "/notifications" "/account"; do
    [[ -n "$path" ]] || continue
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$base$path")
    printf '%-48s HTTP %s ' "$path" "$code"
    wrk -t2 -c50 -d"${DURATION}s" --latency -H "Cookie: $cookie" "$base$path" \
        | awk '/Requests\/sec/ {r=$2} / 99%/ {p=$2} END {printf "%10s req/s  p99 %s\n", r, p}'
done
echo
echo "RSS after the runs: $(rss)"
