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

---@param v any
---@param indent string
---@param step string
---@param out string[]
local function emit(v, indent, step, out)
  local ty = type(v)
  if v == nil or v == vim.NIL then
    out[#out + 1] = 'null'
  elseif ty == 'boolean' then
    out[#out + 1] = tostring(v)
  elseif ty == 'number' then
    if v ~= v or v == math.huge or v == -math.huge then
      out[#out + 1] = 'null'
    elseif v == math.floor(v) and math.abs(v) < 2 ^ 53 then
      out[#out + 1] = ('%d'):format(v)
    else
      out[#out + 1] = ('%.17g'):format(v)
    end
  elseif ty == 'string' then
    out[#out + 1] = str(v)
  elseif ty == 'table' then
    if next(v) == nil then
      out[#out + 1] = is_empty_dict(v) and '{}' or '[]'
      return
    end
    local inner = indent .. step
    if vim.islist(v) then
      out[#out + 1] = '[\n'
      for i, item in ipairs(v) do
        out[#out + 1] = inner
        emit(item, inner, step, out)
        out[#out + 1] = i < #v and ',\n' or '\n'
      end
      out[#out + 1] = indent .. ']'
    else
      local keys = {}
      for k in pairs(v) do
        keys[#keys + 1] = tostring(k)
      end
      table.sort(keys)
      out[#out + 1] = '{\n'
      for i, k in ipairs(keys) do
        local item = v[k]
        if item == nil then item = v[tonumber(k)] end
        out[#out + 1] = inner .. str(k) .. ': '
        emit(item, inner, step, out)
        out[#out + 1] = i < #keys and ',\n' or '\n'
      end
      out[#out + 1] = indent .. '}'
    end
  else
    out[#out + 1] = str(tostring(v))
  end
end

---Encodes a value as indented JSON, object keys sorted.
---@param value any
---@param step? string one level of indentation (default two spaces)
---@return string
function M.encode(value, step)
  local out = {}
  emit(value, '', step or '  ', out)
  return table.concat(out)
end

---Like `encode`, split into lines.
---@param value any
---@return string[]
function M.lines(value) return vim.split(M.encode(value), '\n', { plain = true }) end

---Compact one-line JSON (for prompts and messages), without escaped slashes.
---@param value any
---@return string
function M.compact(value)
  local ok, s = pcall(vim.json.encode, value)
  if not ok then return tostring(value) end
  return (s:gsub('(\\+)/', function(bs)
    if #bs % 2 == 1 then return bs:sub(2) .. '/' end
  end))
end

return M
