#!/usr/bin/env bash
# Opens Neovim with mcp.nvim from this checkout and a demo config that connects to server-everything and
# server-filesystem (both dev dependencies, MCP 2025-11-25) and to test/servers/modern.mjs (the project's
# own test server, MCP 2026-07-28 only), so that the hub shows both protocol revisions. Nothing of the user's own configuration is read or written:
# config, state, data and log folders live under .cache/demo/.
#
#   npm run demo            (or: bash scripts/demo.sh [files...])
set -euo pipefail
root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$root"
bash scripts/setup.sh >&2
nvim_bin=${MCP_DEMO_NVIM:-$(bash scripts/nvim.sh 0.12)}

demo="$root/.cache/demo"
export XDG_CONFIG_HOME="$demo/config" XDG_STATE_HOME="$demo/state" XDG_DATA_HOME="$demo/data" XDG_CACHE_HOME="$demo/cache"
mkdir -p "$XDG_CONFIG_HOME/nvim" "$XDG_STATE_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME"
# server-filesystem gets no directory: it follows the roots, i.e. the projects whose files you open.
cat > "$XDG_CONFIG_HOME/nvim/mcp.json" <<JSON
{
  "mcpServers": {
    "everything": {
      "command": "node",
      "args": ["$root/node_modules/@modelcontextprotocol/server-everything/dist/index.js", "stdio"]
    },
    "filesystem": {
      "command": "node",
      "args": ["$root/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js"]
    },
    "modern": {
      "command": "node",
      "args": ["$root/test/servers/modern.mjs"]
    }
  }
}
JSON
exec "$nvim_bin" --clean -u "$root/scripts/demo/init.lua" "$@"
