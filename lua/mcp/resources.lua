--- Resources as a user reaches them (|:Mcp-resource|, |mcp-resource-buffers|): the picker over every
--- server's resources and resource templates, template variables through the form (|mcp-forms|) with
--- completion, and the actions: insert at the cursor, open as a live `mcp://{server}/{uri}` buffer, yank
--- into a register. Binary contents are written to files, never inserted as text.
local M = {}

---Default of the `resource_max_bytes` option (|mcp-options|): 10 MiB.
M.default_max_bytes = 10 * 1024 * 1024

---The actions, in the order the action picker lists them.
M.actions = { 'insert', 'open', 'yank' }

local ACTION_LABEL = {
  insert = 'Insert at the cursor',
  open = 'Open as a buffer (mcp://…)',
  yank = 'Yank into a register',
}

---@param msg string
---@param level? integer
local function notify(msg, level)
  vim.notify('mcp: ' .. msg, level or vim.log.levels.INFO, { title = 'mcp' })
end

---The size above which insertion (and yanking) asks first, in bytes: the `resource_max_bytes` option.
---@return integer bytes
function M.max_bytes()
  local ok, cfg = pcall(require('mcp.config').get)
  local v = ok and cfg.resource_max_bytes or nil
  if type(v) == 'number' and v > 0 then return v end
  return M.default_max_bytes
end

---A byte count for people: `512 B`, `1.5 KiB`, `10.0 MiB`.
---@param n number bytes
---@return string
function M.human_size(n)
  if n < 1024 then return ('%d B'):format(n) end
  if n < 1024 * 1024 then return ('%.1f KiB'):format(n / 1024) end
  if n < 1024 * 1024 * 1024 then return ('%.1f MiB'):format(n / 1024 / 1024) end
  return ('%.1f GiB'):format(n / 1024 / 1024 / 1024)
end

---The buffer name of a resource.
---@param server string
---@param uri string
---@return string name `mcp://{server}/{uri}`
function M.buffer_name(server, uri)
  return ('mcp://%s/%s'):format(server, uri)
end

---Splits a buffer name `mcp://{server}/{uri}`; the server is the longest configured name that fits.
---@param name string
---@return string? server
---@return string? uri
function M.parse_name(name)
  local rest = name:match('^mcp://(.*)$')
  if not rest then return nil end
  return require('mcp.commands').split_server(rest)
end

---Is `name` one of the plugin's own buffers (the hub, results) rather than a resource?
---@param name string
---@return boolean
local function own_buffer(name)
  if name == 'mcp://hub' or name == 'mcp://roots' then return true end
  if name:match('^mcp://result/') then
    return not vim.tbl_contains(require('mcp.commands').server_names(), 'result')
  end
  return false
end

