--- Servers as a user handles them: their names (for completion and for splitting `{server}/{rest}`),
--- starting, stopping and restarting them with a message saying how it went, and reloading the
--- configuration (|:Mcp-start|, |:Mcp-reload|, the hub's `s`, `S`, `r`, `R`).
local M = {}

local util = require('mcp.core.util')

---Names of configured servers: the store's (config order), then those given to setup() that the host
---has not reported yet (sorted). Starts the host if needed (a cached read: never restarts a crashed one).
---@return string[]
function M.names()
  require('mcp.core.process').try_ensure(true)
  local names, seen = {}, {}
  for _, s in ipairs(require('mcp.core.store').snapshots()) do
    names[#names + 1], seen[s.name] = s.name, true
  end
  local ok, cfg = pcall(require('mcp.core.options').get)
  if ok then
    local extra = vim.tbl_keys(cfg.servers)
    table.sort(extra)
    for _, n in ipairs(extra) do
      if not seen[n] then names[#names + 1] = n end
    end
  end
  return names
end

---Splits `{server}/{rest}` (a prompt name, the rest of an `mcp://` buffer name) against the configured
---server names (|mcp.core.util.split_server()|).
---@param word string
---@return string? server
---@return string? rest
function M.split(word) return util.split_server(word, M.names()) end

---One phrase for a server's state: `connected (3 tools, 1 prompts, 0 resources)`, `failed: why`.
---@param s mcp.ServerSnapshot?
---@return string
function M.summary(s)
  if not s then return '' end
  if s.status == 'connected' then
    return ('connected (%d tools, %d prompts, %d resources)'):format(
      #(s.tools or {}),
      #(s.prompts or {}),
      #(s.resources or {})
    )
  end
  return s.status .. (s.error and (': ' .. s.error) or '')
end

---Starts, stops or restarts a server and tells the user how it went.
---@param method "start"|"stop"|"restart"
---@param server string
function M.lifecycle(method, server)
  require('mcp')[method](server, function(err, snap)
    if err then
      util.error(('%s %s: %s'):format(method, server, err.message))
    else
      util.notify(('%s %s'):format(server, M.summary(snap)))
    end
  end)
end

---Which statuses each action applies to when it is run on every server (`:Mcp! start`).
M.applies = {
  start = { stopped = true, failed = true },
  restart = { connected = true, failed = true, starting = true },
  stop = { connected = true, starting = true, failed = true },
}

---Runs `method` on every server it applies to (`M.applies`).
---@param method "start"|"stop"|"restart"
---@return integer count how many servers it was run on
function M.lifecycle_all(method)
  local n = 0
  for _, s in ipairs(require('mcp.core.store').snapshots()) do
    if M.applies[method][s.status] then
      n = n + 1
      M.lifecycle(method, s.name)
    end
  end
  return n
end

---Re-reads the config file and says what changed; with `hard`, restarts the host (every server) with the
---current options instead.
---@param hard? boolean
function M.reload(hard)
  if hard then
    local _, err = require('mcp.core.process').restart()
    if err then return util.error((err:gsub('^mcp: ', ''))) end
    return util.notify('host restarted')
  end
  local codes = require('mcp.core.contract').codes
  -- Project config files trusted since (|:trust|) are read again too.
  if require('mcp.core.process').running() then require('mcp.projects').refresh() end
  require('mcp').reload(function(err, diff)
    if err then
      -- A config error was already shown by the host (a `message` push).
      if err.code ~= codes.ConfigError then util.error('reload: ' .. err.message) end
      return
    end
    local parts = {}
    for _, k in ipairs({ 'added', 'removed', 'changed' }) do
      local list = type(diff) == 'table' and diff[k] or {}
      if type(list) == 'table' and #list > 0 then parts[#parts + 1] = ('%s %s'):format(k, table.concat(list, ', ')) end
    end
    util.notify('config reloaded: ' .. (#parts > 0 and table.concat(parts, '; ') or 'no changes'))
  end)
end

return M
