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

---Mode of the directory and of each file: what a server sent is for this user only.
local DIR_MODE = tonumber('700', 8)
local FILE_MODE = tonumber('600', 8)

---A name part no other Neovim sharing the cache directory can draw: the pid and 48 random bits.
---@return string
local function unique()
  local ok, bytes = pcall(vim.uv.random, 6)
  if not ok or type(bytes) ~= 'string' then bytes = tostring(vim.uv.hrtime()) .. tostring(math.random()) end
  return ('%d-%s'):format(
    vim.fn.getpid(),
    (bytes:gsub('.', function(c) return ('%02x'):format(c:byte()) end)):sub(1, 12)
  )
end

---The directory of written files, mode 0700 (tightened if it exists with a wider mode).
---@return string? dir
---@return string? err
local function blob_dir()
  local dir = vim.fn.stdpath('cache') .. '/mcp'
  if vim.fn.isdirectory(dir) == 0 and vim.fn.mkdir(dir, 'p', DIR_MODE) == 0 then return nil, 'cannot create ' .. dir end
  vim.uv.fs_chmod(dir, DIR_MODE)
  return dir
end

---Decodes base64 `data` and writes it to a new file under `stdpath("cache")/mcp/` (mode 0700), named
---`<stem>-<date>-<pid>-<random>.<ext>`, mode 0600, created exclusively: two Neovims sharing the
---directory never write (or show) each other's file.
---@param data string base64
---@param mime string?
---@param stem string file name stem (sanitized)
---@return string? path
---@return string? err
function M.write_blob(data, mime, stem)
  local ok, bytes = pcall(vim.base64.decode, (data:gsub('%s', '')))
  if not ok then return nil, 'invalid base64: ' .. tostring(bytes) end
  local dir, derr = blob_dir()
  if not dir then return nil, derr end
  local path, fd, err
  for _ = 1, 5 do
    path = ('%s/%s-%s-%s.%s'):format(dir, safe(stem), os.date('%Y%m%d-%H%M%S'), unique(), M.extension(mime))
    fd, err = vim.uv.fs_open(path, 'wx', FILE_MODE)
    if fd then break end
  end
  if not fd then return nil, ('cannot write %s: %s'):format(path, err) end
  local _, werr = vim.uv.fs_write(fd, bytes, 0)
  vim.uv.fs_close(fd)
  if werr then return nil, ('cannot write %s: %s'):format(path, werr) end
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
