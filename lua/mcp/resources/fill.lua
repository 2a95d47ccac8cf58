--- Filling a live resource buffer (|mcp-resource-buffers|) with a resource's text without stopping the
--- editor. A small text replaces the buffer's lines at once. A big one (tens of MB) goes in a slice of the
--- main loop at a time, as `mcp.ui.stream` fills a result: each slice appends pieces of about
--- `M.piece_bytes`, cut at newlines and split into lines by Neovim itself (|appendbufline()|, |split()|) so
--- that millions of lines never exist as Lua strings, for at most `M.slice_ms`; then the next slice is
--- scheduled and typed keys and redraws are handled in between.
---
--- While a fill runs the buffer is not 'modifiable' (an edit would be lost under the lines still coming),
--- `b:mcp_loading` is true, and it is never 'modified' because of the fill. A write (`:w {file}`, `:w >>`)
--- first finishes the fill at once, so that a copy written is whole; a new fill of the same buffer (a
--- reload, an update from the server) replaces one still running.
local M = {}

local uv = vim.uv or vim.loop

---A text up to this size (bytes) replaces the buffer's lines at once.
M.sync_bytes = 256 * 1024
---Size of one piece appended at a time (bytes; cut at the next newline).
M.piece_bytes = 32 * 1024
---Longest filling in one slice of the main loop, ms.
M.slice_ms = 4

