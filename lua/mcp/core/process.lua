--- The host process: starts it (a Neovim job speaking msgpack-RPC), sends it `init`, restarts and stops
--- it, notices when it exits, and sends requests to it, starting it when needed. The requests themselves
--- travel through `mcp.core.channel`; what the host reports lands in `mcp.core.store`.
local M = {}

local channel = require('mcp.core.channel')
local codes = require('mcp.core.contract').codes
local events = require('mcp.core.events')
local hooks = require('mcp.core.hooks')
local store = require('mcp.core.store')
local util = require('mcp.core.util')

local state = {
  job = nil, ---@type integer? the running host's job (and channel) id
  info = nil, ---@type mcp.HostInfo? the host's answer to `init`
  ---@type string? why the last start failed or the host last died (shown by the hub and health)
  last_error = nil,
  crashed = false, -- the last host exited without being asked to
  ---@type table<integer, true> jobs we asked to stop
  stopping = {},
  stderr = {}, ---@type string[] last lines of the current host's stderr
  augroup = nil, ---@type integer?
  implicit_error_shown = false,
}

---How many lines of the host's stderr are kept (the last one is quoted when it dies).
local STDERR_LINES = 20

---Root folder of the plugin (the one holding `lua/`, `dist/`, `rplugin/`).
---@return string
function M.root()
  local src = debug.getinfo(1, 'S').source
  src = src:sub(1, 1) == '@' and src:sub(2) or src
  return vim.fn.fnamemodify(vim.fs.normalize(vim.fn.fnamemodify(src, ':p')), ':h:h:h:h')
end

---Absolute path of the host's log file.
---@return string
function M.log_path() return (state.info and state.info.log_path) or (vim.fn.stdpath('log') .. '/mcp.log') end

---Facts the running host reported (nil until `init` was answered).
---@return mcp.HostInfo?
function M.info() return state.info end

---Is a host process running (possibly still initialising)?
---@return boolean
function M.running() return state.job ~= nil end

---Why the host could not start or last exited, if it did.
---@return string?
function M.last_error() return state.last_error end

---Tells whatever waited on the host that it went (pending asks, |mcp-asks|, are withdrawn).
---@param reason string
local function host_gone(reason)
  for _, err in ipairs(hooks.host_gone(reason)) do
    util.notify_later(err, vim.log.levels.ERROR)
  end
end

