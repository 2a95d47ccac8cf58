--- The channel to the Node host: starts it, sends requests, receives replies and pushes.
---
--- Wire contract: `src/bridge/protocol.ts`. Lua never waits on the host: every request is a
--- `vim.rpcnotify(chan, "mcp", id, method, params)`; the host answers, and pushes state changes, by
--- notifying Neovim with `nvim_exec_lua` running `require("mcp.host")._batch(items)`: each item is a
--- reply (`_reply(id, err, result)`) or a push (`_push(event, payload)`), in the order they happened.
---
--- This module also keeps the cache of server snapshots the public API reads (|mcp-api|), and fires the
--- `User` events (|mcp-events|). Callbacks and events always run from `vim.schedule()`, never inside the
--- RPC handler, so an error in a user's callback is reported like any other.
local M = {}

---@class mcp.Error
---@field code integer JSON-RPC/MCP error code (|mcp-errors|)
---@field message string human-readable reason
---@field data? any extra data the server sent

---@class mcp.ServerInfo
---@field name string
---@field version string
---@field title? string

---@alias mcp.ServerStatus "disabled"|"stopped"|"starting"|"connected"|"failed"

---The state of one server, as the host pushes it.
---@class mcp.ServerSnapshot
---@field name string
---@field status mcp.ServerStatus
---@field error? string why it failed (or the last failure while restarting)
---@field transport "stdio"|"http"|"sse"
---@field server_info? mcp.ServerInfo `serverInfo` of the initialize result (when connected)
---@field capabilities? table server capabilities (when connected)
---@field instructions? string server instructions (when connected)
---@field tools table[] MCP Tool objects (complete list)
---@field prompts table[] MCP Prompt objects
---@field resources table[] MCP Resource objects
---@field resource_templates table[] MCP ResourceTemplate objects
---@field timeout_ms? integer the server's own request timeout, ms, if the host reports it

---@class mcp.HostInfo
---@field version string host version
---@field pid integer host process id
---@field log_path string
---@field config_path? string

---@class mcp.RequestOpts
---@field timeout_ms? integer how long the host may take, ms; the Lua-side guard waits this plus a margin
---@field server? string server the request goes to (its own timeout is then taken into account)
---@field on_progress? fun(progress: mcp.Progress) called for each `progress` push of this request
---@field implicit? boolean started by a cached read: do not restart a host that crashed
---@field sync? fun(err: mcp.Error?, result: any) internal: run inside `_reply`, before `cb` is scheduled

---@class mcp.Progress
---@field progress number
---@field total? number
---@field message? string

---Error codes: those of `ErrorCodes` in protocol.ts, plus Lua-side ones.
M.codes = {
  MethodNotFound = -32601,
  InvalidParams = -32602,
  InternalError = -32603,
  RequestTimeout = -32001,
  UnknownServer = -32010,
  NotConnected = -32011,
  UnknownItem = -32012,
  Cancelled = -32800,
  ConfigError = -32020,
  --- Lua side: the host could not be started, or exited before replying.
  HostUnavailable = -32030,
}

---Extra time (ms) the Lua-side guard waits beyond the host's own timeout.
M.timeout_margin_ms = 5000

---@class mcp.Pending
---@field chan integer channel the request went to
---@field method string
---@field cb? fun(err: mcp.Error?, result: any)
---@field on_progress? fun(progress: mcp.Progress)
---@field timer? uv.uv_timer_t
---@field timeout_ms? integer guard interval, ms
---@field on_timeout? function
---@field sync? fun(err: mcp.Error?, result: any)

local state = {
  chan = nil, ---@type integer?
  next_id = 0,
  ---@type table<integer, mcp.Pending>
  pending = {},
  ---@type table<string, mcp.ServerSnapshot>
  snapshots = {},
  ---@type string[] server names in config order
  order = {},
  info = nil, ---@type mcp.HostInfo?
  ---Requests held back until the host answered `init` (the host handles requests concurrently, so one
  ---sent before `init` completed would see no servers yet).
  ---@type { id: integer, method: string, params: table }[]
  outbox = {},
  ---@type string? why the last start failed or the host last died (shown by the hub and health)
  last_error = nil,
  crashed = false, -- the last host exited without being asked to
  ---@type table<integer, true> jobs we asked to stop
  stopping = {},
  stderr = {}, ---@type string[] last lines of the current host's stderr
  augroup = nil, ---@type integer?
  implicit_error_shown = false,
  ---The configuration as the host last loaded it (`config` push): its file and error, if any.
  ---@type { path?: string, error?: string }?
  config = nil,
  ---Last `message` pushes of the host, newest last (at most 20).
  ---@type { level: string, text: string, time: integer }[]
  messages = {},
}

