--- The Lua side's copy of the host's state: server snapshots (config order), the configuration status and
--- the host's last messages. The public API and the UI read it; nothing here waits on the host. Every
--- change of a server fires `User McpServerChanged` or `McpServerRemoved` (|mcp-events|).
---
--- `mcp.ServerSnapshot` is generated from the host's types: lua/mcp/core/contract.lua.
local M = {}

local events = require('mcp.core.events')
local contract = require('mcp.core.contract')
local nonil = require('mcp.core.util').nonil

---How many `message` pushes are kept.
M.max_messages = 20

local state = {
  ---@type table<string, mcp.ServerSnapshot>
  snapshots = {},
  ---@type string[] server names in config order
  order = {},
  ---The configuration as the host last loaded it (`config` push): its file and error, if any.
  ---@type { path?: string, error?: string }?
  config = nil,
  ---Last `message` pushes of the host, newest last.
  ---@type { level: string, text: string, time: integer }[]
  messages = {},
}

---A snapshot as it crossed the bridge, with RPC nulls removed and absent lists made empty.
---@param s table
---@return mcp.ServerSnapshot
function M.normalize(s)
  for _, k in ipairs(contract.snapshot_optional) do
    s[k] = nonil(s[k])
  end
  for _, k in ipairs({ 'tools', 'prompts', 'resources', 'resource_templates' }) do
    if type(s[k]) ~= 'table' then s[k] = {} end
  end
  return s
end

---Stores one server's snapshot (a new name goes last) and tells listeners.
---@param s table as pushed (normalized here)
function M.put(s)
  s = M.normalize(s)
  if not state.snapshots[s.name] then state.order[#state.order + 1] = s.name end
  state.snapshots[s.name] = s
  events.fire(events.names.server_changed, s)
end

---Forgets a server that left the configuration and tells listeners.
---@param name string
function M.remove(name)
  if not state.snapshots[name] then return end
  state.snapshots[name] = nil
  for i, n in ipairs(state.order) do
    if n == name then
      table.remove(state.order, i)
      break
    end
  end
  events.fire(events.names.server_removed, { name = name })
end

---Replaces every snapshot with the host's authoritative list (config order).
---@param list table[]
function M.set_all(list)
  local seen = {}
  state.order = {}
  for _, s in ipairs(list) do
    M.normalize(s)
    seen[s.name] = true
    state.order[#state.order + 1] = s.name
    state.snapshots[s.name] = s
  end
  for name in pairs(state.snapshots) do
    if not seen[name] then
      state.snapshots[name] = nil
      events.fire(events.names.server_removed, { name = name })
    end
  end
  for _, s in ipairs(list) do
    events.fire(events.names.server_changed, s)
  end
end

---Marks every server as stopped (the host took its servers with it) and tells listeners.
---@param why string shown as each server's `error`
function M.stop_all(why)
  for _, name in ipairs(state.order) do
    local s = state.snapshots[name]
    s.status, s.error = 'stopped', why
    s.server_info, s.capabilities, s.instructions, s.protocol_version = nil, nil, nil, nil
    s.tools, s.prompts, s.resources, s.resource_templates = {}, {}, {}, {}
    events.fire(events.names.server_changed, s)
  end
end

---Cached snapshots in config order. The tables are the store's own: treat them as read-only.
---@return mcp.ServerSnapshot[]
function M.snapshots()
  local out = {}
  for _, name in ipairs(state.order) do
    out[#out + 1] = state.snapshots[name]
  end
  return out
end

---The cached snapshot of one server.
---@param name string
---@return mcp.ServerSnapshot?
function M.snapshot(name) return state.snapshots[name] end

---Records the configuration the host loaded (`config` push) and fires `User McpConfigLoaded`.
---@param status { path?: string, error?: string }
function M.set_config(status)
  state.config = { path = nonil(status.path), error = nonil(status.error) }
  events.fire(events.names.config_loaded, vim.deepcopy(state.config))
end

---Forgets the configuration status (a new host has not loaded it yet).
function M.clear_config() state.config = nil end

---The configuration as the running host last loaded it: `{ path?, error? }`; `error` names the file,
---the key path and the problem when the file was rejected (the host then keeps its previous servers).
---`nil` before the host loaded it.
---@return { path?: string, error?: string }?
function M.config_status() return state.config and vim.deepcopy(state.config) end

---Keeps a message of the host (`message` push), dropping the oldest beyond `M.max_messages`.
---@param level string "error"|"warn"|"info"
---@param text string
function M.add_message(level, text)
  table.insert(state.messages, { level = level, text = text, time = os.time() })
  if #state.messages > M.max_messages then table.remove(state.messages, 1) end
end

---The last messages the host pushed (`message` events), oldest first.
---@return { level: "error"|"warn"|"info", text: string, time: integer }[]
function M.messages() return vim.deepcopy(state.messages) end

return M
