-- Bench-side Lua of the "big result" case (bench/src/big-result.ts), loaded after bench.lua with
-- `dofile(this file)(B)`. Measures how long the editor stalls while a big tool result reaches the result
-- window the way `:Mcp call` shows it (`mcp.ui.result.tool`).
--
-- The stall is measured on the main loop, where typed keys and redraws are handled: a 1 ms vim.uv timer
-- schedules (|vim.schedule()|) a tick, and the longest time between two ticks is the longest stall. A
-- bare vim.uv timer would not do: its callbacks also run inside long Vim operations (Neovim polls the
-- event loop for CTRL-C while it splits or appends lines), so it would miss those stalls.
--
-- `$MCP_BENCH_RESULT_LUA`, when set, names another version of lua/mcp/ui/result.lua to measure instead
-- (e.g. one taken with `git show <commit>:lua/mcp/ui/result.lua`), to compare before and after a change.
return function(B)
  local uv = vim.uv or vim.loop
  local now = B.now

  local function result_ui()
    local alt = os.getenv('MCP_BENCH_RESULT_LUA')
    if alt and alt ~= '' then
      package.loaded['mcp.ui.result'] = package.loaded['mcp.ui.result.bench'] or dofile(alt)
      package.loaded['mcp.ui.result.bench'] = package.loaded['mcp.ui.result']
    end
    return require('mcp.ui.result')
  end

  ---Calls `tool` of `server` with `args` and shows the result as `:Mcp call` does. Reports:
  ---`gap_ms`: the longest gap from issuing the call to the result shown (includes the reply's decoding
  ---by Neovim's RPC layer); `render_gap_ms`: the longest gap from the reply's callback on (the result
  ---window's own work); `sync_ms`: time inside `mcp.ui.result.tool`; `shown_ms`: callback to the result
  ---shown (complete, or stopped at its cap); `lines`: lines in the buffer then; `capped`. With
  ---`show_all`, the rest is then shown (`A`) and `all_gap_ms`, `all_ms`, `all_lines` describe that.
  ---@param tag string
  ---@param server string
  ---@param tool string
  ---@param args table
  ---@param show_all boolean
  function B.big_result(tag, server, tool, args, show_all)
    local view = result_ui()
    local timer = assert(uv.new_timer())
    local last = now()
    local gap, render_gap, all_gap = 0, 0, 0
    local phase = 'wait' ---@type "wait"|"render"|"all"|"done"
    local out = {}
    local buf, t_cb, t_all
    local function record(t)
      local d = t - last
      if d > gap then gap = d end
      if phase == 'render' and d > render_gap then render_gap = d end
      if phase == 'all' and d > all_gap then all_gap = d end
      last = t
    end
    local function finish()
      phase = 'done'
      timer:stop()
      timer:close()
      out.gap_ms, out.render_gap_ms, out.all_gap_ms = gap, render_gap, t_all and all_gap or nil
      B.done(tag, out)
    end
    -- (A renderer without `mcp.ui.stream` shows everything at once: nothing is ever pending.)
    local function pending()
      local stream = package.loaded['mcp.ui.stream']
      return stream and buf and stream.pending(buf) or nil
    end
    ---One tick of the main loop: records the gap since the last, and moves the measurement on.
    local function tick()
      if phase == 'done' then return end
      record(now())
      if phase == 'render' then
        local p = pending()
        if p == nil or p.capped then
          out.shown_ms = now() - t_cb
          out.capped = p ~= nil and p.capped
          out.lines = vim.api.nvim_buf_line_count(buf)
          if show_all and p ~= nil then
            phase = 'all'
            t_all = now()
            require('mcp.ui.stream').show_all(buf)
          else
            finish()
          end
        end
      elseif phase == 'all' and pending() == nil then
        out.all_ms = now() - t_all
        out.all_lines = vim.api.nvim_buf_line_count(buf)
        finish()
      end
    end
    B.on_main_loop(timer, tick)
    require('mcp').call_tool(server, tool, args, {}, function(err, result)
      if err then
        timer:stop()
        timer:close()
        return B.done(tag, { error = tostring(err.message) })
      end
      t_cb = now()
      record(t_cb)
      phase = 'render'
      buf = view.tool(server, tool, result)
      out.sync_ms = now() - t_cb
    end)
  end
end
