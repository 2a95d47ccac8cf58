--- Tool names a model sees (|mcp-chat-names|): one name per (server, tool), unique across servers and
--- valid for the major providers' function calling (`^[a-zA-Z0-9_-]{1,64}$`), and the way back.
---
--- The mapping depends only on the server's and the tool's own names, never on what else is connected,
--- so a name stays the same across sessions and as servers come and go:
--- - `{server}__{tool}` when both consist of `[a-zA-Z0-9_-]` only, the server name holds no `__` (so the
---   first `__` splits the name back), and the whole is at most 64 characters;
--- - otherwise `{prefix}_{hash}`: the same name with every other character replaced by `_`, cut so
---   that the whole is 64 characters at most, and 8 hex digits of the SHA-256 of the JSON array
---   `[server, tool]`.
--- `resolve()` maps any name handed out back to its server and tool.
local M = {}

---Longest name the providers accept.
M.MAX = 64

---Characters a name may hold, as a Lua pattern class.
local VALID = '^[%w_-]+$'

---Is `name` a valid function name for the providers (`^[a-zA-Z0-9_-]{1,64}$`)?
---@param name string
---@return boolean
function M.valid(name) return type(name) == 'string' and #name >= 1 and #name <= M.MAX and name:match(VALID) ~= nil end

---`s` with every character outside `[a-zA-Z0-9_-]` replaced by `_`.
---@param s string
---@return string
function M.sanitize(s) return (tostring(s):gsub('[^%w_-]', '_')) end

---The SHA-256 (hex) of the JSON array `[server, tool]`: unambiguous for any two names.
---@param server string
---@param tool string
---@return string
local function digest(server, tool) return vim.fn.sha256(vim.json.encode({ server, tool })) end

---8 hex digits identifying (server, tool): the start of the SHA-256 of the JSON array `[server, tool]`.
---@param server string
---@param tool string
---@return string
function M.hash(server, tool) return digest(server, tool):sub(1, 8) end

---The name a model sees for `tool` of `server` (see the module's doc for the rule).
---@param server string
---@param tool string
---@return string name matching `^[a-zA-Z0-9_-]{1,64}$`
function M.name(server, tool)
  local plain = server .. '__' .. tool
  if server:match(VALID) and tool:match(VALID) and not server:find('__', 1, true) and #plain <= M.MAX then
    return plain
  end
  local suffix = '_' .. M.hash(server, tool)
  return M.sanitize(plain):sub(1, M.MAX - #suffix) .. suffix
end

---A mapping of many (server, tool) pairs: names by pair and pairs by name.
---@class mcp.chat.NameMap
---@field by_name table<string, { server: string, tool: string }>
---@field by_pair table<string, string> name by `server .. "\0" .. tool`

---Names for a list of pairs. Each pair gets `M.name(server, tool)`; in the (astronomically unlikely)
---case that two pairs get the same name, the later one gets a longer hash so that both stay reachable.
---@param pairs_ { server: string, tool: string }[]
---@return mcp.chat.NameMap
function M.map(pairs_)
  local map = { by_name = {}, by_pair = {} }
  for _, p in ipairs(pairs_) do
    local name = M.name(p.server, p.tool)
    local taken = map.by_name[name]
    if taken and (taken.server ~= p.server or taken.tool ~= p.tool) then
      local suffix = '_' .. digest(p.server, p.tool):sub(1, 16)
      name = M.sanitize(p.server .. '__' .. p.tool):sub(1, M.MAX - #suffix) .. suffix
    end
    map.by_name[name] = { server = p.server, tool = p.tool }
    map.by_pair[p.server .. '\0' .. p.tool] = name
  end
  return map
end

---Splits a plain name (`{server}__{tool}`, no hash) back into server and tool, without a map: the
---server is what comes before the first `__`.
---@param name string
---@return string? server
---@return string? tool
function M.split(name)
  local server, tool = name:match('^(.-)__(.+)$')
  if server and server ~= '' then return server, tool end
end

return M
