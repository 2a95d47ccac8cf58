#!/usr/bin/env bash
# `npm run lint`: stylua checks the Lua's format (stylua.toml), luacheck its code (.luacheckrc), tsc the
# TypeScript (strict). `npm run format` rewrites the Lua in place. CI (.ci/run) runs this before the tests.
set -euo pipefail
root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$root"
lua_dirs=(lua plugin bench/lua test/unit/lua scripts/demo)
status=0
echo "lint: stylua" >&2
npx --no-install stylua --check "${lua_dirs[@]}" || status=1
echo "lint: luacheck" >&2
if command -v luacheck >/dev/null 2>&1; then
  luacheck --quiet --formatter plain "${lua_dirs[@]}" || status=1
else
  echo "lint: luacheck not found: install Debian's lua-check (apt-get install lua-check)" >&2
  status=1
fi
echo "lint: tsc" >&2
npx --no-install tsc -p . || status=1
exit "$status"
