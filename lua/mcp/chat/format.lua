--- A `tools/call` result in the form a chat hands to a model (|mcp-chat-result|). Pure: no editor state,
--- no files.
local M = {}

---One block of a tool result for a model. `type` is one of:
--- - `"text"`: `text`;
--- - `"image"`, `"audio"`: `mime_type`, `data` (base64, as the server sent it) and `text`, a one-line
---   description (`[image image/png, 1.2 KiB]`) for chats that cannot pass the data on;
--- - `"resource_link"`: `uri`, `name`, `mime_type?`, and `text` (one line naming them);
--- - `"resource"` (an embedded resource): `uri`, `mime_type?`, and `text` (its text), or for a binary
---   resource `data` (base64) with a description in `text`.
---@class mcp.chat.Block
---@field type "text"|"image"|"audio"|"resource_link"|"resource"
---@field text string what a text-only chat shows the model for this block
---@field mime_type? string
---@field data? string base64
---@field uri? string
---@field name? string

---A tool result for a model.
---@class mcp.chat.Result
---@field content mcp.chat.Block[] the blocks, in the server's order; `structuredContent` as a JSON text block
---@field is_error boolean the tool failed (`isError`), or the call was denied or failed: `text` says why
---@field text string every block's `text`, joined by newlines: the result for a chat that takes text only
---@field structured? table the server's `structuredContent`, as it came
---@field denied? boolean the user (or the `approve` option) denied the call

---Bytes, said short.
---@param n integer
---@return string
local function size(n)
  if n < 1024 then return ('%d B'):format(n) end
  if n < 1024 * 1024 then return ('%.1f KiB'):format(n / 1024) end
  return ('%.1f MiB'):format(n / 1024 / 1024)
end

---Decoded size of base64 text, in bytes.
---@param b64 string
---@return integer
local function decoded(b64)
  b64 = b64:gsub('%s', '')
  return math.floor(#b64 * 3 / 4) - #(b64:match('=*$'))
end

---@param v any
---@return string?
local function str(v) return type(v) == 'string' and v or nil end

---One MCP content item as a block.
---@param item table
---@return mcp.chat.Block
function M.block(item)
  local ty = item.type
  if ty == 'text' then return { type = 'text', text = str(item.text) or '' } end
  if ty == 'image' or ty == 'audio' then
    local data = str(item.data) or ''
    local mime = str(item.mimeType) or 'application/octet-stream'
    return {
      type = ty,
      mime_type = mime,
      data = data,
      text = ('[%s %s, %s]'):format(ty, mime, size(decoded(data))),
    }
  end
  if ty == 'resource_link' then
    local name = str(item.title) or str(item.name) or str(item.uri) or '?'
    local parts = { '[resource link]', name, str(item.uri) or '' }
    if str(item.mimeType) then parts[#parts + 1] = item.mimeType end
    local text = table.concat(parts, ' ')
    if str(item.description) then text = text .. '\n' .. item.description end
    return { type = 'resource_link', uri = str(item.uri), name = name, mime_type = str(item.mimeType), text = text }
  end
  if ty == 'resource' then
    local r = type(item.resource) == 'table' and item.resource or {}
    local b = { type = 'resource', uri = str(r.uri), mime_type = str(r.mimeType) }
    local head = ('[resource] %s%s'):format(b.uri or '?', b.mime_type and (' ' .. b.mime_type) or '')
    if str(r.text) then
      b.text = head .. '\n' .. r.text
    else
      b.data = str(r.blob) or ''
      b.text = ('%s, binary, %s]'):format(head:gsub('^%[resource%]', '[resource'), size(decoded(b.data)))
    end
    return b
  end
  -- A content type this version does not know: its JSON, so the model still sees it.
  return { type = 'text', text = vim.json.encode(item) }
end

---Does the text of some block already hold `structured` as JSON (servers should send both)?
---@param blocks mcp.chat.Block[]
---@param structured table
---@return boolean
local function has_json(blocks, structured)
  for _, b in ipairs(blocks) do
    if b.type == 'text' then
      local ok, v = pcall(vim.json.decode, b.text)
      if ok and vim.deep_equal(v, structured) then return true end
    end
  end
  return false
end

---A `tools/call` result for a model.
---@param result table the MCP `CallToolResult` (`content`, `structuredContent?`, `isError?`)
---@return mcp.chat.Result
function M.result(result)
  result = type(result) == 'table' and result or {}
  local blocks = {}
  for _, item in ipairs(type(result.content) == 'table' and result.content or {}) do
    if type(item) == 'table' then blocks[#blocks + 1] = M.block(item) end
  end
  local structured = type(result.structuredContent) == 'table' and result.structuredContent or nil
  if structured and not has_json(blocks, structured) then
    blocks[#blocks + 1] = { type = 'text', text = vim.json.encode(structured) }
  end
  local texts = {}
  for _, b in ipairs(blocks) do
    texts[#texts + 1] = b.text
  end
  return {
    content = blocks,
    is_error = result.isError == true,
    text = table.concat(texts, '\n'),
    structured = structured,
  }
end

---A tool error for a model: a call that did not reach the tool (denied, invalid arguments, the server
---gone, timed out), said so the model can read it.
---@param message string
---@param denied? boolean
---@return mcp.chat.Result
function M.error(message, denied)
  return { content = { { type = 'text', text = message } }, is_error = true, text = message, denied = denied or nil }
end

return M
