--- Live resource buffers (|mcp-resource-buffers|): `mcp://{server}/{uri}` read through the host by
--- |BufReadCmd|, reloaded when the server says the resource changed (subscriptions counted per buffer),
--- never written. The plugin's own `mcp://` buffers (hub, results) are told apart by `mcp.ui.buffer`.
local M = {}

local notify = require('mcp.core.util').notify
local text = require('mcp.core.text')

---Splits a buffer name `mcp://{server}/{uri}`; the server is the longest configured name that fits.
---@param name string
---@return string? server
---@return string? uri
function M.parse_name(name)
  local rest = name:match('^mcp://(.*)$')
  if not rest then return nil end
  return require('mcp.servers').split(rest)
end

---@class mcp.resources.Buf
---@field server string
---@field uri string
---@field subscribed boolean
---@field warned boolean warned that an update was not applied (buffer modified)

---@type table<integer, mcp.resources.Buf>
local bufs = {}
---@type table<string, integer> subscription counts by server and URI
local subs = {}

local augroup ---@type integer?

---MIME type → filetype, where the MIME type says more than the extension.
M.mime_filetypes = {
  ['text/markdown'] = 'markdown',
  ['text/x-markdown'] = 'markdown',
  ['application/json'] = 'json',
  ['application/ld+json'] = 'json',
  ['application/schema+json'] = 'json',
  ['text/html'] = 'html',
  ['text/css'] = 'css',
  ['text/csv'] = 'csv',
  ['text/javascript'] = 'javascript',
  ['application/javascript'] = 'javascript',
  ['application/typescript'] = 'typescript',
  ['text/x-python'] = 'python',
  ['text/x-lua'] = 'lua',
  ['text/x-c'] = 'c',
  ['text/x-rust'] = 'rust',
  ['text/x-go'] = 'go',
  ['text/x-sh'] = 'sh',
  ['application/x-sh'] = 'sh',
  ['application/xml'] = 'xml',
  ['text/xml'] = 'xml',
  ['application/yaml'] = 'yaml',
  ['application/x-yaml'] = 'yaml',
  ['text/yaml'] = 'yaml',
  ['application/toml'] = 'toml',
  ['application/sql'] = 'sql',
  ['text/x-diff'] = 'diff',
  ['text/x-patch'] = 'diff',
}

---The filetype of a resource: from a specific MIME type, else from the URI's extension
---(|vim.filetype.match()|), else `text` for any `text/*`.
---@param uri string
---@param mime? string
---@return string? filetype
function M.filetype(uri, mime)
  mime = (mime or ''):lower():gsub(';.*$', ''):gsub('%s', '')
  if M.mime_filetypes[mime] then return M.mime_filetypes[mime] end
  local path = uri:gsub('[?#].*$', '')
  local ok, ft = pcall(vim.filetype.match, { filename = path })
  if ok and ft then return ft end
  if mime:match('^text/') then return 'text' end
  return nil
end

---@param server string
---@param uri string
---@return string
local function sub_key(server, uri) return server .. '\n' .. uri end

---Does the server support `resources/subscribe`?
---@param server string
---@return boolean
local function can_subscribe(server)
  local s = require('mcp.core.store').snapshot(server)
  local r = s and type(s.capabilities) == 'table' and s.capabilities.resources or nil
  return type(r) == 'table' and r.subscribe == true
end

---@param buf integer
local function release(buf)
  local b = bufs[buf]
  bufs[buf] = nil
  if not b or not b.subscribed then return end
  local k = sub_key(b.server, b.uri)
  subs[k] = (subs[k] or 1) - 1
  if subs[k] <= 0 then
    subs[k] = nil
    require('mcp').unsubscribe(b.server, b.uri, function() end)
  end
end

