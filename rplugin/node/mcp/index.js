// Entry of the mcp.nvim host, started by lua/mcp/host.lua with jobstart(..., { rpc = true }).
// The host itself is bundled from src/ by `npm run build` into dist/host.js.
import '../../../dist/host.js';
