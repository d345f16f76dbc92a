#!/usr/bin/env bash
# Rule sweep: the engine's full local analysis (`examples/scan_report`) over real code, as
# markdown, to measure false alarms on benign repositories and recall on malware samples.
#
#   server/engine/bench/sweep.sh [repos] [DIR]     # each subdirectory of DIR (default /work/sweep/repos)
#   server/engine/bench/sweep.sh guarddog DIR      # DataDog/guarddog checkout (or its
#                                                  # tests/analyzer/sourcecode directory)
#
# repos: one section per repository with score, verdict, every check with negative points or
#   a non-pass status, and every red flag of severity >= medium (lower ones are counted), then
#   a summary table. Local directories carry no GitHub metadata, so repo_age, activity,
#   contributors, owner, releases, community and fake_stars are info/0 everywhere and are left
#   out unless ALL_CHECKS=1; a clean repository reaches at most 48 points here, so each result
#   also shows a projection: the score and verdict with the 52 points of clean, established
#   GitHub metadata added (an estimate for comparing rules, not what the service would say).
# guarddog: each sample file of tests/analyzer/sourcecode (malicious, with `ruleid:`/`ok:`
#   annotations for the Semgrep rules; whole-file samples for the YARA `threat-*` rules) and of
#   its benign/ directory (false-positive counterparts) is copied alone into a temp dir as
#   repo/<original file name> and scanned there (JSON samples shaped like a package.json as
#   repo/package.json, the only name the engine reads manifests under). Per rule: does the
#   file get any scam.* or secrets.* red flag of severity >= high (MIN_SEV to change), and,
#   for annotated files, the same per snippet (each annotation to the line before the next
#   one; the file's preamble and context shared across snippets is not carried, so snippet
#   recall is a lower bound).
#
# Environment: CARGO_TARGET_DIR (default /root/.cache/aura-engine-target), JSON_DIR (keep each
# raw ScanResult JSON there), ALL_CHECKS=1, MIN_SEV (high), NO_BUILD=1 (use the built binary).
# Needs bash, cargo, jq (apt-get install -y jq).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORKSPACE="$(cd "$HERE/../../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/root/.cache/aura-engine-target}"
MIN_SEV="${MIN_SEV:-high}"
command -v jq >/dev/null || { echo "jq missing: apt-get install -y jq" >&2; exit 1; }

MODE=repos
case "${1:-}" in
  guarddog) MODE=guarddog; shift ;;
  repos) shift ;;
esac
TARGET="${1:-/work/sweep/repos}"
[ -d "$TARGET" ] || { echo "not a directory: $TARGET" >&2; exit 2; }

if [ -z "${NO_BUILD:-}" ]; then
  echo "building scan_report (CARGO_TARGET_DIR=$CARGO_TARGET_DIR)..." >&2
  (cd "$WORKSPACE" && cargo build --release -q -p aura-engine --example scan_report) >&2
fi
SCAN="$CARGO_TARGET_DIR/release/examples/scan_report"
[ -x "$SCAN" ] || { echo "no binary at $SCAN" >&2; exit 1; }
[ -n "${JSON_DIR:-}" ] && mkdir -p "$JSON_DIR"

# Severity order for jq: info 0 .. critical 4.
JQ_SEV='def sev: {"info":0,"low":1,"medium":2,"high":3,"critical":4}[.] // 0;'
md() { tr '\n|' ' /'; } # keep table cells on one line
# Projection: the same result with the 52 metadata points a clean, established GitHub
# repository earns (repo_age 10, activity 10, contributors 10, owner 8, releases 6,
# community 8), re-clamped and re-judged by the contract's verdict rule.
JQ_PROJ='def proj: ([.checks[].points] | add + 52 | if . < 0 then 0 elif . > 100 then 100 else . end) as $p
  | (any(.red_flags[]; (.id | startswith("scam.")) and .severity == "critical")) as $c
  | {score: $p, verdict: (if $c or $p < 20 then "SCAM" elif $p < 50 then "RISKY" elif $p < 80 then "DYOR" else "SAFU" end)};'


