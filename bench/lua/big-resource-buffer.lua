-- Bench-side Lua of the "big resource buffer" case (bench/src/big-resource-buffer.ts), loaded after
-- bench.lua with `dofile(this file)(B)`. Measures how long the editor stalls while a live resource buffer
-- (`:edit mcp://{server}/{uri}`, lua/mcp/resources/buffers.lua) fills with a big text, on its first read
-- and on a reload (`:edit` again), the way bench/lua/big-result.lua measures the result window: a 1 ms
-- vim.uv timer schedules (|vim.schedule()|) a tick on the main loop, and the longest time between two
-- ticks is the longest stall.
return function(B)
  local uv = vim.uv or vim.loop
  local now = B.now

  ---Opens (or, with `reload`, reloads) `mcp://{server}/{uri}` in the current window and reports:
  ---`gap_ms`: the longest gap from the `:edit` on (includes the reply's decoding by Neovim's RPC layer);
  ---`fill_gap_ms`: the longest gap from the read's callback on (the buffer's own work); `sync_ms`: time
  ---inside that callback; `filled_ms`: callback to every line in; `lines`: lines in the buffer then.
  ---`at_once`: fill the buffer in one go (every text under `mcp.resources.fill.sync_bytes`), as before
  ---the fill was sliced, for comparison.
  ---@param tag string
  ---@param server string
  ---@param uri string
  ---@param reload boolean
  ---@param at_once boolean
  function B.resource_buffer(tag, server, uri, reload, at_once)
    local fill = require('mcp.resources.fill')
    local sync_bytes = fill.sync_bytes
    if at_once then fill.sync_bytes = math.huge end
    local mcp = require('mcp')
    local read = mcp.read_resource
    local timer = assert(uv.new_timer())
    local last = now()
    local gap, fill_gap = 0, 0
    local phase = 'wait' ---@type "wait"|"fill"|"done"
    local out = {}
    local t_cb
    local name = ('mcp://%s/%s'):format(server, uri)
    local reads = 0
    local function record(t)
      local d = t - last
      if d > gap then gap = d end
      if phase == 'fill' and d > fill_gap then fill_gap = d end
      last = t
    end
    local function finish()
      phase = 'done'
      timer:stop()
      timer:close()
      fill.sync_bytes = sync_bytes
      out.gap_ms, out.fill_gap_ms = gap, fill_gap
      B.done(tag, out)
    end
    local function tick()
      if phase == 'done' then return end
      record(now())
      if phase == 'fill' then
        local buf = vim.fn.bufnr(name)
        if buf > 0 and (vim.b[buf].mcp_reads or 0) > reads and not vim.b[buf].mcp_loading then
          out.filled_ms = now() - t_cb
          out.lines = vim.api.nvim_buf_line_count(buf)
          finish()
        end
      end
    end
    -- The read's callback marks where the buffer's own work starts (bench only: put back at once).
    mcp.read_resource = function(s, u, cb)
      mcp.read_resource = read
      return read(s, u, function(err, result)
        if err then
          finish()
          return B.done(tag, { error = tostring(err.message) })
        end
        t_cb = now()
        record(t_cb)
        phase = 'fill'
        cb(err, result)
        out.sync_ms = now() - t_cb
      end)
    end
    B.on_main_loop(timer, tick)
    local buf = vim.fn.bufnr(name)
    reads = buf > 0 and (vim.b[buf].mcp_reads or 0) or 0
    if reload then
      vim.cmd('edit')
    else
      vim.cmd('edit ' .. vim.fn.fnameescape(name))
    end
  end
end
