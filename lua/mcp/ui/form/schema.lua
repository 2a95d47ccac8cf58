--- The model of a form (|mcp-forms|): fields normalised from a JSON Schema object (a tool's `inputSchema`,
--- an elicitation's `requestedSchema`) or from prompt arguments, and the conversion of a field's text to
--- its typed value, checked against the schema. Pure: no buffer, no window.
local M = {}

---A field of a form, normalised from a schema property or a prompt argument.
---@class mcp.form.Field
---@field name string
---@field title? string
---@field description? string
---@field type string JSON type the text converts to: "string", "number", "integer", "boolean", "array",
---  "object", "null", or "any" (JSON if it parses, else the text)
---@field types string[] every type the schema allows, in the order they are tried
---@field required boolean
---@field default? any
---@field choices? { value: any, title?: string }[] allowed values (`enum`, `oneOf`/`anyOf` of `const`)
---@field item_choices? { value: any, title?: string }[] allowed items of an array field
---@field schema table the property schema (for bounds)

---What a form asks for. Give `schema` (a JSON Schema object: `{ properties, required }`), or
---`arguments` (a list of prompt arguments, all strings), or both.
local nonil = require('mcp.core.util').nonil

---@param v any
---@return string
local function compact(v) return require('mcp.core.json').compact(v) end

---A value as the text a field line holds: strings as they are, a list of plain strings as `a, b` when
---`bare_list` (a field that reads them back that way), anything else as compact JSON.
---@param v any
---@param bare_list? boolean
---@return string
function M.to_text(v, bare_list)
  if v == nil or v == vim.NIL then return '' end
  if type(v) == 'string' then return v end
  if bare_list and type(v) == 'table' and vim.islist(v) and #v > 0 then
    local all = true
    for _, x in ipairs(v) do
      if type(x) ~= 'string' or x:find('[,%[%]]') or x ~= vim.trim(x) then all = false end
    end
    if all then return table.concat(v, ', ') end
  end
  return compact(v)
end

---Choices of a schema: `enum`, or `oneOf`/`anyOf` whose members all have a `const`.
---@param s table
---@return { value: any, title?: string }[]?
local function choices_of(s)
  if type(s) ~= 'table' then return nil end
  if type(s.enum) == 'table' and #s.enum > 0 then
    local out = {}
    local names = type(s.enumNames) == 'table' and s.enumNames or {}
    for i, v in ipairs(s.enum) do
      out[#out + 1] = { value = v, title = type(names[i]) == 'string' and names[i] or nil }
    end
    return out
  end
  for _, key in ipairs({ 'oneOf', 'anyOf' }) do
    local list = s[key]
    if type(list) == 'table' and #list > 0 then
      local out = {}
      for _, m in ipairs(list) do
        if type(m) ~= 'table' or m.const == nil then
          out = nil
          break
        end
        out[#out + 1] = { value = m.const, title = type(m.title) == 'string' and m.title or nil }
      end
      if out then return out end
    end
  end
end

local ORDER = { integer = 1, number = 2, boolean = 3, object = 4, array = 5, null = 6, string = 7 }

---Normalises one schema property to a field.
---@param name string
---@param s table property schema
---@param required boolean
---@return mcp.form.Field
function M.field(name, s, required)
  s = type(s) == 'table' and s or {}
  local types = {}
  local t = nonil(s.type)
  if type(t) == 'string' then
    types = { t }
  elseif type(t) == 'table' then
    for _, x in ipairs(t) do
      if type(x) == 'string' then types[#types + 1] = x end
    end
    -- "null" is what an empty field means already; try the stricter types before a string.
    local non_null = vim.tbl_filter(function(x) return x ~= 'null' end, types)
    if #non_null > 0 then types = non_null end
    table.sort(types, function(a, b) return (ORDER[a] or 8) < (ORDER[b] or 8) end)
  end
  local choices = choices_of(s)
  if #types == 0 and choices then
    local lt = type(choices[1].value)
    types = { lt == 'number' and 'number' or lt == 'boolean' and 'boolean' or 'string' }
  end
  if #types == 0 then types = { 'any' } end
  local item_choices
  if types[1] == 'array' then item_choices = choices_of(s.items) end
  local default = nonil(s.default)
  return {
    name = name,
    title = type(s.title) == 'string' and s.title or nil,
    description = type(s.description) == 'string' and s.description or nil,
    type = #types == 1 and types[1] or table.concat(types, '|'),
    types = types,
    required = required,
    default = default,
    choices = choices,
    item_choices = item_choices,
    schema = s,
  }
end

---The fields a spec describes: required schema properties in the order of `required`, then the others
---by name (a schema's property order does not survive the trip to Lua); prompt arguments in their order.
---@param spec { schema?: table, arguments?: table[] }
---@return mcp.form.Field[]
function M.fields(spec)
  local out, seen = {}, {}
  local schema = type(spec.schema) == 'table' and spec.schema or nil
  if schema then
    local props = type(schema.properties) == 'table' and schema.properties or {}
    local req = type(schema.required) == 'table' and schema.required or {}
    for _, n in ipairs(req) do
      if type(n) == 'string' and not seen[n] then
        seen[n] = true
        out[#out + 1] = M.field(n, props[n], true)
      end
    end
    local rest = {}
    for n in pairs(props) do
      if type(n) == 'string' and not seen[n] then rest[#rest + 1] = n end
    end
    table.sort(rest)
    for _, n in ipairs(rest) do
      seen[n] = true
      out[#out + 1] = M.field(n, props[n], false)
    end
  end
  for _, a in ipairs(type(spec.arguments) == 'table' and spec.arguments or {}) do
    if type(a) == 'table' and type(a.name) == 'string' and not seen[a.name] then
      seen[a.name] = true
      local f = M.field(
        a.name,
        { type = 'string', title = nonil(a.title), description = nonil(a.description) },
        a.required == true
      )
      out[#out + 1] = f
    end
  end
  return out
end

---@param v any
---@param choices { value: any }[]
---@return boolean
local function among(v, choices)
  for _, c in ipairs(choices) do
    if vim.deep_equal(c.value, v) then return true end
  end
  return false
end

---@param choices { value: any, title?: string }[]
---@return string
function M.choice_list(choices)
  local parts = {}
  for _, c in ipairs(choices) do
    local text = M.to_text(c.value)
    parts[#parts + 1] = c.title and c.title ~= text and ('%s (%s)'):format(text, c.title) or text
  end
  return table.concat(parts, ' | ')
end

---@param raw string
---@return boolean ok
---@return any value
local function json(raw)
  local ok, v = pcall(vim.json.decode, raw)
  if not ok then return false, nil end
  return true, v
end

---Does the field take a list of strings written bare, `a, b, c`?
---@param field mcp.form.Field
---@return boolean
function M.bare_list(field)
  if not vim.tbl_contains(field.types, 'array') then return false end
  local items = type(field.schema.items) == 'table' and field.schema.items or {}
  local it = nonil(items.type)
  return it == 'string' or (it == nil and field.item_choices ~= nil and type(field.item_choices[1].value) == 'string')
end

local ARTICLE = {
  integer = 'an integer',
  number = 'a number',
  boolean = 'true or false',
  array = 'a JSON array like ["a", "b"]',
  object = 'a JSON object like {"key": "value"}',
  null = 'null',
  string = 'text',
}

---Converts text to one JSON type.
---@param ty string
---@param raw string
---@param field mcp.form.Field
---@return boolean ok
---@return any value
local function as_type(ty, raw, field)
  local t = vim.trim(raw)
  if ty == 'string' then return true, raw end
  if ty == 'number' or ty == 'integer' then
    local ok, v = json(t)
    if not ok or type(v) ~= 'number' then return false end
    if ty == 'integer' and v ~= math.floor(v) then return false end
    return true, v
  end
  if ty == 'boolean' then
    local l = t:lower()
    if l == 'true' then return true, true end
    if l == 'false' then return true, false end
    return false
  end
  if ty == 'null' then return t == 'null', vim.NIL end
  if ty == 'array' then
    if t:sub(1, 1) == '[' then
      local ok, v = json(t)
      if
        ok
        and type(v) == 'table'
        and (next(v) == nil or vim.islist(v))
        and getmetatable(v) ~= getmetatable(vim.empty_dict())
      then
        return true, v
      end
      return false
    end
    -- Items of a list of strings may be written bare, separated by commas: `a, b, c`.
    if M.bare_list(field) then
      local out = {}
      for _, part in ipairs(vim.split(t, ',', { plain = true })) do
        part = vim.trim(part)
        if part ~= '' then out[#out + 1] = part end
      end
      return true, out
    end
    return false
  end
  if ty == 'object' then
    local ok, v = json(t)
    if
      ok
      and type(v) == 'table'
      and (next(v) ~= nil and not vim.islist(v) or getmetatable(v) == getmetatable(vim.empty_dict()))
    then
      return true, v
    end
    return false
  end
  -- "any": JSON if it is JSON, else the text.
  local ok, v = json(t)
  if ok and v ~= nil then return true, v end
  return true, raw
end

---Converts the text of a field to its type and checks it against the schema.
---@param field mcp.form.Field
---@param raw string? the text (nil or blank: no value)
---@return any value nil when empty
---@return string? err what is wrong, starting with the field's name
function M.convert(field, raw)
  local name = field.name
  if raw == nil or vim.trim(raw) == '' then
    if field.required then return nil, ('%s: required'):format(name) end
    return nil
  end
  local value, ok
  for _, ty in ipairs(field.types) do
    ok, value = as_type(ty, raw, field)
    if ok then break end
  end
  if not ok then
    local want = {}
    for _, ty in ipairs(field.types) do
      want[#want + 1] = ARTICLE[ty] or ty
    end
    return nil, ('%s: expected %s, got %s'):format(name, table.concat(want, ' or '), vim.trim(raw))
  end
  local s = field.schema
  if field.choices and not among(value, field.choices) then
    return nil, ('%s: must be one of %s'):format(name, M.choice_list(field.choices))
  end
  if type(value) == 'number' then
    if type(s.minimum) == 'number' and value < s.minimum then
      return nil, ('%s: must be at least %s'):format(name, compact(s.minimum))
    end
    if type(s.maximum) == 'number' and value > s.maximum then
      return nil, ('%s: must be at most %s'):format(name, compact(s.maximum))
    end
    if type(s.exclusiveMinimum) == 'number' and value <= s.exclusiveMinimum then
      return nil, ('%s: must be more than %s'):format(name, compact(s.exclusiveMinimum))
    end
    if type(s.exclusiveMaximum) == 'number' and value >= s.exclusiveMaximum then
      return nil, ('%s: must be less than %s'):format(name, compact(s.exclusiveMaximum))
    end
  elseif type(value) == 'string' then
    local len = vim.fn.strchars(value)
    if type(s.minLength) == 'number' and len < s.minLength then
      return nil, ('%s: must be at least %d characters'):format(name, s.minLength)
    end
    if type(s.maxLength) == 'number' and len > s.maxLength then
      return nil, ('%s: must be at most %d characters'):format(name, s.maxLength)
    end
  elseif type(value) == 'table' and field.types[1] == 'array' and vim.islist(value) then
    if type(s.minItems) == 'number' and #value < s.minItems then
      return nil, ('%s: needs at least %d items'):format(name, s.minItems)
    end
    if type(s.maxItems) == 'number' and #value > s.maxItems then
      return nil, ('%s: takes at most %d items'):format(name, s.maxItems)
    end
    if field.item_choices then
      for _, v in ipairs(value) do
        if not among(v, field.item_choices) then
          return nil, ('%s: %s is not one of %s'):format(name, M.to_text(v), M.choice_list(field.item_choices))
        end
      end
    end
  end
  return value
end

return M
