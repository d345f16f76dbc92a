#!/usr/bin/env bash
# Where an authenticated call's cost goes, beside /info, on the release binary over loopback
# with wrk: the key list (`GET /v1/auth/keys`), and a 404 of `/v1/scan/{id}` (answered without
# a query) without and with the key. Each run prints each figure as a ratio to the /info of
# the same run; the machine is shared, so take the median of several runs.
#   cargo leptos build --release && RUNS=8 DURATION=5s server/bench/auth_attribution.sh
# Environment: PORT (3950), THREADS (2), CONNS (32), DURATION (15s), RUNS (3).
. "$(dirname "$0")/keyed_server.sh"
for run in $(seq "$RUNS"); do
  info=$(rps "http://127.0.0.1:$PORT/info")
  keys=$(rps -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/v1/auth/keys")
  anf=$(rps "http://127.0.0.1:$PORT/v1/scan/nothere")
  nf=$(rps -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/v1/scan/nothere")
  awk "BEGIN {printf \"info %d keys %.2f anon404 %.2f keyed404 %.2f\n\", $info, $keys/$info, $anf/$info, $nf/$info}"
done
