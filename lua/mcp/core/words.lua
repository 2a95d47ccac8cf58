--- Words on the `:Mcp` command line that may hold any character: server and tool names come from config
--- files and servers, and may contain spaces, quotes, backslashes, slashes, unicode or even newlines
--- (|mcp-call-names|). A word is a run of these pieces, up to the first unescaped white space:
---   - plain characters; a backslash takes the next character as is (`with\ space`, `it\'s`, `back\\slash`),
---     except the escapes `\n` `\t` `\r` `\e` and `\xHH` (a byte in hex), which give control characters;
---   - `"..."`: a JSON string (`"line\nbreak"`, `"say \"hi\""`, `"\u00e9"`);
---   - `'...'`: taken as is, `''` for one quote (as in Vim script).
--- `escape` writes a word back in the first form: it is what completion inserts, because Neovim finds the
--- start of the word being completed by unescaped spaces (|cmdline-completion|), so `"a b"` cannot be
--- completed but `a\ b` can.
local M = {}

local CONTROLS = { n = '\n', t = '\t', r = '\r', e = '\27' }

---Reads one word of `text` from byte `pos` (white space before it is skipped).
---@param text string
---@param pos? integer 1-based byte position (default 1)
---@param partial? boolean accept an unterminated quote (for completion): the word runs to the end
---@return string? word nil when only white space is left
---@return integer next byte position after the word
---@return string? err what is wrong (an unterminated or invalid quoted piece)
function M.read(text, pos, partial)
  pos = text:find('%S', pos or 1)
  if not pos then return nil, #text + 1 end
  local out = {}
  while pos <= #text do
    local c = text:sub(pos, pos)
    if c:match('%s') then break end
    if c == '\\' then
      local n = text:sub(pos + 1, pos + 1)
      local hex = n == 'x' and text:sub(pos + 2, pos + 3):match('^%x%x$')
      if hex then
        out[#out + 1] = string.char(tonumber(hex, 16))
        pos = pos + 4
      else
        out[#out + 1] = n == '' and '\\' or CONTROLS[n] or n
        pos = pos + 2
      end
    elseif c == '"' then
      -- The closing quote: the next `"` not escaped by an odd run of backslashes.
      local stop = pos + 1
      while true do
        stop = text:find('"', stop, true)
        if not stop then break end
        local slashes = #(text:sub(pos + 1, stop - 1):match('\\*$'))
        if slashes % 2 == 0 then break end
        stop = stop + 1
      end
      if not stop then
        if not partial then return nil, #text + 1, ('unterminated quote: %s'):format(text:sub(pos)) end
        local ok, s = pcall(vim.json.decode, text:sub(pos) .. '"')
        out[#out + 1] = ok and type(s) == 'string' and s or text:sub(pos + 1)
        pos = #text + 1
      else
        local ok, s = pcall(vim.json.decode, text:sub(pos, stop))
        if not ok or type(s) ~= 'string' then
          return nil, stop + 1, ('not a valid JSON string: %s'):format(text:sub(pos, stop))
        end
        out[#out + 1] = s
        pos = stop + 1
      end
    elseif c == "'" then
      local piece, stop = {}, pos + 1
      while true do
        local q = text:find("'", stop, true)
        if not q then
          if not partial then return nil, #text + 1, ('unterminated quote: %s'):format(text:sub(pos)) end
          piece[#piece + 1] = text:sub(stop)
          stop = #text + 1
          break
        end
        piece[#piece + 1] = text:sub(stop, q - 1)
        if text:sub(q + 1, q + 1) == "'" then
          piece[#piece + 1] = "'"
          stop = q + 2
        else
          stop = q + 1
          break
        end
      end
      out[#out + 1] = table.concat(piece)
      pos = stop
    else
      local stop = text:find('[%s\\"\']', pos) or #text + 1
      out[#out + 1] = text:sub(pos, stop - 1)
      pos = stop
    end
  end
  return table.concat(out), pos
end

---Every word of `text`, read as `read` reads them.
---@param text string
---@param partial? boolean accept an unterminated quote at the end
---@return string[] words
---@return string? err what is wrong, when a word cannot be read
function M.split(text, partial)
  local words, pos = {}, 1
  while true do
    local w, nxt, err = M.read(text, pos, partial)
    if err then return words, err end
    if not w then return words end
    words[#words + 1] = w
    pos = nxt
  end
end

local ESCAPES = { ['\n'] = '\\n', ['\t'] = '\\t', ['\r'] = '\\r', ['\27'] = '\\e' }
local JSON_ESCAPES = { ['\n'] = '\\n', ['\t'] = '\\t', ['\r'] = '\\r' }

---A word as it is typed on the command line so that `read` gives it back: as is when it has no white
---space, quote, backslash or control character; else with those escaped by backslashes (`with\ space`,
---`line\nbreak`, `it\'s`).
---@param word string
---@return string
function M.escape(word)
  if word == '' then return '""' end
  if not word:find('[%s%c\\"\']') then return word end
  return (
    word:gsub('[%s%c\\"\']', function(c)
      if ESCAPES[c] then return ESCAPES[c] end
      if c:match('%c') then return ('\\x%02x'):format(c:byte()) end
      return '\\' .. c
    end)
  )
end

---A word as a JSON string in double quotes, the other form `read` accepts: offered by completion when the
---word being completed starts with `"`.
---@param word string
---@return string
function M.quote(word)
  return '"'
    .. word:gsub('[%c\\"]', function(c)
      if c == '"' or c == '\\' then return '\\' .. c end
      return JSON_ESCAPES[c] or ('\\u%04x'):format(c:byte())
    end)
    .. '"'
end

---Names as completion inserts them (|mcp-call-names|): escaped (`with\ space`), or as JSON strings when
---the word being completed starts with a double quote; each once, in the order given. Entries that are not
---strings are left out.
---@param names any[]
---@param lead string the word being completed, as typed
---@return string[]
function M.typed(names, lead)
  local quote = lead:sub(1, 1) == '"'
  local out, seen = {}, {}
  for _, name in ipairs(names) do
    local w = type(name) == 'string' and (quote and M.quote(name) or M.escape(name))
    if w and not seen[w] then
      seen[w] = true
      out[#out + 1] = w
    end
  end
  return out
end

return M
