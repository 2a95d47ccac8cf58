--- The two sampling windows (|mcp-sampling-review|): the request before it goes to the provider, and the
--- model's answer before it goes back to the server. Both are the ask windows' floats (lua/mcp/ui/ask.lua)
--- holding editable text (lua/mcp/sampling/text.lua says its shape), with the same keys:
---
--- `<C-s>` (Normal and Insert mode) sends what the window holds on, `<C-d>` (Normal and Insert mode)
--- declines, `q` (Normal mode) puts the ask aside (|:Mcp-asks| brings it back). Any other key edits.
local M = {}

local ns = vim.api.nvim_create_namespace('mcp.sampling')

---@class mcp.sampling.ReviewOpts
---@field hls mcp.ui.Hl[] the highlights of `lines` (mcp.ui.builder's)
---@field kind string the buffer's kind (|b:mcp_kind|): "sampling_request" or "sampling_result"
---@field cursor integer the line to put the cursor on (1-based)
---@field send_label string what `<C-s>` does, for the footer (e.g. "send to the model")
---@field on_send fun(lines: string[]): string? the window's text; returns an error to show (the window stays), or nil (it closes)
---@field on_decline fun()
---@field hide fun() puts the ask aside (it stays pending)

---Opens one review window.
---@param title string
---@param lines string[]
---@param opts mcp.sampling.ReviewOpts
---@return mcp.ui.AskWindow
function M.open(title, lines, opts)
  local ui = require('mcp.ui.ask')
  local buf, win = ui.float(title, lines, {
    kind = opts.kind,
    min_width = 60,
    height = math.min(#lines + 1, math.max(8, math.floor(vim.o.lines * 0.7))),
    footer = ('<C-s> %s · <C-d> decline · q later'):format(opts.send_label),
  })
  local w = ui.wire(buf, win, opts.hide)
  local ok, err = pcall(function()
    -- Markdown: message text is often Markdown; the header lines read as headings and rules.
    vim.bo[buf].filetype = 'markdown'
    vim.bo[buf].modified = false
    vim.wo[win].wrap = true
    vim.wo[win].linebreak = true
    vim.wo[win].conceallevel = 0
    -- Extmarks: they move with the person's edits.
    require('mcp.ui.builder').highlight(buf, ns, opts.hls)
    vim.api.nvim_win_set_cursor(win, { math.max(1, math.min(opts.cursor, #lines)), 0 })
    local function send()
      if w.closed() then return end
      local problem = opts.on_send(vim.api.nvim_buf_get_lines(buf, 0, -1, false))
      if problem then return require('mcp.core.util').error(problem) end
      if vim.api.nvim_get_mode().mode:match('^i') then vim.cmd('stopinsert') end
      w.close()
    end
    local function decline()
      if w.closed() then return end
      if vim.api.nvim_get_mode().mode:match('^i') then vim.cmd('stopinsert') end
      w.close()
      opts.on_decline()
    end
    local function map(modes, lhs, rhs, desc)
      vim.keymap.set(modes, lhs, rhs, { buffer = buf, nowait = true, desc = 'mcp sampling: ' .. desc })
    end
    map({ 'n', 'i' }, '<C-s>', send, opts.send_label)
    map({ 'n', 'i' }, '<C-d>', decline, 'decline')
    map('n', 'q', opts.hide, 'hide (stays pending)')
  end)
  if not ok then
    w.close()
    error(err, 0)
  end
  return w
end

return M
