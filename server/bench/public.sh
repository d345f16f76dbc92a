#!/usr/bin/env bash
# Public-surface benchmarks (BENCHMARKS.md, "Public surfaces"): cached badge requests/s
# against nginx serving the same SVG as a static file, completed report page requests/s
# (identity, brotli, 304) against /info in the same run, the widget's
# bytes over the wire (brotli) and its time to a visible score with a cached result.
#
# Needs a release build (`cargo leptos build --release`), node (the GitHub stand-in of
# end2end/support/stubs.mjs), wrk, curl with brotli, and nginx (`apt-get install nginx-light`;
# not part of CI). Run from the repository root. DURATION=10 CONNECTIONS=64 by default.
set -euo pipefail
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
PORT=3930; NGINX_PORT=3931; GH_PORT=3938
WORK=$(mktemp -d /tmp/aura-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true; }
trap cleanup EXIT

AURA_E2E_GITHUB_PORT=$GH_PORT AURA_E2E_PARTNER_PORT=3939 AURA_E2E_OTHER_PORT=3940 AURA_E2E_ARCHIVE_DELAY_MS=0 \
  node end2end/support/stubs.mjs >"$WORK/stubs.log" 2>&1 & pids+=($!)
LEPTOS_SITE_ADDR=127.0.0.1:$PORT AURA_DATA_DIR="$WORK" AURA_DATABASE_URL="sqlite://$WORK/bench.db?mode=rwc" \
  AURA_SECRET_KEY=bench0bench0bench0bench0bench0bench0bench0 AURA_ALLOW_PRIVATE_TARGETS=true \
  AURA_GITHUB_API_URL=http://127.0.0.1:$GH_PORT RUST_LOG=warn \
  ./target/release/server >"$WORK/server.log" 2>&1 & pids+=($!)
base=http://127.0.0.1:$PORT
for _ in $(seq 100); do curl -fs "$base/health" >/dev/null && break; sleep 0.2; done

# A real scan through the badge, then the cached score badge.
curl -fs "$base/badge/bench-org/wallet-sdk.svg" >/dev/null
for _ in $(seq 100); do curl -fs "$base/badge/bench-org/wallet-sdk.svg" | grep -q scanning || break; sleep 0.3; done
mkdir -p "$WORK/www"
curl -fs "$base/badge/bench-org/wallet-sdk.svg" >"$WORK/www/badge.svg"
echo "badge: $(wc -c <"$WORK/www/badge.svg") bytes: $(grep -o '<title>[^<]*' "$WORK/www/badge.svg")"
id=$(sqlite3 "$WORK/bench.db" "SELECT id FROM scans WHERE status='completed' LIMIT 1")

cat >"$WORK/nginx.conf" <<CONF
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  types { image/svg+xml svg; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $WORK/www;
    location / { add_header Cache-Control "max-age=3600"; etag on; }
  }
}
CONF
nginx -c "$WORK/nginx.conf"
sleep 0.5

run() { local url=$1; shift; wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" "$@" "$url" | awk '/Requests\/sec/ {print $2} /Latency/ {print "latency " $2}' | paste -sd' '; }
# The completed report is rendered once, then served from memory (report_cache.rs).
curl -fs -o /dev/null "$base/report/$id"
etag=$(curl -fsI "$base/report/$id" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag" {print $2}')
echo "report: $(curl -fsI "$base/report/$id" | tr -d '\r' | grep -iE '^(cache-control|etag|content-length):' | paste -sd' ')"
echo "nginx static badge:   $(run "http://127.0.0.1:$NGINX_PORT/badge.svg")"
echo "aura cached badge:    $(run "$base/badge/bench-org/wallet-sdk.svg")"
echo "aura /info:           $(run "$base/info")"
echo "aura report page:     $(run "$base/report/$id")"
echo "aura report, br:      $(run "$base/report/$id" -H 'Accept-Encoding: gzip, deflate, br')"
echo "aura report, 304:     $(run "$base/report/$id" -H "If-None-Match: $etag")"

# The widget over the wire with a cached result: HTML, then what hydration loads.
widget="$base/embed/scan?repo=bench-org/wallet-sdk&compact=true"
size() { curl -fs -o /dev/null -H 'Accept-Encoding: br' -w '%{size_download}' "$1"; }
raw() { curl -fs -o /dev/null -w '%{size_download}' "$1"; }
# The asset names are whatever the page links and preloads: the stylesheet and the widget's
# own bundle (`/widget/pkg/widget.{js,wasm}`).
assets=$(curl -fs "$widget" | grep -o 'href="/[a-z/]*pkg/[^"]*"' | sed 's/href="//; s/"$//' | sort -u)
for part in "$widget" $(for a in $assets; do echo "$base$a"; done); do
  echo "bytes $(basename "${part%%\?*}"): br $(size "$part"), raw $(raw "$part")"
done
echo "widget HTML with the score, cached result (10 runs, s): $(for _ in $(seq 10); do curl -fs -o /dev/null -w '%{time_total} ' "$widget"; done)"
# In Chromium: the score is in the server-rendered HTML, so it is visible at the first
# contentful paint; hydration (wasm) finishes later and only adds behaviour.
WIDGET="$widget" node --input-type=module -e '
import { chromium } from "./end2end/node_modules/playwright/index.mjs";
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const runs = [];
for (let i = 0; i < 5; i++) {
  const page = await browser.newPage({ viewport: { width: 300, height: 200 } });
  const t0 = Date.now();
  await page.goto(process.env.WIDGET, { waitUntil: "commit" });
  await page.getByTestId("embed-score").waitFor({ state: "visible" });
  const visible = Date.now() - t0;
  const fcp = await page.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null);
  await page.waitForLoadState("networkidle");
  runs.push({ visible_ms: visible, fcp_ms: fcp && Math.round(fcp) });
  await page.close();
}
console.log("chromium, widget with a cached result:", JSON.stringify(runs));
await browser.close();
'
