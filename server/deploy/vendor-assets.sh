#!/usr/bin/env bash
# Copies the third-party browser assets the site serves from its own origin (Swagger UI for
# `/docs`) from end2end's npm packages into public/vendor, where `cargo leptos build` picks
# them up for target/site. Used by .ci/setup and by the Docker build, so both ship the same
# files. Needs `npm ci` in end2end first.
set -euo pipefail
cd "$(dirname "$0")/../.."
src=end2end/node_modules/swagger-ui-dist
[ -d "$src" ] || { echo "vendor-assets: $src is missing; run npm ci in end2end first" >&2; exit 1; }
mkdir -p public/vendor/swagger-ui
for f in swagger-ui-bundle.js swagger-ui.css; do
  cmp -s "$src/$f" "public/vendor/swagger-ui/$f" || cp "$src/$f" public/vendor/swagger-ui/
done
