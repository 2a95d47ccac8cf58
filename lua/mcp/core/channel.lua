--- The channel to the running host: requests, their callbacks and guard timers, and what the host sends
--- back. Wire contract: `src/bridge/protocol.ts`.
---
--- Lua never waits on the host: every request is a `vim.rpcnotify(chan, "mcp", id, method, params)`; the
--- host answers, and pushes state changes, by notifying Neovim with `nvim_exec_lua` running
--- `require("mcp.host")._batch(chan, items)` (this module's `_batch`): its own channel id and the replies
--- and pushes of one turn of its event loop, in order. Callbacks run from `vim.schedule()`, never inside the RPC handler, so an error in
--- a caller's callback is reported like any other.
---
--- This module does not start the host: `mcp.core.process` does, and opens the channel.
local M = {}

local codes = require('mcp.core.contract').codes
local defaults = require('mcp.core.contract').defaults
local store = require('mcp.core.store')
local util = require('mcp.core.util')
local nonil = util.nonil

---@class mcp.RequestOpts
---@field timeout_ms? integer the request's own deadline, ms, as sent to the host (see `guard_ms`)
---@field server? string server the request goes to (its own deadline then applies)
---@field on_progress? fun(progress: mcp.Progress) called for each `progress` push of this request
---@field implicit? boolean started by a cached read: do not restart a host that crashed
---@field sync? fun(err: mcp.Error?, result: any) internal: run inside `_reply`, before `cb` is scheduled
---@field on_wait? fun(ask: mcp.Ask?) called from the main loop when a server's question holds this request
---  (`hold`: the ask, e.g. an elicitation form) and again with nil once it is answered or withdrawn

---@class mcp.Pending
---@field chan integer channel the request went to
---@field method string
---@field opts mcp.RequestOpts
---@field cb? fun(err: mcp.Error?, result: any)
---@field timer? uv.uv_timer_t guard, started once the request is handed to the host
---@field suspended? boolean the guard waits for a person (`suspend`)
---@field since? integer `vim.uv.now()` when the host's deadline started (sent, or last progress)
---@field started? integer `vim.uv.now()` when the request was handed to the host (or its ask answered)
---@field progressed? boolean progress came: the guard is capped by `total_ms`, not only `guard_ms`
---@field holds? integer asks holding the request's clock (`hold`); the guard stands still meanwhile
---@field held? integer `vim.uv.now()` when the first of them began

---What the host was told at `init`: the default deadline and the servers given to setup().
---@class mcp.channel.HostDefaults
---@field timeout_ms integer
---@field servers table<string, mcp.ServerDef>

local state = {
  chan = nil, ---@type integer?
  ---Has the host answered `init`? Until then requests wait in `outbox` (the host handles requests
  ---concurrently, so one sent before `init` completed would see no servers yet).
  ready = false,
  ---@type integer[] ids of requests waiting for `init`, in order
  outbox = {},
  next_id = 0,
  ---@type table<integer, mcp.Pending>
  pending = {},
  ---@type mcp.channel.HostDefaults
  host = { timeout_ms = defaults.timeout_ms, servers = {} },
}

---Calls `cb(err, result)` from the main loop.
---@param cb fun(err: mcp.Error?, result: any)?
---@param err mcp.Error?
---@param result any
local function call(cb, err, result)
  if cb then vim.schedule(function() cb(err, result) end) end
end

---Is `ms` usable as a deadline: a positive finite number (not NaN)?
---@param ms any
---@return boolean
function M.positive_ms(ms) return type(ms) == 'number' and ms > 0 and ms < math.huge end

---The host's deadline for a request, ms: the request's own `timeout_ms`, else the server's (from its
---snapshot, else from the definition given to setup()), else the default the host was started with,
---else the contract's default. A value that is not a positive finite number is skipped at each level,
---as the host's `requestTimeoutMs` (src/session/deadline.ts) does; test/fixtures/deadline-cases.json
---holds the cases both are checked against. The host counts it from receipt, including any wait for a
---starting server, and restarts it on progress.
---@param opts { timeout_ms?: number, server?: string }
---@param snapshot_ms? number the server's `timeout_ms` in its snapshot
---@param def_ms? number the server's `timeout_ms` in the definition given to setup()
---@param default_ms? number the host default
---@return number ms always > 0
function M.deadline_ms(opts, snapshot_ms, def_ms, default_ms)
  -- A request to no server has no server levels (nil is skipped like any unusable value).
  if not opts.server then
    snapshot_ms, def_ms = nil, nil
  end
  local levels = { opts.timeout_ms, snapshot_ms, def_ms, default_ms }
  for i = 1, 4 do
    if M.positive_ms(levels[i]) then return levels[i] end
  end
  return defaults.timeout_ms
