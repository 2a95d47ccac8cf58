--- The `User` autocommands mcp.nvim fires (|mcp-events|). Always from the main loop (`vim.schedule()`),
--- never inside the RPC handler, so that an error in a listener is reported like any other.
local M = {}

---Event names, as listeners give them in `pattern`.
M.names = {
  host_started = 'McpHostStarted',
  host_exited = 'McpHostExited',
  server_changed = 'McpServerChanged',
  server_removed = 'McpServerRemoved',
  config_loaded = 'McpConfigLoaded',
  resource_updated = 'McpResourceUpdated',
  resource_read = 'McpResourceRead',
  server_log = 'McpServerLog',
  asks_changed = 'McpAsksChanged',
  chat_changed = 'McpChatChanged',
  elicitation_complete = 'McpElicitationComplete',
}

---Fires `User {pattern}` with `data`, from the main loop.
---@param pattern string one of `M.names`
---@param data any the event's `data` (|nvim_exec_autocmds()|)
function M.fire(pattern, data)
  vim.schedule(function() M.fire_now(pattern, data) end)
end

---Fires `User {pattern}` at once (the caller already runs from the main loop, outside any RPC handler).
---@param pattern string
---@param data any
function M.fire_now(pattern, data)
  vim.api.nvim_exec_autocmds('User', { pattern = pattern, modeline = false, data = data })
end

return M
