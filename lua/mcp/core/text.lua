--- Server text made safe to show: names, titles, descriptions and URIs come from MCP servers and may hold
--- newlines, control characters (escape sequences, bells) or hundreds of characters. A buffer line may not
--- hold a newline (|nvim_buf_set_lines()| raises), a picker entry or a message with one breaks apart, and
--- a terminal escape sequence must never reach the screen as is. Every place that shows such text to the
--- user goes through this module: `name` for what identifies something, `line` for prose, `lines` for
--- prose shown in full.
local M = {}

---Longest name shown, in characters, before it is cut with `…` (a tool name may be any length).
M.max_name = 80
---Longest one-line description shown, in characters.
M.max_line = 160

---How a control character is shown inside a name: `\n`, `\t`, `\r`, `\e`, else `\xHH`. The same escapes
---`mcp.core.words` reads back on the command line, so a name shown is a name one can type.
local ESCAPES = { ['\n'] = '\\n', ['\t'] = '\\t', ['\r'] = '\\r', ['\27'] = '\\e' }

---@param c string one control character
---@return string
local function escape_control(c) return ESCAPES[c] or ('\\x%02x'):format(c:byte()) end

---A terminal control sequence (CSI: colours, cursor moves), dropped whole from prose.
local CSI = '\27%[[0-9;?]*[ -/]*[@-~]'

---C1 control characters (U+0080–U+009F) encoded as UTF-8: terminals act on some of them (CSI, OSC).
local C1 = '\194[\128-\159]'

---Cuts `s` to at most `max` characters (UTF-8), ending it with `…` when cut.
---@param s string
---@param max integer characters
---@return string
local function cut(s, max)
  -- Byte length first: most text is short and ASCII, and then no character count is needed.
  if #s <= max or vim.fn.strchars(s) <= max then return s end
  return vim.fn.strcharpart(s, 0, max - 1) .. '…'
end

---A server-given name (server, tool, prompt, resource, argument) as one line that still tells names apart:
---control characters, newlines included, are shown as escapes (`\n`, `\e`, `\x07`), and a name longer
---than `max` characters is cut with `…`. Not a string (missing name): `?`.
---@param s any
---@param max? integer characters (default `M.max_name`; 0: never cut)
---@return string
function M.name(s, max)
  if type(s) == 'number' then s = tostring(s) end
  if type(s) ~= 'string' then return '?' end
  s = s:gsub('[%z\1-\31\127]', escape_control):gsub(C1, function(c) return ('\\u%04x'):format(c:byte(2)) end)
  max = max or M.max_name
  if max > 0 then s = cut(s, max) end
  return s
end

---Server-given prose (a description, an error, a title) as one line: runs of whitespace, newlines
---included, become one space, other control characters are dropped, and the result is cut at `max`
---characters with `…`. Not a string: `''`.
---@param s any
---@param max? integer characters (default `M.max_line`; 0: never cut)
---@return string
function M.line(s, max)
  if type(s) ~= 'string' then return '' end
  s = s:gsub(CSI, ''):gsub('[%z\1-\8\11\12\14-\31\127]', ''):gsub(C1, ''):gsub('%s+', ' '):gsub('^ ', ''):gsub(' $', '')
  max = max or M.max_line
  if max > 0 then s = cut(s, max) end
  return s
end

---The first line of server-given prose (up to its first newline), made safe as `line` makes it.
---@param s any
---@param max? integer characters (default `M.max_line`)
---@return string
function M.first_line(s, max)
  if type(s) ~= 'string' then return '' end
  return M.line(s:match('^%s*([^\r\n]*)'), max)
end

---Server-given prose shown in full, as buffer lines: split on newlines (`\r\n`, `\n`, `\r`), control
---characters other than tabs dropped. Lines are never cut.
---@param s any
---@return string[]
function M.lines(s)
  if type(s) ~= 'string' then return {} end
  local out = {}
  for _, l in ipairs(vim.split(s, '\r?\n')) do
    for _, part in ipairs(vim.split(l, '\r', { plain = true })) do
      out[#out + 1] = (part:gsub(CSI, ''):gsub('[%z\1-\8\11-\31\127]', ''):gsub(C1, ''))
    end
  end
  return out
end

return M
