-- Bench-side Lua, loaded into the Neovim under test with `_G.B = dofile(this file)`.
-- Every measurement is taken here, with vim.uv.hrtime(), so that no RPC round trip to the bench
-- process is inside a timed interval. Results go back to the bench process with
-- `vim.rpcnotify(B.chan, "bench", tag, result)` (the bench process's own channel, never 0: that would
-- broadcast to the host too).
local B = {}

local uv = vim.uv or vim.loop

---@return number ms since an arbitrary origin, sub-microsecond resolution
local function now() return uv.hrtime() / 1e6 end
B.now = now

---@param chan integer the bench process's channel
function B.init(chan) B.chan = chan end

---@param tag string
---@param result table
function B.done(tag, result) vim.rpcnotify(B.chan, 'bench', tag, result) end

---Runs `tick` on the main loop about every 1 ms: `timer` (a vim.uv timer, started here) schedules it
---with |vim.schedule()|, one at a time. The gap between two ticks is a stall of the main loop, where keys
---and redraws are handled (a bare timer callback also runs inside long Vim operations, and would miss them).
---@param timer uv.uv_timer_t
---@param tick fun()
function B.on_main_loop(timer, tick)
  local queued = false
  timer:start(1, 1, function()
    if queued then return end
    queued = true
    vim.schedule(function()
      queued = false
      tick()
    end)
  end)
end

---@param tag string
---@param msg string
local function fail(tag, msg) B.done(tag, { error = msg }) end

---@param err table?
---@return string?
local function errtext(err)
  if err == nil or err == vim.NIL then return nil end
  return ('%s (%s)'):format(tostring(err.message), tostring(err.code))
end

---Host ready: from the first API call that needs the host (`require("mcp").servers()`, which starts it)
---to `User McpHostStarted` (fired when the host answered `init`). The time to `require("mcp")` itself is
---included: it is part of the first use.
---`servers_ms`: until the host also answered a `servers` request sent at the same time (queued by Lua
---until `init` is answered): the first real answer, for a host that would answer `init` early.
function B.host_ready(tag)
  local t0 = now()
  local ready, listed
  local function finish()
    if ready and listed then B.done(tag, { ms = ready, servers_ms = listed }) end
  end
  vim.api.nvim_create_autocmd('User', {
    pattern = 'McpHostStarted',
    once = true,
    callback = function()
      ready = now() - t0
      finish()
    end,
  })
  require('mcp').servers()
  require('mcp.core.process').request('servers', nil, {}, function(err)
    if err then return fail(tag, errtext(err)) end
    listed = now() - t0
    finish()
  end)
end

