--- Tools as a user reaches them (|:Mcp-call|, the hub's `c`): arguments as JSON on the command line or
--- through the form (|mcp-forms|) built from the tool's `inputSchema`, and the result in the results
--- buffer (|mcp-results|), with progress echoed as it comes.
local M = {}

local util = require('mcp.core.util')

---Parses the JSON arguments of a tool call.
---@param text string? JSON text; nil or blank means `{}`
---@param what string names the call in errors, e.g. "everything/echo"
---@return table? args
---@return string? err
function M.parse_args(text, what)
  if text == nil or text:match('^%s*$') then return vim.empty_dict() end
  local ok, value = pcall(vim.json.decode, text)
  if not ok then
    return nil,
      ('%s: the arguments %s are not valid JSON: %s'):format(what, text, (tostring(value):gsub('^.-:%d+: ', '')))
  end
  if type(value) ~= 'table' or (next(value) ~= nil and vim.islist(value)) then
    return nil, ('%s: the arguments %s must be a JSON object, like {"name": "value"}'):format(what, text)
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

---The cached tool `name` of `server`.
---@param server string
---@param name string
---@return mcp.Tool?
function M.find(server, name)
  for _, t in ipairs(require('mcp').tools(server)) do
    if t.name == name then return t end
  end
end

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
---@param opts? { mods?: string }
---@return mcp.CallHandle
function M.call(server, tool, args, opts)
  opts = opts or {}
  local what = server .. '/' .. tool
  return require('mcp').call_tool(server, tool, args, {
    on_progress = function(p)
      local total = p.total and ('/' .. p.total) or ''
      local msg = ('mcp: %s %s%s%s'):format(what, p.progress, total, p.message and ('  ' .. p.message) or '')
      vim.api.nvim_echo({ { msg } }, false, {})
    end,
  }, function(err, result)
    if err then return util.error(('call %s: %s'):format(what, err.message)) end
    require('mcp.ui.result').tool(server, tool, result, { mods = opts.mods })
  end)
end

---Asks for a tool's arguments with the form (|mcp-forms|), from its `inputSchema`, then calls it.
---A tool without arguments is called at once.
---@param server string
---@param tool string
---@param def? table the Tool object (nil: looked up in the cache)
---@param opts? { mods?: string, values?: table }
---@return mcp.form.Form? form nil when nothing was asked
function M.ask_and_call(server, tool, def, opts)
  opts = opts or {}
  def = def or M.find(server, tool)
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
    on_submit = function(values) M.call(server, tool, next(values) and values or vim.empty_dict(), opts) end,
  })
end

---`:Mcp call {server} {tool} [{json}]`: without JSON, the form asks for the arguments (if any).
---@param a mcp.CommandArgs
function M.command(a)
  local server, tool, rest = a.args:match('^%s*(%S+)%s+(%S+)%s*(.-)%s*$')
  if not server then return util.error('usage: :Mcp call {server} {tool} [{json arguments}]') end
  if rest == '' then
    local def = M.find(server, tool)
    if M.takes_args(def) then
      M.ask_and_call(server, tool, def, { mods = a.mods })
      return
    end
  end
  local args, err = M.parse_args(rest, server .. '/' .. tool)
  if not args then return util.error(err) end
  M.call(server, tool, args, { mods = a.mods })
end

---Command-line completion after `:Mcp call`: a server, its tools, then a JSON skeleton of the arguments.
---@param _ string lead
---@param words string[] the arguments before it
---@return string[]
function M.complete_cmdline(_, words)
  if #words == 0 then return require('mcp.servers').names() end
  if #words == 1 then
    return vim.tbl_map(function(t) return t.name end, require('mcp').tools(words[1]))
  end
  if #words == 2 then
    local def = M.find(words[1], words[2])
    if def then return { M.skeleton(def.inputSchema) } end
  end
  return {}
end

return M
