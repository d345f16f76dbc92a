#!/usr/bin/env bash
# One web instance against two on PostgreSQL + Redis (BENCHMARKS.md, "Scale-out"): sustained
# requests/s and p99 latency for an authenticated read, the cached badge, the report page and
# scan submission, with wrk on loopback against the release binary.
#
# Needs a release build (`cargo leptos build --release`), node (the GitHub stand-in of
# end2end/support/stubs.mjs), wrk, and PostgreSQL + Redis, which `.ci/services` starts on
# loopback (ports 55432 and 56379) when they are not running. Run from anywhere.
# Environment: DURATION (10s), CONNS (64, split evenly between the instances), RUNS (1).
#
# Topology, as in production: web instances (AURA_ROLE=web) share one database and one Redis.
# No worker runs during the measurement, so submitted scans stay queued and the submission
# figure is the web path alone (validate, limits, insert scan + job in one transaction, wake
# the workers through Redis). The two-instance figures come from two wrk processes, one per
# instance, at the same total connections and threads; req/s is their sum, p99 the worse of
# the two.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-10s} CONNS=${CONNS:-64} RUNS=${RUNS:-1}
P1=3960 P2=3961 GH_PORT=3968
. .ci/services >/dev/null
PSQL="$AURA_CI_PG_BIN/psql"
DB=aura_bench_$$
WORK=$(mktemp -d /tmp/aura-scale-bench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$PSQL" -q "$AURA_TEST_POSTGRES_URL" -c "DROP DATABASE IF EXISTS $DB" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

"$PSQL" -q "$AURA_TEST_POSTGRES_URL" -c "CREATE DATABASE $DB"
export AURA_DATABASE_URL="postgres://aura@127.0.0.1:$AURA_CI_PG_PORT/$DB"
export AURA_REDIS_URL="$AURA_TEST_REDIS_URL/7"
redis-cli -u "$AURA_REDIS_URL" flushdb >/dev/null
export AURA_DATA_DIR=$WORK AURA_SECRET_KEY=bench0bench0bench0bench0bench0bench0bench0 \
  AURA_ALLOW_PRIVATE_TARGETS=true AURA_GITHUB_API_URL=http://127.0.0.1:$GH_PORT RUST_LOG=warn

AURA_E2E_GITHUB_PORT=$GH_PORT AURA_E2E_PARTNER_PORT=3969 AURA_E2E_OTHER_PORT=3970 AURA_E2E_ARCHIVE_DELAY_MS=0 \
  node end2end/support/stubs.mjs >"$WORK/stubs.log" 2>&1 & pids+=($!)

# start ROLE PORT: one server process, waits for its /health.
start() {
  LEPTOS_SITE_ADDR=127.0.0.1:$2 AURA_ROLE=$1 ./target/release/server >>"$WORK/server-$2.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 150); do curl -fs "http://127.0.0.1:$2/health" >/dev/null && return; sleep 0.2; done
  echo "server on $2 did not start" >&2; cat "$WORK/server-$2.log" >&2; exit 1
}

# Set-up with a worker: an internal key (no limits, so nothing is refused) and one completed
# scan for the badge and the report page.
start all $P1
KEY=$(printf 'bench password 1\n' | ./target/release/server admin create --email ops@bench.test --password-stdin | tail -n 1)
id=$(curl -fs -H "authorization: Bearer $KEY" -H 'content-type: application/json' \
  -d '{"url":"bench-org/wallet-sdk"}' "http://127.0.0.1:$P1/v1/scan/repo" | sed -E 's/.*"scan_id":"([^"]+)".*/\1/')
done=no
for _ in $(seq 150); do
  [[ $(curl -fs "http://127.0.0.1:$P1/v1/scan/$id") == *'"status":"completed"'* ]] && { done=yes; break; }
  sleep 0.2
done
[ $done = yes ] || { echo "set-up scan did not complete" >&2; exit 1; }
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'

cat >"$WORK/submit.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"url":"bench-org/queued-load"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $KEY"
LUA

# measure THREADS CONNS PORT PATH [ARGS]: prints "req/s p99 non2xx" for one wrk process.
measure() {
  local threads=$1 conns=$2 port=$3 path=$4; shift 4
  wrk -t"$threads" -c"$conns" -d"$DURATION" --latency "$@" "http://127.0.0.1:$port$path" | awk '
    /Requests\/sec/ {rps = $2}
    /^ +99%/ {p99 = $2}
    /Non-2xx/ {bad = $5}
    END {printf "%s %s %d\n", rps, p99, bad}'
}
# CPU time (clock ticks) of some processes, and of the whole machine (all but idle and iowait).
ticks() { for p in "$@"; do awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null; done | awk '{s += $1} END {print s + 0}'; }
machine() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
# PostgreSQL: the postmaster with its exited children (backends come and go with the pools'
# idle timeouts) plus the live ones.
postgres() {
  local pm; pm=$(head -n 1 "$AURA_CI_PG_DATA/postmaster.pid")
  echo $(( $(awk '{print $14 + $15 + $16 + $17}' "/proc/$pm/stat") + $(ticks $(pgrep -P "$pm")) ))
}
redis() { ticks $(pgrep -f "redis-server 127.0.0.1:$REDIS_PORT"); }
cpu() { echo "$(ticks "${servers[@]}") $(postgres) $(redis) $(machine)"; }

# bench NAME PATH [ARGS]: one row, against whichever instances are up ($ports), with where
# the machine's busy CPU time went meanwhile (servers, PostgreSQL, Redis, and the
# rest, which is mostly wrk).
bench() {
  local name=$1 path=$2; shift 2
  local n=${#ports[@]} jobs=() before after
  before=$(cpu)
  for port in "${ports[@]}"; do measure $((2 / n)) $((CONNS / n)) "$port" "$path" "$@" >"$WORK/out-$port" & jobs+=($!); done
  for job in "${jobs[@]}"; do wait "$job"; done   # one by one: each wrk's failure stops the run
  after=$(cpu)
  { for port in "${ports[@]}"; do cat "$WORK/out-$port"; done; echo "cpu $before $after"; } | awk -v name="$name" -v n="$n" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    $1 == "cpu" { total = $9 - $5; if (total <= 0) total = 1; for (i = 0; i < 3; i++) share[i] = 100 * ($(i + 6) - $(i + 2)) / total; next }
    { rps += $1; if (ms($2) > p99) p99 = ms($2); bad += $3 }
    END { rest = 100 - share[0] - share[1] - share[2]
          printf "| %s | %d | %.0f | %.1f | %d | %.0f / %.0f / %.0f / %.0f |\n", name, n, rps, p99, bad, share[0], share[1], share[2], rest }'
}

# Two wrk threads in all: both against one instance, or one per instance.
echo "wrk: $CONNS connections and 2 threads in total, $DURATION per figure; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| what | instances | req/s | p99 ms | non-2xx | CPU % servers / PostgreSQL / Redis / rest (wrk) |"
echo "| --- | --- | --- | --- | --- | --- |"
servers=()
start web $P1; servers+=("${pids[-1]}")
second=no
for run in $(seq "$RUNS"); do
  for topology in one two; do
    if [ "$topology" = one ]; then ports=($P1); else
      [ $second = no ] && start web $P2 && servers+=("${pids[-1]}") && second=yes
      ports=($P1 $P2)
      # Warm the second instance's badge cache like the first one's.
      curl -fs -o /dev/null "http://127.0.0.1:$P2/badge/bench-org/wallet-sdk.svg"
    fi
    curl -fs -o /dev/null "http://127.0.0.1:$P1/badge/bench-org/wallet-sdk.svg"
    bench "GET /v1/auth/keys (key)" /v1/auth/keys -H "Authorization: Bearer $KEY"
    bench "GET /badge/{o}/{r}.svg" /badge/bench-org/wallet-sdk.svg
    bench "GET /report/{id}" "/report/$id"
    bench "POST /v1/scan/repo" /v1/scan/repo -s "$WORK/submit.lua"
  done
done
echo "queued scans after the run: $("$PSQL" -tA "$AURA_DATABASE_URL" -c "SELECT count(*) FROM scans WHERE status = 'queued'")"
