--- Requests in flight from the editor to servers (spec: basic/utilities/cancellation; |:Mcp-cancel|):
--- the host keeps the list (`requests`, src/bridge/inflight.ts), with each request's Lua id, so that one
--- can be picked and cancelled: the server is sent `notifications/cancelled` (a call running as a task:
--- `tasks/cancel`), a call waiting for approval has its approval withdrawn, and whoever made the request
--- gets the error Cancelled (-32800).
local M = {}

local text = require('mcp.core.text')
local util = require('mcp.core.util')

---One request in flight, as the host lists it (`InflightRequest` in protocol.ts).
---@class mcp.InflightRequest
---@field id integer the Lua request id (what `cancel` takes)
---@field server string
---@field method string `tools/call`, `prompts/get`, `resources/read`, `completion/complete`, `tasks/result`
---@field name? string the tool or prompt name, resource URI, argument name or task id
---@field age_ms number ms since the host got it
---@field waiting? "approval" the call waits for the person to allow it
---@field task? { taskId: string, status: string, statusMessage?: string } the call runs as a task

---The requests in flight now, oldest first. Never starts the host: with none running, the list is empty.
---@param cb fun(err: mcp.Error?, list: mcp.InflightRequest[])
function M.list(cb)
  if not require('mcp.core.channel').is_ready() then
    return vim.schedule(function() cb(nil, {}) end)
  end
  require('mcp.core.process').request('requests', nil, { implicit = true }, function(err, list)
    if err then return cb(err, {}) end
    cb(nil, type(list) == 'table' and list or {})
  end)
end

---An age in ms as a person reads it: `850 ms`, `12 s`, `3 min 05 s`, `2 h 10 min`.
---@param ms number
---@return string
function M.age(ms)
  ms = math.max(0, math.floor(ms or 0))
  if ms < 1000 then return ms .. ' ms' end
  local s = math.floor(ms / 1000)
  if s < 60 then return s .. ' s' end
  if s < 3600 then return ('%d min %02d s'):format(math.floor(s / 60), s % 60) end
  return ('%d h %02d min'):format(math.floor(s / 3600), math.floor(s % 3600 / 60))
end

---One line for a request: `everything  tools/call trigger-long-running-operation  12 s  [task working: ...]`.
---@param r mcp.InflightRequest
---@return string
function M.describe(r)
  local parts = { text.name(r.server), text.name(r.method) .. (r.name and (' ' .. text.name(r.name, 80)) or '') }
  parts[#parts + 1] = M.age(r.age_ms)
  if r.waiting == 'approval' then parts[#parts + 1] = '[waiting for your approval]' end
  if type(r.task) == 'table' then
    local msg = type(r.task.statusMessage) == 'string' and (': ' .. text.line(r.task.statusMessage, 60)) or ''
    parts[#parts + 1] = ('[task %s%s]'):format(text.name(r.task.status), msg)
  end
  return table.concat(parts, '  ')
end

---Cancels request `id` (a Lua request id): see the module's description.
---@param id integer
---@param reason? string sent to the server (default: `cancelled by the user`)
function M.cancel(id, reason) require('mcp.core.channel').cancel(id, reason or 'cancelled by the user') end

---`:Mcp cancel`: picks a request in flight with |vim.ui.select()| and cancels it; says so when none is.
---@param server? string only this server's requests
function M.pick(server)
  M.list(function(err, list)
    if err then return util.error('cancel: ' .. err.message) end
    if server then list = vim.tbl_filter(function(r) return r.server == server end, list) end
    if #list == 0 then
      return util.notify(server and ('no request to %s in flight'):format(text.name(server)) or 'no request in flight')
    end
    vim.ui.select(list, { prompt = 'Cancel which request?', format_item = M.describe }, function(r)
      if not r then return end
      M.cancel(r.id)
      util.notify(('cancelled: %s'):format(M.describe(r)))
    end)
  end)
end

return M