---Fires `User {pattern}` with `data`, from the main loop.
---@param pattern string
---@param data any
local function fire(pattern, data)
  vim.schedule(function()
    vim.api.nvim_exec_autocmds('User', { pattern = pattern, modeline = false, data = data })
  end)
end

---@param v any
---@return any
local function nonil(v)
  if v == vim.NIL then return nil end
  return v
end

---Root folder of the plugin (the one holding `lua/`, `dist/`, `rplugin/`).
---@return string
function M.root()
  local src = debug.getinfo(1, 'S').source
  src = src:sub(1, 1) == '@' and src:sub(2) or src
  return vim.fn.fnamemodify(vim.fs.normalize(vim.fn.fnamemodify(src, ':p')), ':h:h:h')
end

---Absolute path of the host's log file.
---@return string
function M.log_path()
  return (state.info and state.info.log_path) or (vim.fn.stdpath('log') .. '/mcp.log')
end

---Facts the running host reported (nil until `init` was answered).
---@return mcp.HostInfo?
function M.info()
  return state.info
end

---Channel id of the running host, or nil.
---@return integer?
function M.channel()
  return state.chan
end

---Is a host process running (possibly still initialising)?
---@return boolean
function M.running()
  return state.chan ~= nil
end

---Why the host could not start or last exited, if it did.
---@return string?
function M.last_error()
  return state.last_error
end

---@param msg string
---@param level integer vim.log.levels
local function notify(msg, level)
  vim.notify('mcp: ' .. msg, level, { title = 'mcp' })
end

---Calls `cb(err, result)` from the main loop.
---@param cb fun(err: mcp.Error?, result: any)?
---@param err mcp.Error?
---@param result any
local function call(cb, err, result)
  if cb then vim.schedule(function() cb(err, result) end) end
end

---Ends pending request `id` with an error from the Lua side (never sent, or the host cannot answer):
---stops its guard timer and calls its callback.
---@param id integer
---@param err mcp.Error
local function finish(id, err)
  local p = state.pending[id]
  if not p then return end
  state.pending[id] = nil
  if p.timer then
    p.timer:stop()
    p.timer:close()
  end
  call(p.cb, err, nil)
end

---Fails every pending request of channel `chan` (all channels if nil).
---@param chan integer?
---@param err mcp.Error
local function fail_pending(chan, err)
  for id, p in pairs(state.pending) do
    if chan == nil or p.chan == chan then finish(id, err) end
  end
end

---Marks every cached server as stopped (the host took its servers with it) and tells listeners.
---@param why string
local function servers_gone(why)
  for _, name in ipairs(state.order) do
    local s = state.snapshots[name]
    s.status, s.error = 'stopped', why
    s.server_info, s.capabilities, s.instructions = nil, nil, nil
    s.tools, s.prompts, s.resources, s.resource_templates = {}, {}, {}, {}
    fire('McpServerChanged', s)
  end
end

