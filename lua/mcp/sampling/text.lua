--- A sampling request and a model's answer as the text a person reads and edits (|mcp-sampling-review|),
--- and back. Pure: no windows here (lua/mcp/sampling/review.lua shows them).
---
--- A request reads:
--- >
---   # everything asks to sample a model
---   # model preferences: hints claude-3-sonnet · intelligence 0.8
---   # tools offered (tool choice auto): get_weather: Get the weather
---   max tokens: 100
---   temperature: 0.7
---   stop sequences: ["END"]
---   ── system prompt ──
---   You are a helpful test server.
---   ── message 1: user ──
---   What is the weather in Paris?
--- <
--- Lines starting with `#` above the first `──` line only say things; `max tokens`, `temperature` and
--- `stop sequences` (JSON) are edited in place; the text under each `──` line is the system prompt or the
--- text of that message. Content that is not text (images, audio, tool calls and results) is named on its
--- message's `──` line and kept as it is. An answer reads the same way: `model:`, `stop reason:`, the
--- answer's text under `── answer ──`, each tool call's input as JSON under its own `── tool_use` line.
local M = {}

local util = require('mcp.core.util')
local nonil = util.nonil
local text = require('mcp.core.text')

---@class mcp.sampling.Block an MCP content block of a sampling message (`type`: text, image, audio, tool_use, tool_result)
---@field type string
---@field text? string
---@field mimeType? string
---@field data? string
---@field id? string tool_use
---@field name? string tool_use
---@field input? table tool_use
---@field toolUseId? string tool_result
---@field content? table tool_result

---@param content any a block or a list of blocks
---@return mcp.sampling.Block[]
local function blocks(content)
  content = nonil(content)
  if type(content) ~= 'table' then return {} end
  if content.type ~= nil then return { content } end
  return content
end
M.blocks = blocks

