#!/usr/bin/env bash
# Requests per second of an authenticated /v1 call against /info, on the release binary over
# loopback with wrk. The key is of tier `internal` (no limits), so the ratio is the cost of
# key verification + the limiter's bookkeeping + metering, not refusals.
#   cargo leptos build --release && server/bench/auth_vs_info.sh
# Environment: PORT (3950), THREADS (2), CONNS (32), DURATION (15s), RUNS (3).
. "$(dirname "$0")/keyed_server.sh"
# A completed scan's record to read, as bots read a result. No GitHub here, so the scan fails at
# once; its row is then completed with the engine's real result for a corpus repository
# (`scan_report`, about 7 KB of JSON), as the worker would have stored it.
SCAN=$(curl -fs -H "authorization: Bearer $KEY" -H 'content-type: application/json' \
  -d '{"url":"bench-org/bench-repo"}' "http://127.0.0.1:$PORT/v1/scan/repo" | sed -E 's/.*"scan_id":"([^"]+)".*/\1/')
cargo run --release -q -p aura-engine --example scan_report -- \
  server/engine/tests/corpus/ben-bip32-library/repo >"$DATA/result.json"
sleep 1
sqlite3 "$DATA/bench.db" "UPDATE scans SET status = 'completed', progress = 100, error = NULL,
  result = CAST(readfile('$DATA/result.json') AS TEXT), completed_at = created_at WHERE id = '$SCAN';"
curl -fs -H "authorization: Bearer $KEY" "http://127.0.0.1:$PORT/v1/scan/$SCAN" | grep -q '"status":"completed"'
for run in $(seq "$RUNS"); do
  info=$(rps "http://127.0.0.1:$PORT/info")
  keys=$(rps -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/v1/auth/keys")
  scan=$(rps -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/v1/scan/$SCAN")
  ratio() { awk "BEGIN {printf \"%.2f\", $1 / $info}"; }
  echo "run $run: /info $info req/s; authenticated GET /v1/auth/keys $keys req/s (ratio $(ratio "$keys")); authenticated GET /v1/scan/{id} (completed) $scan req/s (ratio $(ratio "$scan"))"
done