---@class mcp.resources.FillState
---@field text string
---@field pos integer next byte of `text` to append
---@field sep string the separator |split()| gets: `"\n"`, or `'\r\=\n'` when the text holds `\r`
---@field cr boolean the text holds `\r` (`\r\n` counts as one newline)
---@field first boolean nothing appended yet (the buffer's lines are still the old ones)
---@field modifiable boolean the buffer's 'modifiable' before the fill
---@field undolevels integer the buffer's 'undolevels' before the fill
---@field views table<integer, table> windows showing the buffer and their |winsaveview()|
---@field autocmd integer the buffer-local autocmd that finishes the fill before a write
---@field on_done fun(buf: integer)

---@type table<integer, mcp.resources.FillState> by buffer
local fills = {}

---Splits a text into lines the way a file is read (as `mcp.ui.result.text_lines`).
---@param s string
---@param cr boolean
---@return string[]
local function split(s, cr) return cr and vim.split(s, '\r?\n') or vim.split(s, '\n', { plain = true }) end

---The next piece of the text (without its final newline), or nil when the whole text is taken.
---@param st mcp.resources.FillState
---@return string?
local function next_piece(st)
  local len = #st.text
  if st.pos > len then return nil end
  local nl = st.pos + M.piece_bytes <= len and st.text:find('\n', st.pos + M.piece_bytes, true) or nil
  local piece
  if nl then
    piece = st.text:sub(st.pos, nl - 1)
    st.pos = nl + 1
  else
    -- The last piece: a final newline ends its last line, it does not start an empty one.
    piece = st.text:sub(st.pos):gsub(st.cr and '\r?\n$' or '\n$', '', 1)
    st.pos = len + 1
  end
  if st.cr and nl then piece = piece:gsub('\r$', '', 1) end
  return piece
end

---Appends one piece below the buffer's last line (the first piece replaces every line).
---@param buf integer
---@param st mcp.resources.FillState
---@param piece string
local function append(buf, st, piece)
  if st.first then
    st.first = false
    vim.api.nvim_buf_set_lines(buf, 0, -1, false, split(piece, st.cr))
  elseif piece:find('\0', 1, true) then
    -- A Vim string cannot hold NUL: this piece goes through Lua strings.
    vim.api.nvim_buf_set_lines(buf, -1, -1, false, split(piece, st.cr))
  else
    vim.b[buf].mcp_piece = piece
    vim.api.nvim_exec2(
      ('call appendbufline(%d, %d, split(getbufvar(%d, "mcp_piece"), %s, 1))'):format(
        buf,
        vim.api.nvim_buf_line_count(buf),
        buf,
        st.sep
      ),
      {}
    )
    vim.b[buf].mcp_piece = nil
  end
end

---Ends a fill: restores the buffer's options and its windows' views.
---@param buf integer
---@param st mcp.resources.FillState
local function finish(buf, st)
  fills[buf] = nil
  pcall(vim.api.nvim_del_autocmd, st.autocmd)
  vim.bo[buf].undolevels, vim.bo[buf].modifiable = st.undolevels, st.modifiable
  vim.bo[buf].modified = false
  vim.b[buf].mcp_loading = false
  for win, view in pairs(st.views) do
    if vim.api.nvim_win_is_valid(win) and vim.api.nvim_win_get_buf(win) == buf then
      vim.api.nvim_win_call(win, function() vim.fn.winrestview(view) end)
    end
  end
  st.on_done(buf)
end

---Appends pieces for at most `M.slice_ms` (all of them when `all`); schedules the next slice unless done.
---@param buf integer
---@param st mcp.resources.FillState
---@param all? boolean
local function step(buf, st, all)
  if fills[buf] ~= st then return end
  if not vim.api.nvim_buf_is_loaded(buf) then
    fills[buf] = nil
    pcall(vim.api.nvim_del_autocmd, st.autocmd)
    return
  end
  local t0 = uv.hrtime()
  vim.bo[buf].modifiable = true
  local ok, err = pcall(function()
    while true do
      local piece = next_piece(st)
      if not piece then return end
      append(buf, st, piece)
      if not all and (uv.hrtime() - t0) / 1e6 >= M.slice_ms then return end
    end
  end)
  vim.bo[buf].modifiable = false
  vim.bo[buf].modified = false
  if not ok or st.pos > #st.text then
    finish(buf, st)
    if not ok then error(err, 0) end
    return
  end
  vim.defer_fn(function() step(buf, st) end, 0)
end

---Replaces the lines of `buf` with `text`, split the way a file is read (a final newline ends the last
---line; `\r\n` is one newline): at once when the text is small, else a slice of the main loop at a time.
---Replaces a fill of `buf` still running. No undo step is made and the buffer is not 'modified' after.
---@param buf integer a loaded buffer
---@param text string the resource's text
---@param on_done fun(buf: integer) called once every line is in (at once for a small text); not called
---  when the fill is replaced by another or the buffer is unloaded first
function M.fill(buf, text, on_done)
  local old = fills[buf]
  fills[buf] = nil
  if old then pcall(vim.api.nvim_del_autocmd, old.autocmd) end
  local views = {}
  for _, win in ipairs(vim.fn.win_findbuf(buf)) do
    views[win] = vim.api.nvim_win_call(win, vim.fn.winsaveview)
  end
  local st = {
    text = text,
    pos = 1,
    cr = text:find('\r', 1, true) ~= nil,
    first = true,
    modifiable = old and old.modifiable or vim.bo[buf].modifiable,
    undolevels = old and old.undolevels or vim.bo[buf].undolevels,
    views = views,
    on_done = on_done,
  }
  st.sep = st.cr and [['\r\=\n']] or [["\n"]]
  if #text <= M.sync_bytes then
    -- (Without a fill in `fills`, the step below never runs: do it all here.)
    vim.bo[buf].undolevels, vim.bo[buf].modifiable = -1, true
    local lines = split(text, st.cr)
    if #lines > 1 and lines[#lines] == '' then lines[#lines] = nil end
    vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
    st.autocmd = -1
    fills[buf] = st
    return finish(buf, st)
  end
  vim.bo[buf].undolevels = -1
  vim.b[buf].mcp_loading = true
  st.autocmd = vim.api.nvim_create_autocmd({ 'BufWritePre', 'FileWritePre', 'FileAppendPre', 'FilterWritePre' }, {
    buffer = buf,
    desc = 'mcp.nvim: finish filling the resource buffer before it is written',
    callback = function() M.finish(buf) end,
  })
  fills[buf] = st
  step(buf, st)
end

---Finishes the fill of `buf` at once (before a write: the copy written is whole). Nothing when no fill
---runs.
---@param buf integer
function M.finish(buf)
  local st = fills[buf]
  if st then step(buf, st, true) end
end

---Stops the fill of `buf`, leaving the lines appended so far, and gives the buffer its options back.
---Nothing when no fill runs.
---@param buf integer
function M.cancel(buf)
  local st = fills[buf]
  if not st then return end
  fills[buf] = nil
  pcall(vim.api.nvim_del_autocmd, st.autocmd)
  if vim.api.nvim_buf_is_valid(buf) then
    vim.bo[buf].undolevels, vim.bo[buf].modifiable = st.undolevels, st.modifiable
    vim.bo[buf].modified = false
  end
end

---Is `buf` being filled? `{ done, total }` in bytes of the text, nil when no fill runs.
---@param buf integer
---@return { done: integer, total: integer }?
function M.pending(buf)
  local st = fills[buf]
  if not st then return nil end
  return { done = st.pos - 1, total = #st.text }
end

return M
