#!/usr/bin/env bash
# Page and API benchmark at synthetic scale, with the caches defeated. Builds the release
# binary and the bare baseline (benches/baseline.rs), fills a fresh database with
# `innolab seed --synthetic` (10k challenges, 100k proposals by default), starts both and
# measures with wrk, each request of a run asking something else (benches/rotate.lua):
#   - the list signed in and through the API with a bearer token: pages 1-500, every
#     status and sort order (nothing of it is cached per person), reached through the
#     "next" links (after=ID) and by typing their numbers;
#   - search pages with changing words; challenge, proposal and API detail pages by id;
#   - the signed-in desk pages of an agency member (dashboard, notifications, account);
#   - the evaluation: the busiest evaluator's desk and review pages and their API list,
#     the agency's rankings, evaluation overviews and proposals' reviews (page and API);
#   - the visitors' list and challenge page, which the page cache serves (for reference);
#   - the baseline on the same list mixes: the real list's throughput as a ratio of it.
# Each run follows 2 s of warm-up. Prints one table (req/s at 1, 50 and 64 connections, p99 at 50, non-2xx and socket
# errors), the mixes whose throughput falls from 1 to 64 connections, and the server's RSS
# afterwards.
# Sizes: CHALLENGES=… PROPOSALS=…; DURATION=…s per run; DATABASE_URL=postgres://… for
# PostgreSQL (its public schema is emptied first). Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18081}
BASE_PORT=${BASE_PORT:-18091}
# shellcheck source=benches/synthetic.sh
source benches/synthetic.sh
BASELINE=$(cargo bench --quiet --no-run --bench baseline --message-format=json 2>/dev/null |
    python3 -c 'import json, sys
for m in map(json.loads, sys.stdin):
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "baseline":
        print(m["executable"])')

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo); database: ${DATABASE_URL:-sqlite (default)}"
"$BIN" --data-dir "$DATA" seed --synthetic --challenges "$CHALLENGES" --proposals "$PROPOSALS"
RUST_LOG=warn,innolab::search=info "$BIN" serve --data-dir "$DATA" --listen "127.0.0.1:$PORT" \
    --no-demo >"$DATA/server.log" 2>&1 &
