-- Bench-side Lua of the "flood" case (bench/src/flood.ts), loaded after bench.lua with
-- `dofile(this file)(B)`. Measures how long the editor stalls while a server floods it with
-- `notifications/tools/list_changed` (issue 13, defect 5), and the same stall figure with nothing to do.
--
-- Two stall figures from one 1 ms vim.uv timer: `gap_ms`, the longest time between two ticks on the main
-- loop (each timer run schedules a tick with |vim.schedule()|: where typed keys and redraws are handled,
-- as in the big result case), and `timer_gap_ms`, the longest time between two runs of the timer itself
-- (what this bench reported before it measured the main loop; a bare timer also runs inside long Vim
-- operations, which poll the event loop, so it can miss a stall).
return function(B)
  local uv = vim.uv or vim.loop
  local now = B.now

  ---A running stall meter: `stop()` returns `{ gap_ms, timer_gap_ms }` (ms).
  ---@return { stop: fun(): { gap_ms: number, timer_gap_ms: number } }
  local function meter()
    local timer = assert(uv.new_timer())
    local gap, timer_gap = 0, 0
    local last, last_timer = now(), now()
    local running = true
    timer:start(1, 1, function()
      local t = now()
      if t - last_timer > timer_gap then timer_gap = t - last_timer end
      last_timer = t
      vim.schedule(function()
        if not running then return end
        local t2 = now()
        if t2 - last > gap then gap = t2 - last end
        last = t2
      end)
    end)
    return {
      stop = function()
        -- The gap that ends now counts too.
        local t = now()
        if t - last > gap then gap = t - last end
        running = false
        timer:stop()
        timer:close()
        return { gap_ms = gap, timer_gap_ms = timer_gap }
      end,
    }
  end

  ---The machine's own noise: both stall figures over `ms` of nothing to do.
  ---@param tag string
  ---@param ms number duration, ms
  function B.flood_idle(tag, ms)
    local m = meter()
    vim.defer_fn(function() B.done(tag, m.stop()) end, ms)
  end

  ---One storm: calls `storm {count}` of `server` (test/servers/flooder.mjs), which writes `count`
  ---`notifications/tools/list_changed` in one go and then lists `after_storm`. Measured from just before
  ---the call until the tool list shows `after_storm` and 500 ms passed without a `User McpServerChanged`
  ---(given up 60 s after the reply). Reports the stall figures and `events` (McpServerChanged fired),
  ---`reply_ms` (call to its callback), `final_ms` (call to the first event after which the list shows
  ---`after_storm`; absent when it was listed before the storm), `settled_ms` (call to the end, quiet
  ---period included), `final` (whether the list shows it at the end).
  ---@param tag string
  ---@param server string
  ---@param count integer notifications to send
  function B.flood_storm(tag, server, count)
    local mcp = require('mcp')
    local function final()
      for _, t in ipairs(mcp.tools(server)) do
        if t.name == 'after_storm' then return true end
      end
      return false
    end
    local listed_before = final()
    local events, final_ms, reply_ms = 0, nil, nil
    local t0 = now()
    local m = meter()
    local au = vim.api.nvim_create_autocmd('User', {
      pattern = 'McpServerChanged',
      callback = function()
        events = events + 1
        if not final_ms and not listed_before and final() then final_ms = now() - t0 end
      end,
    })
    mcp.call_tool(server, 'storm', { count = count }, { timeout_ms = 120000 }, function(err)
      reply_ms = now() - t0
      if err then
        vim.api.nvim_del_autocmd(au)
        m.stop()
        return B.done(tag, { error = ('storm of %d on %s: %s'):format(count, server, tostring(err.message)) })
      end
      local quiet = assert(uv.new_timer())
      local seen = -1
      quiet:start(
        500,
        500,
        vim.schedule_wrap(function()
          if (final() and events == seen) or now() - t0 - reply_ms > 60000 then
            quiet:stop()
            quiet:close()
            vim.api.nvim_del_autocmd(au)
            local out = m.stop()
            out.settled_ms, out.reply_ms, out.final_ms = now() - t0, reply_ms, final_ms
            out.events, out.final = events, final()
            B.done(tag, out)
          end
          seen = events
        end)
      )
    end)
  end

  ---The host log's size, bytes, the rotated file (`<log>.1`) included, so that a rotation in between
  ---does not shrink it.
  ---@param tag string
  function B.flood_log_size(tag)
    local path = require('mcp').log_path()
    local size = 0
    for _, p in ipairs({ path, path .. '.1' }) do
      local st = uv.fs_stat(p)
      if st then size = size + st.size end
    end
    B.done(tag, { bytes = size, path = path })
  end
end
