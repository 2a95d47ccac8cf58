--- `:Mcp[!] [{subcommand} ...]` (|:Mcp|): finds the subcommand, hands it its arguments, and completes
--- them. Each subcommand's work lives in its feature module; this file only dispatches.
local M = {}

local util = require('mcp.core.util')
local words = require('mcp.core.words')

---@class mcp.CommandArgs
---@field fargs string[] arguments after the subcommand
---@field args string the raw text after the subcommand
---@field bang boolean
---@field mods string

---@class mcp.Subcommand
---@field run fun(a: mcp.CommandArgs)
---@field complete? fun(lead: string, words: string[]): string[] `words`: the arguments before `lead`, as
---  `mcp.core.words` reads them (escapes and quotes resolved)
---@field usage string

---Completion of one server name as the first argument, escaped as `mcp.core.words` reads it.
---@param lead string
---@param before string[]
---@return string[]
local function complete_server(lead, before)
  if #before == 0 then return words.typed(require('mcp.servers').names(), lead) end
  return {}
end

---The arguments of a subcommand as words (`mcp.core.words`: a server name may hold spaces or quotes);
---reports a malformed quote and returns nil.
---@param a mcp.CommandArgs
---@return string[]?
local function read_words(a)
  local list, err = words.split(a.args)
  if err then
    util.error(err)
    return nil
  end
  return list
end

---@param method "start"|"stop"|"restart"
---@return mcp.Subcommand
local function lifecycle_cmd(method)
  return {
    usage = method .. ' {server}   (:Mcp! ' .. method .. ': every server)',
    run = function(a)
      local servers = require('mcp.servers')
      local args = read_words(a)
      if not args then return end
      if a.bang and #args == 0 then
        if servers.lifecycle_all(method) == 0 then util.notify(('no server to %s'):format(method)) end
        return
      end
      if #args ~= 1 then return util.error('usage: :Mcp ' .. method .. ' {server}') end
      servers.lifecycle(method, args[1])
    end,
    complete = complete_server,
  }
end

---@type table<string, mcp.Subcommand>
M.subcommands = {
  hub = {
    usage = 'hub',
    run = function(a) require('mcp.ui.hub').open({ mods = a.mods, current = a.bang }) end,
  },
  start = lifecycle_cmd('start'),
  stop = lifecycle_cmd('stop'),
  restart = lifecycle_cmd('restart'),
  tools = {
    usage = 'tools [{server}]',
    run = function(a) require('mcp.ui.hub').tools_command(a) end,
    complete = complete_server,
  },
  call = {
    usage = 'call {server} {tool} [{json}]   (:Mcp! call: run it as a task)',
    run = function(a) require('mcp.tools').command(a) end,
    complete = function(lead, before) return require('mcp.tools').complete_cmdline(lead, before) end,
  },
  chat = {
    usage = 'chat {server} [{tool}] [on|off]',
    run = function(a) require('mcp.chat').command(a) end,
    complete = function(lead, before) return require('mcp.chat').complete_cmdline(lead, before) end,
  },
  prompt = {
    usage = 'prompt [{server}/{prompt}] [{name}={value} ...]   (:Mcp! prompt: into a scratch buffer)',
    run = function(a) require('mcp.prompts').command(a) end,
    complete = function(lead, before) return require('mcp.prompts').complete_cmdline(lead, before) end,
  },
  resource = {
    usage = 'resource [insert|open|yank [{register}]] [{server} {uri}]',
    run = function(a) require('mcp.resources.picker').command(a) end,
    complete = function(lead, before) return require('mcp.resources.picker').complete_cmdline(lead, before) end,
  },
  log = {
    usage = "log [{server}]   (no server: the host's log file)",
    run = function(a)
      local args = read_words(a)
      if not args then return end
      if #args > 1 then return util.error('usage: :Mcp log [{server}]') end
      require('mcp.ui.log').open({ mods = a.mods, server = args[1] })
    end,
    complete = complete_server,
  },
  loglevel = {
    usage = 'loglevel {server} {level}',
    run = function(a)
      local args = read_words(a)
      if not args then return end
      if #args ~= 2 then
        return util.error(
          'usage: :Mcp loglevel {server} {level} ('
            .. table.concat(require('mcp.core.contract').server_log_levels, ', ')
            .. ')'
        )
      end
      local server, level = args[1], args[2]
      require('mcp').set_log_level(server, level, function(err, res)
        if err then return util.error(('loglevel %s: %s'):format(server, err.message)) end
        util.notify(
          ('%s: log level %s (%s)'):format(
            server,
            res.level,
            res.via == '_meta' and 'sent with each request' or 'logging/setLevel'
          )
        )
      end)
    end,
    complete = function(lead, before)
      if #before == 0 then return words.typed(require('mcp.servers').names(), lead) end
      if #before == 1 then return vim.deepcopy(require('mcp.core.contract').server_log_levels) end
      return {}
    end,
  },
  roots = {
    usage = 'roots',
    run = function(a)
      if #a.fargs > 0 then return util.error('usage: :Mcp roots') end
      require('mcp.ui.roots').show(a.mods)
    end,
  },
  asks = {
    usage = 'asks',
    run = function(a)
      if #a.fargs > 0 then return util.error('usage: :Mcp asks') end
      require('mcp.asks').pick()
    end,
  },
  cancel = {
    usage = 'cancel [{server}]',
    run = function(a)
      local args = read_words(a)
      if not args then return end
      if #args > 1 then return util.error('usage: :Mcp cancel [{server}]') end
      require('mcp.requests').pick(args[1])
    end,
    complete = complete_server,
  },
  tasks = {
    usage = 'tasks [{server}]',
    run = function(a)
      local args = read_words(a)
      if not args then return end
      if #args > 1 then return util.error('usage: :Mcp tasks [{server}]') end
      require('mcp.tasks').pick(args[1], { mods = a.mods })
    end,
    complete = complete_server,
  },
  auth = {
    usage = 'auth {server}   (OAuth: authorize a remote server now)',
    run = function(a) require('mcp.auth').auth_command(a) end,
    complete = function(lead, before) return require('mcp.auth').complete(lead, before) end,
  },
  logout = {
    usage = "logout {server}   (OAuth: forget a remote server's tokens)",
    run = function(a) require('mcp.auth').logout_command(a) end,
    complete = function(lead, before) return require('mcp.auth').complete(lead, before) end,
  },
  reload = {
    usage = 'reload   (:Mcp! reload: restart the host)',
    run = function(a) require('mcp.servers').reload(a.bang) end,
  },
}

