--- `:Mcp[!] [{subcommand} ...]`: subcommands, their completion, and the actions the hub shares (|:Mcp|).
local M = {}

---@param msg string
---@param level? integer
local function notify(msg, level)
  vim.notify('mcp: ' .. msg, level or vim.log.levels.INFO, { title = 'mcp' })
end

---@param msg string
local function fail(msg)
  notify(msg, vim.log.levels.ERROR)
end

---@param s mcp.ServerSnapshot?
---@return string
local function summary(s)
  if not s then return '' end
  if s.status == 'connected' then
    return ('connected (%d tools, %d prompts, %d resources)'):format(#(s.tools or {}), #(s.prompts or {}), #(s.resources or {}))
  end
  return s.status .. (s.error and (': ' .. s.error) or '')
end

---Starts, stops or restarts a server and tells the user how it went.
---@param method "start"|"stop"|"restart"
---@param server string
function M.lifecycle(method, server)
  require('mcp')[method](server, function(err, snap)
    if err then
      fail(('%s %s: %s'):format(method, server, err.message))
    else
      notify(('%s %s'):format(server, summary(snap)))
    end
  end)
end

---Parses the JSON arguments of a tool call.
---@param text string? JSON text; nil or blank means `{}`
---@param what string names the call in errors, e.g. "everything/echo"
---@return table? args
---@return string? err
function M.parse_args(text, what)
  if text == nil or text:match('^%s*$') then return vim.empty_dict() end
  local ok, value = pcall(vim.json.decode, text)
  if not ok then
    return nil, ('%s: the arguments %s are not valid JSON: %s'):format(what, text, tostring(value):gsub('^.-:%d+: ', ''))
  end
  if type(value) ~= 'table' or (next(value) ~= nil and vim.islist(value)) then
    return nil, ('%s: the arguments %s must be a JSON object, like {"name": "value"}'):format(what, text)
  end
  return value
end

---A JSON object with each required property of `schema` set to a placeholder of its type.
---@param schema table? a tool's `inputSchema`
---@return string
function M.skeleton(schema)
  if type(schema) ~= 'table' or type(schema.required) ~= 'table' or type(schema.properties) ~= 'table' then return '{}' end
  local json = require('mcp.json')
  local parts = {}
  for _, name in ipairs(schema.required) do
    local p = schema.properties[name]
    local v = '""'
    if type(p) == 'table' then
      if p.default ~= nil then
        v = json.compact(p.default)
      elseif type(p.enum) == 'table' and p.enum[1] ~= nil then
        v = json.compact(p.enum[1])
      else
        local ty = type(p.type) == 'table' and p.type[1] or p.type
        v = ({ number = '0', integer = '0', boolean = 'false', array = '[]', object = '{}', null = 'null' })[ty] or '""'
      end
    end
    parts[#parts + 1] = json.compact(name) .. ':' .. v
  end
  return '{' .. table.concat(parts, ',') .. '}'
end

---Calls a tool and shows the result (|mcp-results|); errors go to vim.notify.
---@param server string
---@param tool string
---@param args table
---@param opts? { mods?: string }
---@return mcp.CallHandle
function M.call(server, tool, args, opts)
  opts = opts or {}
  local what = server .. '/' .. tool
  return require('mcp').call_tool(server, tool, args, {
    on_progress = function(p)
      local total = p.total and ('/' .. p.total) or ''
      vim.api.nvim_echo({ { ('mcp: %s %s%s%s'):format(what, p.progress, total, p.message and ('  ' .. p.message) or '') } }, false, {})
    end,
  }, function(err, result)
    if err then
      fail(('call %s: %s'):format(what, err.message))
      return
    end
    require('mcp.ui.result').tool(server, tool, result, { mods = opts.mods })
  end)
end

---Does a tool take arguments (its `inputSchema` has properties)?
---@param def? table the Tool object
---@return boolean
function M.takes_args(def)
  local schema = def and def.inputSchema
  return type(schema) == 'table' and type(schema.properties) == 'table' and next(schema.properties) ~= nil
end

---Asks for a tool's arguments with the form (|mcp-forms|), from its `inputSchema`, then calls it.
---A tool without arguments is called at once.
---@param server string
---@param tool string
---@param def? table the Tool object (nil: looked up in the cache)
---@param opts? { mods?: string, values?: table }
---@return mcp.form.Form? form nil when nothing was asked
function M.prompt_and_call(server, tool, def, opts)
  opts = opts or {}
  if not def then
    for _, t in ipairs(require('mcp').tools(server)) do
      if t.name == tool then def = t end
    end
  end
  if not M.takes_args(def) then
    M.call(server, tool, vim.empty_dict(), opts)
    return nil
  end
  ---@cast def table
  local desc = {}
  local title = def.title or (type(def.annotations) == 'table' and def.annotations.title) or nil
  if type(title) == 'string' and title ~= tool then desc[#desc + 1] = title end
  if type(def.description) == 'string' and def.description ~= '' then desc[#desc + 1] = def.description end
  return require('mcp.ui.form').open({
    title = ('tool %s/%s'):format(server, tool),
    description = table.concat(desc, ': '),
    schema = def.inputSchema,
    values = opts.values,
    kind = 'tool',
    on_submit = function(values)
      M.call(server, tool, next(values) and values or vim.empty_dict(), opts)
    end,
  })
end

---Gets a prompt after asking for its arguments with the form (when it has any), and shows its messages
---in the results buffer (|mcp-results|).
---@param server string
---@param name string
---@param opts? { mods?: string }
function M.prompt_and_get(server, name, opts)
  require('mcp.prompts').run(server, name, {}, { scratch = true, ask = true, mods = opts and opts.mods })
end

---Reads a resource and shows its contents.
---@param server string
---@param uri string
---@param opts? { mods?: string }
function M.read(server, uri, opts)
  require('mcp').read_resource(server, uri, function(err, result)
    if err then return fail(('read %s from %s: %s'):format(uri, server, err.message)) end
    require('mcp.ui.result').resource(server, uri, result, { mods = opts and opts.mods })
  end)
end

---Re-reads the config file; with `hard`, restarts the host (every server) with the current options.
---@param hard? boolean
function M.reload(hard)
  if hard then
    local _, err = require('mcp.host').restart()
    if err then return fail((err:gsub('^mcp: ', ''))) end
    return notify('host restarted')
  end
  local codes = require('mcp.host').codes
  require('mcp').reload(function(err, diff)
    if err then
      -- A config error was already shown by the host (a `message` push).
      if err.code ~= codes.ConfigError then fail('reload: ' .. err.message) end
      return
    end
    local parts = {}
    for _, k in ipairs({ 'added', 'removed', 'changed' }) do
      local list = type(diff) == 'table' and diff[k] or {}
      if type(list) == 'table' and #list > 0 then parts[#parts + 1] = ('%s %s'):format(k, table.concat(list, ', ')) end
    end
    notify('config reloaded: ' .. (#parts > 0 and table.concat(parts, '; ') or 'no changes'))
  end)
end

---Opens the host's log file.
---@param opts? { mods?: string }
function M.log(opts)
  local path = require('mcp.host').log_path()
  if vim.uv.fs_stat(path) == nil then return notify('no log yet: ' .. path, vim.log.levels.WARN) end
  local mods = opts and opts.mods and opts.mods ~= '' and (opts.mods .. ' ') or ''
  vim.cmd(mods .. 'split ' .. vim.fn.fnameescape(path))
  vim.bo.autoread = true
  vim.cmd('normal! G')
end

---Splits `{server}/{rest}` (a prompt name, a resource URI). Server names may contain slashes: the
---longest configured name followed by a slash wins; otherwise the first slash separates.
---@param word string
---@return string? server
---@return string? rest
function M.split_server(word)
  local best
  for _, n in ipairs(M.server_names()) do
    if word:sub(1, #n + 1) == n .. '/' and (not best or #n > #best) then best = n end
  end
  if best then return best, word:sub(#best + 2) end
  local server, rest = word:match('^([^/]+)/(.+)$')
  return server, rest
end

---Names of configured servers: the cache, plus those given to setup().
---@return string[]
function M.server_names()
  local host = require('mcp.host')
  host.try_ensure(true)
  local names, seen = {}, {}
  for _, s in ipairs(host.snapshots()) do
    names[#names + 1], seen[s.name] = s.name, true
  end
  local ok, cfg = pcall(require('mcp.config').get)
  if ok then
    local extra = vim.tbl_keys(cfg.servers)
    table.sort(extra)
    for _, n in ipairs(extra) do
      if not seen[n] then names[#names + 1] = n end
    end
  end
  return names
end

---@class mcp.CommandArgs
---@field fargs string[] arguments after the subcommand
---@field args string the raw text after the subcommand
---@field bang boolean
---@field mods string

---@class mcp.Subcommand
---@field run fun(a: mcp.CommandArgs)
---@field complete? fun(lead: string, words: string[]): string[] `words`: the arguments before `lead`
---@field usage string

---@param a mcp.CommandArgs
---@param usage string
---@return string?
local function one_server(a, usage)
  local server = a.fargs[1]
  if not server or #a.fargs > 1 then
    fail('usage: :Mcp ' .. usage)
    return nil
  end
  return server
end

---@param method "start"|"stop"|"restart"
---@return mcp.Subcommand
local function lifecycle_cmd(method)
  return {
    usage = method .. ' {server}   (:Mcp! ' .. method .. ': every server)',
    run = function(a)
      if a.bang and #a.fargs == 0 then
        local want = { start = { stopped = true, failed = true }, restart = { connected = true, failed = true, starting = true }, stop = { connected = true, starting = true, failed = true } }
        local n = 0
        for _, s in ipairs(require('mcp.host').snapshots()) do
          if want[method][s.status] then
            n = n + 1
            M.lifecycle(method, s.name)
          end
        end
        if n == 0 then notify(('no server to %s'):format(method)) end
        return
      end
      local server = one_server(a, method .. ' {server}')
      if server then M.lifecycle(method, server) end
    end,
    complete = function(lead, words)
      if #words == 0 then return M.server_names() end
      return {}
    end,
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
    run = function(a)
      if #a.fargs > 1 then return fail('usage: :Mcp tools [{server}]') end
      local server = a.fargs[1]
      local host = require('mcp.host')
      if server and host.info() and not host.snapshot(server) then
        return fail(('no server named "%s" (configured: %s)'):format(server, table.concat(M.server_names(), ', ')))
      end
      require('mcp.ui.hub').open({ mods = a.mods, current = a.bang, focus = server, expand = server == nil })
    end,
    complete = function(_, words)
      if #words == 0 then return M.server_names() end
      return {}
    end,
  },
  call = {
    usage = 'call {server} {tool} [{json}]',
    run = function(a)
      local server, tool, rest = a.args:match('^%s*(%S+)%s+(%S+)%s*(.-)%s*$')
      if not server then return fail('usage: :Mcp call {server} {tool} [{json arguments}]') end
      local what = server .. '/' .. tool
      if rest == '' then
        -- No JSON: the form asks for the arguments, if the tool takes any.
        local def
        for _, t in ipairs(require('mcp').tools(server)) do
          if t.name == tool then def = t end
        end
        if M.takes_args(def) then return M.prompt_and_call(server, tool, def, { mods = a.mods }) end
      end
      local args, err = M.parse_args(rest, what)
      if not args then return fail(err) end
      M.call(server, tool, args, { mods = a.mods })
    end,
    complete = function(_, words)
      if #words == 0 then return M.server_names() end
      if #words == 1 then
        local names = {}
        for _, t in ipairs(require('mcp').tools(words[1])) do names[#names + 1] = t.name end
        return names
      end
      if #words == 2 then
        for _, t in ipairs(require('mcp').tools(words[1])) do
          if t.name == words[2] then return { M.skeleton(t.inputSchema) } end
        end
      end
      return {}
    end,
  },
  prompt = {
    usage = 'prompt [{server}/{prompt}] [{name}={value} ...]   (:Mcp! prompt: into a scratch buffer)',
    run = function(a) require('mcp.prompts').command(a) end,
    complete = function(lead, words) return require('mcp.prompts').complete_cmdline(lead, words) end,
  },
  resource = {
    usage = 'resource [insert|open|yank [{register}]] [{server} {uri}]',
    run = function(a) require('mcp.resources').command(a) end,
    complete = function(lead, words) return require('mcp.resources').complete_cmdline(lead, words) end,
  },
  log = {
    usage = 'log',
    run = function(a) M.log({ mods = a.mods }) end,
  },
  roots = {
    usage = 'roots',
    run = function(a)
      if #a.fargs > 0 then return fail('usage: :Mcp roots') end
      require('mcp.ui.roots').show(a.mods)
    end,
  },
  reload = {
    usage = 'reload   (:Mcp! reload: restart the host)',
    run = function(a) M.reload(a.bang) end,
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
  if sub:sub(-1) == '!' and M.subcommands[sub:sub(1, -2)] then sub, bang = sub:sub(1, -2), true end
  local cmd = M.subcommands[sub]
  if not cmd then
    return fail(('unknown subcommand "%s" (expected one of: %s)'):format(sub, table.concat(M.names(), ', ')))
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
  local words = vim.split(after, '%s+', { trimempty = false })
  table.remove(words) -- the word being completed (`lead`)
  local candidates
  if #words == 0 then
    candidates = M.names()
  else
    local cmd = M.subcommands[words[1]] or M.subcommands[words[1]:gsub('!$', '')]
    candidates = cmd and cmd.complete and cmd.complete(lead, { unpack(words, 2) }) or {}
  end
  return vim.tbl_filter(function(c) return vim.startswith(c, lead) end, candidates)
end

return M
