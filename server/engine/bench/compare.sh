#!/usr/bin/env bash
# Content-scan throughput: aura-engine (every content rule: secrets, scam patterns,
# AI-wrapper and project signals) against ripgrep given the 17 secret/scam patterns in
# bench/patterns.txt (`rg -f`), and against detect-secrets, in one run over the same tree.
#
#   server/engine/bench/compare.sh            # ~45 MB of crate sources from the cargo registry
#   CORPUS_MB=20 DS_MB=3 server/engine/bench/compare.sh
#
# Needs: rg (apt-get install ripgrep), detect-secrets (pip install detect-secrets).
# detect-secrets runs at well under 1 MB/s, so by default it gets the first DS_MB (5) MB of
# the same corpus; DS_MB=0 gives it the whole corpus.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORKSPACE="$(cd "$HERE/../../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/root/.cache/aura-engine-target}"
CORPUS_MB="${CORPUS_MB:-45}"
DS_MB="${DS_MB:-5}"
REG="$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/ | head -1)"
RUNS="${RUNS:-3}"

command -v rg >/dev/null || { echo "ripgrep missing: apt-get install ripgrep" >&2; exit 1; }
command -v detect-secrets >/dev/null || { echo "detect-secrets missing: pip install detect-secrets" >&2; exit 1; }

# Corpus: crate directories in name order (skipping vendored C/Windows blobs) up to CORPUS_MB.
pick() { # $1 = MB budget
  (cd "$REG" && ls -d */ | grep -vE '(-sys-|^winapi|^windows|^openssl-src|^browserslist)' \
    | xargs du -sk --apparent-size | awk -v max="$(( $1 * 1024 ))" '{s+=$1; if (s<max) print $2}' | sed "s|^|$REG|")
}
mapfile -t DIRS < <(pick "$CORPUS_MB")
BYTES=$(find "${DIRS[@]}" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
FILES=$(find "${DIRS[@]}" -type f | wc -l)
echo "corpus: ${#DIRS[@]} crates, $FILES files, $(awk -v b="$BYTES" 'BEGIN{printf "%.1f", b/1e6}') MB from $REG"

(cd "$WORKSPACE" && cargo build --release -q -p aura-engine --example scan_dir)
SCAN="$CARGO_TARGET_DIR/release/examples/scan_dir"

# Warm the page cache so every tool reads from memory.
find "${DIRS[@]}" -type f -print0 | xargs -0 cat > /dev/null

now() { date +%s.%N; }
best() { sort -g | head -1; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN{printf "%.1f", b/1e6/s}'; }

engine_scan=(); engine_e2e=()
for _ in $(seq "$RUNS"); do
  out=$("$SCAN" "${DIRS[@]}")
  engine_scan+=("$(echo "$out" | sed -E 's/.*"scan_secs":([0-9.]+).*/\1/')")
  r=$(echo "$out" | sed -E 's/.*"read_secs":([0-9.]+).*/\1/'); s=$(echo "$out" | sed -E 's/.*"scan_secs":([0-9.]+).*/\1/')
  engine_e2e+=("$(awk -v a="$r" -v b="$s" 'BEGIN{print a+b}')")
done
ES=$(printf '%s\n' "${engine_scan[@]}" | best); EE=$(printf '%s\n' "${engine_e2e[@]}" | best)

rg_t=()
for _ in $(seq "$RUNS"); do
  t0=$(now); rg --no-ignore --hidden -c -f "$HERE/patterns.txt" "${DIRS[@]}" > /dev/null || true; t1=$(now)
  rg_t+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')")
done
RG=$(printf '%s\n' "${rg_t[@]}" | best)

if [ "$DS_MB" = "0" ]; then DS_DIRS=("${DIRS[@]}"); else mapfile -t DS_DIRS < <(pick "$DS_MB"); fi
DS_BYTES=$(find "${DS_DIRS[@]}" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
# detect-secrets only scans paths below its working directory: give it relative paths.
DS_REL=("${DS_DIRS[@]#"$REG"}")
t0=$(now); (cd "$REG" && detect-secrets scan --all-files "${DS_REL[@]}" > /dev/null); t1=$(now)
DS=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')

echo
echo "| tool | input | time (best of $RUNS) | MB/s |"
echo "| --- | --- | --- | --- |"
echo "| aura-engine scan (all content rules, $(nproc) threads) | $(mbps "$BYTES" 1) MB | ${ES}s | $(mbps "$BYTES" "$ES") |"
echo "| aura-engine read + scan | $(mbps "$BYTES" 1) MB | ${EE}s | $(mbps "$BYTES" "$EE") |"
echo "| ripgrep $(rg --version 2>/dev/null | awk 'NR==1{print $2}') -f patterns.txt (17 patterns) | $(mbps "$BYTES" 1) MB | ${RG}s | $(mbps "$BYTES" "$RG") |"
echo "| detect-secrets $(detect-secrets --version) | $(mbps "$DS_BYTES" 1) MB | ${DS}s (1 run) | $(mbps "$DS_BYTES" "$DS") |"
echo
echo "engine / ripgrep (read + scan): $(awk -v a="$RG" -v b="$EE" 'BEGIN{printf "%.2f", a/b}')"
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg)"