# ---------------------------------------------------------------- repositories
repos_mode() {
  local meta='["repo_age","activity","contributors","owner","releases","community","fake_stars"]'
  local summary; summary=$(mktemp)
  echo "# aura-engine sweep: $(date -u +%Y-%m-%dT%H:%MZ), engine $(git -C "$WORKSPACE" rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo
  echo "Local directories (no GitHub metadata): trust checks needing it are left out$([ -n "${ALL_CHECKS:-}" ] && echo ' (shown: ALL_CHECKS=1)'); max 48 points here."
  echo "Projected = score and verdict with the 52 points of clean, established GitHub metadata added."
  for dir in "$TARGET"/*/; do
    local name json t0 t1
    name=$(basename "$dir")
    json=$(mktemp)
    t0=$(date +%s.%N)
    if ! "$SCAN" "$dir" > "$json" 2> "$json.err"; then
      echo; echo "## $name"; echo; echo "scan failed: $(head -c 300 "$json.err" | md)"
      printf '| %s | - | error | - | - | - | - |\n' "$name" >> "$summary"
      rm -f "$json" "$json.err"; continue
    fi
    t1=$(date +%s.%N)
    [ -n "${JSON_DIR:-}" ] && cp "$json" "$JSON_DIR/$name.json"
    echo
    echo "## $name"
    echo
    jq -r --arg secs "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')" \
      "$JQ_PROJ"' "score **\(.score)** (\(.grade)), verdict **\(.verdict)**; projected for an established GitHub repository \(proj | "\(.score) \(.verdict)"); \($secs) s. Tags: \(.tags | join(" "))"' "$json"
    echo
    echo "| check | status | points | detail |"
    echo "| --- | --- | --- | --- |"
    jq -r --argjson meta "$meta" --arg all "${ALL_CHECKS:-}" '.checks[]
      | select(.points < 0 or .status != "pass")
      | select($all != "" or ((.status == "info" and .points == 0 and (.id as $i | $meta | index($i))) | not))
      | "| `\(.id)` | \(.status) | \(.points) | \(.detail | gsub("[|\n]"; " ")) |"' "$json"
    local flags
    flags=$(jq -r "$JQ_SEV"' [.red_flags[] | select((.severity | sev) >= 2)] | length' "$json")
    if [ "$flags" -gt 0 ]; then
      echo
      echo "| red flag | severity | title | detail |"
      echo "| --- | --- | --- | --- |"
      jq -r "$JQ_SEV"' .red_flags[] | select((.severity | sev) >= 2)
        | "| `\(.id)` | \(.severity) | \(.title | gsub("[|\n]"; " ")) | \(.detail | gsub("[|\n]"; " ")) |"' "$json"
    fi
    jq -r "$JQ_SEV"' [.red_flags[] | select((.severity | sev) < 2)] | length as $n
      | if $n > 0 then "\n\($n) low/info red flag(s) not shown: \([.[] | .id] | group_by(.) | map("\(.[0]) ×\(length)") | join(", "))." else empty end' "$json"
    jq -r --arg name "$name" "$JQ_SEV $JQ_PROJ"' [.red_flags[] | .severity | sev] as $s
      | "| \($name) | \(.score) | \(.verdict) | \(proj | "\(.score) \(.verdict)") | \([$s[] | select(. == 4)] | length) | \([$s[] | select(. == 3)] | length) | \([$s[] | select(. == 2)] | length) |"' "$json" >> "$summary"
    rm -f "$json" "$json.err"
  done
  echo
  echo "## Summary"
  echo
  echo "| repository | score | verdict | projected | critical | high | medium |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  cat "$summary"
  rm -f "$summary"
}

# ---------------------------------------------------------------- guarddog samples
# scan_one FILE NAME [JSON_NAME]: copies FILE to <tmp>/repo/NAME, scans <tmp>.
scan_one() {
  local tmp out
  tmp=$(mktemp -d)
  mkdir -p "$tmp/repo"
  cp "$1" "$tmp/repo/$2"
  out=$("$SCAN" "$tmp" 2>/dev/null || echo '{"red_flags":[]}')
  if [ -n "${JSON_DIR:-}" ]; then echo "$out" > "$JSON_DIR/${3:-$2}.json"; fi
  # "<hit>\t<flags>": hit = yes/no at MIN_SEV; flags = scam.*/secrets.* flags >= medium.
  echo "$out" | jq -r --arg min "$MIN_SEV" "$JQ_SEV"' [.red_flags[]
      | select((.id | startswith("scam.") or startswith("secrets.")) and ((.severity | sev) >= 2))] as $f
      | (if any($f[]; (.severity | sev) >= ($min | sev)) then "yes" else "no" end) + "\t"
      + ($f | map("\(.id)/\(.severity)") | unique | if length == 0 then "-" else join(" ") end)'
  rm -rf "$tmp"
}