---@param job integer
---@param code integer
local function on_exit(job, code)
  local asked = state.stopping[job]
  state.stopping[job] = nil
  if state.chan ~= job then return end -- an older host
  state.chan, state.info, state.outbox = nil, nil, {}
  local log = M.log_path()
  local tail = state.stderr[#state.stderr]
  local msg = ('the host exited (code %d)%s; see the log: %s'):format(code, tail and (': ' .. tail) or '', log)
  fail_pending(job, { code = M.codes.HostUnavailable, message = msg })
  if asked then
    servers_gone('stopped with the host')
    return
  end
  state.crashed, state.last_error = true, msg
  servers_gone('the host exited')
  vim.schedule(function() notify(msg, vim.log.levels.ERROR) end)
  fire('McpHostExited', { code = code, message = msg })
end

---@return integer
local function new_id()
  state.next_id = state.next_id + 1
  return state.next_id
end

---Sends one request on `chan`; registers the callback and the guard timer.
---@param chan integer
---@param method string
---@param params table
---@param opts mcp.RequestOpts
---@param cb fun(err: mcp.Error?, result: any)?
---@return integer id
local function send(chan, method, params, opts, cb)
  local id = new_id()
  ---@type mcp.Pending
  local p = { chan = chan, method = method, cb = cb, on_progress = opts.on_progress, sync = opts.sync }
  local guard = opts.timeout_ms
  -- The options the host was started with: config.get() deep-copies every option, too slow per request.
  local cfg = state.cfg or require('mcp.config').get()
  if not guard then
    local snap = opts.server and state.snapshots[opts.server]
    guard = (snap and nonil(snap.timeout_ms)) or cfg.timeout_ms
  end
  if opts.server and not opts.timeout_ms then
    -- A server may be configured with a longer timeout than the default; the host knows, Lua may not.
    local def = cfg.servers[opts.server]
    if def and type(def.timeout_ms) == 'number' and def.timeout_ms > guard then guard = def.timeout_ms end
  end
  p.timeout_ms = guard + M.timeout_margin_ms
  p.timer = assert(vim.uv.new_timer())
  p.on_timeout = vim.schedule_wrap(function()
    if state.pending[id] ~= p then return end
    state.pending[id] = nil
    p.timer:close()
    if state.chan == chan and method ~= 'cancel' then
      pcall(vim.rpcnotify, chan, 'mcp', new_id(), 'cancel', { id = id, reason = 'no reply in time (Neovim side)' })
    end
    local err = {
      code = M.codes.RequestTimeout,
      message = ('no reply from the host to %s within %d ms'):format(method, p.timeout_ms),
    }
    if p.sync then p.sync(err, nil) end
    call(cb, err)
  end)
  p.timer:start(p.timeout_ms, 0, p.on_timeout)
  state.pending[id] = p
  if method ~= 'init' and state.info == nil then
    state.outbox[#state.outbox + 1] = { id = id, method = method, params = params }
    return id
  end
  local ok, err = pcall(vim.rpcnotify, chan, 'mcp', id, method, params)
  if not ok then
    state.pending[id] = nil
    p.timer:stop()
    p.timer:close()
    call(cb, { code = M.codes.HostUnavailable, message = 'cannot send to the host: ' .. tostring(err) })
  end
  return id
end

---@param s table
---@return mcp.ServerSnapshot
local function normalize(s)
  for _, k in ipairs({ 'error', 'server_info', 'capabilities', 'instructions', 'timeout_ms' }) do s[k] = nonil(s[k]) end
  for _, k in ipairs({ 'tools', 'prompts', 'resources', 'resource_templates' }) do
    if type(s[k]) ~= 'table' then s[k] = {} end
  end
  return s
end

---Replaces the cache with the host's authoritative list (config order).
---@param list mcp.ServerSnapshot[]
local function set_servers(list)
  local seen = {}
  state.order = {}
  for _, s in ipairs(list) do
    normalize(s)
    seen[s.name] = true
    state.order[#state.order + 1] = s.name
    state.snapshots[s.name] = s
  end
  for name in pairs(state.snapshots) do
    if not seen[name] then
      state.snapshots[name] = nil
      fire('McpServerRemoved', { name = name })
    end
  end
  for _, s in ipairs(list) do fire('McpServerChanged', s) end
end

---Asks the host for every server's snapshot and refreshes the cache.
---@param cb? fun(err: mcp.Error?, list: mcp.ServerSnapshot[]?)
function M.refresh(cb)
  M.request('servers', nil, {
    -- Applied inside `_reply`, before any later push: a scheduled callback could overwrite newer pushes.
    sync = function(err, list)
      if not err and type(list) == 'table' then set_servers(list) end
    end,
  }, cb)
end

---Starts the host unless it runs, and sends it `init`. Requests made before the host answered `init`
---are held in Lua and sent once it has (the host handles requests concurrently).
---@return integer chan channel id of the host
---@error when the host is not built, `node` is not executable, or the job cannot start (the message says what to do)
function M.ensure()
  if state.chan then return state.chan end
  local cfg = require('mcp.config').get()
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
          if #state.stderr > 20 then table.remove(state.stderr, 1) end
        end
      end
    end,
  })
  if not ok or type(res) ~= 'number' or res <= 0 then
    fail(('cannot start the host (%s %s): %s'):format(cfg.node, entry, ok and ('jobstart returned ' .. tostring(res)) or tostring(res)))
  end
  job = res
  state.chan, state.crashed, state.last_error, state.info, state.config = job, false, nil, nil, nil
  state.cfg = cfg
  state.outbox = {}
  state.implicit_error_shown = false

  if not state.augroup then
    state.augroup = vim.api.nvim_create_augroup('mcp.host', { clear = true })
    vim.api.nvim_create_autocmd('VimLeavePre', {
      group = state.augroup,
      desc = 'mcp.nvim: stop the host and its servers',
      callback = function() M.shutdown() end,
    })
  end

  -- Roots (spec: client/roots): computed from the editor now, and announced again whenever they change.
  local roots = require('mcp.roots').attach(cfg.roots, function(list)
    if state.chan == job then M.request('set_roots', { roots = list }, {}) end
  end)
  local cwd = vim.fn.getcwd()
  ---@type table
  local params = {
    roots = roots,
    config_path = cfg.config_path or nil,
    servers = next(cfg.servers) and cfg.servers or vim.empty_dict(),
    log_path = log_path,
    state_dir = vim.fn.stdpath('state'),
    log_level = cfg.log_level,
    timeout_ms = cfg.timeout_ms,
    workspace_folder = cwd,
  }
  send(job, 'init', params, {
    sync = function(err, info)
      if state.chan ~= job then return end
      local outbox = state.outbox
      state.outbox = {}
      if err then
        -- A host that cannot initialise is of no use: stop it; the next explicit request tries again.
        local msg = ('the host failed to start: %s; see the log: %s'):format(err.message, log_path)
        for _, q in ipairs(outbox) do finish(q.id, { code = M.codes.HostUnavailable, message = msg }) end
        state.stopping[job] = true
        state.chan = nil
        fail_pending(job, { code = M.codes.HostUnavailable, message = msg })
        pcall(vim.fn.jobstop, job)
        state.crashed, state.last_error = true, msg
        vim.schedule(function() notify(msg, vim.log.levels.ERROR) end)
        return
      end
      state.info = info
      for _, q in ipairs(outbox) do
        if state.pending[q.id] then pcall(vim.rpcnotify, job, 'mcp', q.id, q.method, q.params) end
      end
      M.refresh()
      fire('McpHostStarted', info)
    end,
  }, nil)
  return job
end

---Like `ensure()`, but returns an error instead of raising it.
---@param implicit? boolean a cached read: don't restart a host that crashed, report a failure only once
---@return integer? chan
---@return string? err
function M.try_ensure(implicit)
  if state.chan then return state.chan end
  if implicit and state.crashed then return nil, state.last_error end
  local ok, res = pcall(M.ensure)
  if ok then return res end
  if implicit then
    if not state.implicit_error_shown then
      state.implicit_error_shown = true
      vim.schedule(function() vim.notify(tostring(res), vim.log.levels.ERROR, { title = 'mcp' }) end)
    end
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
    call(cb, { code = M.codes.HostUnavailable, message = (err or 'the host is not running'):gsub('^mcp: ', '') })
    return nil
  end
  if params == nil or (type(params) == 'table' and next(params) == nil) then params = vim.empty_dict() end
  return send(chan, method, params, opts, cb)
end

---Sends `cancel` for request `id` (no-op when it is no longer pending).
---@param id integer
---@param reason? string
function M.cancel(id, reason)
  local p = state.pending[id]
  if not p or p.chan ~= state.chan or not state.chan then return end
  for i, q in ipairs(state.outbox) do
    if q.id == id then -- never sent: nothing to tell the host
      table.remove(state.outbox, i)
      return finish(id, { code = M.codes.Cancelled, message = reason and ('cancelled: ' .. reason) or 'request cancelled' })
    end
  end
  send(state.chan, 'cancel', { id = id, reason = reason }, {}, nil)
end

---Is request `id` still waiting for its reply?
---@param id integer
---@return boolean
function M.pending(id)
  return state.pending[id] ~= nil
end

---Stops the host (and so every server). Pending requests fail.
function M.shutdown()
  local chan = state.chan
  if not chan then return end
  state.stopping[chan] = true
  pcall(vim.fn.jobstop, chan)
end

---Stops the host and starts a new one with the current configuration.
---@return integer? chan
---@return string? err
function M.restart()
  local chan = state.chan
  if chan then
    state.stopping[chan] = true
    state.chan, state.info, state.outbox = nil, nil, {}
    fail_pending(chan, { code = M.codes.HostUnavailable, message = 'the host was restarted' })
    pcall(vim.fn.jobstop, chan)
  end
  state.crashed = false
  return M.try_ensure(false)
end

---The configuration as the running host last loaded it: `{ path?, error? }`; `error` names the file,
---the key path and the problem when the file was rejected (the host then keeps its previous servers).
---`nil` before the host loaded it.
---@return { path?: string, error?: string }?
function M.config_status()
  return state.config and vim.deepcopy(state.config)
end

---The last messages the host pushed (`message` events), oldest first.
---@return { level: "error"|"warn"|"info", text: string, time: integer }[]
function M.messages()
  return vim.deepcopy(state.messages)
end

---Cached snapshots in config order. The tables are the cache's own: treat them as read-only.
---@return mcp.ServerSnapshot[]
function M.snapshots()
  local out = {}
  for _, name in ipairs(state.order) do out[#out + 1] = state.snapshots[name] end
  return out
end

---The cached snapshot of one server.
---@param name string
---@return mcp.ServerSnapshot?
function M.snapshot(name)
  return state.snapshots[name]
end

---The reply to request `id`; one item of |_batch|.
---@param id integer
---@param err mcp.Error|nil
---@param result any
function M._reply(id, err, result)
  err, result = nonil(err), nonil(result)
  local p = state.pending[id]
  if not p then return end -- timed out in Lua already, or failed when the host restarted
  state.pending[id] = nil
  if p.timer then
    p.timer:stop()
    p.timer:close()
  end
  if err then
    err = { code = nonil(err.code) or M.codes.InternalError, message = nonil(err.message) or 'unknown error', data = nonil(err.data) }
  end
  if p.sync then p.sync(err, result) end
  call(p.cb, err, result)
end

---Called by the host (`nvim_exec_lua`): the replies and pushes of one turn of its event loop, in order.
---@param items ({ [1]: "r", [2]: integer, [3]: mcp.Error?, [4]: any }|{ [1]: "p", [2]: string, [3]: table })[]
function M._batch(items)
  for _, item in ipairs(items) do
    if item[1] == 'r' then
      M._reply(item[2], item[3], item[4])
    else
      M._push(item[2], item[3])
    end
  end
end

---Something happened (`PushEvents` in protocol.ts); one item of |_batch|.
---@param event "server"|"removed"|"progress"|"config"|"resource_updated"|"message"
---@param payload table
function M._push(event, payload)
  payload = nonil(payload)
  if type(payload) ~= 'table' then return end
  if event == 'server' then
    local s = normalize(payload)
    if not state.snapshots[s.name] then state.order[#state.order + 1] = s.name end
    state.snapshots[s.name] = s
    fire('McpServerChanged', s)
  elseif event == 'removed' then
    local name = payload.name
    if state.snapshots[name] then
      state.snapshots[name] = nil
      for i, n in ipairs(state.order) do
        if n == name then
          table.remove(state.order, i)
          break
        end
      end
      fire('McpServerRemoved', { name = name })
    end
  elseif event == 'progress' then
    local p = state.pending[payload.id]
    if not p then return end
    if p.timer and p.on_timeout then -- the host's timeout restarts on progress: so does the guard
      p.timer:stop()
      p.timer:start(p.timeout_ms, 0, p.on_timeout)
    end
    if p.on_progress then
      local progress = { progress = payload.progress, total = nonil(payload.total), message = nonil(payload.message) }
      vim.schedule(function() p.on_progress(progress) end)
    end
  elseif event == 'config' then
    state.config = { path = nonil(payload.path), error = nonil(payload.error) }
    fire('McpConfigLoaded', vim.deepcopy(state.config))
  elseif event == 'resource_updated' then
    fire('McpResourceUpdated', { server = payload.server, uri = payload.uri })
  elseif event == 'message' then
    local levels = { error = vim.log.levels.ERROR, warn = vim.log.levels.WARN, info = vim.log.levels.INFO }
    local level, text = levels[payload.level] or vim.log.levels.INFO, tostring(payload.text)
    table.insert(state.messages, { level = tostring(payload.level), text = text, time = os.time() })
    if #state.messages > 20 then table.remove(state.messages, 1) end
    vim.schedule(function() notify(text, level) end)
  end
end

return M
