--- Filling a result buffer without stopping the editor (|mcp-results-big|). The renderer runs in a
--- coroutine on a streaming builder (`mcp.ui.builder`); each slice of the main loop takes at most
--- `M.slice_ms` of rendering and appends what it made, and the next slice is scheduled, so that keys typed
--- meanwhile are handled between slices. A result longer than `M.max_lines` lines stops there, under a
--- line saying so: `A` in the buffer (or `:lua require("mcp.ui.stream").show_all()`) shows the rest, again
--- a slice at a time.
local M = {}

local uv = vim.uv or vim.loop

---Lines shown before a result is capped (the rest waits for `A`).
M.max_lines = 10000
---Longest rendering in one slice of the main loop, ms.
M.slice_ms = 4
---Lines appended to the buffer at a time: appending costs about 2 µs a line, so a slice appends several
---small batches rather than one big one at its end.
M.flush_lines = 2000
---The key that shows the rest of a capped result.
M.show_all_key = 'A'

local ns = vim.api.nvim_create_namespace('mcp.result')

---@class mcp.ui.StreamState
---@field co thread the renderer
---@field b mcp.ui.Builder
---@field written integer lines of the result in the buffer
---@field all boolean show everything (no cap)
---@field capped boolean the cap line is shown (the renderer waits)
---@field done boolean the renderer finished
---@field on_done? fun(buf: integer)

---@type table<integer, mcp.ui.StreamState> by buffer
local states = {}

---@param buf integer
---@param fn fun()
local function modify(buf, fn)
  vim.bo[buf].modifiable = true
  fn()
  vim.bo[buf].modifiable = false
  vim.bo[buf].modified = false
end

---Inserts entries (`mcp.ui.Entry`) below the first `at` lines of `buf`. A piece of text is split by
---Neovim itself (|split()|, |appendbufline()|), so that its lines never exist as Lua strings.
---@param buf integer
---@param at integer
---@param entries mcp.ui.Entry[]
local function insert(buf, at, entries)
  local run = {} ---@type string[]
  local function lines()
    if #run == 0 then return end
    vim.api.nvim_buf_set_lines(buf, at, at, false, run)
    at = at + #run
    run = {}
  end
  for _, e in ipairs(entries) do
    if type(e) == 'string' then
      run[#run + 1] = e
    else
      lines()
      vim.b[buf].mcp_piece = e.text
      local sep = e.text:find('\r', 1, true) and [['\r\=\n']] or [["\n"]]
      vim.api.nvim_exec2(
        ('call appendbufline(%d, %d, split(getbufvar(%d, "mcp_piece"), %s, 1))'):format(buf, at, buf, sep),
        {}
      )
      vim.b[buf].mcp_piece = nil
      at = at + e.n
    end
  end
  lines()
end

---Appends what the builder has ready to the buffer, with its highlights.
---@param buf integer
---@param st mcp.ui.StreamState
---@param final boolean
---@param max? integer append at most this many lines
local function flush(buf, st, final, max)
  local entries, hls, n = st.b:take(final, max)
  if n == 0 then return end
  modify(buf, function()
    insert(buf, st.written, entries)
    -- The empty line a new buffer starts with goes once something is shown.
    if st.written == 0 then vim.api.nvim_buf_set_lines(buf, n, n + 1, false, {}) end
  end)
  st.written = st.written + n
  require('mcp.ui.builder').highlight(buf, ns, hls)
end

---Shows the line that says the result goes on, below what is shown.
---@param buf integer
---@param st mcp.ui.StreamState
local function cap(buf, st)
  st.capped = true
  local msg = ('… the result goes on past its first %d lines: press %s to show all of it'):format(
    st.written,
    M.show_all_key
  )
  modify(buf, function() vim.api.nvim_buf_set_lines(buf, st.written, -1, false, { msg }) end)
  vim.api.nvim_buf_set_extmark(buf, ns, st.written, 0, { end_col = #msg, hl_group = 'McpDescription' })
end

---Runs the renderer for one slice; schedules the next unless it finished or stopped at the cap.
---@param buf integer
---@param st mcp.ui.StreamState
local function step(buf, st)
  if states[buf] ~= st or not vim.api.nvim_buf_is_valid(buf) then return end
  local t0 = uv.hrtime()
  while true do
    local ok, err = coroutine.resume(st.co)
    if not ok then
      st.done = true
      flush(buf, st, true)
      states[buf] = nil
      error(err, 0)
    end
    if coroutine.status(st.co) == 'dead' then
      st.done = true
      flush(buf, st, true)
      states[buf] = nil
      if st.on_done then st.on_done(buf) end
      return
    end
    if not st.all and st.written + st.b.count >= M.max_lines then
      flush(buf, st, false, M.max_lines - st.written)
      return cap(buf, st)
    end
    if st.b.count >= M.flush_lines then flush(buf, st, false) end
    if (uv.hrtime() - t0) / 1e6 >= M.slice_ms then break end
  end
  flush(buf, st, false)
  vim.defer_fn(function() step(buf, st) end, 0)
end

---Fills `buf` (one of the plugin's result buffers) with what `render` adds to a streaming builder: the
---first slice at once (a small result is complete when this returns), the rest in later slices of the
---main loop, up to `M.max_lines` lines unless `opts.all`. Replaces whatever `buf` showed, and stops a
---stream still filling it.
---@param buf integer
---@param render fun(b: mcp.ui.Builder) adds the lines (runs in a coroutine; may yield through the builder)
---@param opts? { all?: boolean, on_done?: fun(buf: integer) } `on_done`: called when everything is shown
---@return mcp.ui.Builder b the builder (its `files` lists the files written so far)
function M.fill(buf, render, opts)
  opts = opts or {}
  local b = require('mcp.ui.builder').new({ stream = true })
  local st = {
    co = coroutine.create(function() render(b) end),
    b = b,
    written = 0,
    all = opts.all or false,
    capped = false,
    done = false,
    on_done = opts.on_done,
  }
  states[buf] = st
  -- A result is read-only: no undo history (it would keep a copy of every line appended).
  vim.bo[buf].undolevels = -1
  modify(buf, function() vim.api.nvim_buf_set_lines(buf, 0, -1, false, {}) end)
  vim.api.nvim_buf_clear_namespace(buf, ns, 0, -1)
  vim.keymap.set(
    'n',
    M.show_all_key,
    function() M.show_all(buf) end,
    { buffer = buf, nowait = true, desc = 'mcp: show all of the result' }
  )
  step(buf, st)
  return b
end

---Is `buf` still being filled, or waiting at its cap?
---@param buf integer
---@return { capped: boolean, lines: integer }? nil when the whole result is shown
function M.pending(buf)
  if buf == 0 then buf = vim.api.nvim_get_current_buf() end
  local st = states[buf]
  if not st then return nil end
  return { capped = st.capped, lines = st.written }
end

---Shows the rest of a capped result in `buf` (default: the current buffer), a slice at a time.
---@param buf? integer
function M.show_all(buf)
  buf = buf or vim.api.nvim_get_current_buf()
  local st = states[buf]
  if not st then return require('mcp.core.util').notify('the whole result is shown') end
  st.all = true
  if not st.capped then return end
  st.capped = false
  modify(buf, function() vim.api.nvim_buf_set_lines(buf, st.written, -1, false, {}) end)
  step(buf, st)
end

return M
