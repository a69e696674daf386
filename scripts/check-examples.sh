#!/usr/bin/env bash
# The examples against the package as users get it: pack the built checkout (run `npm run build` first),
# install the tarball into each example (offline: pqsign has no runtime dependencies), type-check each
# with the checkout's TypeScript (tsc, which also compiles it), and run it. CI runs this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
[[ -f dist/cli/index.js && -f dist/cli/types/lib/index.d.ts ]] || { echo "check-examples: build first (npm run build)" >&2; exit 2; }
pack=examples/.pack
rm -rf "$pack" && mkdir -p "$pack"
tgz=$(npm pack --ignore-scripts --silent --pack-destination "$pack" | tail -n 1)
mv "$pack/$tgz" "$pack/pqsign.tgz" # the examples depend on "file:../.pack/pqsign.tgz"
for ex in library format-plugin; do
  echo "== examples/$ex"
  cd "$root/examples/$ex"
  rm -rf node_modules dist
  npm install --offline --no-audit --no-fund --no-package-lock --loglevel=error
  node "$root/node_modules/typescript/bin/tsc" -p .
  npm test --silent
done
