--- Prompts as a user reaches them (|:Mcp-prompt|): the picker, arguments from the command line or the
--- form (|mcp-forms|), completion of argument values (MCP `completion/complete`), and the messages put
--- into the current buffer or a scratch buffer.
local M = {}

local completion = require('mcp.completion')
local notify = require('mcp.core.util').notify

---Where a prompt's messages go.
---@class mcp.prompts.Opts
---@field scratch? boolean show them in the results buffer (|mcp-results|) instead of inserting them
---@field mods? string command modifiers for the scratch buffer's window
---@field target? mcp.ui.Target where to insert (default: the current window when the prompt was asked for)
---@field ask? boolean open the form whenever the prompt has arguments, even if none is missing
---@field on_done? fun(err: mcp.Error?, result: table?) called after the messages were put (or on error)
---@field deliver? fun(server: string, name: string, result: table) given: called with the `prompts/get` result
---instead of putting its messages anywhere (how a chat plugin takes a prompt: the CodeCompanion extension)

---The cached prompt `name` of `server`.
---@param server string
---@param name string
---@return mcp.Prompt?
function M.find(server, name)
  for _, p in ipairs(require('mcp').prompts(server)) do
    if p.name == name then return p end
  end
end

---The prompt's arguments (a list, possibly empty).
---@param def mcp.Prompt?
---@return { name: string, title?: string, description?: string, required?: boolean }[]
local function arguments(def) return def and type(def.arguments) == 'table' and def.arguments or {} end

---Splits `{server}/{prompt}` (|mcp.servers.split()|).
---@param word string
---@return string? server
---@return string? prompt
function M.split(word) return require('mcp.servers').split(word) end

---Parses `name=value` words.
---@param words string[]
---@return table<string, string>? args
---@return string? err
function M.parse_args(words)
  local args = {}
  for _, w in ipairs(words) do
    local k, v = w:match('^([^=]+)=(.*)$')
    if not k then return nil, ('expected {name}={value}, got "%s"'):format(w) end
    args[k] = v
  end
  return args
end