---The variables of an RFC 6570 URI template, in order of appearance, each once.
---@param template string e.g. `demo://resource/dynamic/text/{resourceId}` or `file:///{+path}{?q,lang}`
---@return { name: string, explode: boolean, query: boolean }[]
function M.template_variables(template)
  local out, seen = {}, {}
  for expr in template:gmatch('{([^}]*)}') do
    local op = expr:sub(1, 1)
    local query = op == '?' or op == '&'
    if op:match('[+#./;?&]') then expr = expr:sub(2) end
    for spec in vim.gsplit(expr, ',', { plain = true }) do
      local explode = spec:sub(-1) == '*'
      local name = vim.trim((spec:gsub('%*$', ''):gsub(':%d+$', '')))
      if name ~= '' and not seen[name] then
        seen[name] = true
        out[#out + 1] = { name = name, explode = explode, query = query }
      end
    end
  end
  return out
end

---An entry of the resource picker.
---@class mcp.resources.Item
---@field kind "resource"|"template"
---@field server string
---@field uri? string (resources)
---@field uriTemplate? string (templates)
---@field name string
---@field title? string
---@field description? string
---@field mimeType? string
---@field size? integer bytes, when the server said

---Every connected server's resources, then its resource templates, servers in config order.
---@param server? string only this server's
---@return mcp.resources.Item[]
function M.items(server)
  local mcp = require('mcp')
  local out = {}
  for _, s in ipairs(mcp.servers()) do
    if (server == nil or s.name == server) and s.status == 'connected' then
      for _, r in ipairs(mcp.resources(s.name)) do
        local it = vim.deepcopy(r)
        it.kind = 'resource'
        out[#out + 1] = it
      end
      for _, t in ipairs(mcp.resource_templates(s.name)) do
        local it = vim.deepcopy(t)
        it.kind = 'template'
        out[#out + 1] = it
      end
    end
  end
  return out
end

---One line describing a picker entry: name or title (with the name when they differ), URI (template),
---`template`, MIME type, size, first line of the description, `[server]`.
---@param item mcp.resources.Item
---@return string
function M.label(item)
  local parts = {}
  local title = type(item.title) == 'string' and item.title ~= '' and item.title or nil
  parts[1] = title and title ~= item.name and ('%s (%s)'):format(title, item.name) or (item.name or '?')
  parts[#parts + 1] = item.kind == 'template' and item.uriTemplate or item.uri
  if item.kind == 'template' then parts[#parts + 1] = 'template' end
  if type(item.mimeType) == 'string' then parts[#parts + 1] = item.mimeType end
  if type(item.size) == 'number' then parts[#parts + 1] = M.human_size(item.size) end
  if type(item.description) == 'string' and item.description ~= '' then
    parts[#parts + 1] = '— ' .. (item.description:match('^[^\r\n]*') or '')
  end
  parts[#parts + 1] = '[' .. item.server .. ']'
  return table.concat(parts, '  ')
end

---Byte size of the contents of a `resources/read` result (decoded size for blobs).
---@param result table
---@return integer text bytes of text contents
---@return integer blob bytes of binary contents
function M.content_size(result)
  local text, blob = 0, 0
  for _, c in ipairs(type(result) == 'table' and type(result.contents) == 'table' and result.contents or {}) do
    if type(c.text) == 'string' then text = text + #c.text end
    if type(c.blob) == 'string' then
      local b64 = c.blob:gsub('%s', '')
      blob = blob + math.floor(#b64 * 3 / 4) - #(b64:match('=*$'))
    end
  end
  return text, blob
end

---Asks (vim.ui.select, yes/no) when `bytes` exceeds the limit; `cb(true)` at once when it does not.
---@param what string
---@param bytes integer
---@param cb fun(ok: boolean)
local function confirm_size(what, bytes, cb)
  local max = M.max_bytes()
  if bytes <= max then return cb(true) end
  vim.ui.select({ 'Yes', 'No' }, {
    prompt = ('%s is %s, more than the limit of %s (resource_max_bytes). Insert it anyway?'):format(what, M.human_size(bytes), M.human_size(max)),
    kind = 'mcp.confirm',
  }, function(choice) cb(choice == 'Yes') end)
end

---The cached resource `uri` of `server`, if listed.
---@param server string
---@param uri string
---@return mcp.Resource?
local function listed(server, uri)
  for _, r in ipairs(require('mcp').resources(server)) do
    if r.uri == uri then return r end
  end
end

---Options of the resource actions.
---@class mcp.resources.Opts
---@field target? mcp.ui.Target where `insert` puts the contents (default: the current window now)
---@field register? string register for `yank` (default `"`)
---@field mods? string command modifiers for `open` (`vertical`, `tab`, ...): open in a split; without,
---  the current window shows the buffer
---@field on_done? fun(err: string?) called when the action finished (or failed, or was declined)

---Reads a resource for `insert`/`yank`, asking first when it is larger than the limit.
---@param server string
---@param uri string
---@param verb string "insert"|"yank", for messages
---@param cb fun(lines: string[]?, info: table?, err: string?)
local function read_checked(server, uri, verb, cb)
  local what = server .. ' ' .. uri
  local function read(confirmed)
    require('mcp').read_resource(server, uri, function(err, result)
      if err then return cb(nil, nil, ('read %s: %s'):format(what, err.message)) end
      local text = M.content_size(result)
      local function go(ok)
        if not ok then return cb(nil, nil, ('%s: not %s (larger than resource_max_bytes)'):format(what, verb == 'yank' and 'yanked' or 'inserted')) end
        local lines, info = require('mcp.ui.result').resource_lines(server, uri, result)
        cb(lines, info)
      end
      if confirmed then return go(true) end
      confirm_size(what, text, go)
    end)
  end
  local r = listed(server, uri)
  if r and type(r.size) == 'number' and r.size > M.max_bytes() then
    confirm_size(what, r.size, function(ok)
      if not ok then return cb(nil, nil, ('%s: not %s (larger than resource_max_bytes)'):format(what, verb == 'yank' and 'yanked' or 'inserted')) end
      read(true)
    end)
  else
    read(false)
  end
end

---Reads a resource and inserts its contents below the cursor line (|mcp-resource-actions|). Binary
---contents are written to a file; the inserted line names it.
---@param server string
---@param uri string
---@param opts? mcp.resources.Opts
function M.insert(server, uri, opts)
  opts = opts or {}
  local target = opts.target or require('mcp.ui.result').target()
  read_checked(server, uri, 'insert', function(lines, info, err)
    if err then
      notify(err, vim.log.levels.WARN)
      if opts.on_done then opts.on_done(err) end
      return
    end
    ---@cast lines string[]
    local ok, why = require('mcp.ui.result').insert(lines, target)
    if not ok then
      err = ('cannot insert %s here: %s'):format(uri, why)
      notify(err, vim.log.levels.ERROR)
    elseif info and info.binary then
      notify(('%s is binary: written to %s'):format(uri, info.files[1] or '?'))
    end
    if opts.on_done then opts.on_done(err) end
  end)
end

---Reads a resource into a register (linewise). For binary contents, the register gets the path of the
---file they were written to.
---@param server string
---@param uri string
---@param opts? mcp.resources.Opts
function M.yank(server, uri, opts)
  opts = opts or {}
  local reg = opts.register or '"'
  read_checked(server, uri, 'yank', function(lines, info, err)
    if err then
      notify(err, vim.log.levels.WARN)
      if opts.on_done then opts.on_done(err) end
      return
    end
    ---@cast lines string[]
    if info and info.binary and info.files[1] then
      vim.fn.setreg(reg, info.files[1], 'v')
      notify(('%s is binary: written to %s; its path is in register %s'):format(uri, info.files[1], reg))
    else
      vim.fn.setreg(reg, lines, 'l')
      notify(('yanked %d lines of %s into register %s'):format(#lines, uri, reg))
    end
    if opts.on_done then opts.on_done(nil) end
  end)
end

---Opens a resource as the buffer `mcp://{server}/{uri}` (read by |BufReadCmd|; live when the server
---supports subscriptions, |mcp-resource-buffers|).
---@param server string
---@param uri string
---@param opts? mcp.resources.Opts
---@return integer? buf
function M.open(server, uri, opts)
  opts = opts or {}
  local name = M.buffer_name(server, uri)
  local mods = opts.mods and opts.mods ~= '' and (opts.mods .. ' ') or ''
  local cmd = (mods ~= '' and (mods .. 'split ') or 'edit ') .. vim.fn.fnameescape(name)
  local ok, err = pcall(vim.cmd, cmd)
  if not ok then
    notify(('open %s: %s'):format(name, tostring(err):gsub('^Vim%(%a+%):', '')), vim.log.levels.ERROR)
    if opts.on_done then opts.on_done(tostring(err)) end
    return nil
  end
  if opts.on_done then opts.on_done(nil) end
  return vim.api.nvim_get_current_buf()
end

---Runs an action on a resource.
---@param action "insert"|"open"|"yank"
---@param server string
---@param uri string
---@param opts? mcp.resources.Opts
function M.act(action, server, uri, opts)
  if action == 'insert' then
    M.insert(server, uri, opts)
  elseif action == 'open' then
    M.open(server, uri, opts)
  elseif action == 'yank' then
    M.yank(server, uri, opts)
  else
    notify(('unknown resource action "%s" (expected insert, open or yank)'):format(tostring(action)), vim.log.levels.ERROR)
  end
end

---Asks for the variables of a resource template (the form, with completion through `ref/resource`),
---expands it (RFC 6570, by the host) and calls `cb(uri)`.
---@param server string
---@param template mcp.ResourceTemplate|{ uriTemplate: string, name?: string, description?: string }
---@param cb fun(uri: string)
---@param values? table<string, string> initial values
---@return mcp.form.Form? form nil when the template has no variables (then `cb` runs at once)
function M.expand(server, template, cb, values)
  local vars = M.template_variables(template.uriTemplate)
  local function expand(vars_values)
    require('mcp').expand_template(template.uriTemplate, vars_values, function(err, res)
      if err then return notify(('expand %s: %s'):format(template.uriTemplate, err.message), vim.log.levels.ERROR) end
      cb(res.uri)
    end)
  end
  if #vars == 0 then
    expand({})
    return nil
  end
  local props, required = {}, {}
  for _, v in ipairs(vars) do
    if v.explode then
      props[v.name] = { type = 'array', items = { type = 'string' }, description = 'several values, separated by commas' }
    else
      props[v.name] = { type = 'string' }
    end
    if not v.query then required[#required + 1] = v.name end
  end
  local desc = { template.uriTemplate }
  if type(template.description) == 'string' and template.description ~= '' then desc[#desc + 1] = template.description end
  return require('mcp.ui.form').open({
    title = ('template %s/%s'):format(server, template.name or template.uriTemplate),
    description = table.concat(desc, '\n'),
    schema = { properties = props, required = required },
    values = values,
    kind = 'template',
    complete = require('mcp.prompts').form_completer(server, { type = 'ref/resource', uri = template.uriTemplate }),
    on_submit = expand,
  })
end

---Asks which action to run (`vim.ui.select`), unless `action` is given.
---@param action? string
---@param cb fun(action: string)
local function with_action(action, cb)
  if action then return cb(action) end
  vim.ui.select(M.actions, {
    prompt = 'Resource action',
    kind = 'mcp.resource_action',
    format_item = function(a) return ACTION_LABEL[a] or a end,
  }, function(choice)
    if choice then cb(choice) end
  end)
end

---The resource picker (`vim.ui.select`) over every server's resources and resource templates; a template
---asks for its variables. Then `action` (asked for when nil) runs on the chosen resource.
---@param action? "insert"|"open"|"yank"
---@param opts? mcp.resources.Opts
function M.pick(action, opts)
  opts = opts or {}
  opts.target = opts.target or require('mcp.ui.result').target()
  local items = M.items()
  if #items == 0 then return notify('no resources (no connected server offers any)', vim.log.levels.WARN) end
  vim.ui.select(items, { prompt = 'MCP resource', kind = 'mcp.resource', format_item = M.label }, function(item)
    if not item then return end
    if item.kind == 'template' then
      M.expand(item.server, item, function(uri)
        with_action(action, function(a) M.act(a, item.server, uri, opts) end)
      end)
    else
      with_action(action, function(a) M.act(a, item.server, item.uri, opts) end)
    end
  end)
end

---`:Mcp resource [insert|open|yank [{register}]] [{server} {uri}]`.
---@param a mcp.CommandArgs
function M.command(a)
  local fargs = vim.deepcopy(a.fargs)
  local action
  if vim.tbl_contains(M.actions, fargs[1]) then action = table.remove(fargs, 1) end
  local opts = { mods = a.mods, target = require('mcp.ui.result').target() }
  if action == 'yank' and fargs[1] and #fargs[1] == 1 then opts.register = table.remove(fargs, 1) end
  if #fargs == 0 then return M.pick(action, opts) end
  if #fargs ~= 2 then
    return notify('usage: :Mcp resource [insert|open|yank [{register}]] [{server} {uri}]', vim.log.levels.ERROR)
  end
  local server, uri = fargs[1], fargs[2]
  for _, t in ipairs(require('mcp').resource_templates(server)) do
    if t.uriTemplate == uri then
      M.expand(server, t, function(expanded)
        with_action(action, function(act) M.act(act, server, expanded, opts) end)
      end)
      return
    end
  end
  with_action(action, function(act) M.act(act, server, uri, opts) end)
end

---Command-line completion after `:Mcp resource`.
---@param _ string lead
---@param words string[] the arguments before it
---@return string[]
function M.complete_cmdline(_, words)
  local i = 1
  if vim.tbl_contains(M.actions, words[1]) then i = 2 end
  if words[1] == 'yank' and words[2] and #words[2] == 1 then i = 3 end
  local n = #words - i + 1
  if n == 0 then
    local out = i == 1 and vim.deepcopy(M.actions) or {}
    vim.list_extend(out, require('mcp.commands').server_names())
    return out
  end
  if n == 1 then
    local out = {}
    for _, it in ipairs(M.items(words[i])) do out[#out + 1] = it.uri or it.uriTemplate end
    return out
  end
  return {}
end

-- Resource buffers ----------------------------------------------------------------------------------

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
local function sub_key(server, uri)
  return server .. '\n' .. uri
end

---Does the server support `resources/subscribe`?
---@param server string
---@return boolean
local function can_subscribe(server)
  local s = require('mcp.host').snapshot(server)
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
        notify(('subscribe to %s: %s (the buffer will not update by itself)'):format(b.uri, err.message), vim.log.levels.WARN)
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

---(Re)reads the resource shown in `buf`. A buffer with unsaved edits is left alone (with a warning).
---@param buf integer
---@param initial? boolean first read (BufReadCmd)
function M.load(buf, initial)
  local b = bufs[buf]
  if not b then return end
  vim.b[buf].mcp_loading = true
  require('mcp').read_resource(b.server, b.uri, function(err, result)
    if bufs[buf] ~= b or not vim.api.nvim_buf_is_loaded(buf) then return end
    vim.b[buf].mcp_loading = false
    if err then
      notify(('read %s from %s: %s'):format(b.uri, b.server, err.message), vim.log.levels.ERROR)
      return
    end
    if vim.bo[buf].modified then
      if not b.warned then
        b.warned = true
        notify(('%s changed on %s, but its buffer has unsaved edits: not reloaded (:e! reloads it)'):format(b.uri, b.server), vim.log.levels.WARN)
      end
      return
    end
    local lines, info = require('mcp.ui.result').resource_lines(b.server, b.uri, result)
    replace(buf, lines)
    b.warned = false
    vim.b[buf].mcp_reads = (vim.b[buf].mcp_reads or 0) + 1
    local mime = info.mimeType
    if not mime then
      local r = listed(b.server, b.uri)
      mime = r and r.mimeType or nil
    end
    vim.b[buf].mcp_mime_type = mime
    local ft = not info.binary and M.filetype(b.uri, mime) or nil
    if ft and vim.bo[buf].filetype ~= ft then vim.bo[buf].filetype = ft end
    if initial then subscribe(buf) end
    vim.api.nvim_exec_autocmds('User', { pattern = 'McpResourceRead', modeline = false, data = { buf = buf, server = b.server, uri = b.uri } })
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
    callback = function()
      notify('MCP resources are read-only: write a copy with :w {file}', vim.log.levels.ERROR)
    end,
  })
end

---|BufReadCmd| of `mcp://*`: reads the resource `mcp://{server}/{uri}` into `buf` (asynchronously: the
---buffer fills when the server answers), sets its filetype, and subscribes to updates when the server
---supports them. The plugin's own buffers (`mcp://hub`, `mcp://result/...`) are left alone.
---@param buf integer
function M.read_cmd(buf)
  local name = vim.api.nvim_buf_get_name(buf)
  if own_buffer(name) then return end
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
  vim.b[buf].mcp_resource = { server = server, uri = uri }
  M.load(buf, true)
end

---|FileReadCmd| of `mcp://*` (`:read mcp://{server}/{uri}`): inserts the resource below the cursor.
---@param name string
function M.file_read_cmd(name)
  local server, uri = M.parse_name(name)
  if not server or not uri or uri == '' then
    return notify(('%s: expected mcp://{server}/{uri}'):format(name), vim.log.levels.ERROR)
  end
  M.insert(server, uri)
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
function M.buffers()
  return vim.deepcopy(bufs)
end

return M
