--- The text of a form: the lines a form buffer starts with (comments describing each field, then
--- `{name}: {value}` lines) and the parsing of edited lines back into each field's raw text. Pure: no
--- buffer, no window.
local M = {}

local text = require('mcp.core.text')

---A field's name as the form shows it and reads it back: a name from a server may hold a newline or
---other control characters, which a buffer line cannot (|mcp-forms|); they are shown escaped.
---@param f mcp.form.Field
---@return string
local function label(f) return text.name(f.name, 0) end

local schema = require('mcp.ui.form.schema')

---The key help shown in every form (and in its window's footer).
M.keys_line = '# <C-s> or :w submit · q or <C-c> cancel · <C-x><C-o> complete · <Tab> next field'

---The comment lines describing a field.
---@param f mcp.form.Field
---@return string[]
local function describe(f)
  local meta = { f.type == 'any' and 'any type' or f.type, f.required and 'required' or 'optional' }
  if f.default ~= nil then meta[#meta + 1] = 'default ' .. require('mcp.core.json').compact(f.default) end
  local head = '# ' .. label(f)
  if f.title and f.title ~= f.name then head = head .. ' “' .. text.name(f.title) .. '”' end
  head = head .. ' (' .. table.concat(meta, ', ') .. ')'
  local desc = f.description and text.lines(vim.trim(tostring(f.description))) or {}
  local out = {}
  if desc[1] and desc[1] ~= '' then
    out[1] = head .. ': ' .. desc[1]
    for i = 2, #desc do
      out[#out + 1] = '#   ' .. desc[i]
    end
  else
    out[1] = head
  end
  if f.choices then out[#out + 1] = '#   one of: ' .. schema.choice_list(f.choices) end
  if f.item_choices then out[#out + 1] = '#   items from: ' .. schema.choice_list(f.item_choices) end
  return out
end

---The initial lines of a form.
---@param spec mcp.form.Spec
---@param fields mcp.form.Field[]
---@return string[]
function M.lines(spec, fields)
  local lines = { '# ' .. text.name(spec.title, 0) }
  if type(spec.description) == 'string' and vim.trim(spec.description) ~= '' then
    for _, l in ipairs(text.lines(vim.trim(spec.description))) do
      lines[#lines + 1] = '# ' .. l
    end
  end
  lines[#lines + 1] = M.keys_line
  if #fields == 0 then lines[#lines + 1] = '# (no fields: submit as is)' end
  local values = type(spec.values) == 'table' and spec.values or {}
  for _, f in ipairs(fields) do
    lines[#lines + 1] = ''
    vim.list_extend(lines, describe(f))
    local v = values[f.name]
    if v == nil then v = f.default end
    local shown = schema.to_text(v, schema.bare_list(f))
    local parts = vim.split(shown, '\n', { plain = true })
    lines[#lines + 1] = label(f) .. ': ' .. parts[1]
    for i = 2, #parts do
      lines[#lines + 1] = parts[i]
    end
  end
  return lines
end

---@class mcp.form.Parsed
---@field values table<string, string> raw text by field name
---@field rows table<string, integer> 0-based line of each field
---@field stray { row: integer, msg: string }[] lines that are no field of the form

---Reads the field values from lines.
---@param lines string[]
---@param fields mcp.form.Field[]
---@return mcp.form.Parsed
function M.parse(lines, fields)
  local names, real = {}, {} ---@type string[], table<string, string>
  for _, f in ipairs(fields) do
    names[#names + 1] = label(f)
    real[label(f)] = f.name
  end
  table.sort(names, function(a, b) return #a > #b end) -- the longest name wins: `ab:` is not `a` + `b:`
  local values, rows, stray = {}, {}, {}
  local cur, parts = nil, nil
  local function flush()
    if not cur then return end
    while #parts > 1 and vim.trim(parts[#parts]) == '' do
      parts[#parts] = nil
    end
    -- Continuation lines lose their common indent.
    local indent
    for i = 2, #parts do
      if parts[i]:match('%S') then
        local ws = parts[i]:match('^%s*')
        if indent == nil or #ws < #indent then indent = ws end
      end
    end
    for i = 2, #parts do
      parts[i] = parts[i]:sub(#(indent or '') + 1)
    end
    values[cur] = table.concat(parts, '\n')
    cur, parts = nil, nil
  end
  for i, line in ipairs(lines) do
    if line:sub(1, 1) == '#' then
      flush()
    else
      local hit
      for _, n in ipairs(names) do
        if line:sub(1, #n + 1) == n .. ':' then
          hit = n
          break
        end
      end
      if hit then
        flush()
        local name = real[hit]
        if rows[name] then
          stray[#stray + 1] = { row = i - 1, msg = ('%s: given twice'):format(hit) }
        else
          rows[name] = i - 1
          cur, parts = name, { (line:sub(#hit + 2):gsub('^ ', '', 1)) }
        end
      elseif cur then
        parts[#parts + 1] = line
      elseif line:match('%S') then
        stray[#stray + 1] = {
          row = i - 1,
          msg = ('not a field of this form (fields: %s)'):format(table.concat(vim.tbl_map(label, fields), ', ')),
        }
      end
    end
  end
  flush()
  return { values = values, rows = rows, stray = stray }
end

return M
