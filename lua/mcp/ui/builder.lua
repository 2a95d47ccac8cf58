--- Lines and their highlights, built one at a time by the renderer of MCP content (`mcp.ui.result`).
---
--- A builder either collects everything (`done()` returns it) or, made with `{ stream = true }` and filled
--- inside a coroutine, hands its lines over in pieces: it yields every `M.yield_lines` lines, and the
--- consumer (`mcp.ui.stream`) takes what is ready with `take()`. That is how a result of millions of lines
--- reaches a buffer without stopping the editor: a 50 MB text is never split or copied in one go.
local M = {}

local json = require('mcp.core.json')

---Lines added between two yields of a streaming builder. Small steps keep each slice of the main loop
---short even when the garbage collector runs in one (a 50 MB text: longest step 16 ms, against 53 ms with
---2,000 lines and 256 KB pieces).
M.yield_lines = 500
---A text longer than this (bytes) is split a piece at a time, yielding between pieces.
M.piece_bytes = 32 * 1024

---@class mcp.ui.Hl
---@field line integer 0-based line (counted from the first line ever added)
---@field col integer 0-based byte column
---@field end_col integer exclusive; -1 for the end of the line
---@field group string

---@class mcp.ui.Rendered
---@field lines string[]
---@field hls mcp.ui.Hl[]
---@field files string[] files written for binary content

---A piece of a long text left whole for the buffer to split (streaming only): `n` lines, newlines
---between them (`\n` or `\r\n`), none at the end. It never becomes Lua strings, one per line: creating
---millions of those makes the garbage collector stop the editor for 40-70 ms at a time.
---@class mcp.ui.Piece
---@field text string
---@field n integer

---@alias mcp.ui.Entry string|mcp.ui.Piece a line, or a piece of several

---@class mcp.ui.Builder
---@field lines mcp.ui.Entry[] entries not taken yet (only lines, unless streaming)
---@field count integer lines in `lines`
---@field hls mcp.ui.Hl[] highlights not taken yet
---@field files string[]
---@field base integer lines taken so far (the line number of the first entry, 0-based)
---@field last? string the last line added
---@field stream boolean yields inside its coroutine
---@field since integer lines added since the last yield
local Builder = {}
Builder.__index = Builder

---A new builder.
---@param opts? { stream?: boolean } `stream`: yield every `M.yield_lines` lines (fill it in a coroutine)
---@return mcp.ui.Builder
function M.new(opts)
  return setmetatable({
    lines = {},
    count = 0,
    hls = {},
    files = {},
    base = 0,
    stream = opts and opts.stream or false,
    since = 0,
  }, Builder)
end

---Lets the consumer take what is ready, when streaming.
function Builder:tick()
  if self.stream and coroutine.running() then
    self.since = 0
    coroutine.yield()
  end
end