---@param buf integer
local function subscribe(buf)
  local b = bufs[buf]
  if not b or b.subscribed or not can_subscribe(b.server) then return end
  b.subscribed = true
  local k = sub_key(b.server, b.uri)
  subs[k] = (subs[k] or 0) + 1
  if subs[k] == 1 then
    require('mcp').subscribe(b.server, b.uri, function(err)
      if err then
        notify(
          ('subscribe to %s: %s (the buffer will not update by itself)'):format(
            text.name(b.uri, 0),
            text.line(err.message, 0)
          ),
          vim.log.levels.WARN
        )
      end
    end)
  end
  vim.b[buf].mcp_subscribed = true
end

---Replaces a buffer's lines without an undo step, keeping every window's view.
---@param buf integer
---@param lines string[]
local function replace(buf, lines)
  local views = {}
  for _, win in ipairs(vim.fn.win_findbuf(buf)) do
    views[win] = vim.api.nvim_win_call(win, vim.fn.winsaveview)
  end
  local ul, ma = vim.bo[buf].undolevels, vim.bo[buf].modifiable
  vim.bo[buf].undolevels, vim.bo[buf].modifiable = -1, true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].undolevels, vim.bo[buf].modifiable = ul, ma
  vim.bo[buf].modified = false
  for win, view in pairs(views) do
    if vim.api.nvim_win_is_valid(win) then vim.api.nvim_win_call(win, function() vim.fn.winrestview(view) end) end
  end
end

---After the buffer holds the resource: its MIME type and filetype, the subscription, `McpResourceRead`.
---@param buf integer
---@param b mcp.resources.Buf
---@param info { binary: boolean, mimeType?: string }
---@param initial? boolean
local function loaded(buf, b, info, initial)
  b.warned = false
  vim.b[buf].mcp_loading = false
  vim.b[buf].mcp_reads = (vim.b[buf].mcp_reads or 0) + 1
  local mime = info.mimeType
  if not mime then
    local r = require('mcp.resources').listed(b.server, b.uri)
    mime = r and r.mimeType or nil
  end
  vim.b[buf].mcp_mime_type = mime
  -- (Set once every line is in: a filetype set before would highlight and parse each slice again.)
  local ft = not info.binary and M.filetype(b.uri, mime) or nil
  if ft and vim.bo[buf].filetype ~= ft then vim.bo[buf].filetype = ft end
  if initial then subscribe(buf) end
  local events = require('mcp.core.events')
  events.fire_now(events.names.resource_read, { buf = buf, server = b.server, uri = b.uri })
end

---(Re)reads the resource shown in `buf`. A buffer with unsaved edits is left alone (with a warning). A
---text resource fills the buffer without stopping the editor (`mcp.resources.fill`: a big one a slice of
---the main loop at a time; `b:mcp_loading` stays true until every line is in).
---@param buf integer
---@param initial? boolean first read (BufReadCmd)
function M.load(buf, initial)
  local b = bufs[buf]
  if not b then return end
  vim.b[buf].mcp_loading = true
  require('mcp').read_resource(b.server, b.uri, function(err, result)
    if bufs[buf] ~= b or not vim.api.nvim_buf_is_loaded(buf) then return end
    if err then
      vim.b[buf].mcp_loading = false
      local what = ('read %s from %s'):format(text.name(b.uri, 0), text.name(b.server))
      notify(('%s: %s'):format(what, text.line(err.message, 0)), vim.log.levels.ERROR)
      return
    end
    if vim.bo[buf].modified then
      vim.b[buf].mcp_loading = false
      if not b.warned then
        b.warned = true
        notify(
          ('%s changed on %s, but its buffer has unsaved edits: not reloaded (:e! reloads it)'):format(
            text.name(b.uri, 0),
            text.name(b.server)
          ),
          vim.log.levels.WARN
        )
      end
      return
    end
    local contents = type(result) == 'table' and type(result.contents) == 'table' and result.contents or {}
    local first = contents[1]
    if #contents == 1 and type(first) == 'table' and type(first.text) == 'string' then
      local info = { binary = false, mimeType = type(first.mimeType) == 'string' and first.mimeType or nil }
      require('mcp.resources.fill').fill(buf, first.text, function()
        if bufs[buf] == b then loaded(buf, b, info, initial) end
      end)
      return
    end
    require('mcp.resources.fill').cancel(buf)
    local lines, info = require('mcp.ui.result').resource_lines(b.server, b.uri, result)
    replace(buf, lines)
    loaded(buf, b, info, initial)
  end)
