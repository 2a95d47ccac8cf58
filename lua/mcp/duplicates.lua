--- Tells the user when a server lists two or more tools under one name (|mcp-call-names|): MCP calls a
--- tool by name (spec: server/tools, `tools/call`), so only one of them can be reached and the server
--- decides which. Said once per server for each new set of shared names, when the server connects or its
--- tool list changes (`User McpServerChanged`), not on every snapshot: a server that keeps its duplicates
--- across list changes and restarts is not reported again. The hub marks such tools and `:Mcp call` warns
--- too (mcp.ui.hub, mcp.tools).
local M = {}

---Shared names already reported, by server: `{ [name] = count }`.
---@type table<string, table<string, integer>>
local reported = {}

---The tool names `tools` lists more than once, with how many tools carry each.
---@param tools any[] the snapshot's `tools`
---@return table<string, integer> shared name → count (2 or more)
function M.shared(tools)
  local counts = {}
  for _, t in ipairs(tools) do
    if type(t) == 'table' and type(t.name) == 'string' then counts[t.name] = (counts[t.name] or 0) + 1 end
  end
  local out = {}
  for name, n in pairs(counts) do
    if n > 1 then out[name] = n end
  end
  return out
end

---Handles one server's snapshot: warns (|vim.notify()|, WARN) when it shares a name that was not shared
---(or shared by fewer tools) when last reported. Only a connected server's list counts: a server that
---stops keeps what was reported, so its restart says nothing new.
---@param s mcp.ServerSnapshot
function M.check(s)
  if type(s) ~= 'table' or type(s.name) ~= 'string' or s.status ~= 'connected' then return end
  local shared = M.shared(s.tools or {})
  local before = reported[s.name] or {}
  local new = {}
  for name, n in pairs(shared) do
    if (before[name] or 0) < n then new[#new + 1] = name end
  end
  reported[s.name] = shared
  if #new == 0 then return end
  table.sort(new)
  local text = require('mcp.core.text')
  local parts = {}
  for _, name in ipairs(new) do
    parts[#parts + 1] = ('%d tools named %s'):format(shared[name], text.name(name))
  end
  require('mcp.core.util').warn(
    ('server %s lists %s: a call goes by name, and the server decides which one runs'):format(
      text.name(s.name),
      table.concat(parts, ', ')
    )
  )
end

---Forgets what was reported about a server (it left the configuration).
---@param name string
function M.forget(name) reported[name] = nil end

return M
