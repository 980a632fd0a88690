#!/usr/bin/env bash
# The browser suite: starts `innolab serve` on a fresh SQLite database with the demo data,
# then runs every spec in specs/ (node's test runner, one file at a time) in Debian's
# Chromium. Screenshots go to tests/browser/artifacts/.
#
#   bash tests/browser/run.sh              # builds the debug binary if it is missing
#   INNOLAB_BIN=target/release/innolab bash tests/browser/run.sh specs/axe.test.mjs
#
# Needs: apt-get install chromium; node with `npm ci` done in tests/browser.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
[[ -x "$CHROMIUM" ]] || { echo "Chromium is missing: apt-get install chromium" >&2; exit 1; }
[[ -d node_modules/playwright-core ]] || npm ci --no-audit --no-fund
bin="${INNOLAB_BIN:-${CARGO_TARGET_DIR:-$root/target}/debug/innolab}"
[[ "$bin" = /* ]] || bin="$root/$bin"
if [[ ! -x "$bin" ]]; then (cd "$root" && cargo build --quiet); fi

data="$(mktemp -d)"
port="${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
export INNOLAB_BASE_URL="http://127.0.0.1:$port"
export INNOLAB_DATA_DIR="$data"
export INNOLAB_ARTIFACTS="$here/artifacts"
mkdir -p "$INNOLAB_ARTIFACTS"
pid=""
cleanup() { [[ -n "$pid" ]] && kill "$pid" 2>/dev/null; rm -rf "$data"; }
trap cleanup EXIT

# No page cache: every check sees the page as it is right now.
cat >"$data/innolab.toml" <<TOML
page_cache_ms = 0
TOML
# From the repository root, where INNOLAB_DEV_TEMPLATES=1 finds templates/ to read live.
cd "$root"
RUST_LOG=warn "$bin" --config "$data/innolab.toml" --data-dir "$data" --public-url "$INNOLAB_BASE_URL" \
    serve --listen "127.0.0.1:$port" >"$INNOLAB_ARTIFACTS/server.log" 2>&1 &
pid=$!
for _ in $(seq 200); do
    curl -fs "$INNOLAB_BASE_URL/healthz" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { cat "$INNOLAB_ARTIFACTS/server.log" >&2; exit 1; }
    sleep 0.1
done
cd "$here"
echo "server on $INNOLAB_BASE_URL (data in $data)"
specs=("$@")
[[ ${#specs[@]} -gt 0 ]] || specs=(specs/*.test.mjs)
node --test --test-concurrency=1 "${specs[@]}"
