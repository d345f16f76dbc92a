#!/usr/bin/env bash
# Where an authenticated call's cost goes, beside /info, on the release binary over loopback
# with wrk: the key list (`GET /v1/auth/keys`), and a 404 of `/v1/scan/{id}` (answered without
# a query) without and with the key.
#
# The shared machine moves /info by a third from one run to the next, so single runs cannot
# show a 5 % difference. Each round runs /info, the three calls and /info again, short runs
# back to back, and divides each call by the mean of the two /info runs around it; the figure
# is the median of the rounds (first and third quartile beside it).
#   cargo leptos build --release && ROUNDS=20 DURATION=2s server/bench/auth_attribution.sh
# Environment: PORT (3950), THREADS (2), CONNS (32), DURATION (2s), ROUNDS (20).
DURATION=${DURATION:-2s}
. "$(dirname "$0")/keyed_server.sh"
ROUNDS=${ROUNDS:-20}
OUT=$DATA/rounds
for round in $(seq "$ROUNDS"); do
  before=$(rps "http://127.0.0.1:$PORT/info")
  keys=$(rps -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/v1/auth/keys")
  anf=$(rps "http://127.0.0.1:$PORT/v1/scan/nothere")
  nf=$(rps -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/v1/scan/nothere")
  after=$(rps "http://127.0.0.1:$PORT/info")
  awk "BEGIN {i = ($before + $after) / 2; printf \"%d %.3f %.3f %.3f\n\", i, $keys / i, $anf / i, $nf / i}" | tee -a "$OUT"
done
# Median and quartiles of column $1 of the rounds.
quartiles() {
  sort -n -k"$1","$1" "$OUT" | awk -v c="$1" '{v[NR] = $c} END {
    printf "median %.3f (q1 %.3f, q3 %.3f)", v[int((NR + 1) / 2)], v[int((NR + 3) / 4)], v[int((3 * NR + 1) / 4)]
  }'
}
echo "/info (mean of the pair)  $(quartiles 1)"
echo "key list / info           $(quartiles 2)"
echo "anonymous 404 / info      $(quartiles 3)"
echo "keyed 404 / info          $(quartiles 4)"