end

---How long Lua waits for the host's answer to a request, ms: the host's deadline (`deadline_ms`) plus
---`timeout_margin_ms` of the contract. The host always answers by its deadline, so the guard only fires
---when the host hangs. Derived from what Lua knows now (a snapshot may arrive later: the guard checks
---again before it gives up).
---@param opts { timeout_ms?: number, server?: string }
---@return integer ms
function M.guard_ms(opts)
  local snap = opts.server and store.snapshot(opts.server)
  local def = opts.server and state.host.servers[opts.server]
  local def_ms = type(def) == 'table' and def.timeout_ms or nil
  -- Whole ms (a timer counts in them), rounded up: the guard never fires before the host's deadline.
  return math.ceil(M.deadline_ms(opts, snap and snap.timeout_ms, def_ms, state.host.timeout_ms))
    + defaults.timeout_margin_ms
end

---The longest a request that reports progress may take in all, ms, as the host's `maxTotalMs`
---(src/session/deadline.ts): the server's `max_total_ms` (snapshot, else setup() definition), else the
---contract's default, never below the request's own deadline (`deadline_ms`).
---@param opts { timeout_ms?: number, server?: string }
---@return number ms
function M.total_ms(opts)
  local snap = opts.server and store.snapshot(opts.server)
  local def = opts.server and state.host.servers[opts.server]
  local max = snap and snap.max_total_ms or (type(def) == 'table' and def.max_total_ms) or nil
  if not M.positive_ms(max) then max = defaults.max_total_ms end
  local def_ms = type(def) == 'table' and def.timeout_ms or nil
  return math.max(max, M.deadline_ms(opts, snap and snap.timeout_ms, def_ms, state.host.timeout_ms))
end

---ms left before the guard of `p` gives up: its deadline plus margin since the last progress (or the
---send), and once progress came, never past the maximum total time plus margin since the send.
---@param p mcp.Pending
---@return number ms
local function guard_left(p)
  local now = vim.uv.now()
  local left = M.guard_ms(p.opts) - (now - p.since)
  if p.progressed then
    left = math.min(left, math.ceil(M.total_ms(p.opts)) + defaults.timeout_margin_ms - (now - p.started))
  end
  return left
end

---Ends pending request `id`: stops its guard, runs its `sync` hook and schedules its callback.
---@param id integer
---@param err mcp.Error?
---@param result any
local function finish(id, err, result)
  local p = state.pending[id]
  if not p then return end
  state.pending[id] = nil
  if p.timer then
    p.timer:stop()
    p.timer:close()
  end
  -- A failing `sync` hook must not cost the caller its callback.
  if p.opts.sync then
    local ok, e = pcall(p.opts.sync, err, result)
    if not ok then util.notify_later(('%s: %s'):format(p.method, tostring(e)), vim.log.levels.ERROR) end
  end
  call(p.cb, err, result)
end

---@return integer
local function new_id()
  state.next_id = state.next_id + 1
  return state.next_id
end

