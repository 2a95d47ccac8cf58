--- The entry point the host calls: it delivers replies and pushes as `require("mcp.host")._batch(chan, items)`
--- (src/bridge/bridge.ts, `BATCH`). Also a short way to the host's state for tests and scripts. The
--- modules themselves live in lua/mcp/core/ (process, channel, store); nothing in lua/ requires this one.
local M = {}

local channel = require('mcp.core.channel')
local process = require('mcp.core.process')
local store = require('mcp.core.store')

-- Asks (|mcp-asks|): the host asks the editor (`q` items) and may withdraw an ask (`w` items). Registered
-- here, at the entry point, so that the channel never names a feature: this module is loaded by the
-- host's first batch, before any of its items is dispatched.
channel.on_item('q', function(item) require('mcp.asks')._ask(item[2], item[3], item[4], item[5]) end)
channel.on_item('w', function(item) require('mcp.asks')._withdraw(item[2], item[3]) end)

---Error codes (|mcp-errors|), as generated from the host's contract.
M.codes = require('mcp.core.contract').codes

---The replies and pushes of one turn of the host's event loop (|mcp.core.channel._batch()|); dropped
---unless `chan` is the running host's channel.
---@param chan integer the sending host's channel id
---@param items mcp.channel.Item[]
function M._batch(chan, items) channel._batch(chan, items) end

M.running = process.running
M.info = process.info
M.request = process.request
M.restart = process.restart
M.shutdown = process.shutdown
M.log_path = process.log_path
M.snapshots = store.snapshots
M.snapshot = store.snapshot
M.config_status = store.config_status
M.messages = store.messages

return M
