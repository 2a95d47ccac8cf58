--- Resources as a user acts on them (|:Mcp-resource|, |mcp-resource-actions|): insert at the cursor, open
--- as a live `mcp://{server}/{uri}` buffer, yank into a register, show in the results buffer; large
--- contents only after confirmation (`resource_max_bytes`). Binary contents are written to files, never
--- inserted as text. The picker is `mcp.resources.picker`, template variables `mcp.resources.templates`,
--- live buffers `mcp.resources.buffers`.
local M = {}

local notify = require('mcp.core.util').notify

---The actions, in the order the action picker lists them.
M.actions = { 'insert', 'open', 'yank' }

---The size above which insertion (and yanking) asks first, in bytes: the `resource_max_bytes` option.
---@return integer bytes
function M.max_bytes()
  local ok, cfg = pcall(require('mcp.core.options').get)
  local v = ok and cfg.resource_max_bytes or nil
  if type(v) == 'number' and v > 0 then return v end
  return require('mcp.core.contract').defaults.resource_max_bytes
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

---The name of a resource's live buffer (|mcp-resource-buffers|).
---@param server string
---@param uri string
---@return string name `mcp://{server}/{uri}`
function M.buffer_name(server, uri) return ('mcp://%s/%s'):format(server, uri) end

---Byte size of the contents of a `resources/read` result (decoded size for blobs).
---@param result table
---@return integer text bytes of text contents
---@return integer blob bytes of binary contents
function M.content_size(result)
  local text, blob = 0, 0
  for _, c in ipairs(type(result) == 'table' and type(result.contents) == 'table' and result.contents or {}) do
    if type(c.text) == 'string' then text = text + #c.text end
    if type(c.blob) == 'string' then blob = blob + require('mcp.core.files').decoded_size(c.blob) end
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
    prompt = ('%s is %s, more than the limit of %s (resource_max_bytes). Insert it anyway?'):format(
      what,
      M.human_size(bytes),
      M.human_size(max)
    ),
    kind = 'mcp.confirm',
  }, function(choice) cb(choice == 'Yes') end)
end

---The cached resource `uri` of `server`, if listed.
---@param server string
---@param uri string
---@return mcp.Resource?
function M.listed(server, uri)
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
        if not ok then
          return cb(
            nil,
            nil,
            ('%s: not %s (larger than resource_max_bytes)'):format(what, verb == 'yank' and 'yanked' or 'inserted')
          )
        end
        local lines, info = require('mcp.ui.result').resource_lines(server, uri, result)
        cb(lines, info)
      end
      if confirmed then return go(true) end
      confirm_size(what, text, go)
    end)
  end
  local r = M.listed(server, uri)
  if r and type(r.size) == 'number' and r.size > M.max_bytes() then
    confirm_size(what, r.size, function(ok)
      if not ok then
        return cb(
          nil,
          nil,
          ('%s: not %s (larger than resource_max_bytes)'):format(what, verb == 'yank' and 'yanked' or 'inserted')
        )
      end
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
  local target = opts.target or require('mcp.ui.insert').target()
  read_checked(server, uri, 'insert', function(lines, info, err)
    if err then
      notify(err, vim.log.levels.WARN)
      if opts.on_done then opts.on_done(err) end
      return
    end
    ---@cast lines string[]
    local ok, why = require('mcp.ui.insert').insert(lines, target)
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
  local mods = require('mcp.core.util').mods(opts.mods)
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
    notify(
      ('unknown resource action "%s" (expected insert, open or yank)'):format(tostring(action)),
      vim.log.levels.ERROR
    )
  end
end

---Reads a resource and shows its contents in the results buffer (|mcp-results|): the hub's `c`.
---@param server string
---@param uri string
---@param opts? { mods?: string }
function M.show(server, uri, opts)
  require('mcp').read_resource(server, uri, function(err, result)
    if err then return notify(('read %s from %s: %s'):format(uri, server, err.message), vim.log.levels.ERROR) end
    require('mcp.ui.result').resource(server, uri, result, { mods = opts and opts.mods })
  end)
end

return M