---Starts (or restarts, on progress) the guard of a request handed to the host. Progress restarts it as
---the host restarts its deadline, and, like the host, never past the maximum total time (`total_ms`).
---@param id integer
---@param p mcp.Pending
---@param keep? boolean keep `since` (the guard resumes after a hold; nothing restarted it)
local function arm(id, p, keep)
  if not keep or not p.since then p.since = vim.uv.now() end
  p.started = p.started or p.since
  p.timer = p.timer or assert(vim.uv.new_timer())
  local function check()
    if state.pending[id] ~= p then return end
    local guard = M.guard_ms(p.opts)
    local left = guard_left(p)
    if left > 0 then -- the deadline grew (a snapshot arrived): wait for the rest
      p.timer:start(left, 0, vim.schedule_wrap(check))
      return
    end
    if state.chan == p.chan and p.method ~= 'cancel' then
      pcall(vim.rpcnotify, p.chan, 'mcp', new_id(), 'cancel', { id = id, reason = 'no reply in time (Neovim side)' })
    end
    finish(id, {
      code = codes.RequestTimeout,
      message = ('no reply from the host to %s within %d ms'):format(p.method, guard),
    })
  end
  p.timer:stop()
  p.timer:start(math.max(0, guard_left(p)), 0, vim.schedule_wrap(check))
end

---Hands request `id` to the host and starts its guard.
---@param id integer
---@param params table
local function deliver(id, params)
  local p = state.pending[id]
  if not p then return end
  local ok, err = pcall(vim.rpcnotify, p.chan, 'mcp', id, p.method, params)
  if not ok then
    return finish(id, { code = codes.HostUnavailable, message = 'cannot send to the host: ' .. tostring(err) })
  end
  arm(id, p)
end

---Suspends the guard of request `id` while a person answers an ask it waits on (`AskMeta.request`): a
---person takes as long as they take, and the host's deadline starts only after the answer.
---@param id integer
function M.suspend(id)
  local p = state.pending[id]
  if not p then return end
  p.suspended = true
  if p.timer then p.timer:stop() end
end

---Restarts the guard of request `id` after `suspend` (the ask was answered or withdrawn).
---@param id integer
function M.resume(id)
  local p = state.pending[id]
  if not p or not p.suspended then return end
  p.suspended = nil
  -- The host's deadline, and its maximum total time, start after the answer.
  p.started = nil
  if p.timer and not p.holds then arm(id, p) end
end

---Holds the guard of request `id` while a server's question is open (`AskMeta.holds`: the host holds
---the request's deadline the same way, src/session/deadline.ts), and tells the caller (`on_wait`).
---@param id integer
---@param ask mcp.Ask the question it waits on
function M.hold(id, ask)
  local p = state.pending[id]
  if not p then return end
  p.holds = (p.holds or 0) + 1
  if p.holds == 1 then
    p.held = vim.uv.now()
    if p.timer then p.timer:stop() end
  end
  local on_wait = p.opts.on_wait
  if on_wait then vim.schedule(function() on_wait(ask) end) end
end

---Ends one hold of request `id` (`hold`); once none is left the guard runs again, with the held time
---added, as the host's deadline does.
---@param id integer
function M.release(id)
  local p = state.pending[id]
  if not p or not p.holds then return end
  p.holds = p.holds - 1
  if p.holds > 0 then return end
  p.holds = nil
  local held = vim.uv.now() - (p.held or vim.uv.now())
  if p.since then p.since = p.since + held end
  if p.started then p.started = p.started + held end
  local on_wait = p.opts.on_wait
  if on_wait then vim.schedule(function() on_wait(nil) end) end
  if p.timer and not p.suspended then arm(id, p, true) end
end

---Channel id of the running host, or nil.
---@return integer?
function M.chan() return state.chan end

---Has the host answered `init` (requests go out at once)?
---@return boolean
function M.is_ready() return state.chan ~= nil and state.ready end

---Starts using a new host's channel. Requests other than `init` wait until `ready()`.
---@param chan integer
---@param host mcp.channel.HostDefaults what the host is told at `init`
function M.open(chan, host)
  state.chan, state.ready, state.outbox = chan, false, {}
  state.host = { timeout_ms = host.timeout_ms or defaults.timeout_ms, servers = host.servers or {} }