# split_snippets FILE OUTDIR: writes OUTDIR/NNN.ruleid / NNN.ok, one per annotation comment
# (`# ruleid: x`, `// ok: x`, also todoruleid/todook), each running to the next annotation.
split_snippets() {
  awk -v out="$2" '
    match($0, /^[ \t]*(#|\/\/|<!--)[ \t]*(todo)?(ruleid|ok):/) {
      if (f) close(f)
      kind = ($0 ~ /(ruleid):/) ? "ruleid" : "ok"
      n++; f = sprintf("%s/%03d.%s", out, n, kind)
    }
    f { print > f }
  ' "$1"
}

guarddog_mode() {
  local src="$TARGET"
  [ -d "$src/tests/analyzer/sourcecode" ] && src="$src/tests/analyzer/sourcecode"
  local rows tot_files=0 hit_files=0 tot_ben=0 hit_ben=0 tot_rid=0 hit_rid=0 tot_ok=0 hit_ok=0
  rows=$(mktemp)
  for f in "$src"/* "$src"/benign/*; do
    [ -f "$f" ] || continue
    local base name shown kind res hit ids nrid=0 nok=0 srid="" sok="" snipdir
    base=$(basename "$f")
    [ "$base" = "test_sourcecode_yara.py" ] && continue # the pytest harness, not a sample
    # package.json-shaped samples are only read by the engine under that name.
    name="$base"; shown="$base"
    if [[ "$base" == *.json ]] && grep -qE '"(scripts|dependencies|devDependencies)"' "$f"; then
      name=package.json; shown="$base → package.json"
    fi
    case "$f" in */benign/*) kind=benign ;; *) kind=malicious ;; esac
    res=$(scan_one "$f" "$name" "$kind-$base"); hit=${res%%$'\t'*}; ids=${res#*$'\t'}
    if [ "$kind" = benign ]; then
      tot_ben=$((tot_ben + 1)); [ "$hit" = yes ] && hit_ben=$((hit_ben + 1))
    else
      tot_files=$((tot_files + 1)); [ "$hit" = yes ] && hit_files=$((hit_files + 1))
      snipdir=$(mktemp -d)
      [[ "$base" == *.json ]] || split_snippets "$f" "$snipdir" # no JSON fragments
      local s hr=0 ho=0 sres
      for s in "$snipdir"/*; do
        [ -f "$s" ] || continue
        sres=$(scan_one "$s" "$name" "$kind-$base-$(basename "$s")")
        case "$s" in
          *.ruleid) nrid=$((nrid + 1)); [ "${sres%%$'\t'*}" = yes ] && hr=$((hr + 1)) ;;
          *.ok) nok=$((nok + 1)); [ "${sres%%$'\t'*}" = yes ] && ho=$((ho + 1)) ;;
        esac
      done
      rm -rf "$snipdir"
      if [ "$nrid" -gt 0 ]; then srid="$hr/$nrid"; tot_rid=$((tot_rid + nrid)); hit_rid=$((hit_rid + hr)); fi
      if [ "$nok" -gt 0 ]; then sok="$ho/$nok"; tot_ok=$((tot_ok + nok)); hit_ok=$((hit_ok + ho)); fi
    fi
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "${base%.*}" "$shown" "$kind" \
      "$([ "$hit" = yes ] && echo '**yes**' || echo no)" "${srid:--}" "${sok:--}" "$ids" >> "$rows"
  done
  echo "# aura-engine on GuardDog source-code samples: $(date -u +%Y-%m-%dT%H:%MZ), engine $(git -C "$WORKSPACE" rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo
  echo "Hit = any scam.* / secrets.* red flag of severity >= $MIN_SEV. File: the whole sample file"
  echo "scanned alone as repo/<name>. Snippets: each \`ruleid:\` (malicious) / \`ok:\` (benign) annotation"
  echo "to the next one, scanned alone (no shared preamble: a lower bound for recall; JSON samples are not split)."
  echo "package.json-shaped JSON samples are scanned as repo/package.json. The last column lists flags >= medium."
  echo
  echo "| rule | sample file | kind | file hit | ruleid snippets hit | ok snippets hit (false alarms) | scam/secrets flags >= medium on the file |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  sort -t'|' -k4,4r -k2,2 "$rows"
  echo
  echo "Malicious sample files hit: $hit_files/$tot_files; benign sample files hit (false alarms): $hit_ben/$tot_ben."
  echo "ruleid snippets hit: $hit_rid/$tot_rid; ok snippets hit (false alarms): $hit_ok/$tot_ok."
  rm -f "$rows"
}

if [ "$MODE" = guarddog ]; then guarddog_mode; else repos_mode; fi