---@param job integer
---@param code integer
local function on_exit(job, code)
  local asked = state.stopping[job]
  state.stopping[job] = nil
  if state.job ~= job then return end -- an older host
  state.job, state.info = nil, nil
  local tail = state.stderr[#state.stderr]
  local msg = ('the host exited (code %d)%s; see the log: %s'):format(code, tail and (': ' .. tail) or '', M.log_path())
  channel.close(job, { code = codes.HostUnavailable, message = msg })
  host_gone(asked and 'the host was stopped' or 'the host exited')
  if asked then
    store.stop_all('stopped with the host')
    return
  end
  state.crashed, state.last_error = true, msg
  store.stop_all('the host exited')
  util.notify_later(msg, vim.log.levels.ERROR)
  events.fire(events.names.host_exited, { code = code, message = msg })
end

---Asks the host for every server's snapshot and refreshes the store.
---@param cb? fun(err: mcp.Error?, list: mcp.ServerSnapshot[]?)
function M.refresh(cb)
  M.request('servers', nil, {
    -- Applied inside the reply, before any later push: a scheduled callback could overwrite newer pushes.
    sync = function(err, list)
      if not err and type(list) == 'table' then store.set_all(list) end
    end,
  }, cb)
end

---The host answered `init` (or failed to).
---@param job integer
---@param log_path string
---@param err mcp.Error?
---@param info mcp.HostInfo?
local function on_init(job, log_path, err, info)
  if state.job ~= job then return end
  if err then
    -- A host that cannot initialise is of no use: stop it; the next explicit request tries again.
    local msg = ('the host failed to start: %s; see the log: %s'):format(err.message, log_path)
    state.stopping[job] = true
    state.job = nil
    channel.close(job, { code = codes.HostUnavailable, message = msg })
    pcall(vim.fn.jobstop, job)
    state.crashed, state.last_error = true, msg
    util.notify_later(msg, vim.log.levels.ERROR)
    return
  end
  state.info = info
  channel.ready()
  M.refresh()
  events.fire(events.names.host_started, info)
end

---Starts the host unless it runs, and sends it `init`. Requests made before the host answered `init`
---wait in the channel and go out once it has.
---@return integer chan channel id of the host
---@error when the host is not built, `node` is not executable, or the job cannot start (the message says what to do)
function M.ensure()
  if state.job then return state.job end
  local cfg = require('mcp.core.options').get()
  local root = M.root()
  local entry = root .. '/rplugin/node/mcp/index.js'
  local function fail(msg)
    state.last_error = msg
    error('mcp: ' .. msg, 0)
  end
  if vim.uv.fs_stat(root .. '/dist/host.js') == nil then
    fail(('the host is not built: run `npm ci && npm run build` in %s'):format(root))
  end
  if vim.fn.executable(cfg.node) ~= 1 then
    fail(('Node.js not found: %q is not executable (set the `node` option, see :help mcp-options)'):format(cfg.node))
  end
  local log_path = vim.fn.stdpath('log') .. '/mcp.log'
  vim.fn.mkdir(vim.fn.fnamemodify(log_path, ':h'), 'p')

  state.stderr = {}
  local job
  local ok, res = pcall(vim.fn.jobstart, { cfg.node, '--max-semi-space-size=1', entry }, {
    rpc = true,
    on_exit = function(j, code) on_exit(j, code) end,
    on_stderr = function(j, data)
      if j ~= job then return end
      for _, line in ipairs(data or {}) do
        if line ~= '' then
          table.insert(state.stderr, line)
          if #state.stderr > STDERR_LINES then table.remove(state.stderr, 1) end
        end
      end
    end,
  })
  if not ok or type(res) ~= 'number' or res <= 0 then
    fail(
      ('cannot start the host (%s %s): %s'):format(
        cfg.node,
        entry,
        ok and ('jobstart returned ' .. tostring(res)) or tostring(res)
      )
    )
  end
  job = res
  state.job, state.crashed, state.last_error, state.info = job, false, nil, nil
  state.implicit_error_shown = false
  store.clear_config()
  channel.open(job, { timeout_ms = cfg.timeout_ms, servers = cfg.servers })

  if not state.augroup then
    state.augroup = vim.api.nvim_create_augroup('mcp.host', { clear = true })
    vim.api.nvim_create_autocmd('VimLeavePre', {
      group = state.augroup,
      desc = 'mcp.nvim: stop the host and its servers',
      callback = function() M.shutdown() end,
    })
  end

  -- Roots (spec: client/roots): computed from the editor now, and announced again whenever they change.
  local roots = hooks.roots(cfg.roots, function(list)
    if state.job == job then M.request('set_roots', { roots = list }, {}) end
  end)
  channel.send('init', {
    roots = roots,
    config_path = cfg.config_path or nil,
    servers = next(cfg.servers) and cfg.servers or vim.empty_dict(),
    log_path = log_path,
    log_level = cfg.log_level,
    timeout_ms = cfg.timeout_ms,
    state_dir = vim.fn.stdpath('state'),
    auth_dir = vim.fn.stdpath('data') .. '/mcp/auth',
    workspace_folder = vim.fn.getcwd(),
    -- Only with a provider: the host then offers servers the sampling capability (|mcp-sampling|).
    sampling = hooks.sampling_capability(),
  }, {
    sync = function(err, info) on_init(job, log_path, err, info) end,
  }, nil)
  return job
end

---Like `ensure()`, but returns an error instead of raising it.
---@param implicit? boolean a cached read: don't restart a host that crashed, report a failure only once
---@return integer? chan
---@return string? err
function M.try_ensure(implicit)
  if state.job then return state.job end
  if implicit and state.crashed then return nil, state.last_error end
  local ok, res = pcall(M.ensure)
  if ok then return res end
  if implicit and not state.implicit_error_shown then
    state.implicit_error_shown = true
    util.notify_later(tostring(res), vim.log.levels.ERROR)
  end
  return nil, tostring(res)
end

---Sends a request to the host, starting it if needed.
---@param method string a method of `Requests` in protocol.ts
---@param params table|nil its params (nil: none)
---@param opts mcp.RequestOpts|nil
---@param cb fun(err: mcp.Error?, result: any)|nil called once, from the main loop
---@return integer? id request id (nil if the host could not start; `cb` then gets the error)
function M.request(method, params, opts, cb)
  opts = opts or {}
  local chan, err = M.try_ensure(opts.implicit)
  if not chan then
    local msg = (err or 'the host is not running'):gsub('^mcp: ', '')
    if cb then vim.schedule(function() cb({ code = codes.HostUnavailable, message = msg }, nil) end) end
    return nil
  end
  if params == nil or (type(params) == 'table' and next(params) == nil) then params = vim.empty_dict() end
  return channel.send(method, params, opts, cb)
end

---Stops the host (and so every server). Pending requests fail.
function M.shutdown()
  local job = state.job
  if not job then return end
  state.stopping[job] = true
  pcall(vim.fn.jobstop, job)
end

---Stops the host and starts a new one with the current configuration.
---@return integer? chan
---@return string? err
function M.restart()
  local job = state.job
  if job then
    state.stopping[job] = true
    state.job, state.info = nil, nil
    channel.close(job, { code = codes.HostUnavailable, message = 'the host was restarted' })
    host_gone('the host was restarted')
    pcall(vim.fn.jobstop, job)
  end
  state.crashed = false
  return M.try_ensure(false)
end

return M