---One line describing a prompt for the picker: name, title, description, arguments (`*` = required)
---with their descriptions.
---@param p mcp.Prompt
---@return string
function M.label(p)
  local parts = { p.server .. '/' .. p.name }
  if type(p.title) == 'string' and p.title ~= '' and p.title ~= p.name then
    parts[#parts + 1] = '“' .. p.title .. '”'
  end
  if type(p.description) == 'string' and p.description ~= '' then
    parts[#parts + 1] = '— ' .. (p.description:match('^[^\r\n]*') or '')
  end
  local args = {}
  for _, a in ipairs(arguments(p)) do
    local s = a.name .. (a.required == true and '*' or '')
    if type(a.description) == 'string' and a.description ~= '' then s = s .. ': ' .. a.description end
    args[#args + 1] = s
  end
  if #args > 0 then parts[#parts + 1] = '(' .. table.concat(args, '; ') .. ')' end
  return table.concat(parts, '  ')
end

---Puts a prompt's messages where `opts` says (|:Mcp-prompt|).
---@param server string
---@param name string
---@param result table `prompts/get` result
---@param opts? mcp.prompts.Opts
function M.output(server, name, result, opts)
  opts = opts or {}
  local view = require('mcp.ui.result')
  if opts.scratch then
    view.prompt(server, name, result, { mods = opts.mods })
    return
  end
  local lines = view.prompt_lines(result, { stem = server .. '-' .. name })
  local ok, err = require('mcp.ui.insert').insert(lines, opts.target)
  if not ok then
    notify(
      ('cannot insert %s/%s here (%s): shown in a scratch buffer instead'):format(server, name, err),
      vim.log.levels.WARN
    )
    view.prompt(server, name, result, { mods = opts.mods })
  end
end

---Gets a prompt with `args` and puts its messages (no questions asked).
---@param server string
---@param name string
---@param args table<string, string>
---@param opts mcp.prompts.Opts
local function get(server, name, args, opts)
  require('mcp').get_prompt(server, name, args, function(err, result)
    if err then
      notify(('prompt %s/%s: %s'):format(server, name, err.message), vim.log.levels.ERROR)
    elseif opts.deliver then
      opts.deliver(server, name, result)
    else
      M.output(server, name, result, opts)
    end
    if opts.on_done then opts.on_done(err, result) end
  end)
end

---Opens the form for a prompt's arguments, prefilled with `args`, with completion of their values.
---@param server string
---@param def mcp.Prompt
---@param args table<string, string>
---@param on_submit fun(values: table<string, string>)
---@param on_cancel? fun()
---@return mcp.form.Form
function M.form(server, def, args, on_submit, on_cancel)
  local desc = {}
  if type(def.title) == 'string' and def.title ~= def.name then desc[#desc + 1] = def.title end
  if type(def.description) == 'string' and def.description ~= '' then desc[#desc + 1] = def.description end
  return require('mcp.ui.form').open({
    title = ('prompt %s/%s'):format(server, def.name),
    description = table.concat(desc, ': '),
    arguments = arguments(def),
    values = args,
    kind = 'prompt',
    complete = completion.form_completer(server, { type = 'ref/prompt', name = def.name }),
    on_submit = on_submit,
    on_cancel = on_cancel,
  })
end

---Gets prompt `name` of `server` and puts its messages: into the buffer of `opts.target` at its cursor,
---or with `opts.scratch` into the results buffer. Unknown argument names are an error; missing required
---arguments (or, with `opts.ask`, any arguments) open the form first.
---@param server string
---@param name string
---@param args? table<string, string>
---@param opts? mcp.prompts.Opts
function M.run(server, name, args, opts)
  opts = opts or {}
  args = args or {}
  opts.target = opts.target or require('mcp.ui.insert').target()
  local def = M.find(server, name)
  if not def then
    local s = require('mcp.core.store').snapshot(server)
    if s and s.status ~= 'connected' then
      notify(('prompt %s/%s: server %s is %s'):format(server, name, server, s.status), vim.log.levels.ERROR)
    elseif not s then
      notify(('prompt %s/%s: no server named "%s"'):format(server, name, server), vim.log.levels.ERROR)
    else
      notify(('prompt %s/%s: %s has no prompt named "%s"'):format(server, name, server, name), vim.log.levels.ERROR)
    end
    return
  end
  local known, missing = {}, false
  for _, a in ipairs(arguments(def)) do
    known[a.name] = true
    if a.required == true and (args[a.name] == nil or args[a.name] == '') then missing = true end
  end
  for k in pairs(args) do
    if not known[k] then
      local names = vim.tbl_map(function(a) return a.name end, arguments(def))
      notify(
        ('prompt %s/%s has no argument "%s" (arguments: %s)'):format(
          server,
          name,
          k,
          #names > 0 and table.concat(names, ', ') or 'none'
        ),
        vim.log.levels.ERROR
      )
      return
    end
  end
  if missing or (opts.ask and #arguments(def) > 0) then
    M.form(server, def, args, function(values) get(server, name, values, opts) end)
    return
  end
  get(server, name, args, opts)
end

---`vim.ui.select` over every connected server's prompts; the chosen one is run with the form when it
---has arguments.
---@param opts? mcp.prompts.Opts
function M.pick(opts)
  opts = opts or {}
  opts.target = opts.target or require('mcp.ui.insert').target()
  local items = require('mcp').prompts()
  if #items == 0 then return notify('no prompts (no connected server offers any)', vim.log.levels.WARN) end
  vim.ui.select(items, {
    prompt = 'MCP prompt',
    kind = 'mcp.prompt',
    format_item = M.label,
  }, function(item)
    if not item then return end
    M.run(item.server, item.name, {}, vim.tbl_extend('force', opts, { ask = true }))
  end)
end

---`:Mcp[!] prompt [{server}/{prompt}] [{name}={value} ...]`.
---@param a mcp.CommandArgs
function M.command(a)
  local opts = { scratch = a.bang, mods = a.mods, target = require('mcp.ui.insert').target() }
  if #a.fargs == 0 then return M.pick(opts) end
  local server, name = M.split(a.fargs[1])
  if not server or not name or name == '' then
    return notify(
      ('usage: :Mcp prompt [{server}/{prompt}] [{name}={value} ...], got "%s"'):format(a.fargs[1]),
      vim.log.levels.ERROR
    )
  end
  local args, err = M.parse_args({ unpack(a.fargs, 2) })
  if not args then return notify(('prompt %s/%s: %s'):format(server, name, err), vim.log.levels.ERROR) end
  M.run(server, name, args, opts)
end

---@param s string
---@return string
local function escape(s) return (s:gsub('\\', '\\\\'):gsub(' ', '\\ ')) end

---@param s string
---@return string
local function unescape(s) return (s:gsub('\\(.)', '%1')) end

---Command-line completion after `:Mcp prompt`: `{server}/{prompt}`, then `{name}=` of the arguments not
---given yet, then `{name}={value}` from the server (MCP `completion/complete`, the other arguments as
---context), waiting at most |mcp.completion.cmdline_wait_ms|.
---@param lead string
---@param words string[] the arguments before `lead`
---@return string[]
function M.complete_cmdline(lead, words)
  if #words == 0 then
    local out = {}
    for _, p in ipairs(require('mcp').prompts()) do
      out[#out + 1] = p.server .. '/' .. p.name
    end
    return out
  end
  local server, name = M.split(words[1])
  local def = server and name and M.find(server, name)
  if not def then return {} end
  local given = {}
  for i = 2, #words do
    local k, v = words[i]:match('^([^=]+)=(.*)$')
    if k then given[k] = unescape(v) end
  end
  local k, v = lead:match('^([^=]+)=(.*)$')
  if not k then
    local out = {}
    for _, a in ipairs(arguments(def)) do
      if given[a.name] == nil then out[#out + 1] = a.name .. '=' end
    end
    return out
  end
  given[k] = nil
  local values =
    completion.now(server, { type = 'ref/prompt', name = name }, k, unescape(v), next(given) and given or nil)
  local out = {}
  for _, val in ipairs(values) do
    out[#out + 1] = k .. '=' .. escape(val)
  end
  return out
end

return M