end

local function setup_autocmds()
  if augroup then return end
  augroup = vim.api.nvim_create_augroup('mcp.resources.buffers', { clear = true })
  vim.api.nvim_create_autocmd('User', {
    group = augroup,
    pattern = 'McpResourceUpdated',
    desc = 'mcp.nvim: reload resource buffers',
    callback = function(ev)
      local d = ev.data or {}
      for buf, b in pairs(bufs) do
        if b.server == d.server and b.uri == d.uri and vim.api.nvim_buf_is_loaded(buf) then M.load(buf, false) end
      end
    end,
  })
  vim.api.nvim_create_autocmd({ 'BufUnload', 'BufWipeout' }, {
    group = augroup,
    pattern = 'mcp://*',
    desc = 'mcp.nvim: unsubscribe from resources no buffer shows',
    callback = function(ev) release(ev.buf) end,
  })
  vim.api.nvim_create_autocmd('BufWriteCmd', {
    group = augroup,
    pattern = 'mcp://*',
    desc = 'mcp.nvim: resources cannot be written',
    callback = function() notify('MCP resources are read-only: write a copy with :w {file}', vim.log.levels.ERROR) end,
  })
end

---|BufReadCmd| of `mcp://*`: reads the resource `mcp://{server}/{uri}` into `buf` (asynchronously: the
---buffer fills when the server answers), sets its filetype, and subscribes to updates when the server
---supports them. The plugin's own buffers (`mcp://hub`, `mcp://result/...`) are left alone.
---@param buf integer
function M.read_cmd(buf)
  if require('mcp.ui.buffer').kind(buf) then return end -- the hub, a result: not a resource
  local name = vim.api.nvim_buf_get_name(buf)
  local server, uri = M.parse_name(name)
  if not server or not uri or uri == '' then
    notify(('%s: expected mcp://{server}/{uri}'):format(name), vim.log.levels.ERROR)
    return
  end
  setup_autocmds()
  if bufs[buf] and (bufs[buf].server ~= server or bufs[buf].uri ~= uri) then release(buf) end
  bufs[buf] = bufs[buf] or { server = server, uri = uri, subscribed = false, warned = false }
  vim.bo[buf].buftype = 'acwrite'
  vim.bo[buf].swapfile = false
  -- The text is the server's: a modeline in it must not set options (`:filetype detect`, `:doautocmd`
  -- and showing the buffer in a window would apply it).
  vim.bo[buf].modeline = false
  vim.b[buf].mcp_resource = { server = server, uri = uri }
  -- A fill still running (`:e` while a big resource loads) stops: `:e` emptied the buffer under it.
  require('mcp.resources.fill').cancel(buf)
  M.load(buf, true)
end

---|FileReadCmd| of `mcp://*` (`:read mcp://{server}/{uri}`): inserts the resource below the cursor.
---@param name string
function M.file_read_cmd(name)
  local server, uri = M.parse_name(name)
  if not server or not uri or uri == '' then
    return notify(('%s: expected mcp://{server}/{uri}'):format(name), vim.log.levels.ERROR)
  end
  require('mcp.resources').insert(server, uri)
end

---The resources subscribed to for buffers, with how many buffers show each.
---@return { server: string, uri: string, buffers: integer }[]
function M.subscriptions()
  local out = {}
  for k, n in pairs(subs) do
    local server, uri = k:match('^([^\n]*)\n(.*)$')
    out[#out + 1] = { server = server, uri = uri, buffers = n }
  end
  table.sort(out, function(a, b) return a.server .. a.uri < b.server .. b.uri end)
  return out
end

---Buffers showing resources: `{ [buf] = { server, uri, subscribed } }` (a copy).
---@return table<integer, { server: string, uri: string, subscribed: boolean }>
function M.buffers() return vim.deepcopy(bufs) end

return M
