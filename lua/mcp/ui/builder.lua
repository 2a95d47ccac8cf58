--- Lines and their highlights, built one at a time by the renderer of MCP content (`mcp.ui.result`).
---
--- A builder either collects everything (`done()` returns it) or, made with `{ stream = true }` and filled
--- inside a coroutine, hands its lines over in pieces: it yields every `M.yield_lines` lines, and the
--- consumer (`mcp.ui.stream`) takes what is ready with `take()`. That is how a result of millions of lines
--- reaches a buffer without stopping the editor: a 50 MB text is never split or copied in one go.
local M = {}

local json = require('mcp.core.json')

---Lines added between two yields of a streaming builder.
M.yield_lines = 2000
---A text longer than this (bytes) is split a piece at a time, yielding between pieces.
M.piece_bytes = 256 * 1024

---@class mcp.ui.Hl
---@field line integer 0-based line (counted from the first line ever added)
---@field col integer 0-based byte column
---@field end_col integer exclusive; -1 for the end of the line
---@field group string

---@class mcp.ui.Rendered
---@field lines string[]
---@field hls mcp.ui.Hl[]
---@field files string[] files written for binary content

---@class mcp.ui.Builder
---@field lines string[] lines not taken yet
---@field hls mcp.ui.Hl[] highlights not taken yet
---@field files string[]
---@field base integer lines taken so far (the line number of `lines[1]`, 0-based)
---@field last? string the last line added
---@field stream boolean yields inside its coroutine
---@field since integer lines added since the last yield
local Builder = {}
Builder.__index = Builder

---A new builder.
---@param opts? { stream?: boolean } `stream`: yield every `M.yield_lines` lines (fill it in a coroutine)
---@return mcp.ui.Builder
function M.new(opts)
  return setmetatable(
    { lines = {}, hls = {}, files = {}, base = 0, stream = opts and opts.stream or false, since = 0 },
    Builder
  )
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
  line = line:gsub('\n', ' ')
  local n = #self.lines + 1
  self.lines[n] = line
  self.last = line
  if group then self.hls[#self.hls + 1] = { line = self.base + n - 1, col = 0, end_col = -1, group = group } end
  self.since = self.since + 1
  if self.since >= M.yield_lines then self:tick() end
end

---@param s string
---@return string[]
local function split(s)
  -- A plain split is ten times faster than the pattern; most text has no \r.
  return s:find('\r', 1, true) and vim.split(s, '\r?\n') or vim.split(s, '\n', { plain = true })
end

---Adds several lines from a text (split on newlines). A long text is split a piece at a time.
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
  local pos = 1
  while pos <= #s do
    -- A piece ends at a newline (or at the end), so that no line is cut in two.
    local stop = s:find('\n', pos + M.piece_bytes - 1, true) or #s
    local lines = split(s:sub(pos, stop))
    -- The piece's final newline starts the next piece's first line, not an empty one.
    if stop < #s then lines[#lines] = nil end
    for _, l in ipairs(lines) do
      self:add(l, group)
    end
    pos = stop + 1
    self:tick()
  end
end

---Adds pretty JSON of a value.
---@param value any
function Builder:json(value)
  for _, l in ipairs(json.lines(value)) do
    self:add(l)
  end
end

---Adds a blank line unless the last one is blank already (or there is none yet).
function Builder:blank()
  if self.last ~= nil and self.last ~= '' then self:add('') end
end

---Takes the lines and highlights ready so far (a streaming consumer's share). Unless `final`, blank lines
---at the end stay behind: the renderer drops them when nothing follows.
---@param final? boolean the renderer is done: take everything but the trailing blank lines
---@param max? integer take at most this many lines (the rest stays for the next `take`)
---@return string[] lines
---@return mcp.ui.Hl[] hls
---@return integer first 0-based line number of `lines[1]`
function Builder:take(final, max)
  local lines = self.lines
  local n = #lines
  while n > 0 and lines[n] == '' do
    n = n - 1
  end
  if max and n > max then
    n, final = math.max(max, 0), false
  end
  local first = self.base
  local out
  if n == #lines then
    out, self.lines = lines, {}
  else
    out = vim.list_slice(lines, 1, n)
    self.lines = final and {} or vim.list_slice(lines, n + 1)
  end
  self.base = self.base + n
  local hls, rest = {}, {}
  for _, h in ipairs(self.hls) do
    if h.line < self.base then
      hls[#hls + 1] = h
    elseif not final then
      rest[#rest + 1] = h
    end
  end
  self.hls = rest
  return out, hls, first
end

---Everything, without trailing blank lines (a builder that was not streamed).
---@return mcp.ui.Rendered
function Builder:done()
  local lines, hls = self:take(true)
  return { lines = lines, hls = hls, files = self.files }
end

return M
