# Shared set-up of the benchmarks at synthetic scale (sourced, not run): needs wrk, builds
# the release binary, makes a data folder that is removed on exit (with the server in PID
# stopped), and empties the public schema when DATABASE_URL names PostgreSQL.
# Reads CHALLENGES, PROPOSALS, DURATION; sets BIN, DATA, PID.
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet
BIN=target/release/innolab
DATA=$(mktemp -d)
CHALLENGES=${CHALLENGES:-10000}
PROPOSALS=${PROPOSALS:-100000}
DURATION=${DURATION:-15}
export RUST_LOG=warn
PID=""
trap '[[ -n "$PID" ]] && kill "$PID" 2>/dev/null; rm -rf "$DATA"' EXIT

if [[ "${DATABASE_URL:-}" == postgres* ]]; then
    PGOPTIONS=--client-min-messages=warning psql "$DATABASE_URL" -qc "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
fi
if curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then echo "port $PORT is already in use" >&2; exit 1; fi
