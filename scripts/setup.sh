#!/usr/bin/env bash
# Makes a checkout ready to run: installs npm dependencies when missing or stale, builds the host when
# its sources are newer than the bundle, and fetches the Neovim versions the tests use.
# Used by `npm run demo`, `npm test` (pretest) and .ci/run. Quiet when there is nothing to do.
set -euo pipefail
root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$root"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund >&2
fi
if [ ! -f dist/host.js ] || [ -n "$(find src scripts/build.mjs package-lock.json -newer dist/host.js -print -quit)" ]; then
  echo "setup: npm run build" >&2
  npm run --silent build >&2
fi
if [ "${MCP_SETUP_NVIM:-1}" = 1 ]; then
  bash scripts/nvim.sh all >/dev/null
fi
