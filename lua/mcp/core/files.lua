--- Binary MCP content (images, audio, resource blobs) as files: decoded from base64 and written under
--- `stdpath("cache") .. "/mcp/"`, named after what they came from, with an extension from the MIME type.
--- Never inserted into a buffer as text.
local M = {}

---File extension by MIME type.
local EXT = {
  ['image/png'] = 'png',
  ['image/jpeg'] = 'jpg',
  ['image/jpg'] = 'jpg',
  ['image/gif'] = 'gif',
  ['image/webp'] = 'webp',
  ['image/svg+xml'] = 'svg',
  ['image/bmp'] = 'bmp',
  ['image/x-icon'] = 'ico',
  ['audio/wav'] = 'wav',
  ['audio/x-wav'] = 'wav',
  ['audio/wave'] = 'wav',
  ['audio/mpeg'] = 'mp3',
  ['audio/mp3'] = 'mp3',
  ['audio/ogg'] = 'ogg',
  ['audio/webm'] = 'webm',
  ['audio/flac'] = 'flac',
  ['audio/aac'] = 'aac',
  ['audio/mp4'] = 'm4a',
  ['application/pdf'] = 'pdf',
  ['application/json'] = 'json',
  ['application/zip'] = 'zip',
  ['application/octet-stream'] = 'bin',
  ['text/plain'] = 'txt',
  ['text/html'] = 'html',
  ['text/markdown'] = 'md',
  ['text/csv'] = 'csv',
}

---@param mime string?
---@return string
function M.extension(mime)
  mime = (mime or ''):lower():gsub(';.*$', ''):gsub('%s', '')
  if EXT[mime] then return EXT[mime] end
  local sub = mime:match('^[%w.-]+/([%w.-]+)$')
  if sub then
    sub = sub:gsub('^x%-', ''):gsub('^vnd%.', '')
    if #sub > 0 and #sub <= 8 and sub:match('^[%w]+$') then return sub end
  end
  return 'bin'
end

---@param s string
---@return string
local function safe(s) return (tostring(s):gsub('[^%w._-]', '_'):sub(1, 60)) end

---Files written by this Neovim so far (makes names unique within a second).
local counter = 0

---Decodes base64 `data` and writes it to a new file under `stdpath("cache")/mcp/`.
---@param data string base64
---@param mime string?
---@param stem string file name stem (sanitized)
---@return string? path
---@return string? err
function M.write_blob(data, mime, stem)
  local ok, bytes = pcall(vim.base64.decode, (data:gsub('%s', '')))
  if not ok then return nil, 'invalid base64: ' .. tostring(bytes) end
  local dir = vim.fn.stdpath('cache') .. '/mcp'
  vim.fn.mkdir(dir, 'p')
  counter = counter + 1
  local path = ('%s/%s-%s-%d.%s'):format(dir, safe(stem), os.date('%Y%m%d-%H%M%S'), counter, M.extension(mime))
  local f, err = io.open(path, 'wb')
  if not f then return nil, err end
  f:write(bytes)
  f:close()
  return path
end

---Decoded size of base64 text, in bytes (whitespace ignored).
---@param b64 string
---@return integer bytes
function M.decoded_size(b64)
  b64 = b64:gsub('%s', '')
  return math.floor(#b64 * 3 / 4) - #(b64:match('=*$'))
end

return M