PID=$!
url=${DATABASE_URL:-sqlite://$DATA/innolab.db}
"$BASELINE" "$url" "$BASE_PORT" >"$DATA/baseline.log" 2>&1 &
BASE_PID=$!
trap '[[ -n "$PID" ]] && kill "$PID" 2>/dev/null; kill "$BASE_PID" 2>/dev/null; rm -rf "$DATA"' EXIT
until curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do sleep 0.05; done
until curl -fs "http://127.0.0.1:$BASE_PORT/healthz" >/dev/null 2>&1; do sleep 0.05; done
# The new database's search index is built in the background first; measured meanwhile,
# the first rows would share the cores with it.
for _ in $(seq 600); do grep -q 'search index rebuilt' "$DATA/server.log" && break; sleep 0.5; done
# After a rebuild the index keeps merging its segments (minutes at 10x the default sizes):
# wait until the server has been idle for a second (under 5% of a core).
busy() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
for _ in $(seq 600); do
    before=$(busy); sleep 1
    (($(busy) - before < 5)) && break
done

base="http://127.0.0.1:$PORT"
# Runs one SQL statement on whichever database the server uses and prints the values,
# one row per line.
sql() {
    python3 - "$DATA" "${DATABASE_URL:-}" "$1" <<'PY'
import sqlite3, subprocess, sys
data, url, q = sys.argv[1:4]
if url.startswith("postgres"):
    print(subprocess.check_output(["psql", url, "-tAc", q], text=True).strip())
else:
    db = sqlite3.connect(f"{data}/innolab.db")
    for row in db.execute(q).fetchall():
        print(row[0])
    db.commit()
PY
}
rss() { ps -o rss= -p "$PID" | awk '{printf "%.0f MB", $1/1024}'; }

# A member of the agency with the most handed-in proposals: its desk, those proposals and
# a dashboard with counts are measured too.
org=$(sql "SELECT c.organisation_id FROM proposals p JOIN challenges c ON c.id = p.challenge_id
    WHERE p.status <> 'draft' GROUP BY c.organisation_id ORDER BY COUNT(*) DESC LIMIT 1")
password=Zimtstern-Giesskanne-Leuchtturm-83
"$BIN" --data-dir "$DATA" user create --email bench@example.org --name Bench \
    --password "$password" >/dev/null
sql "INSERT INTO memberships (organisation_id, user_id, role, joined_at)
    SELECT $org, u.id, 'owner', CURRENT_TIMESTAMP FROM users u
    WHERE u.email = 'bench@example.org' RETURNING id" >/dev/null
# Signs in as EMAIL (with the bench password) and prints the session cookie's header.
sign_in() {
    local jar="$DATA/cookies-$1" token
    token=$(curl -fs -c "$jar" -b "$jar" "$base/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | cut -d'"' -f4)
    curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf_token=$token" \
        --data-urlencode "email=$1" \
        --data-urlencode "password=$password" "$base/login"
    echo "Cookie: innolab_session=$(awk '$6 == "innolab_session" {print $7}' "$jar")"
}
# Prints the header of a new API token of EMAIL.
bearer_of() {
    echo "Authorization: Bearer $(curl -fs -H 'Content-Type: application/json' \
        -d "{\"email\":\"$1\",\"password\":\"$password\",\"name\":\"bench\"}" \
        "$base/api/v1/auth/tokens" | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')"
}
cookie=$(sign_in bench@example.org)
bearer=$(bearer_of bench@example.org)
# The evaluator with the most assignments (the synthetic evaluators serve several
# challenges each): their desk and review pages. Synthetic accounts have no password; this
# one gets the bench account's.
evaluator=$(sql "SELECT e.user_id FROM assignments a JOIN evaluators e ON e.id = a.evaluator_id
    GROUP BY e.user_id ORDER BY COUNT(*) DESC, e.user_id LIMIT 1")
sql "UPDATE users SET password_hash = (SELECT password_hash FROM users
    WHERE email = 'bench@example.org') WHERE id = $evaluator RETURNING id" >/dev/null
evaluator_email=$(sql "SELECT email FROM users WHERE id = $evaluator")
evaluator_cookie=$(sign_in "$evaluator_email")
evaluator_bearer=$(bearer_of "$evaluator_email")

# The request mixes, one path per line, shuffled.
MIX="$DATA/mixes"
mkdir -p "$MIX"
mix() { python3 -c "$1" >"$MIX/$2"; }
mix 'import itertools, random
random.seed(1)
rows = [f"/challenges?page={p}&status={s}&sort={o}" for p, s, o in itertools.product(
    range(1, 501), ["", "open", "closed", "evaluating", "concluded"], ["deadline", "newest", "title"])]
random.shuffle(rows); print("\n".join(rows))' list
sed 's|^/challenges?|/api/v1/challenges?per_page=20\&|' "$MIX/list" >"$MIX/api-list"
# The same pages reached as a reader reaches them, through the "next" links: page N
# continues after the last row of page N-1 (`after=ID`), taken here from the database in
# the list's order.
for status in "" open closed evaluating concluded; do
    where=$([[ -z "$status" ]] && echo "status <> 'draft'" || echo "status = '$status'")
    for sort in deadline newest title; do
        case $sort in
            deadline) order="submission_deadline, id" ;;
            newest) order="published_at DESC, id DESC" ;;
            title) order="title, id" ;;
        esac
        sql "SELECT id FROM challenges WHERE $where ORDER BY $order LIMIT 10000" |
            python3 -c 'import sys
status, sort = sys.argv[1:3]
ids = sys.stdin.read().split()
for page in range(1, min(500, (len(ids) + 19) // 20) + 1):
    after = f"&after={ids[(page - 1) * 20 - 1]}" if page > 1 else ""
    print(f"/challenges?page={page}&status={status}&sort={sort}{after}")' "$status" "$sort"
    done
done | python3 -c 'import random, sys
rows = sys.stdin.read().split(); random.seed(3); random.shuffle(rows); print("\n".join(rows))' >"$MIX/list-next"
sed 's|^/challenges?|/api/v1/challenges?per_page=20\&|' "$MIX/list-next" >"$MIX/api-list-next"
mix 'import itertools, random
from urllib.parse import quote_plus as q
random.seed(2)
subjects = ["Hundesteuer", "Wohngeld", "Bauantrag", "Elterngeld", "Parkausweis", "Fundbüro",
    "Hitzeschutz", "Denkmalschutz", "Wohnsitzanmeldung", "Schulanmeldung", "Beschaffung",
    "Förderantrag", "Vereinsregister", "Fahrradparken", "Bürgerbeteiligung", "Baumkataster"]
goals = ["barrierefrei", "Papier", "Sprache", "KI", "Smartphone", "Daten", "Kommunen", "datensparsam"]
words = [q(s + chr(32) + g) for s in subjects for g in goals]
rows = [f"/search?q={w}&page={p}" for w, p in itertools.product(words, range(1, 4))]
rows += [f"/search?q={q(s)}" for s in subjects]
random.shuffle(rows); print("\n".join(rows))' search
sql "SELECT '/challenges/' || slug FROM challenges WHERE status <> 'draft' ORDER BY id LIMIT 3000" >"$MIX/challenge"
sql "SELECT '/api/v1/challenges/' || id FROM challenges WHERE status <> 'draft' ORDER BY id LIMIT 3000" >"$MIX/api-challenge"
sql "SELECT '/proposals/' || p.id FROM proposals p JOIN challenges c ON c.id = p.challenge_id
    WHERE c.organisation_id = $org AND p.status <> 'draft' ORDER BY p.id LIMIT 3000" >"$MIX/proposal"
sed 's|^/proposals/|/api/v1/proposals/|' "$MIX/proposal" >"$MIX/api-proposal"
printf '%s\n' /dashboard /notifications /account /organisations "/organisations?page=7" >"$MIX/desk"
{
    echo /evaluation
    sql "SELECT '/assignments/' || a.id || '/review' FROM assignments a
        JOIN evaluators e ON e.id = a.evaluator_id WHERE e.user_id = $evaluator ORDER BY a.id LIMIT 3000"
} >"$MIX/evaluator"
# Every page of their assignments through the API, as the Link headers lead from one to
# the next (20 a page, newest stage first).
{
    echo /api/v1/me/assignments
    sql "SELECT '/api/v1/me/assignments?after=' || id FROM (SELECT a.id, ROW_NUMBER() OVER
        (ORDER BY a.stage_id DESC, a.id) AS n FROM assignments a JOIN evaluators e
        ON e.id = a.evaluator_id WHERE e.user_id = $evaluator) t WHERE n % 20 = 0"
} >"$MIX/api-evaluator"
# The agency's side of the evaluation: rankings, the evaluation overview, a proposal's
# reviews.
{
    sql "SELECT '/stages/' || s.id || '/ranking' FROM stages s JOIN challenges c ON c.id = s.challenge_id
        WHERE c.organisation_id = $org ORDER BY s.id"
    sql "SELECT '/challenges/' || c.slug || '/evaluation' FROM stages s JOIN challenges c ON c.id = s.challenge_id
        WHERE c.organisation_id = $org ORDER BY s.id"
    sql "SELECT '/proposals/' || e.proposal_id || '/reviews' FROM stage_entries e JOIN stages s ON s.id = e.stage_id
        JOIN challenges c ON c.id = s.challenge_id WHERE c.organisation_id = $org ORDER BY e.id LIMIT 1000"
} >"$MIX/ranking"
sed -n 's|^/stages/\([0-9]*\)/ranking$|/api/v1/stages/\1/ranking|p; s|^/proposals/\([0-9]*\)/reviews$|/api/v1/proposals/\1/reviews|p' \
    "$MIX/ranking" >"$MIX/api-ranking"
printf '%s\n' /challenges >"$MIX/visitor-list"
head -1 "$MIX/challenge" >"$MIX/visitor-challenge"
for f in "$MIX"/*; do [[ -s "$f" ]] || { echo "the mix $(basename "$f") is empty" >&2; exit 1; }; done

# One line of the table: NAME PATHS_FILE [HEADER] [URL]. Throughput at 1, 50 and 64
# connections: it must not fall as connections are added.
declare -A RATE
FALLS=()
row() {
    local name=$1 file=$2 header=${3:-} target=${4:-$base} args=()
    [[ -n "$header" ]] && args=(-H "$header")
    local one fifty sixtyfour first status
    # wrk counts redirects as answers: a mix that lost its session would measure the
    # sign-in redirect. Its first path must answer 200.
    first=$(head -1 "$MIX/$file")
    status=$(curl -s -o /dev/null -w '%{http_code}' "${args[@]}" "$target$first")
    if [[ "$status" != 200 ]]; then
        echo "the mix $file answers $status for $first, not 200" >&2
        exit 1
    fi
    # Two seconds unmeasured first: every pooled connection prepares its statements once,
    # and PostgreSQL's fresh backends warm their caches.
    wrk -t2 -c50 -d2s "${args[@]}" -s benches/rotate.lua "$target" -- "$MIX/$file" >/dev/null
    one=$(wrk -t1 -c1 -d"${DURATION}s" --latency "${args[@]}" -s benches/rotate.lua "$target" -- "$MIX/$file")
    fifty=$(wrk -t2 -c50 -d"${DURATION}s" --latency "${args[@]}" -s benches/rotate.lua "$target" -- "$MIX/$file")
    sixtyfour=$(wrk -t2 -c64 -d"${DURATION}s" --latency "${args[@]}" -s benches/rotate.lua "$target" -- "$MIX/$file")
    local r1 r50 r64 p99 bad
    r1=$(awk '/Requests\/sec/ {print $2}' <<<"$one")
    r50=$(awk '/Requests\/sec/ {print $2}' <<<"$fifty")
    r64=$(awk '/Requests\/sec/ {print $2}' <<<"$sixtyfour")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$fifty")
    bad=$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' <<<"$one$fifty$sixtyfour")
    RATE[$name]=$r50
    python3 -c 'import sys; sys.exit(float(sys.argv[2]) < float(sys.argv[1]))' "$r1" "$r64" || FALLS+=("$name")
    printf '| %-34s | %10s | %10s | %10s | %9s | %6s |\n' "$name" "$r1" "$r50" "$r64" "$p99" "$bad"
}

echo
printf '| %-34s | %10s | %10s | %10s | %9s | %6s |\n' "request mix" "c=1 req/s" "c=50 req/s" "c=64 req/s" "p99 c=50" "errors"
printf '|%s|%s|%s|%s|%s|%s|\n' "------------------------------------" "------------" "------------" "------------" "-----------" "--------"
row "list, signed in (next links)" list-next "$cookie"
row "baseline: next links, bare" list-next "" "http://127.0.0.1:$BASE_PORT"
row "list, signed in (page numbers)" list "$cookie"
row "baseline: page numbers, bare" list "" "http://127.0.0.1:$BASE_PORT"
row "API list, bearer (after=)" api-list-next "$bearer"
row "API list, bearer (page numbers)" api-list "$bearer"
row "search, signed in (words, pages)" search "$cookie"
row "challenge pages, signed in" challenge "$cookie"
row "API challenge by id, bearer" api-challenge "$bearer"
row "proposal pages, agency member" proposal "$cookie"
row "API proposal by id, bearer" api-proposal "$bearer"
row "desk pages, signed in" desk "$cookie"
row "evaluator: desk and review pages" evaluator "$evaluator_cookie"
row "API my assignments (pages)" api-evaluator "$evaluator_bearer"
row "rankings and reviews, agency" ranking "$cookie"
row "API rankings and reviews, bearer" api-ranking "$bearer"
row "list, visitor (page cache)" visitor-list
row "challenge page, visitor (cache)" visitor-challenge
echo
ratio() { python3 -c 'import sys; real, bare = map(float, sys.argv[2:4]); print(f"list signed in / bare baseline at 50 connections, {sys.argv[1]}: {real / bare:.2f}x")' "$@"; }
ratio "next links" "${RATE["list, signed in (next links)"]}" "${RATE["baseline: next links, bare"]}"
ratio "page numbers" "${RATE["list, signed in (page numbers)"]}" "${RATE["baseline: page numbers, bare"]}"
if ((${#FALLS[@]})); then
    echo "throughput at 64 connections below 1: ${FALLS[*]}"
else
    echo "throughput at 64 connections >= at 1 for every mix"
fi
echo "RSS of the server after the runs: $(rss)"