---The text blocks of `content`, joined by newlines (as shown and edited).
---@param content any
---@return string
local function joined_text(content)
  local parts = {}
  for _, b in ipairs(blocks(content)) do
    if b.type == 'text' then parts[#parts + 1] = tostring(nonil(b.text) or '') end
  end
  return table.concat(parts, '\n')
end

---How many bytes a base64 text decodes to.
---@param data string
---@return integer
local function base64_bytes(data)
  local pad = #(data:match('=*$'))
  return math.max(0, math.floor(#data * 3 / 4) - pad)
end

---One non-text block, named on one line.
---@param b mcp.sampling.Block
---@return string
local function describe(b)
  if b.type == 'image' or b.type == 'audio' then
    return ('%s %s, %d bytes'):format(
      b.type,
      text.name(nonil(b.mimeType), 40),
      base64_bytes(tostring(nonil(b.data) or ''))
    )
  elseif b.type == 'tool_use' then
    return ('tool_use %s %s'):format(
      text.name(nonil(b.name), 60),
      text.line(vim.json.encode(util.object(nonil(b.input))), 80)
    )
  elseif b.type == 'tool_result' then
    local t = joined_text(nonil(b.content))
    return ('tool_result for %s%s%s'):format(
      text.name(nonil(b.toolUseId), 40),
      nonil(b.isError) == true and ' (error)' or '',
      t ~= '' and (': ' .. text.line(vim.json.encode(t), 60)) or ''
    )
  end
  return text.name(b.type, 40)
end

---A number as the person reads it (integers without `.0`).
---@param n number
---@return string
local function num(n)
  if n == math.floor(n) then return ('%d'):format(n) end
  return tostring(n)
end

---The `#` lines that say what the server asks besides messages: model preferences, context, tools.
---@param server string
---@param req table the request's params
---@return string[]
local function about(server, req)
  local out = { ('# %s asks to sample a model'):format(text.name(server, 0)) }
  local prefs = nonil(req.modelPreferences)
  if type(prefs) == 'table' then
    local parts = {}
    local hints = {}
    for _, h in ipairs(nonil(prefs.hints) or {}) do
      if type(nonil(h.name)) == 'string' then hints[#hints + 1] = text.name(h.name, 60) end
    end
    if #hints > 0 then parts[#parts + 1] = 'hints ' .. table.concat(hints, ', ') end
    for _, k in ipairs({ 'intelligencePriority', 'speedPriority', 'costPriority' }) do
      local v = nonil(prefs[k])
      if type(v) == 'number' then parts[#parts + 1] = ('%s %s'):format(k:gsub('Priority$', ''), num(v)) end
    end
    if #parts > 0 then out[#out + 1] = '# model preferences: ' .. table.concat(parts, ' · ') end
  end
  local ctx = nonil(req.includeContext)
  if type(ctx) == 'string' and ctx ~= 'none' then
    out[#out + 1] = ('# include context: %s (not supplied: this editor adds no context)'):format(text.name(ctx, 40))
  end
  local tools = nonil(req.tools)
  if type(tools) == 'table' and #tools > 0 then
    local choice = nonil(req.toolChoice)
    local mode = type(choice) == 'table' and nonil(choice.mode) or nil
    out[#out + 1] = ('# tools offered%s:'):format(mode and (' (tool choice ' .. text.name(mode, 20) .. ')') or '')
    for _, t in ipairs(tools) do
      local desc = text.first_line(nonil(t.description), 80)
      out[#out + 1] = ('#   %s%s'):format(text.name(nonil(t.name), 60), desc ~= '' and (': ' .. desc) or '')
    end
  end
  return out
end

---The marker line of message `i`.
---@param i integer
---@param m table
---@return string
local function message_marker(i, m)
  local extra = {}
  for _, b in ipairs(blocks(m.content)) do
    if b.type ~= 'text' then extra[#extra + 1] = describe(b) end
  end
  local kept = #extra > 0 and (' · ' .. table.concat(extra, ' · ') .. ' (kept as is)') or ''
  return ('── message %d: %s%s ──'):format(i, text.name(nonil(m.role), 20), kept)
end

---The editable text of a sampling request, built with the results' builder (mcp.ui.builder): the `#`
---lines as descriptions, the `──` lines as sections.
---@param server string
---@param req table `sampling/createMessage` params
---@return string[] lines
---@return integer first the line (1-based) to put the cursor on: the last message's text
---@return mcp.ui.Hl[] hls
function M.request_lines(server, req)
  local b = require('mcp.ui.builder').new()
  for _, l in ipairs(about(server, req)) do
    b:add(l, 'McpDescription')
  end
  b:add(('max tokens: %s'):format(num(tonumber(nonil(req.maxTokens)) or 0)))
  local temp = nonil(req.temperature)
  b:add('temperature: ' .. (type(temp) == 'number' and num(temp) or ''))
  local stop = nonil(req.stopSequences)
  b:add('stop sequences: ' .. ((type(stop) == 'table' and #stop > 0) and vim.json.encode(stop) or ''))
  b:add('── system prompt ──', 'McpSection')
  local sys = nonil(req.systemPrompt)
  if type(sys) == 'string' and sys ~= '' then
    for _, l in ipairs(text.lines(sys)) do
      b:add(l)
    end
  end
  local first = b.count
  for i, m in ipairs(nonil(req.messages) or {}) do
    b:add(message_marker(i, m), 'McpSection')
    first = b.count + 1
    local t = joined_text(m.content)
    if t ~= '' then
      for _, l in ipairs(text.lines(t)) do
        b:add(l)
      end
    end
  end
  local r = b:done()
  return r.lines, math.min(first, #r.lines), r.hls
end

---Splits the lines at the `── ... ──` markers.
---@param lines string[]
---@return string[] preamble lines before the first marker
---@return { marker: string, lines: string[] }[] sections
local function sections(lines)
  local pre, out = {}, {}
  for _, l in ipairs(lines) do
    if l:match('^── .* ──$') then
      out[#out + 1] = { marker = l, lines = {} }
    elseif #out == 0 then
      pre[#pre + 1] = l
    else
      table.insert(out[#out].lines, l)
    end
  end
  return pre, out
end

---A section's text: its lines joined, blank lines at the end dropped.
---@param ls string[]
---@return string
local function body(ls)
  local n = #ls
  while n > 0 and ls[n]:match('^%s*$') do
    n = n - 1
  end
  return table.concat(ls, '\n', 1, n)
end

---The preamble's `key: value` lines, by key; `#` lines and blank lines skipped.
---@param pre string[]
---@param known table<string, boolean>
---@return table<string, string>? values
---@return string? err
local function fields(pre, known)
  local out = {}
  for _, l in ipairs(pre) do
    if not l:match('^#') and not l:match('^%s*$') then
      local k, v = l:match('^([%w ]+):%s*(.-)%s*$')
      if not k or not known[k] then
        return nil, ('the line "%s" is not one of: %s'):format(l, table.concat(vim.tbl_keys(known), ', '))
      end
      out[k] = v
    end
  end
  return out
end

---Content with its text replaced by `new` (all text blocks become one, where the first was); the other
---blocks kept. Unchanged text (`new == shown`) keeps the content exactly as it came.
---@param content any a block or a list of blocks
---@param new string the edited text
---@param shown string the text as it was shown
---@return any content
---@return integer count blocks in it
local function with_text(content, new, shown)
  local list = blocks(content)
  if new == shown then return content, #list end
  local out, placed = {}, false
  for _, b in ipairs(list) do
    if b.type == 'text' then
      if not placed and new ~= '' then
        local copy = vim.deepcopy(b)
        copy.text = new
        out[#out + 1] = copy
      end
      placed = true
    else
      out[#out + 1] = b
    end
  end
  if not placed and new ~= '' then table.insert(out, 1, { type = 'text', text = new }) end
  if #out == 1 and type(nonil(content)) == 'table' and nonil(content).type ~= nil then return out[1], 1 end
  return out, #out
end

---The request as edited: `max tokens`, `temperature`, `stop sequences`, the system prompt and each
---message's text taken from `lines`; everything else as the server sent it.
---@param req table the request as the server sent it
---@param lines string[] the buffer
---@return table? request
---@return string? err what is wrong (the person fixes it, or declines)
function M.parse_request(req, lines)
  local pre, secs = sections(lines)
  local f, err = fields(pre, { ['max tokens'] = true, temperature = true, ['stop sequences'] = true })
  if not f then return nil, err end
  local out = vim.deepcopy(req)
  local max = tonumber(f['max tokens'])
  if not max or max < 1 or max % 1 ~= 0 then
    return nil, ('max tokens: expected a positive whole number, got "%s"'):format(f['max tokens'] or '')
  end
  out.maxTokens = max
  local temp = f.temperature
  if temp == nil or temp == '' then
    out.temperature = nil
  elseif not tonumber(temp) then
    return nil, ('temperature: expected a number or nothing, got "%s"'):format(temp)
  else
    out.temperature = tonumber(temp)
  end
  local stop = f['stop sequences']
  if stop == nil or stop == '' then
    out.stopSequences = nil
  else
    local ok, v = pcall(vim.json.decode, stop)
    if not ok or type(v) ~= 'table' or not vim.islist(v) then
      return nil, ('stop sequences: expected a JSON list of strings like ["END"], got %s'):format(stop)
    end
    out.stopSequences = v
  end
  local messages = nonil(req.messages) or {}
  if #secs ~= #messages + 1 or secs[1].marker ~= '── system prompt ──' then
    return nil,
      ('expected the line "── system prompt ──" and one "── message N ──" line for each of the %d messages (press u to undo)'):format(
        #messages
      )
  end
  local sys = body(secs[1].lines)
  local shown_sys = body(text.lines(nonil(req.systemPrompt) or ''))
  if sys ~= shown_sys then out.systemPrompt = sys ~= '' and sys or nil end
  for i, m in ipairs(messages) do
    if not secs[i + 1].marker:match(('^── message %d:'):format(i)) then
      return nil, ('the line "── message %d: ..." is missing or out of order (press u to undo)'):format(i)
    end
    local shown = body(text.lines(joined_text(m.content)))
    local content, count = with_text(out.messages[i].content, body(secs[i + 1].lines), shown)
    if count == 0 then return nil, ('message %d: no content left (give it some text)'):format(i) end
    out.messages[i].content = content
  end
  return out
end

---A tool call's input as edited: a JSON object (empty text: `{}`).
---@param src string
---@param what string names it in the error
---@return table? input
---@return string? err
local function json_object(src, what)
  if src:match('^%s*$') then return vim.empty_dict() end
  local ok, v = pcall(vim.json.decode, src)
  if not ok then
    return nil, ('%s: the input is not valid JSON: %s'):format(what, (tostring(v):gsub('^.-:%d+: ', '')))
  end
  if type(v) ~= 'table' or (next(v) ~= nil and vim.islist(v)) then
    return nil, ('%s: the input must be a JSON object, like {"name": "value"}'):format(what)
  end
  return v
end

---The editable text of a model's answer, built like the request's.
---@param server string
---@param result table a `CreateMessageResult`
---@param provider string the provider's name, for the first line
---@return string[] lines
---@return integer first the line (1-based) to put the cursor on
---@return mcp.ui.Hl[] hls
function M.result_lines(server, result, provider)
  local b = require('mcp.ui.builder').new()
  b:add(('# the model answered %s (through %s)'):format(text.name(server, 0), text.name(provider, 0)), 'McpDescription')
  b:add('model: ' .. text.name(nonil(result.model) or '', 0))
  b:add('stop reason: ' .. text.name(nonil(result.stopReason) or '', 0))
  local extra = {}
  local uses = {}
  for _, c in ipairs(blocks(result.content)) do
    if c.type == 'tool_use' then
      uses[#uses + 1] = c
    elseif c.type ~= 'text' then
      extra[#extra + 1] = describe(c)
    end
  end
  local kept = #extra > 0 and (' · ' .. table.concat(extra, ' · ') .. ' (kept as is)') or ''
  b:add(('── answer%s ──'):format(kept), 'McpSection')
  local first = b.count + 1
  local t = joined_text(result.content)
  if t ~= '' then
    for _, l in ipairs(text.lines(t)) do
      b:add(l)
    end
  end
  for i, u in ipairs(uses) do
    b:add(
      ('── tool_use %d: %s (id %s; input as JSON) ──'):format(
        i,
        text.name(nonil(u.name), 60),
        text.name(nonil(u.id), 60)
      ),
      'McpSection'
    )
    -- json.lines, not the builder's json(): its note on deep nesting would not read back as JSON.
    for _, l in ipairs((require('mcp.core.json').lines(util.object(nonil(u.input))))) do
      b:add(l)
    end
  end
  local r = b:done()
  return r.lines, math.min(first, #r.lines), r.hls
end

---The answer as edited: `model`, `stop reason`, the text and each tool call's input from `lines`.
---@param result table the answer as the provider gave it
---@param lines string[] the buffer
---@return table? result
---@return string? err
function M.parse_result(result, lines)
  local pre, secs = sections(lines)
  local f, err = fields(pre, { model = true, ['stop reason'] = true })
  if not f then return nil, err end
  local out = vim.deepcopy(result)
  out.role = 'assistant'
  if not f.model or f.model == '' then return nil, 'model: name the model that answered' end
  if f.model ~= text.name(nonil(result.model) or '', 0) then out.model = f.model end
  if f['stop reason'] ~= text.name(nonil(result.stopReason) or '', 0) then
    out.stopReason = f['stop reason'] ~= '' and f['stop reason'] or nil
  end
  if #secs == 0 or not secs[1].marker:match('^── answer') then
    return nil, 'the line "── answer ──" is gone (press u to undo)'
  end
  local content = with_text(out.content, body(secs[1].lines), body(text.lines(joined_text(result.content))))
  local list = blocks(content)
  local k = 0
  for _, b in ipairs(list) do
    if b.type == 'tool_use' then
      k = k + 1
      local sec = secs[k + 1]
      if not sec or not sec.marker:match(('^── tool_use %d:'):format(k)) then
        return nil, ('the line "── tool_use %d: ..." is missing or out of order (press u to undo)'):format(k)
      end
      local input, perr = json_object(body(sec.lines), ('tool_use %d'):format(k))
      if not input then return nil, perr end
      b.input = util.object(input)
    end
  end
  if #list == 0 then return nil, 'the answer has no content left (give it some text)' end
  out.content = content
  return out
end

return M
