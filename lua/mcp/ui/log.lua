--- `:Mcp log` and the hub's `l`: the host's log file in a split, following new lines; `:Mcp log {server}`:
--- one server's own log messages (`notifications/message`, spec: server/utilities/logging) in a buffer
--- that grows as they arrive. Messages are kept per server from the host's start, up to `MAX_MESSAGES`.
local M = {}

---Messages kept per server; older ones are dropped first (the buffer keeps what it already shows).
local MAX_MESSAGES = 2000

---@class mcp.ServerLogMessage
---@field time integer seconds since the epoch, when it arrived
---@field level string the spec's severity (`debug` ... `emergency`)
---@field logger? string the server's logger name, when it gave one
---@field text string its `data`: a string as is, anything else as JSON

---@type table<string, mcp.ServerLogMessage[]> by server name
local messages = {}

---@type table<string, integer> the log buffer of each server, by server name
local buffers = {}

local ns = vim.api.nvim_create_namespace('mcp.ui.log')

---How each severity's name is highlighted: Neovim's diagnostic groups, which every colorscheme styles.
local LEVEL_HL = {
  debug = 'DiagnosticHint',
  info = 'DiagnosticInfo',
  notice = 'DiagnosticInfo',
  warning = 'DiagnosticWarn',
  error = 'DiagnosticError',
  critical = 'DiagnosticError',
  alert = 'DiagnosticError',
  emergency = 'DiagnosticError',
}

---Where the level sits on a message's first line: after `HH:MM:SS `.
local LEVEL_COL = 9

---The buffer lines of one message: `HH:MM:SS LEVEL [logger] text`, one line per line of its text.
---@param m mcp.ServerLogMessage
---@return string[]
local function lines_of(m)
  local head = ('%s %-9s%s'):format(
    os.date('%H:%M:%S', m.time),
    m.level:upper(),
    m.logger and ('[' .. m.logger .. '] ') or ''
  )
  local out = {}
  for i, line in ipairs(vim.split(m.text, '\n', { plain = true })) do
    out[#out + 1] = (i == 1 and head or string.rep(' ', #head)) .. line
  end
  return out
end

---Appends the lines of `msgs` to `buf`, their levels highlighted; each window showing it whose cursor was
---on the last line moves with it (follows).
---@param buf integer
---@param msgs mcp.ServerLogMessage[]
local function append(buf, msgs)
  local lines, heads = {}, {}
  for _, m in ipairs(msgs) do
    heads[#heads + 1] = { row = #lines, level = m.level }
    vim.list_extend(lines, lines_of(m))
  end
  local before = vim.api.nvim_buf_line_count(buf)
  local following = {}
  for _, win in ipairs(vim.fn.win_findbuf(buf)) do
    if vim.api.nvim_win_get_cursor(win)[1] >= before then following[#following + 1] = win end
  end
  local empty = before == 1 and vim.api.nvim_buf_get_lines(buf, 0, 1, false)[1] == ''
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, empty and 0 or -1, -1, false, lines)
  vim.bo[buf].modifiable = false
  local first = empty and 0 or before
  for _, h in ipairs(heads) do
    local group = LEVEL_HL[h.level]
    if group then
      pcall(
        vim.api.nvim_buf_set_extmark,
        buf,
        ns,
        first + h.row,
        LEVEL_COL,
        { end_col = LEVEL_COL + #h.level, hl_group = group }
      )
    end
  end
  local last = vim.api.nvim_buf_line_count(buf)
  for _, win in ipairs(following) do
    vim.api.nvim_win_set_cursor(win, { last, 0 })
  end
end

---Records one log message of a server (the `log` push, as |McpServerLog| carries it) and appends it to
---the server's log buffer.
---@param payload { server: string, level: string, logger?: string, text: string }
function M.add(payload)
  local server = tostring(payload.server)
  local m = {
    time = os.time(),
    level = tostring(payload.level),
    logger = type(payload.logger) == 'string' and payload.logger or nil,
    text = tostring(payload.text),
  }
  local list = messages[server] or {}
  messages[server] = list
  list[#list + 1] = m
  if #list > MAX_MESSAGES then table.remove(list, 1) end
  local buf = buffers[server]
  if buf and vim.api.nvim_buf_is_valid(buf) then append(buf, { m }) end
end

---The log messages of `server` received so far, oldest first.
---@param server string
---@return mcp.ServerLogMessage[]
function M.messages(server) return vim.deepcopy(messages[server] or {}) end

---The log buffer of `server` (`mcp://log/{server}`), created and filled with what came so far.
---@param server string
---@return integer buf
local function buffer_of(server)
  local buf = buffers[server]
  if buf and vim.api.nvim_buf_is_valid(buf) then return buf end
  buf = require('mcp.ui.buffer').create('mcp://log/' .. server, 'log', { filetype = 'mcplog' })
  vim.bo[buf].modifiable = false
  buffers[server] = buf
  if messages[server] and #messages[server] > 0 then append(buf, messages[server]) end
  return buf
end

---Opens a log in a split, at its end, following what comes: the host's log file, or with `opts.server`
---that server's log messages (`notifications/message`).
---@param opts? { mods?: string, server?: string } command modifiers for the split; the server
function M.open(opts)
  opts = opts or {}
  local util = require('mcp.core.util')
  if opts.server then
    if not require('mcp.core.store').snapshot(opts.server) then
      return util.error(('no server named "%s"'):format(opts.server))
    end
    local buf = buffer_of(opts.server)
    vim.cmd(util.mods(opts.mods) .. 'split')
    vim.api.nvim_win_set_buf(0, buf)
    vim.api.nvim_win_set_cursor(0, { vim.api.nvim_buf_line_count(buf), 0 })
    return
  end
  local path = require('mcp.core.process').log_path()
  if vim.uv.fs_stat(path) == nil then return util.warn('no log yet: ' .. path) end
  vim.cmd(util.mods(opts.mods) .. 'split ' .. vim.fn.fnameescape(path))
  vim.bo.autoread = true
  vim.cmd('normal! G')
end

return M