---First server: `require("mcp").start(name, cb)` in a fresh Neovim (host not running) until `cb` says
---connected.
function B.first_server(tag, name)
  local t0 = now()
  require('mcp').start(name, function(err, snap)
    local t1 = now()
    if err then return fail(tag, errtext(err)) end
    B.done(tag, { ms = t1 - t0, status = snap.status, tools = #(snap.tools or {}) })
  end)
end

---Stops a server; reports when it is stopped.
function B.stop(tag, name)
  require('mcp').stop(name, function(err)
    if err then return fail(tag, errtext(err)) end
    B.done(tag, { ok = true })
  end)
end

---Time until a server is usable: the first API call is a tool call to it (the host starts, the server
---connects, the call is made); until its callback.
function B.first_call(tag, server, tool, args)
  local t0 = now()
  require('mcp').call_tool(server, tool, args, {}, function(err)
    local t1 = now()
    if err then return fail(tag, errtext(err)) end
    B.done(tag, { ms = t1 - t0 })
  end)
end

---`n` sequential `call_tool`s (each issued from the previous one's callback); per-call latency, ms.
function B.seq_calls(tag, server, tool, args, n)
  local mcp = require('mcp')
  local samples = {}
  local i = 0
  local t0
  local function step()
    i = i + 1
    if i > n then return B.done(tag, { samples = samples }) end
    t0 = now()
    mcp.call_tool(server, tool, args, {}, function(err, res)
      local dt = now() - t0
      if err then return fail(tag, errtext(err)) end
      if type(res) ~= 'table' or type(res.content) ~= 'table' then return fail(tag, 'no content in result') end
      samples[#samples + 1] = dt
      step()
    end)
  end
  step()
end

---`n` sequential model tool calls through the chat API (`require("mcp.chat").run`: name resolved,
---arguments decoded, approval policy evaluated, result formatted for the model) interleaved with `n`
---sequential `call_tool`s of the same tool: chat, call, chat, call, ..., each issued from the previous
---callback, so that both see the same moments of load. Per-call latency, ms, of each.
---The server must allow the tool without asking (`auto_approve`): no human is in the loop.
function B.seq_chat(tag, server, tool, args, n)
  local mcp = require('mcp')
  local chat = require('mcp.chat')
  chat.tools() -- as a chat does before a request: the names handed to the model
  local name = chat.name(server, tool)
  local encoded = vim.json.encode(args) -- a model sends JSON text
  local out = { chat = {}, call = {} }
  local i = 0
  local step
  local function via_call()
    local t0 = now()
    mcp.call_tool(server, tool, args, {}, function(err, res)
      local dt = now() - t0
      if err then return fail(tag, errtext(err)) end
      if type(res) ~= 'table' or type(res.content) ~= 'table' then return fail(tag, 'no content in result') end
      out.call[#out.call + 1] = dt
      step()
    end)
  end
  step = function()
    i = i + 1
    if i > n then return B.done(tag, out) end
    local t0 = now()
    chat.run({ name = name, arguments = encoded }, {}, function(err, res)
      local dt = now() - t0
      if err then return fail(tag, errtext(err)) end
      if type(res) ~= 'table' or res.is_error then return fail(tag, 'chat.run: tool error ' .. vim.inspect(res)) end
      out.chat[#out.chat + 1] = dt
      via_call()
    end)
  end
  step()
end

---`n` concurrent `call_tool`s issued in one go; total time from the first call to the last callback.
---A 1 ms repeating vim.uv timer runs from just before the first call to the last callback and records
---the longest gap between two of its runs (`gap_ms`, the "editor stays live" figure), and the longest
---gap counted only once every call has been issued (`gap_after_issue_ms`).
function B.concurrent(tag, server, tool, args, n)
  local mcp = require('mcp')
  local timer = assert(uv.new_timer())
  local last = now()
  -- `last_after`: as `last`, but restarted when the issuing loop returns, so that `gap_after` only
  -- counts time spent handling replies, not the loop itself.
  local last_after
  local gap, gap_after = 0, 0
  local issued = false
  local ticks = 0
  timer:start(1, 1, function()
    local t = now()
    local d = t - last
    if d > gap then gap = d end
    if last_after and t - last_after > gap_after then gap_after = t - last_after end
    last = t
    if last_after then last_after = t end
    ticks = ticks + 1
  end)
  local left, errors = n, 0
  local t0 = now()
  for _ = 1, n do
    mcp.call_tool(server, tool, args, {}, function(err)
      if err then errors = errors + 1 end
      left = left - 1
      if left == 0 then
        local t1 = now()
        -- The gap that ends now counts too.
        local d = t1 - last
        if d > gap then gap = d end
        if last_after and t1 - last_after > gap_after then gap_after = t1 - last_after end
        timer:stop()
        timer:close()
        B.done(tag, {
          ms = t1 - t0,
          issue_ms = issued,
          gap_ms = gap,
          gap_after_issue_ms = gap_after,
          ticks = ticks,
          errors = errors,
        })
      end
    end)
  end
  last_after = now()
  issued = last_after - t0
end

---Big catalog: watches the hub. `render` of `mcp.ui.hub` is wrapped to record when each redraw ended,
---and `put` of `mcp.core.store` (where each `server` push lands) to record when each arrived (with its
---tool count).
function B.catalog_hook()
  local hub = require('mcp.ui.hub')
  local store = require('mcp.core.store')
  B.renders = {}
  B.pushes = {}
  if not B.hooked then
    B.hooked = true
    local render = hub.render
    hub.render = function(...)
      local t = now()
      render(...)
      B.renders[#B.renders + 1] = { t0 = t, t1 = now() }
    end
    local put = store.put
    store.put = function(payload)
      B.pushes[#B.pushes + 1] =
        { t = now(), name = payload.name, tools = type(payload.tools) == 'table' and #payload.tools or -1 }
      return put(payload)
    end
  end
end

---Calls `touch_tools` on `server` (which adds a tool and sends `notifications/tools/list_changed`) and
---reports when the hub had been redrawn with the new tool count: `ms` from the call to the end of that
---render, `push_ms` to the arrival of the snapshot push, `render_ms` the render itself, `lines` of the hub.
function B.touch(tag, server)
  local hub = require('mcp.ui.hub')
  local want = #require('mcp.core.store').snapshot(server).tools + 1
  local t0 = now()
  local nr = #B.renders
  local timer = assert(uv.new_timer())
  local deadline = t0 + 10000
  -- Poll (from a timer, not inside render) for the first render after the push that carries `want` tools.
  timer:start(
    1,
    1,
    vim.schedule_wrap(function()
      if timer:is_closing() then return end
      local push
      for _, p in ipairs(B.pushes) do
        if p.name == server and p.tools == want and p.t >= t0 then push = p end
      end
      if push then
        for i = nr + 1, #B.renders do
          local r = B.renders[i]
          if r.t0 >= push.t then
            timer:stop()
            timer:close()
            local buf = vim.fn.bufnr(hub.name)
            return B.done(tag, {
              ms = r.t1 - t0,
              push_ms = push.t - t0,
              render_ms = r.t1 - r.t0,
              lines = vim.api.nvim_buf_line_count(buf),
            })
          end
        end
      end
      if now() > deadline then
        timer:stop()
        timer:close()
        fail(tag, 'no redraw of the hub within 10 s')
      end
    end)
  )
  require('mcp').call_tool(server, 'touch_tools', {}, {}, function(err)
    if err then fail(tag, errtext(err)) end
  end)
end

---Big resource: `read_resource` then the lines inserted into a fresh buffer in the current window,
---the way `:Mcp resource insert` does (`mcp.ui.result` resource_lines, then `mcp.ui.insert`).
function B.big_resource(tag, server, uri)
  local result_ui = require('mcp.ui.result')
  local insert = require('mcp.ui.insert')
  vim.cmd('enew')
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].bufhidden = 'wipe'
  local target = insert.target()
  local t0 = now()
  require('mcp').read_resource(server, uri, function(err, result)
    local t1 = now()
    if err then return fail(tag, errtext(err)) end
    local lines = result_ui.resource_lines(server, uri, result)
    local t2 = now()
    local ok, ierr = insert.insert(lines, target)
    local t3 = now()
    if not ok then return fail(tag, tostring(ierr)) end
    local count = vim.api.nvim_buf_line_count(buf)
    local bytes = #result.contents[1].text
    -- Drop the references so that collectgarbage() below frees the text.
    result = nil -- luacheck: no unused
    lines = nil -- luacheck: no unused
    vim.cmd('bwipe! ' .. buf)
    collectgarbage()
    B.done(
      tag,
      { ms = t3 - t0, read_ms = t1 - t0, split_ms = t2 - t1, insert_ms = t3 - t2, lines = count, bytes = bytes }
    )
  end)
end

return B
