--- Inserting lines into a buffer after an asynchronous reply: where the user asked (the window and
--- cursor at the time), even if they moved on since (`:Mcp prompt`, `:Mcp resource insert`, `:read`).
local M = {}

---Where lines are inserted: a buffer and, if still showing it, a window whose cursor decides the line.
---@class mcp.ui.Target
---@field buf integer
---@field win? integer
---@field row? integer 1-based line to insert below when `win` no longer shows `buf`

---The current window's buffer and cursor, to insert into later (after an asynchronous reply).
---@return mcp.ui.Target
function M.target()
  local win = vim.api.nvim_get_current_win()
  return { buf = vim.api.nvim_win_get_buf(win), win = win, row = vim.api.nvim_win_get_cursor(win)[1] }
end

---Inserts lines below the cursor line of `target` (or, when the buffer is a single empty line, in place
---of it), and leaves that window's cursor on the last inserted line.
---@param lines string[]
---@param target? mcp.ui.Target default: the current window now
---@return boolean ok
---@return string? err why nothing was inserted (buffer gone or not modifiable)
function M.insert(lines, target)
  target = target or M.target()
  local buf = target.buf
  if not vim.api.nvim_buf_is_valid(buf) then return false, 'the buffer is gone' end
  if not vim.bo[buf].modifiable then return false, ('buffer %d is not modifiable'):format(buf) end
  local win = target.win
  if win and not (vim.api.nvim_win_is_valid(win) and vim.api.nvim_win_get_buf(win) == buf) then win = nil end
  local count = vim.api.nvim_buf_line_count(buf)
  local row = win and vim.api.nvim_win_get_cursor(win)[1] or math.min(target.row or count, count)
  local ok, err
  if count == 1 and vim.api.nvim_buf_get_lines(buf, 0, 1, false)[1] == '' then
    ok, err = pcall(vim.api.nvim_buf_set_lines, buf, 0, 1, false, lines)
    row = 0
  else
    ok, err = pcall(vim.api.nvim_buf_set_lines, buf, row, row, false, lines)
  end
  if not ok then return false, tostring(err) end
  if win and #lines > 0 then pcall(vim.api.nvim_win_set_cursor, win, { row + #lines, 0 }) end
  return true
end

return M
