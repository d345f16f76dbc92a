#!/usr/bin/env bash
# Where an authenticated call's cost goes, beside /info, on the release binary over loopback
# with wrk: the key list (`GET /v1/auth/keys`), and a 404 of `/v1/scan/{id}` (answered without
# a query) without and with the key. Each run prints each figure as a ratio to the /info of
# the same run; the machine is shared, so take the median of several runs.
#   cargo leptos build --release && RUNS=8 DURATION=5s server/bench/auth_attribution.sh
# Environment: PORT (3950), THREADS (2), CONNS (32), DURATION (15s), RUNS (3).
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT=${PORT:-3950} THREADS=${THREADS:-2} CONNS=${CONNS:-32} DURATION=${DURATION:-15s} RUNS=${RUNS:-3}
DATA=$(mktemp -d)
export LEPTOS_SITE_ADDR=127.0.0.1:$PORT AURA_DATA_DIR=$DATA AURA_DATABASE_URL="sqlite://$DATA/bench.db?mode=rwc"
export AURA_SECRET_KEY=benchbenchbenchbenchbenchbenchbenchbenchbenchbenchbenchbenchbench RUST_LOG=warn
./target/release/server >"$DATA/server.log" 2>&1 &
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
for run in $(seq "$RUNS"); do
  info=$(rps "http://127.0.0.1:$PORT/info")
  keys=$(rps -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/v1/auth/keys")
  anf=$(rps "http://127.0.0.1:$PORT/v1/scan/nothere")
  nf=$(rps -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/v1/scan/nothere")
  awk "BEGIN {printf \"info %d keys %.2f anon404 %.2f keyed404 %.2f\n\", $info, $keys/$info, $anf/$info, $nf/$info}"
done