end

---The host answered `init`: sends the requests that waited for it, in order.
function M.ready()
  state.ready = true
  local outbox = state.outbox
  state.outbox = {}
  for _, q in ipairs(outbox) do
    deliver(q.id, q.params)
  end
end

---Fails every pending request of channel `chan` (nil: every channel) with `err`; forgets `chan` when it
---is the current one (the host exited, is being restarted, or failed to start).
---@param chan integer?
---@param err mcp.Error
function M.close(chan, err)
  if chan == nil or chan == state.chan then
    state.chan, state.ready, state.outbox = nil, false, {}
  end
  for id, p in pairs(state.pending) do
    if chan == nil or p.chan == chan then finish(id, err) end
  end
end

---Sends a request to the running host (see `mcp.core.process.request`, which starts it when needed).
---@param method string a method of `Requests` in protocol.ts
---@param params table its params (a map)
---@param opts mcp.RequestOpts
---@param cb fun(err: mcp.Error?, result: any)|nil called once, from the main loop
---@return integer? id nil when no host runs (`cb` then gets HostUnavailable)
function M.send(method, params, opts, cb)
  local chan = state.chan
  if not chan then
    call(cb, { code = codes.HostUnavailable, message = 'the host is not running' })
    return nil
  end
  local id = new_id()
  state.pending[id] = { chan = chan, method = method, opts = opts, cb = cb }
  if method ~= 'init' and not state.ready then
    state.outbox[#state.outbox + 1] = { id = id, params = params }
  else
    deliver(id, params)
  end
  return id
end

---Cancels request `id` (no-op when it is no longer pending): one still waiting for `init` ends at once;
---one the host has is cancelled there, and its callback gets the host's Cancelled error.
---@param id integer
---@param reason? string
function M.cancel(id, reason)
  local p = state.pending[id]
  if not p or not state.chan or p.chan ~= state.chan then return end
  for i, q in ipairs(state.outbox) do
    if q.id == id then -- never sent: nothing to tell the host
      table.remove(state.outbox, i)
      return finish(
        id,
        { code = codes.Cancelled, message = reason and ('cancelled: ' .. reason) or 'request cancelled' }
      )
    end
  end
  M.send('cancel', { id = id, reason = reason }, {}, nil)
end

---Is request `id` still waiting for its reply?
---@param id integer
---@return boolean
function M.pending(id) return state.pending[id] ~= nil end

---The reply to request `id`; one item of `_batch`.
---@param id integer
---@param err mcp.Error|nil
---@param result any
function M.reply(id, err, result)
  err, result = nonil(err), nonil(result)
  if not state.pending[id] then return end -- timed out in Lua already, or failed when the host restarted
  if err then
    err = {
      code = nonil(err.code) or codes.InternalError,
      message = nonil(err.message) or 'unknown error',
      data = nonil(err.data),
    }
  end
  finish(id, err, result)
end

---Progress of request `payload.id` (`progress` push): restarts its guard, as the host restarts its
---deadline, and calls its `on_progress`.
---@param payload { id: integer, progress: number, total?: number, message?: string }
function M.progress(payload)
  local p = state.pending[payload.id]
  if not p then return end
  p.progressed = true
  if p.timer and not p.suspended and not p.holds then arm(payload.id, p) end
  if p.opts.on_progress then
    local progress = { progress = payload.progress, total = nonil(payload.total), message = nonil(payload.message) }
    vim.schedule(function() p.opts.on_progress(progress) end)
  end
end

---Handlers of the items of `_batch`, by their first element. A new kind of host→Lua item is one more
---entry (`on_item`).
---@type table<string, fun(item: table)>
local kinds = {
  r = function(item) M.reply(item[2], item[3], item[4]) end,
  p = function(item)
    local event, payload = item[2], nonil(item[3])
    if event == 'progress' then
      if type(payload) == 'table' then M.progress(payload) end
      return
    end
    require('mcp.core.pushes').apply(event, payload)
  end,
}

---Puts back together an item the host sent as JSON segments (src/bridge/nesting.ts): it nests deeper
---than Neovim's msgpack decoder takes (31 levels in a message). Segment 1 is the item; each other
---segment `{ parent, path, json }` replaces the `vim.NIL` at `path` (map keys as strings, list positions
---1-based) in segment `parent`, which comes before it. Iterative, so any depth the host sends arrives.
---@param segments { [1]: integer, [2]: (string|integer)[], [3]: string }[]
---@return table item
---@raise string when a segment is not valid JSON or its place is missing
local function assemble(segments)
  local values = {}
  for i, seg in ipairs(segments) do
    local value = vim.json.decode(seg[3])
    values[i] = value
    if i > 1 then
      local holder, path = values[seg[1]], seg[2]
      for k = 1, #path - 1 do
        holder = holder[path[k]]
      end
      if type(holder) ~= 'table' then error(('segment %d: no place for it in segment %d'):format(i, seg[1])) end
      holder[path[#path]] = value
    end
  end
  return values[1]
end

---`{ "j", segments, kind, id }`: an item too deeply nested for msgpack, as JSON segments (`assemble`).
---When it cannot be put back together, a reply (`kind` "r", request `id`) fails at once with the reason.
---@param item table
kinds.j = function(item)
  local ok, inner = pcall(assemble, item[2])
  if ok and type(inner) == 'table' and kinds[inner[1]] and inner[1] ~= 'j' then return kinds[inner[1]](inner) end
  local why = ok and 'not an item' or tostring(inner)
  if item[3] == 'r' and type(item[4]) == 'number' then
    return M.reply(item[4], {
      code = codes.InternalError,
      message = 'the reply, nested too deep for msgpack, came as JSON that did not decode: ' .. why,
    })
  end
  error('a deeply nested ' .. tostring(item[3]) .. ' item did not decode: ' .. why)
end

---Registers the handler of a kind of `_batch` item.
---@param kind string the item's first element
---@param handler fun(item: table) gets the whole item
function M.on_item(kind, handler) kinds[kind] = handler end

---An item of `_batch`: a reply, a push, an ask or the withdrawal of an ask (protocol.ts describes each).
---@alias mcp.channel.Item
---| { [1]: "r", [2]: integer, [3]: mcp.Error?, [4]: any } reply: request id, error or nil, result
---| { [1]: "p", [2]: string, [3]: table } push: event, payload
---| { [1]: "q", [2]: integer, [3]: string, [4]: table, [5]: { title: string, server?: string, timeout_ms?: integer } } ask: ask id, kind, params, meta
---| { [1]: "w", [2]: integer, [3]: string } withdrawal: ask id, reason
---| { [1]: "j", [2]: table[], [3]: string, [4]: integer? } any of these, nested too deep for msgpack, as JSON segments

---Called by the host (`nvim_exec_lua`): the replies and pushes of one turn of its event loop, in order.
---A batch from a host that is not the current one (an old host flushing after a restart: its request
---and ask ids would be taken for the new host's) is dropped. An item of an unknown kind is skipped (a
---newer host may send more than this Lua knows). An item whose handler fails is reported and skipped:
---the items after it are still handled (a reply lost here would leave its caller waiting for the guard).
---@param chan integer the sending host's channel id
---@param items mcp.channel.Item[]
function M._batch(chan, items)
  if chan ~= state.chan or type(items) ~= 'table' then return end
  for _, item in ipairs(items) do
    local handler = type(item) == 'table' and kinds[item[1]] or nil
    if handler then
      local ok, err = pcall(handler, item)
      if not ok then
        util.notify_later(
          ('a %s item from the host failed (skipped): %s'):format(vim.inspect(item[1]), tostring(err)),
          vim.log.levels.ERROR
        )
      end
    end
  end
end

return M
