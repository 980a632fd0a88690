#!/usr/bin/env bash
# Backup and restore at synthetic scale, each beside the database's own tool in the same
# run (the bare baseline, which knows nothing of files, checksums or the other backend):
#   innolab backup of SQLite            against  sqlite3 .backup (a copy of the pages)
#   innolab restore into PostgreSQL     against  pg_restore of a pg_dump -Fc of that database
#   innolab backup of PostgreSQL        against  pg_dump -Fc
#   innolab restore into SQLite
# A restore includes its audit check and the search rebuild, so they are timed apart too.
# CHALLENGES, PROPOSALS set the size (10,000 and 100,000 by default); PG_URL the server
# (postgres://root@127.0.0.1:5432), where the databases innolab_bench_backup and
# innolab_bench_baseline are made and dropped.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
BIN=$PWD/target/release/innolab
PG_URL=${PG_URL:-postgres://root@127.0.0.1:5432}
CHALLENGES=${CHALLENGES:-10000}
PROPOSALS=${PROPOSALS:-100000}
WORK=$(mktemp -d)
export RUST_LOG=warn
cleanup() {
    rm -rf "$WORK"
    for db in innolab_bench_backup innolab_bench_baseline; do
        psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $db" 2>/dev/null || true
    done
}
trap cleanup EXIT
fresh_db() { psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $1" -qc "CREATE DATABASE $1"; }

now() { date +%s.%N; }
# Runs a command, prints nothing of it but on failure, and echoes the seconds it took.
timed() {
    local start end
    start=$(now)
    if ! "$@" >"$WORK/last.log" 2>&1; then cat "$WORK/last.log" >&2; exit 1; fi
    end=$(now)
    echo "$end - $start" | bc
}
mb() { echo "scale=1; $(stat -c %s "$1") / 1000000" | bc; }
ratio() { echo "scale=2; $1 / $2" | bc; }

SQLITE="sqlite://$WORK/src/innolab.db"
echo "seeding $CHALLENGES challenges, $PROPOSALS proposals into SQLite ..."
"$BIN" --data-dir "$WORK/src" --database-url "$SQLITE" seed --synthetic \
    --challenges "$CHALLENGES" --proposals "$PROPOSALS" >/dev/null
rows=$(sqlite3 "$WORK/src/innolab.db" "SELECT (SELECT COUNT(*) FROM proposals), (SELECT COUNT(*) FROM reviews)")

b_sqlite=$(timed "$BIN" --data-dir "$WORK/src" --database-url "$SQLITE" backup --to "$WORK/sqlite.backup")
base_sqlite=$(timed sqlite3 "$WORK/src/innolab.db" ".backup '$WORK/pages.db'")

fresh_db innolab_bench_backup
PG="$PG_URL/innolab_bench_backup"
r_pg=$(timed "$BIN" --data-dir "$WORK/pg" --database-url "$PG" restore --from "$WORK/sqlite.backup")
reindex_pg=$(grep -o 'search index rebuilt: [0-9]* records in [0-9.]* s' "$WORK/last.log" | grep -o '[0-9.]* s$' | tr -d ' s')
audit_pg=$(grep -o 'audit log intact: [0-9]* entries checked in [0-9.a-zµ]*' "$WORK/last.log" || true)
b_pg=$(timed "$BIN" --data-dir "$WORK/pg" --database-url "$PG" backup --to "$WORK/pg.backup")
base_dump=$(timed pg_dump -Fc -f "$WORK/pg.dump" "$PG")
fresh_db innolab_bench_baseline
base_restore=$(timed pg_restore -d "$PG_URL/innolab_bench_baseline" "$WORK/pg.dump")

r_sqlite=$(timed "$BIN" --data-dir "$WORK/back" --database-url "sqlite://$WORK/back/innolab.db" restore --from "$WORK/pg.backup")
reindex_sqlite=$(grep -o 'search index rebuilt: [0-9]* records in [0-9.]* s' "$WORK/last.log" | grep -o '[0-9.]* s$' | tr -d ' s')

echo
echo "data: $rows (proposals|reviews); backup file $(mb "$WORK/sqlite.backup") MB from SQLite ($(mb "$WORK/src/innolab.db") MB database), $(mb "$WORK/pg.backup") MB from PostgreSQL; pg_dump -Fc $(mb "$WORK/pg.dump") MB"
printf '%-40s %8s %10s %8s\n' "what" "seconds" "baseline" "ratio"
printf '%-40s %8.1f %10.1f %8s\n' "backup of SQLite (vs sqlite3 .backup)" "$b_sqlite" "$base_sqlite" "$(ratio "$b_sqlite" "$base_sqlite")"
printf '%-40s %8.1f %10.1f %8s\n' "backup of PostgreSQL (vs pg_dump -Fc)" "$b_pg" "$base_dump" "$(ratio "$b_pg" "$base_dump")"
printf '%-40s %8.1f %10.1f %8s\n' "restore into PostgreSQL (vs pg_restore)" "$r_pg" "$base_restore" "$(ratio "$r_pg" "$base_restore")"
printf '%-40s %8.1f %10s %8s\n' "  of which the search rebuild" "$reindex_pg" "" ""
printf '%-40s %8.1f %10s %8s\n' "restore into SQLite" "$r_sqlite" "" ""
printf '%-40s %8.1f %10s %8s\n' "  of which the search rebuild" "$reindex_sqlite" "" ""
echo "${audit_pg:-audit check not reported}"
