--- Pretty JSON for people (Neovim 0.10's `vim.json.encode` has no indent option).
local M = {}

---Is `t` an empty table that stands for a JSON object (`vim.empty_dict()`, or an empty map from RPC)?
---@param t table
---@return boolean
local function is_empty_dict(t)
  local mt = getmetatable(t)
  return mt ~= nil and mt == getmetatable(vim.empty_dict())
end

---A JSON string literal, without the `\/` that older `vim.json.encode` writes for every slash.
---@param s string
---@return string
local function str(s)
  local out = vim.json.encode(s)
  return (out:gsub('(\\+)/', function(bs)
    if #bs % 2 == 1 then return bs:sub(2) .. '/' end
  end))
end

---A scalar (anything but a non-empty table) as JSON.
---@param v any
---@return string
local function scalar(v)
  local ty = type(v)
  if v == nil or v == vim.NIL then
    return 'null'
  elseif ty == 'boolean' then
    return tostring(v)
  elseif ty == 'number' then
    if v ~= v or v == math.huge or v == -math.huge then
      return 'null'
    elseif v == math.floor(v) and math.abs(v) < 2 ^ 53 then
      return ('%d'):format(v)
    end
    return ('%.17g'):format(v)
  elseif ty == 'string' then
    return str(v)
  elseif ty == 'table' then
    return is_empty_dict(v) and '{}' or '[]'
  end
  return str(tostring(v))
end

---Levels of nesting shown indented, one value a line; deeper values are written on one line each. The
---indentation of an indented level grows with its depth, so without a cap a value nested N levels deep
---takes about N² characters (20,000 levels: 400 M characters, which froze the editor).
M.max_indent_depth = 100

---A value still to write: the value and its depth (the top level is 0).
---@class mcp.core.json.Todo
---@field v any
---@field depth integer

---Writes `value` as JSON into `out`, without recursion (servers send values nested tens of thousands of
---levels deep: deeper than Lua's stack). Levels up to `max_depth` are indented by `step` a level, object
---keys sorted; deeper levels are compact.
---@param value any
---@param step string
---@param max_depth integer
---@param out string[]
---@return boolean capped some value was nested deeper than `max_depth` and written compact
local function emit(value, step, max_depth, out)
  local indents = { [0] = '' }
  local function indent(d)
    local s = indents[d]
    if not s then
      s = step:rep(d)
      indents[d] = s
    end
    return s
  end
  local capped = false
  -- Work in reverse: a string is written as it is, a todo is a value to write.
  local work = { { v = value, depth = 0 } } ---@type (string|mcp.core.json.Todo)[]
  while #work > 0 do
    local item = table.remove(work)
    if type(item) == 'string' then
      out[#out + 1] = item
    else
      local v, d = item.v, item.depth
      if type(v) ~= 'table' or next(v) == nil then
        out[#out + 1] = scalar(v)
      else
        local pretty = d < max_depth
        if not pretty then capped = true end
        local inner = pretty and ('\n' .. indent(d + 1)) or ''
        local sep = pretty and ': ' or ':'
        local list = vim.islist(v)
        local keys
        if list then
          out[#out + 1] = '['
        else
          keys = {}
          for k in pairs(v) do
            keys[#keys + 1] = tostring(k)
          end
          table.sort(keys)
          out[#out + 1] = '{'
        end
        work[#work + 1] = (pretty and ('\n' .. indent(d)) or '') .. (list and ']' or '}')
        local n = list and #v or #keys
        for i = n, 1, -1 do
          local item_v
          if list then
            item_v = v[i]
          else
            item_v = v[keys[i]]
            if item_v == nil then item_v = v[tonumber(keys[i])] end
          end
          work[#work + 1] = { v = item_v, depth = d + 1 }
          work[#work + 1] = (i > 1 and ',' or '') .. inner .. (list and '' or (str(keys[i]) .. sep))
        end
      end
    end
  end
  return capped
end

---Encodes a value as indented JSON, object keys sorted; levels deeper than `M.max_indent_depth` are
---written compact, each deep value on the line where it starts.
---@param value any
---@param step? string one level of indentation (default two spaces)
---@return string
---@return boolean capped some value was nested deeper than `M.max_indent_depth` and written compact
function M.encode(value, step)
  local out = {}
  local capped = emit(value, step or '  ', M.max_indent_depth, out)
  return table.concat(out), capped
end

---Like `encode`, split into lines.
---@param value any
---@return string[]
---@return boolean capped some value was nested deeper than `M.max_indent_depth` and written compact
function M.lines(value)
  local s, capped = M.encode(value)
  return vim.split(s, '\n', { plain = true }), capped
end

---Compact one-line JSON (for prompts and messages), without escaped slashes.
---@param value any
---@return string
function M.compact(value)
  local ok, s = pcall(vim.json.encode, value)
  if not ok then
    -- Nested deeper than cjson writes (1000 levels), or not JSON at all: written here, without a cap.
    local out = {}
    emit(value, '', 0, out)
    return table.concat(out)
  end
  return (s:gsub('(\\+)/', function(bs)
    if #bs % 2 == 1 then return bs:sub(2) .. '/' end
  end))
end

return M
