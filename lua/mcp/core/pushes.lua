--- What the host pushes unasked (`PushEvents` in src/bridge/protocol.ts), applied to the store and
--- announced as `User` events. (`progress` belongs to a pending request: the channel handles it.)
local M = {}

local events = require('mcp.core.events')
local store = require('mcp.core.store')
local util = require('mcp.core.util')

local LEVELS = { error = vim.log.levels.ERROR, warn = vim.log.levels.WARN, info = vim.log.levels.INFO }

---@type table<string, fun(payload: table)>
local handlers = {
  server = function(payload) store.put(payload) end,
  removed = function(payload) store.remove(payload.name) end,
  config = function(payload) store.set_config(payload) end,
  resource_updated = function(payload)
    events.fire(events.names.resource_updated, { server = payload.server, uri = payload.uri })
  end,
  log = function(payload)
    events.fire(events.names.server_log, {
      server = tostring(payload.server),
      level = tostring(payload.level),
      logger = type(payload.logger) == 'string' and payload.logger or nil,
      text = tostring(payload.text),
    })
  end,
  elicitation_complete = function(payload)
    local server, id = payload.server, payload.elicitation_id
    if type(server) ~= 'string' or type(id) ~= 'string' then return end
    events.fire(events.names.elicitation_complete, { server = server, id = id })
  end,
  message = function(payload)
    local text = tostring(payload.text)
    store.add_message(tostring(payload.level), text)
    local level = LEVELS[payload.level] or vim.log.levels.INFO
    util.notify_later(text, level)
  end,
}

---Applies one push. An unknown event is ignored (a newer host may push more than this Lua knows).
---@param event string
---@param payload any
function M.apply(event, payload)
  payload = util.nonil(payload)
  if type(payload) ~= 'table' then return end
  local handler = handlers[event]
  if handler then handler(payload) end
end

return M
