--- Asks: questions the host puts to the person at the editor (|mcp-asks|).
---
--- The host sends an ask (`q` item of the channel's batch, see src/bridge/protocol.ts "Asks"); this
--- module queues it, shows one at a time through the handler registered for its kind, and answers the
--- host exactly once (the `answer` request). The host may withdraw an ask first (`w` item): its UI closes
--- and the user is told why. Nothing is shown while the user types (Insert, Replace, Command-line or
--- Terminal mode): the ask waits, announced once, until the mode changes. An ask the user hid stays
--- pending; |:Mcp-asks| and the hub bring it back.
local M = {}

---An ask as the queue holds it: the host's `mcp.AskMeta` (title, server, timeout_ms) and more.
---@class mcp.Ask : mcp.AskMeta
---@field id integer the host's ask id
---@field kind string what is asked, e.g. "input" (`AskKinds` in protocol.ts)
---@field params table the kind's params
---@field time integer when it arrived (`os.time()`)
---@field hidden? boolean the user hid it; shown again only on request

---A handler shows an ask and calls `respond` once with the person's answer (or an error); `hide` puts
---the ask aside unanswered (it stays pending). It returns a function that closes its UI without
---answering (called when the ask is withdrawn or hidden), or nil.
---@alias mcp.AskHandler fun(ask: mcp.Ask, respond: fun(err: mcp.Error?, result: any), hide: fun()): (fun()|nil)

local codes = require('mcp.core.contract').codes
local events = require('mcp.core.events')
local util = require('mcp.core.util')

local state = {
  ---@type mcp.Ask[] pending asks, oldest first (the shown one included)
  pending = {},
  ---@type mcp.Ask? the ask whose UI is open
  shown = nil,
  ---@type fun()? closes the shown ask's UI
  close = nil,
  ---@type table<string, mcp.AskHandler>
  handlers = {},
  ---@type integer? augroup waiting for the user to stop typing (`wait`)
  waiting = nil,
  ---@type table<string, fun(ask: mcp.Ask): boolean> kinds whose asks may need no window (`M.register`)
  direct = {},
  ---@type table<integer, fun()> asks answered without a window, by id: what stops each
  running = {},
  ---@type table<integer, mcp.Ask> those asks themselves, whose held requests are released when they end
  running_asks = {},
}

---Tells the user, from the main loop (asks arrive inside the RPC handler).
local notify = util.notify_later

---Fires `User McpAsksChanged` so that the hub (and anyone else) can show the count.
local function changed() events.fire(events.names.asks_changed, { pending = #state.pending }) end

---Is the user typing (a UI opening now would take their keys), or in the command-line window (the
---mode there is Normal, but no other window may be opened: E11)?
---@return boolean
local function busy()
  local mode = vim.api.nvim_get_mode()
  return mode.blocking or mode.mode:match('^[iRct]') ~= nil or vim.fn.getcmdwintype() ~= ''
end

---How often a pending ask looks again whether the user stopped typing, ms, besides the events that say
---so: `mode.blocking` (e.g. a mapping waiting in getchar()) can end without any ModeChanged.
local RECHECK_MS = 500

---@param id integer
---@return integer? index
local function index_of(id)
  for i, a in ipairs(state.pending) do
    if a.id == id then return i end
  end
end

---Closes the shown ask's UI (if any) without answering.
local function close_shown()
  local close = state.close
  state.shown, state.close = nil, nil
  if close then pcall(close) end
end

local show_next, wait

---Holds (`on`) or releases the guards of the requests the ask holds (`AskMeta.holds`).
---@param ask mcp.Ask
---@param on boolean
local function hold(ask, on)
  local channel = require('mcp.core.channel')
  for _, id in ipairs(type(ask.holds) == 'table' and ask.holds or {}) do
    if on then
      channel.hold(id, ask)
    else
      channel.release(id)
    end
  end
end

---Answers ask `ask` once; later calls do nothing.
---@param ask mcp.Ask
---@param err mcp.Error?
---@param result any
local function answer(ask, err, result)
  local i = index_of(ask.id)
  if not i and not state.running[ask.id] then return end -- answered already, or withdrawn
  state.running[ask.id] = nil
  state.running_asks[ask.id] = nil
  if i then table.remove(state.pending, i) end
  if state.shown == ask then close_shown() end
  if ask.request then require('mcp.core.channel').resume(ask.request) end
  hold(ask, false)
  local params = { id = ask.id }
  if err then
    params.error = { code = err.code or codes.InternalError, message = err.message or 'failed' }
  else
    params.result = result == nil and vim.empty_dict() or result
  end
  -- To the host that asked (never a new one: an ask dies with its host).
  require('mcp.core.channel').send('answer', params, {}, function(e)
    -- The host withdrew it in the meantime (it crossed our answer): nothing is lost, say so quietly.
    if e and e.code ~= codes.UnknownItem then
      notify(('%s: the answer was not delivered: %s'):format(ask.title, e.message), vim.log.levels.WARN)
    end
  end)
  changed()
  vim.schedule(show_next)
end

---Opens `ask` with its kind's handler; a handler that fails answers with its error.
---@param ask mcp.Ask
local function open(ask)
  local handler = state.handlers[ask.kind]
  state.shown, ask.hidden = ask, nil
  if not handler then
    return answer(
      ask,
      { code = codes.MethodNotFound, message = ('this editor cannot answer asks of kind "%s"'):format(ask.kind) }
    )
  end
  -- `hide` of this ask only: a window closed late must not hide the ask shown after it.
  local function hide()
    if state.shown == ask then M.hide() end
  end
  local before = {}
  for _, w in ipairs(vim.api.nvim_list_wins()) do
    before[w] = true
  end
  local ok, res = pcall(handler, ask, function(err, result) answer(ask, err, result) end, hide)
  if not ok then
    -- A handler that failed after opening its window cannot close it (it returned nothing): close
    -- every window that appeared meanwhile, so nothing is left over that answers nothing.
    for _, w in ipairs(vim.api.nvim_list_wins()) do
      if not before[w] then pcall(vim.api.nvim_win_close, w, true) end
    end
    notify(('%s: %s'):format(ask.title, tostring(res)), vim.log.levels.ERROR)
    return answer(ask, { code = codes.InternalError, message = 'the editor failed to show it: ' .. tostring(res) })
  end
  if state.shown == ask then state.close = type(res) == 'function' and res or nil end
end

---Waits for the user to stop typing (once), then shows the next ask: on leaving a mode, on leaving the
---command-line window, and on a one-shot timer re-armed while the user is still busy.
function wait()
  if state.waiting then return end
  local group = vim.api.nvim_create_augroup('mcp.asks.waiting', { clear = true })
  state.waiting = group
  local timer = assert(vim.uv.new_timer())
  local function check()
    if state.waiting ~= group then return end
    if busy() then
      timer:start(RECHECK_MS, 0, vim.schedule_wrap(check))
      return
    end
    state.waiting = nil
    timer:stop()
    timer:close()
    pcall(vim.api.nvim_del_augroup_by_id, group)
    show_next()
  end
  -- CmdwinLeave fires while the command-line window is still open: look again from the main loop.
  vim.api.nvim_create_autocmd({ 'ModeChanged', 'CmdwinLeave' }, {
    group = group,
    desc = 'mcp: show a pending ask once the user stops typing',
    callback = function() vim.schedule(check) end,
  })
  timer:start(RECHECK_MS, 0, vim.schedule_wrap(check))
end

---Shows the oldest pending ask that is not hidden, unless one is shown or the user is typing.
function show_next()
  if state.shown then return end
  local ask
  for _, a in ipairs(state.pending) do
    if not a.hidden then
      ask = a
      break
    end
  end
  if not ask then return end
  if busy() then return wait() end
  open(ask)
end

---Registers the UI for one kind of ask (the built-in ones are registered on first use).
---@param kind string
---@param handler mcp.AskHandler
---@param direct? fun(ask: mcp.Ask): boolean true for an ask the handler answers without a window (e.g. an
---  auto-approved sampling request): it runs at once, outside the queue, even while the user types
function M.register(kind, handler, direct)
  state.handlers[kind] = handler
  state.direct[kind] = direct
end

---Runs an ask that needs no window (`direct`): its handler answers it, the queue is not involved.
---@param ask mcp.Ask
local function run_direct(ask)
  local ok, res = pcall(
    state.handlers[ask.kind],
    ask,
    function(err, result) answer(ask, err, result) end,
    function() end
  )
  if not state.running[ask.id] then return end -- answered already
  if not ok then
    notify(('%s: %s'):format(ask.title, tostring(res)), vim.log.levels.ERROR)
    return answer(ask, { code = codes.InternalError, message = tostring(res) })
  end
  if type(res) == 'function' then state.running[ask.id] = res end
end

---The asks waiting for an answer, oldest first (copies).
---@return mcp.Ask[]
function M.pending() return vim.deepcopy(state.pending) end

---Shows pending ask `id` (default: the oldest), in place of the one shown (which stays pending).
---@param id? integer
---@return boolean shown false when there is no such ask
function M.open(id)
  local ask = id and state.pending[index_of(id) or 0] or state.pending[1]
  if not ask then return false end
  if state.shown == ask then
    close_shown() -- reopen: e.g. its window was closed by `:only`
  elseif state.shown then
    state.shown.hidden = true
    close_shown()
  end
  open(ask)
  return true
end

---Hides the shown ask: it stays pending (|:Mcp-asks| brings it back) and the next one is shown.
function M.hide()
  local ask = state.shown
  if not ask then return end
  ask.hidden = true
  close_shown()
  notify(('%s: still waiting for you (:Mcp asks)'):format(ask.title), vim.log.levels.INFO)
  vim.schedule(show_next)
end

---Lets the user pick a pending ask to show (|:Mcp-asks|).
function M.pick()
  if #state.pending == 0 then return notify('no pending asks', vim.log.levels.INFO) end
  if #state.pending == 1 then return M.open(state.pending[1].id) end
  vim.ui.select(state.pending, {
    prompt = 'Pending asks',
    format_item = function(a)
      return ('%s  (%s)'):format(require('mcp.core.text').line(a.title, 0), os.date('%H:%M:%S', a.time))
    end,
  }, function(a)
    if a then M.open(a.id) end
  end)
end

---Called by the channel for a `q` item: the host asks.
---@param id integer
---@param kind string
---@param params table
---@param meta mcp.AskMeta
function M._ask(id, kind, params, meta)
  if not state.handlers.input then M.register('input', require('mcp.ui.ask').input) end
  if not state.handlers.elicitation then M.register('elicitation', require('mcp.ui.elicit').elicitation) end
  if not state.handlers.approval then M.register('approval', require('mcp.ui.approval').approval) end
  if not state.handlers.oauth then M.register('oauth', require('mcp.auth').ask) end
  if not state.handlers.sampling then
    local sampling = require('mcp.sampling')
    M.register('sampling', sampling.handle, sampling.direct)
  end
  if not state.handlers.elicitation_url then M.register('elicitation_url', require('mcp.ui.elicit_url').url) end
  if not state.handlers.url_retry then M.register('url_retry', require('mcp.ui.elicit_url').retry) end
  local nonil = util.nonil
  ---@type mcp.Ask
  local ask = {
    id = id,
    kind = kind,
    params = type(params) == 'table' and params or {},
    title = tostring(meta.title),
    server = nonil(meta.server),
    timeout_ms = nonil(meta.timeout_ms),
    request = nonil(meta.request),
    holds = nonil(meta.holds),
    time = os.time(),
  }
  local direct = state.direct[kind]
  if direct and direct(ask) then
    -- Marked running now, so that a withdrawal before it starts stops it from starting.
    state.running[id] = function() end
    -- No window, but the server still waits on it (a model answering): the calls it holds stand still.
    state.running_asks[id] = ask
    hold(ask, true)
    return vim.schedule(function()
      if state.running[id] then run_direct(ask) end
    end)
  end
  -- A request waiting on a person has no guard meanwhile (the host's deadline starts after the answer).
  if ask.request then require('mcp.core.channel').suspend(ask.request) end
  -- The calls the host holds while this is open: their guards stand still too.
  hold(ask, true)
  table.insert(state.pending, ask)
  changed()
  -- Another ask comes first, or the user is typing: say that this one waits, and where to find it.
  if #state.pending > 1 or busy() then
    notify(('%s: waiting for you (:Mcp asks)'):format(ask.title), vim.log.levels.INFO)
  end
  vim.schedule(show_next)
end

---Called by the channel for a `w` item: the host withdrew ask `id`.
---@param id integer
---@param reason string
function M._withdraw(id, reason)
  local stop = state.running[id]
  if stop then
    state.running[id] = nil
    pcall(stop)
    local ask = state.running_asks[id]
    state.running_asks[id] = nil
    if ask then hold(ask, false) end
    return
  end
  local i = index_of(id)
  if not i then return end
  local ask = table.remove(state.pending, i)
  if state.shown == ask then close_shown() end
  if ask.request then require('mcp.core.channel').resume(ask.request) end
  hold(ask, false)
  notify(('%s: withdrawn (%s)'):format(ask.title, reason), vim.log.levels.WARN)
  changed()
  vim.schedule(show_next)
end

---Called when the host exits: every pending ask is gone with it.
---@param reason string
function M._host_gone(reason)
  for id, stop in pairs(state.running) do
    state.running[id] = nil
    pcall(stop)
  end
  state.running_asks = {}
  if #state.pending == 0 then return end
  local asks = state.pending
  state.pending = {}
  close_shown()
  for _, ask in ipairs(asks) do
    notify(('%s: withdrawn (%s)'):format(ask.title, reason), vim.log.levels.WARN)
  end
  changed()
end

-- An ask dies with its host: the core calls this when the host exits, is stopped or restarted. (Pending
-- asks exist only once this module is loaded, so registering on load is soon enough.)
require('mcp.core.hooks').on_host_gone(M._host_gone)

return M
