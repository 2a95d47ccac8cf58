--- Renders MCP results for a person: tool results, prompts and resource contents, each in a scratch
--- buffer named `mcp://result/...` (|mcp-results|). Binary content (images, audio, blobs) is written to
--- files under `stdpath("cache") .. "/mcp/"` and shown by path.
---
--- The same content rendering gives the plain lines that `:Mcp prompt` and `:Mcp resource` insert into a
--- buffer (`prompt_lines`, `resource_lines`, `insert`): there is one renderer of MCP content.
local M = {}

local text = require('mcp.core.text')
local hl = require('mcp.ui.hl')

---@class mcp.ui.ShowOpts
---@field mods? string command modifiers for the window (`vertical`, `tab`, `botright`, ...), as `:h <mods>`
---@field enter? boolean move the cursor to the window (default true)

---@return mcp.ui.Builder
local function builder() return require('mcp.ui.builder').new() end

---@param b mcp.ui.Builder
---@param label string
---@param data string
---@param mime string?
---@param stem string
local function blob(b, label, data, mime, stem)
  local path, err = require('mcp.core.files').write_blob(data, mime, stem)
  local size = math.floor(#data * 3 / 4)
  if path then
    b.files[#b.files + 1] = path
    b:add(('[%s %s, %d bytes] %s'):format(label, text.name(mime), vim.fn.getfsize(path), path), 'McpPath')
  else
    b:add(('[%s %s, ~%d bytes] not written: %s'):format(label, text.name(mime), size, err), 'McpError')
  end
end

---One content block (spec: ContentBlock) as lines.
---@param b mcp.ui.Builder
---@param item table
---@param stem string
local function content(b, item, stem)
  local ty = item.type
  if ty == 'text' then
    b:text(item.text or '')
  elseif ty == 'image' or ty == 'audio' then
    blob(b, ty, item.data or '', item.mimeType, stem)
  elseif ty == 'resource_link' then
    local parts = { '[resource link]', text.name(item.title or item.name), text.name(item.uri or '', 0) }
    if item.mimeType then parts[#parts + 1] = text.name(item.mimeType) end
    b:add(table.concat(parts, '  '), 'McpLabel')
    if item.description then b:text(item.description, 'McpDescription') end
  elseif ty == 'resource' then
    local r = item.resource or {}
    local label = text.name(r.uri, 0) .. (r.mimeType and ('  ' .. text.name(r.mimeType)) or '')
    b:add(('[resource] %s'):format(label), 'McpLabel')
    if r.text then
      b:text(r.text)
    elseif r.blob then
      blob(b, 'blob', r.blob, r.mimeType, stem)
    end
  else
    b:json(item)
  end
end

---Renders a `tools/call` result.
---@param server string
---@param tool string
---@param result mcp.CallToolResult
---@return mcp.ui.Rendered
function M.render_tool(server, tool, result)
  local b = builder()
  M.fill_tool(b, server, tool, result)
  return b:done()
end

---A text block longer than this (bytes) is not compared with `structuredContent` (that would decode it
---as JSON in one go): it is shown as it is.
M.max_compare_bytes = 1024 * 1024

---Adds the lines of a `tools/call` result to a builder.
---@param b mcp.ui.Builder
---@param server string
---@param tool string
---@param result mcp.CallToolResult
function M.fill_tool(b, server, tool, result)
  result = type(result) == 'table' and result or {}
  if result.isError == true then
    b:add(('Error from %s/%s'):format(text.name(server), text.name(tool)), 'McpHeaderError')
  else
    b:add(('Result of %s/%s'):format(text.name(server), text.name(tool)), 'McpHeader')
  end
  local structured = result.structuredContent
  if structured == vim.NIL then structured = nil end
  local items = type(result.content) == 'table' and result.content or {}
  local shown = 0
  for _, item in ipairs(items) do
    -- A text block that only repeats `structuredContent` as JSON (as the spec suggests for older clients)
    -- is shown once, below, as pretty JSON.
    local dup = false
    if structured ~= nil and item.type == 'text' and #tostring(item.text or '') <= M.max_compare_bytes then
      local ok, decoded = pcall(vim.json.decode, item.text or '')
      dup = ok and vim.deep_equal(decoded, structured)
    end
    if not dup then
      b:blank()
      content(b, item, server .. '-' .. tool)
      shown = shown + 1
    end
  end
  if structured ~= nil then
    b:blank()
    b:add('Structured content:', 'McpSection')
    b:json(structured)
  elseif shown == 0 then
    b:blank()
    b:add('(no content)', 'McpDescription')
  end
end

---Adds prompt messages (spec: PromptMessage) to a builder, separated by blank lines.
---@param b mcp.ui.Builder
---@param list table[] `{ role, content }` items
---@param stem string file name stem for binary content
---@param roles boolean precede each message with a `[role]` line
local function messages(b, list, stem, roles)
  for _, msg in ipairs(list) do
    b:blank()
    if roles then b:add(('[%s]'):format(text.name(msg.role)), 'McpSection') end
    local c = msg.content
    if type(c) == 'table' and c.type then
      content(b, c, stem)
    elseif type(c) == 'table' then
      for _, item in ipairs(c) do
        content(b, item, stem)
      end
    end
  end
end

---Renders a `prompts/get` result.
---@param server string
---@param name string
---@param result { description?: string, messages?: { role: string, content: table }[] }
---@return mcp.ui.Rendered
function M.render_prompt(server, name, result)
  local b = builder()
  M.fill_prompt(b, server, name, result)
  return b:done()
end

---Adds the lines of a `prompts/get` result to a builder.
---@param b mcp.ui.Builder
---@param server string
---@param name string
---@param result table `prompts/get` result
function M.fill_prompt(b, server, name, result)
  result = type(result) == 'table' and result or {}
  b:add(('Prompt %s/%s'):format(text.name(server), text.name(name)), 'McpHeader')
  if type(result.description) == 'string' then b:text(result.description, 'McpDescription') end
  messages(b, type(result.messages) == 'table' and result.messages or {}, server .. '-' .. name, true)
end

---@class mcp.ui.PromptLinesOpts
---@field roles? boolean|"auto" precede each message with a `[role]` line: always (true), never (false), or
---  only when the messages have more than one role ("auto", the default)
---@field stem? string file name stem for binary content written to disk (default "prompt")

---The messages of a `prompts/get` result as plain lines, the way they are inserted into a buffer: each
---message's content (text as is; images, audio and blobs written to files under
---`stdpath("cache") .. "/mcp/"` and given by path; embedded resources as a `[resource] {uri}` line and
---their text; resource links as one line), messages separated by an empty line. No header.
---@param result { messages?: { role: string, content: table }[] } `prompts/get` result
---@param opts? mcp.ui.PromptLinesOpts
---@return string[] lines
---@return string[] files files written for binary content
function M.prompt_lines(result, opts)
  opts = opts or {}
  local list = type(result) == 'table' and type(result.messages) == 'table' and result.messages or {}
  local roles = opts.roles
  if roles == nil or roles == 'auto' then
    local seen, n = {}, 0
    for _, m in ipairs(list) do
      if not seen[m.role or '?'] then
        seen[m.role or '?'], n = true, n + 1
      end
    end
    roles = n > 1
  end
  local b = builder()
  messages(b, list, opts.stem or 'prompt', roles == true)
  local r = b:done()
  return r.lines, r.files
end

---Adds the contents of a `resources/read` result, each under a `[{uri}]  {mimeType}` label.
---@param b mcp.ui.Builder
---@param server string
---@param uri string
---@param contents table[]
local function resource_contents(b, server, uri, contents)
  for _, c in ipairs(contents) do
    b:blank()
    local mime = c.mimeType and ('  ' .. text.name(c.mimeType)) or ''
    b:add(('[%s]%s'):format(text.name(c.uri or uri, 0), mime), 'McpLabel')
    if c.text then
      b:text(c.text)
    elseif c.blob then
      blob(b, 'blob', c.blob, c.mimeType, server .. '-resource')
    end
  end
end

---Renders a `resources/read` result.
---@param server string
---@param uri string
---@param result { contents?: table[] }
---@return mcp.ui.Rendered
function M.render_resource(server, uri, result)
  local b = builder()
  M.fill_resource(b, server, uri, result)
  return b:done()
end

---Adds the lines of a `resources/read` result to a builder.
---@param b mcp.ui.Builder
---@param server string
---@param uri string
---@param result table `resources/read` result
function M.fill_resource(b, server, uri, result)
  result = type(result) == 'table' and result or {}
  b:add(('Resource %s %s'):format(text.name(server), text.name(uri, 0)), 'McpHeader')
  resource_contents(b, server, uri, type(result.contents) == 'table' and result.contents or {})
end

---Splits a text into lines the way a file is read: a final newline ends the last line, it does not
---start an empty one; `\r\n` counts as one newline.
---@param s string
---@return string[]
function M.text_lines(s)
  -- A plain split is ten times faster than the pattern (10 MB: 9 ms instead of 90 ms); most text has no \r.
  local lines = s:find('\r', 1, true) and vim.split(s, '\r?\n') or vim.split(s, '\n', { plain = true })
  if #lines > 1 and lines[#lines] == '' then lines[#lines] = nil end
  return lines
end

---The contents of a `resources/read` result as the lines a buffer gets. One text content: its text,
---exactly. One binary content (`blob`): never its bytes, but one line naming the file it was written to
---(under `stdpath("cache") .. "/mcp/"`): `[blob {mimeType}, {n} bytes] {path}`. Several contents: each
---under a `[{uri}]  {mimeType}` label, separated by empty lines.
---@param server string
---@param uri string
---@param result { contents?: table[] } `resources/read` result
---@return string[] lines
---@return { binary: boolean, files: string[], mimeType?: string } info `binary`: the only content is a
---  blob; `mimeType` of the first content
function M.resource_lines(server, uri, result)
  local contents = type(result) == 'table' and type(result.contents) == 'table' and result.contents or {}
  local first = contents[1]
  local mime = first and type(first.mimeType) == 'string' and first.mimeType or nil
  if #contents == 1 and type(first.text) == 'string' then
    return M.text_lines(first.text), { binary = false, files = {}, mimeType = mime }
  end
  local b = builder()
  if #contents == 1 and type(first.blob) == 'string' then
    blob(b, 'blob', first.blob, first.mimeType, server .. '-resource')
    local r = b:done()
    return r.lines, { binary = true, files = r.files, mimeType = mime }
  end
  resource_contents(b, server, uri, contents)
  local r = b:done()
  if r.lines[1] == '' then table.remove(r.lines, 1) end
  return r.lines, { binary = false, files = r.files, mimeType = mime }
end

---Finds a buffer by its exact name.
---@param name string
---@return integer?
local function find_buf(name)
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_valid(buf) and vim.api.nvim_buf_get_name(buf) == name then return buf end
  end
end

---The result buffer `name`, created if needed, shown in a window of the current tab page.
---@param name string buffer name (`mcp://result/...`)
---@param opts? mcp.ui.ShowOpts
---@return integer buf
---@return integer win
local function result_window(name, opts)
  opts = opts or {}
  hl.setup()
  local buf = find_buf(name)
  if not buf then
    buf = require('mcp.ui.buffer').create(name, 'result', { bufhidden = 'wipe', filetype = 'mcp_result' })
    vim.keymap.set(
      'n',
      'q',
      function() require('mcp.ui.window').close(buf) end,
      { buffer = buf, nowait = true, desc = 'mcp: close' }
    )
  end
  local win = require('mcp.ui.window').show(buf, { mods = opts.mods, enter = opts.enter })
  return buf, win
end

---Shows what `render` adds to a builder in the scratch buffer `name`, in a window of the current tab
---page. A big result fills the buffer a slice at a time and stops at a cap line (|mcp-results-big|,
---`mcp.ui.stream`); a small one is complete when this returns.
---@param name string buffer name (`mcp://result/...`)
---@param render fun(b: mcp.ui.Builder)
---@param opts? mcp.ui.ShowOpts
---@return integer buf
---@return integer win
function M.show(name, render, opts)
  local buf, win = result_window(name, opts)
  require('mcp.ui.stream').fill(buf, render)
  vim.api.nvim_win_set_cursor(win, { 1, 0 })
  return buf, win
end

---The first line of an error result's text, for the warning.
---@param result table
---@return string
local function first_error_line(result)
  for _, item in ipairs(type(result.content) == 'table' and result.content or {}) do
    if type(item) == 'table' and item.type == 'text' and type(item.text) == 'string' then
      local line = text.first_line(item.text:sub(1, 4096))
      if line ~= '' then return line end
    end
  end
  return ''
end

---Shows a tool result (and warns when `isError` is set).
---@param server string
---@param tool string
---@param result mcp.CallToolResult
---@param opts? mcp.ui.ShowOpts
---@return integer buf
function M.tool(server, tool, result, opts)
  local name = ('mcp://result/%s/%s'):format(text.name(server, 0), text.name(tool, 0))
  local buf = M.show(name, function(b) M.fill_tool(b, server, tool, result) end, opts)
  if type(result) == 'table' and result.isError == true then
    require('mcp.core.util').warn(
      ('%s/%s returned an error: %s'):format(text.name(server), text.name(tool), first_error_line(result))
    )
  end
  return buf
end

---Shows a prompt's messages.
---@param server string
---@param name string
---@param result table `prompts/get` result
---@param opts? mcp.ui.ShowOpts
---@return integer buf
function M.prompt(server, name, result, opts)
  local bufname = ('mcp://result/%s/prompt:%s'):format(text.name(server, 0), text.name(name, 0))
  return (M.show(bufname, function(b) M.fill_prompt(b, server, name, result) end, opts))
end

---Shows a resource's contents.
---@param server string
---@param uri string
---@param result table `resources/read` result
---@param opts? mcp.ui.ShowOpts
---@return integer buf
function M.resource(server, uri, result, opts)
  local bufname = ('mcp://result/%s/read:%s'):format(text.name(server, 0), text.name(uri, 0))
  return (M.show(bufname, function(b) M.fill_resource(b, server, uri, result) end, opts))
end

return M
