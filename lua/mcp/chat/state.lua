--- What mcp.nvim remembers for chats across sessions (|mcp-chat-select|, |mcp-approval|), in one JSON file,
--- `stdpath("data") .. "/mcp/chat.json"`:
--- `{ "enabled": { server: { "server": bool?, "tools": { tool: bool } } }, "allowed": { server: { tool: true } } }`
--- - `enabled`: runtime choices of what reaches the model (`set_enabled`), over the config's `chat` option;
--- - `allowed`: tools the user allowed always (approval answer `A`).
--- Every change re-reads the file before writing it, so two Neovims sharing the data directory keep each
--- other's choices. The session allow-list (answer `s`) lives in memory only.
local M = {}

---@class mcp.chat.Saved
---@field enabled table<string, { server?: boolean, tools?: table<string, boolean> }>
---@field allowed table<string, table<string, boolean>>

---@type mcp.chat.Saved?
local cache

---Tools allowed for this Neovim session: `session[server][tool] = true`.
---@type table<string, table<string, boolean>>
local session = {}

---@return string path
function M.path() return vim.fn.stdpath('data') .. '/mcp/chat.json' end

---Reads the file; a missing file is empty, a broken one is reported and treated as empty.
---@return mcp.chat.Saved
local function read()
  local path = M.path()
  local saved = { enabled = {}, allowed = {} }
  local f = io.open(path, 'r')
  if not f then return saved end
  local text = f:read('*a')
  f:close()
  local ok, v = pcall(vim.json.decode, text, { luanil = { object = true, array = true } })
  if not ok or type(v) ~= 'table' then
    require('mcp.core.util').notify_later(
      ('%s: not valid JSON, ignored: %s'):format(path, tostring(v)),
      vim.log.levels.WARN
    )
    return saved
  end
  saved.enabled = type(v.enabled) == 'table' and v.enabled or {}
  saved.allowed = type(v.allowed) == 'table' and v.allowed or {}
  return saved
end

---What is saved (read once, then kept; changes re-read it).
---@return mcp.chat.Saved
function M.saved()
  cache = cache or read()
  return cache
end

---Applies `change` to the file's current content and writes it back.
---@param change fun(saved: mcp.chat.Saved)
local function update(change)
  local saved = read()
  change(saved)
  cache = saved
  local path = M.path()
  vim.fn.mkdir(vim.fn.fnamemodify(path, ':h'), 'p')
  -- Written whole to a temporary file, then renamed: a reader never sees half a file.
  local tmp = path .. '.tmp' .. vim.fn.getpid()
  local f, err = io.open(tmp, 'w')
  if not f then return require('mcp.core.util').error(('%s: cannot write: %s'):format(path, tostring(err))) end
  local obj = {
    enabled = next(saved.enabled) and saved.enabled or vim.empty_dict(),
    allowed = next(saved.allowed) and saved.allowed or vim.empty_dict(),
  }
  f:write(vim.json.encode(obj))
  f:close()
  local ok, rerr = os.rename(tmp, path)
  if not ok then require('mcp.core.util').error(('%s: cannot write: %s'):format(path, tostring(rerr))) end
end

---The runtime choice for a server (`tool` nil) or a tool, if one was made.
---@param server string
---@param tool? string
---@return boolean?
function M.enabled(server, tool)
  local s = M.saved().enabled[server]
  if type(s) ~= 'table' then return nil end
  if tool == nil then
    if type(s.server) == 'boolean' then return s.server end
    return nil
  end
  if type(s.tools) ~= 'table' or type(s.tools[tool]) ~= 'boolean' then return nil end
  return s.tools[tool]
end

---Remembers a runtime choice for a server (`tool` nil) or one of its tools.
---@param server string
---@param tool? string
---@param on boolean
function M.set_enabled(server, tool, on)
  update(function(saved)
    local s = saved.enabled[server] or {}
    if tool == nil then
      s.server = on
    else
      s.tools = s.tools or {}
      s.tools[tool] = on
    end
    saved.enabled[server] = s
  end)
end

---Is `server/tool` allowed always (persisted) or for this session?
---@param server string
---@param tool string
---@return "always"|"session"|nil
function M.allowed(server, tool)
  local a = M.saved().allowed[server]
  if type(a) == 'table' and a[tool] == true then return 'always' end
  if session[server] and session[server][tool] then return 'session' end
end

---Allows `server/tool` for this session, or always (written to the file).
---@param server string
---@param tool string
---@param scope "session"|"always"
function M.allow(server, tool, scope)
  if scope == 'session' then
    session[server] = session[server] or {}
    session[server][tool] = true
    return
  end
  update(function(saved)
    saved.allowed[server] = saved.allowed[server] or {}
    saved.allowed[server][tool] = true
  end)
end

---Forgets every approval of `server` (`tool` nil) or of one tool: this session's and the saved ones.
---@param server string
---@param tool? string
function M.forget(server, tool)
  if tool then
    if session[server] then session[server][tool] = nil end
  else
    session[server] = nil
  end
  update(function(saved)
    if not saved.allowed[server] then return end
    if tool then
      saved.allowed[server][tool] = nil
      if next(saved.allowed[server]) == nil then saved.allowed[server] = nil end
    else
      saved.allowed[server] = nil
    end
  end)
end

return M