---Adds one line (a newline in it becomes a space); `group` highlights all of it.
---@param line string
---@param group? string
function Builder:add(line, group)
  if line:find('\n', 1, true) then line = line:gsub('\n', ' ') end
  self.lines[#self.lines + 1] = line
  if group then self.hls[#self.hls + 1] = { line = self.base + self.count, col = 0, end_col = -1, group = group } end
  self.count = self.count + 1
  self.last = line
  self.since = self.since + 1
  if self.since >= M.yield_lines then self:tick() end
end

---@param s string
---@return string[]
local function split(s)
  -- A plain split is ten times faster than the pattern; most text has no \r.
  return s:find('\r', 1, true) and vim.split(s, '\r?\n') or vim.split(s, '\n', { plain = true })
end
M.split = split

---Adds several lines from a text (split on newlines). A long text is split a piece at a time; when
---streaming, each piece but the last is left whole (`mcp.ui.Piece`) for the buffer to split.
---@param s string
---@param group? string
function Builder:text(s, group)
  s = tostring(s)
  if #s <= M.piece_bytes then
    for _, l in ipairs(split(s)) do
      self:add(l, group)
    end
    return
  end
  local whole = self.stream and not group
  local pos = 1
  while pos <= #s do
    -- A piece ends at a newline (or at the end), so that no line is cut in two.
    local stop = s:find('\n', pos + M.piece_bytes - 1, true) or #s
    if whole and stop < #s then
      -- The piece without its final newline (which starts the next piece's first line).
      local piece = s:sub(pos, stop - 1)
      local n, at = 1, 1
      while true do
        at = piece:find('\n', at, true)
        if not at then break end
        n, at = n + 1, at + 1
      end
      self.lines[#self.lines + 1] = { text = piece, n = n }
      self.count = self.count + n
      -- Only whether the last line is empty matters (`blank`); a pattern anchored at the end would scan
      -- the whole piece from every position.
      local tail = piece:sub(-2)
      local empty = piece == '' or piece == '\r' or tail:sub(-1) == '\n' or tail == '\n\r'
      self.last = empty and '' or tail
      self.since = self.since + n
    else
      local lines = split(s:sub(pos, stop))
      -- The piece's final newline starts the next piece's first line, not an empty one.
      if stop < #s then lines[#lines] = nil end
      for _, l in ipairs(lines) do
        self:add(l, group)
      end
    end
    pos = stop + 1
    self:tick()
  end
end

---Adds pretty JSON of a value. Levels deeper than `require('mcp.core.json').max_indent_depth` are
---written compact, on the line where they start, after a line saying so (`McpDescription`).
---@param value any
function Builder:json(value)
  local lines, capped = json.lines(value)
  if capped then
    self:add(
      ('(nested deeper than %d levels: the deeper levels are shown on one line)'):format(json.max_indent_depth),
      'McpDescription'
    )
  end
  for _, l in ipairs(lines) do
    self:add(l)
  end
end

---Adds a blank line unless the last one is blank already (or there is none yet).
function Builder:blank()
  if self.last ~= nil and self.last ~= '' then self:add('') end
end

---Takes the entries and highlights ready so far (a streaming consumer's share). Unless `final`, blank
---lines at the end stay behind: the renderer drops them when nothing follows.
---@param final? boolean the renderer is done: take everything but the trailing blank lines
---@param max? integer take at most this many lines (the rest stays for the next `take`)
---@return mcp.ui.Entry[] entries
---@return mcp.ui.Hl[] hls
---@return integer lines how many lines `entries` hold
function Builder:take(final, max)
  local entries = self.lines
  local k = #entries
  while k > 0 and entries[k] == '' do
    k = k - 1
  end
  local out, taken, i = {}, 0, 1
  local rest ---@type mcp.ui.Entry[]?
  while i <= k do
    local e = entries[i]
    local n = type(e) == 'string' and 1 or e.n
    if max and taken + n > max then
      -- The cap falls inside a piece: its lines are split here, those past the cap stay.
      rest = {}
      if type(e) == 'table' then
        local ls = split(e.text)
        for j = 1, max - taken do
          out[#out + 1] = ls[j]
        end
        for j = max - taken + 1, #ls do
          rest[#rest + 1] = ls[j]
        end
        taken = max
        i = i + 1
      end
      break
    end
    out[#out + 1] = e
    taken = taken + n
    i = i + 1
  end
  if rest or not final then
    rest = rest or {}
    for j = i, #entries do
      rest[#rest + 1] = entries[j]
    end
  end
  self.lines = rest or {}
  self.count = self.count - taken
  if not rest then self.count = 0 end
  self.base = self.base + taken
  local hls, later = {}, {}
  for _, h in ipairs(self.hls) do
    if h.line < self.base then
      hls[#hls + 1] = h
    elseif rest then
      later[#later + 1] = h
    end
  end
  self.hls = later
  return out, hls, taken
end

---Everything, without trailing blank lines (a builder that was not streamed).
---@return mcp.ui.Rendered
function Builder:done()
  local entries, hls = self:take(true)
  local lines = {}
  for _, e in ipairs(entries) do
    if type(e) == 'string' then
      lines[#lines + 1] = e
    else
      vim.list_extend(lines, split(e.text))
    end
  end
  return { lines = lines, hls = hls, files = self.files }
end

---Sets highlights `hls` (as a builder made them) in buffer `buf`, in namespace `ns`. A highlight past
---the buffer's end, or whose columns no longer fit its line, is skipped.
---@param buf integer
---@param ns integer
---@param hls mcp.ui.Hl[]
function M.highlight(buf, ns, hls)
  for _, h in ipairs(hls) do
    local line = vim.api.nvim_buf_get_lines(buf, h.line, h.line + 1, false)[1] or ''
    pcall(vim.api.nvim_buf_set_extmark, buf, ns, h.line, h.col, {
      end_col = h.end_col < 0 and #line or h.end_col,
      hl_group = h.group,
    })
  end
end

return M