---Subcommand names, sorted.
---@return string[]
function M.names()
  local names = vim.tbl_keys(M.subcommands)
  table.sort(names)
  return names
end

---Runs `:Mcp` (the `nvim_create_user_command` callback).
---@param o { fargs: string[], args: string, bang: boolean, mods?: string }
function M.run(o)
  local sub = o.fargs[1]
  if not sub then return require('mcp.ui.hub').open({ mods = o.mods, current = o.bang }) end
  local bang = o.bang
  -- `:Mcp prompt! ...` means `:Mcp! prompt ...` (a bang can only follow the command's name).
  if sub:sub(-1) == '!' and M.subcommands[sub:sub(1, -2)] then
    sub, bang = sub:sub(1, -2), true
  end
  local cmd = M.subcommands[sub]
  if not cmd then
    return util.error(('unknown subcommand "%s" (expected one of: %s)'):format(sub, table.concat(M.names(), ', ')))
  end
  local fargs = { unpack(o.fargs, 2) }
  local args = o.args:gsub('^%s*%S+', '', 1)
  cmd.run({ fargs = fargs, args = args, bang = bang, mods = o.mods or '' })
end

---Completion of `:Mcp` (the `complete` function of the user command).
---@param lead string the word being completed
---@param cmdline string
---@param pos integer cursor byte position in `cmdline`
---@return string[]
function M.complete(lead, cmdline, pos)
  local before = cmdline:sub(1, pos)
  local after = before:match('Mcp!?%s+(.*)$')
  if not after then return {} end
  -- Neovim's `lead` is the end of the line from the last unescaped space: what comes before it are the
  -- complete words.
  local done = words.split(after:sub(1, #after - #lead), true)
  local candidates
  if #done == 0 then
    candidates = M.names()
  else
    local cmd = M.subcommands[done[1]] or M.subcommands[done[1]:gsub('!$', '')]
    candidates = cmd and cmd.complete and cmd.complete(lead, { unpack(done, 2) }) or {}
  end
  return vim.tbl_filter(function(c) return vim.startswith(c, lead) end, candidates)
end

return M
