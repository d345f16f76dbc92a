# Sourced by the authenticated-call benchmarks: starts the release server (SERVER_BIN, default
# target/release/server: name a saved build to compare builds) on a fresh SQLite database at
# $PORT, registers an account of tier `internal` (no limits) and sets $KEY, its key; stops the
# server and removes its data on exit. Defines `rps URL [wrk args]`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
PORT=${PORT:-3950} THREADS=${THREADS:-2} CONNS=${CONNS:-32} DURATION=${DURATION:-15s} RUNS=${RUNS:-3}
DATA=$(mktemp -d)
export LEPTOS_SITE_ADDR=127.0.0.1:$PORT AURA_DATA_DIR=$DATA AURA_DATABASE_URL="sqlite://$DATA/bench.db?mode=rwc"
export AURA_SECRET_KEY=benchbenchbenchbenchbenchbenchbenchbenchbenchbenchbenchbenchbench RUST_LOG=warn
"${SERVER_BIN:-./target/release/server}" >"$DATA/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; rm -rf "$DATA"' EXIT
until curl -fs "http://127.0.0.1:$PORT/health" >/dev/null; do sleep 0.2; done
REG=$(curl -fs -H 'content-type: application/json' \
  -d '{"email":"bench@bench.example","password":"bench password","name":"Bench"}' \
  "http://127.0.0.1:$PORT/v1/auth/register")
KEY=$(printf '%s' "$REG" | sed -E 's/.*"api_key":"([^"]+)".*/\1/')
sqlite3 "$DATA/bench.db" "UPDATE accounts SET tier = 'internal';"
curl -fs -o /dev/null -H "authorization: Bearer $KEY" "http://127.0.0.1:$PORT/v1/auth/keys"
rps() { wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "$@" | awk '/Requests\/sec/ {print $2}'; }
