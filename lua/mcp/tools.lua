--- Tools as a user reaches them (|:Mcp-call|, the hub's `c`): arguments as JSON on the command line or
--- through the form (|mcp-forms|) built from the tool's `inputSchema`, and the result in the results
--- buffer (|mcp-results|), with progress shown as it comes (|mcp-progress|).
local M = {}

local util = require('mcp.core.util')
local text = require('mcp.core.text')
local words = require('mcp.core.words')

---Parses the JSON arguments of a tool call.
---@param json_text string? JSON text; nil or blank means `{}`
---@param what string names the call in errors, e.g. "everything/echo"
---@return table? args
---@return string? err
function M.parse_args(json_text, what)
  if json_text == nil or json_text:match('^%s*$') then return vim.empty_dict() end
  local ok, value = pcall(vim.json.decode, json_text)
  if not ok then
    return nil,
      ('%s: the arguments %s are not valid JSON: %s'):format(what, json_text, (tostring(value):gsub('^.-:%d+: ', '')))
  end
  if type(value) ~= 'table' or (next(value) ~= nil and vim.islist(value)) then
    return nil, ('%s: the arguments %s must be a JSON object, like {"name": "value"}'):format(what, json_text)
  end
  return value
end

---A JSON object with each required property of `schema` set to a placeholder of its type (its default,
---else its first choice, else an empty value of its type): what completion offers after the tool's name.
---@param schema table? a tool's `inputSchema`
---@return string
function M.skeleton(schema)
  if type(schema) ~= 'table' or type(schema.required) ~= 'table' or type(schema.properties) ~= 'table' then
    return '{}'
  end
  local json = require('mcp.core.json')
  local empty = { number = '0', integer = '0', boolean = 'false', array = '[]', object = '{}', null = 'null' }
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
        v = empty[ty] or '""'
      end
    end
    parts[#parts + 1] = json.compact(name) .. ':' .. v
  end
  return '{' .. table.concat(parts, ',') .. '}'
end

---The cached tool `name` of `server`: the first listed when several share the name.
---@param server string
---@param name string
---@return mcp.Tool?
---@return integer count how many tools of `server` are named `name`
function M.find(server, name)
  local found, n = nil, 0
  for _, t in ipairs(require('mcp').tools(server)) do
    if t.name == name then
      found, n = found or t, n + 1
    end
  end
  return found, n
end

---Names shared by more than one tool of a list (a server's `tools/list` should not repeat a name, but
---nothing stops it; a call by name then reaches whichever the server picks).
---@param tools table[] Tool objects
---@return table<string, integer> name → how many tools carry it (only names carried more than once)
function M.duplicates(tools)
  local count, out = {}, {}
  for _, t in ipairs(tools) do
    if type(t.name) == 'string' then count[t.name] = (count[t.name] or 0) + 1 end
  end
  for name, n in pairs(count) do
    if n > 1 then out[name] = n end
  end
  return out
end

---Warns when `server` lists more than one tool named `tool` (a call by name cannot choose between them).
---@param server string
---@param tool string
---@param n integer how many tools carry the name
local function warn_duplicate(server, tool, n)
  if n < 2 then return end
  util.warn(
    ('server %s lists %d tools named %s: the call goes by name, and the server decides which one runs'):format(
      text.name(server),
      n,
      text.name(tool)
    )
  )
end

---`{server}/{tool}` for messages: both names made safe to show (|mcp-call-names|).
---@param server string
---@param tool string
---@return string
function M.label(server, tool) return text.name(server) .. '/' .. text.name(tool) end

---Does a tool take arguments (its `inputSchema` has properties)?
---@param def? table the Tool object
---@return boolean
function M.takes_args(def)
  local schema = def and def.inputSchema
  return type(schema) == 'table' and type(schema.properties) == 'table' and next(schema.properties) ~= nil
end

---Calls a tool and shows the result (|mcp-results|); errors go to vim.notify.
---@param server string
---@param tool string
---@param args table
---@param opts? { mods?: string, task?: boolean } `task`: run as a task (|mcp-tasks|)
---@return mcp.CallHandle
function M.call(server, tool, args, opts)
  opts = opts or {}
  local what = M.label(server, tool)
  -- Its progress shows as every call's does (mcp.progress).
  return require('mcp').call_tool(server, tool, args, { task = opts.task or nil }, function(err, result)
    if err then return util.error(('call %s: %s'):format(what, err.message)) end
    require('mcp.ui.result').tool(server, tool, result, { mods = opts.mods })
  end)
end

---Asks for a tool's arguments with the form (|mcp-forms|), from its `inputSchema`, then calls it.
---A tool without arguments is called at once.
---@param server string
---@param tool string
---@param def? table the Tool object (nil: looked up in the cache)
---@param opts? { mods?: string, values?: table, task?: boolean }
---@return mcp.form.Form? form nil when nothing was asked
function M.ask_and_call(server, tool, def, opts)
  opts = opts or {}
  local first, n = M.find(server, tool)
  def = def or first
  warn_duplicate(server, tool, n)
  if not M.takes_args(def) then
    M.call(server, tool, vim.empty_dict(), opts)
    return nil
  end
  ---@cast def table
  local desc = {}
  local title = def.title or (type(def.annotations) == 'table' and def.annotations.title) or nil
  if type(title) == 'string' and title ~= tool then desc[#desc + 1] = text.line(title) end
  -- (The form shows the description's lines, made safe: |mcp-server-text|.)
  if type(def.description) == 'string' and def.description ~= '' then desc[#desc + 1] = def.description end
  return require('mcp.ui.form').open({
    title = 'tool ' .. M.label(server, tool),
    description = table.concat(desc, ': '),
    schema = def.inputSchema,
    values = opts.values,
    kind = 'tool',
    on_submit = function(values) M.call(server, tool, next(values) and values or vim.empty_dict(), opts) end,
  })
end

---`:Mcp[!] call {server} {tool} [{json}]`: without JSON, the form asks for the arguments (if any). The server
---and tool names are words as `mcp.core.words` reads them: quoted or escaped when they hold spaces, quotes,
---backslashes or control characters (|mcp-call-names|). With a bang the call runs as a task (|mcp-tasks|).
---@param a mcp.CommandArgs
function M.command(a)
  local usage = 'usage: :Mcp call {server} {tool} [{json arguments}]'
  local server, pos, err = words.read(a.args)
  local tool
  if server and not err then
    tool, pos, err = words.read(a.args, pos)
  end
  if err then return util.error(('call: %s (%s)'):format(err, usage)) end
  if not server or not tool then return util.error(usage) end
  local rest = vim.trim(a.args:sub(pos))
  local def, n = M.find(server, tool)
  if rest == '' and M.takes_args(def) then
    -- (ask_and_call warns about a shared name.)
    M.ask_and_call(server, tool, def, { mods = a.mods, task = a.bang or nil })
    return
  end
  local args, perr = M.parse_args(rest, M.label(server, tool))
  if not args then return util.error(perr) end
  warn_duplicate(server, tool, n)
  M.call(server, tool, args, { mods = a.mods, task = a.bang or nil })
end

---Command-line completion after `:Mcp call`: a server, its tools, then a JSON skeleton of the arguments.
---Names are inserted so that `:Mcp call` reads them back (|mcp-call-names|).
---@param lead string the word being completed
---@param before string[] the arguments before it, as `mcp.core.words` reads them
---@return string[]
function M.complete_cmdline(lead, before)
  if #before == 0 then return words.typed(require('mcp.servers').names(), lead) end
  if #before == 1 then
    return words.typed(vim.tbl_map(function(t) return t.name end, require('mcp').tools(before[1])), lead)
  end
  if #before == 2 then
    local def = M.find(before[1], before[2])
    if def then return { M.skeleton(def.inputSchema) } end
  end
  return {}
end

return M
