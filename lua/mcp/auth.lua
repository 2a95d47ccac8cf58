--- OAuth for remote servers, the editor's side (|mcp-oauth|): `:Mcp auth {server}` and `:Mcp logout
--- {server}` (|:Mcp-auth|, |:Mcp-logout|), the names they complete (servers reached over HTTP), and the
--- consent window's registration as the handler of `oauth` asks (ui/oauth.lua). The flow itself runs in
--- the host (src/auth/); its tokens are kept under `stdpath("data")/mcp/auth/`, one file per server.
local M = {}

local util = require('mcp.core.util')

---The ask handler of kind `oauth` (AskKinds in src/bridge/protocol.ts): the consent window.
---@type mcp.AskHandler
function M.ask(ask, respond, hide) return require('mcp.ui.oauth').oauth(ask, respond, hide) end

---Names of the configured servers reached over HTTP (`http` or `sse`): the ones OAuth applies to. A
---server the host has not reported yet counts when its definition has a `url`.
---@return string[]
function M.remote_names()
  local names = {}
  local by_name = {}
  for _, s in ipairs(require('mcp.core.store').snapshots()) do
    by_name[s.name] = s
  end
  local ok, cfg = pcall(require('mcp.core.options').get)
  for _, name in ipairs(require('mcp.servers').names()) do
    local s = by_name[name]
    local def = ok and cfg.servers[name] or nil
    if (s and s.transport ~= 'stdio') or (not s and type(def) == 'table' and def.url ~= nil) then
      names[#names + 1] = name
    end
  end
  return names
end

---Completion of one remote server name as the first argument.
---@param lead string
---@param before string[]
---@return string[]
function M.complete(lead, before)
  if #before == 0 then return require('mcp.core.words').typed(M.remote_names(), lead) end
  return {}
end

---@param a mcp.CommandArgs
---@param what "auth"|"logout"
---@return string? server
local function one_server(a, what)
  local args, err = require('mcp.core.words').split(a.args)
  if err then
    util.error(err)
    return nil
  end
  if #args ~= 1 then
    util.error(('usage: :Mcp %s {server}'):format(what))
    return nil
  end
  return args[1]
end

---`:Mcp auth {server}`: authorizes the server now (the consent window, the browser or a paste), then
---reconnects it, and says how it went.
---@param a mcp.CommandArgs
function M.auth_command(a)
  local server = one_server(a, 'auth')
  if not server then return end
  require('mcp').auth(server, function(err, snap)
    if err then
      local codes = require('mcp.core.contract').codes
      if err.code == codes.Cancelled then return util.warn(('auth %s: %s'):format(server, err.message)) end
      return util.error(('auth %s: %s'):format(server, err.message))
    end
    util.notify(('%s: authorized; %s'):format(server, require('mcp.servers').summary(snap)))
  end)
end

---`:Mcp logout {server}`: forgets the server's tokens (and restarts it when it runs).
---@param a mcp.CommandArgs
function M.logout_command(a)
  local server = one_server(a, 'logout')
  if not server then return end
  require('mcp').logout(server, function(err, res)
    if err then return util.error(('logout %s: %s'):format(server, err.message)) end
    if res.removed then
      util.notify(('%s: logged out (its tokens are deleted)'):format(server))
    else
      util.notify(('%s: no tokens were kept'):format(server))
    end
  end)
end

return M
