--- Helpers every layer shares: messages to the user, RPC nils, JSON objects, command modifiers and the
--- `{server}/{rest}` split of prompt names and `mcp://` buffer names. Pure except `notify`.
local M = {}

---Tells the user something, prefixed `mcp: ` (|vim.notify()|, title "mcp"). The one way every module
---reports to the user. A message that already starts with `mcp: ` (an error raised by the plugin and
---shown again) is not prefixed twice. Control characters other than newlines and tabs are escaped.
---@param msg string
---@param level? integer vim.log.levels (default INFO)
function M.notify(msg, level)
  -- Messages carry server text (names, errors): control characters other than newlines and tabs (an
  -- escape sequence, a bell) are shown escaped, never sent to the screen (|mcp-server-text|).
  msg = tostring(msg):gsub('[%z\1-\8\11\12\14-\31\127]', function(c) return ('\\x%02x'):format(c:byte()) end)
  while msg:sub(1, 5) == 'mcp: ' do
    msg = msg:sub(6)
  end
  vim.notify('mcp: ' .. msg, level or vim.log.levels.INFO, { title = 'mcp' })
end

---`notify` from the main loop (|vim.schedule()|): for code that runs where a message must not be shown
---at once, such as inside the host's RPC call (|api-fast| rules) or an autocmd.
---@param msg string
---@param level? integer vim.log.levels (default INFO)
function M.notify_later(msg, level)
  vim.schedule(function() M.notify(msg, level) end)
end

---Reports an error to the user (`notify` at level ERROR).
---@param msg string
function M.error(msg) M.notify(msg, vim.log.levels.ERROR) end

---Reports a warning to the user (`notify` at level WARN).
---@param msg string
function M.warn(msg) M.notify(msg, vim.log.levels.WARN) end

---`nil` for the `vim.NIL` that a JSON/msgpack null decodes to; any other value as is.
---@param v any
---@return any
function M.nonil(v)
  if v == vim.NIL then return nil end
  return v
end

---A table to send as a JSON object: an empty (or nil) table would cross the bridge as an array.
---@param t table?
---@return table
function M.object(t)
  if t == nil or next(t) == nil then return vim.empty_dict() end
  return t
end

---Command modifiers (`<mods>`: `vertical`, `tab`, ...) followed by a space, or `''` when there are none.
---@param mods? string
---@return string
function M.mods(mods) return mods and mods ~= '' and (mods .. ' ') or '' end

---Splits `{server}/{rest}` (a prompt name, the rest of an `mcp://` buffer name). Server names may contain
---slashes: the longest of `names` followed by a slash wins; when none fits, the first slash separates.
---@param word string
---@param names string[] the configured server names
---@return string? server nil when `word` has no slash (or nothing before or after it)
---@return string? rest
function M.split_server(word, names)
  local best
  for _, n in ipairs(names) do
    if word:sub(1, #n + 1) == n .. '/' and (not best or #n > #best) then best = n end
  end
  if best then return best, word:sub(#best + 2) end
  local server, rest = word:match('^([^/]+)/(.+)$')
  return server, rest
end

return M
