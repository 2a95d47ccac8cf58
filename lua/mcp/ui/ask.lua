--- The windows in which asks are shown (|mcp-asks|): a small floating window per ask.
---
--- Keys, buffer-local: <CR> answers (Normal and Insert mode; on a choice, picks it; for a password,
--- prompts for it again), <C-c> declines, `q` (Normal mode) hides the ask, which stays pending
--- (|:Mcp-asks| brings it back). Closing the window another way hides it too: nothing is answered by
--- accident.
local M = {}

local ns = vim.api.nvim_create_namespace('mcp.ask')

---@class mcp.ui.FloatOpts
---@field kind? string the buffer's kind (|b:mcp_kind|), default "ask"
---@field min_width? integer columns, default 40
---@field height? integer lines, default `#lines`
---@field footer? string shown in the bottom border

---Opens a centred floating window on a new scratch buffer holding `lines`; the window has the focus.
---Used by every ask's window (this module, ui/approval.lua).
---@param title string
---@param lines string[]
---@param opts? mcp.ui.FloatOpts
---@return integer buf
---@return integer win
function M.float(title, lines, opts)
  title = require('mcp.core.text').line(title, 0)
  opts = opts or {}
  local buf = require('mcp.ui.buffer').create(nil, opts.kind or 'ask', { bufhidden = 'wipe' })
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  local width = math.max(opts.min_width or 40, vim.fn.strdisplaywidth(title) + 4)
  for _, l in ipairs(lines) do
    width = math.max(width, vim.fn.strdisplaywidth(l) + 2)
  end
  width = math.min(width, math.max(20, vim.o.columns - 4))
  local height = math.min(opts.height or #lines, math.max(1, vim.o.lines - 6))
  local win = vim.api.nvim_open_win(buf, true, {
    relative = 'editor',
    width = width,
    height = height,
    row = math.floor((vim.o.lines - height) / 2) - 1,
    col = math.floor((vim.o.columns - width) / 2),
    style = 'minimal',
    border = 'rounded',
    title = ' ' .. title .. ' ',
    title_pos = 'center',
    footer = opts.footer and (' ' .. opts.footer .. ' ') or nil,
    footer_pos = opts.footer and 'center' or nil,
  })
  return buf, win
end

---One ask window: its close function and what it needs to know while it closes.
---@class mcp.ui.AskWindow
---@field buf integer
---@field win integer
---@field close fun() closes the window without answering (again: no-op)
---@field closed fun(): boolean is it closed (or closing)?
---@field on_close? fun(): boolean called first by `close`; true: it takes care of closing later
---@field finish_close fun() the owner that took care of closing (`on_close`) closes now

---How long to wait before trying again to close a window Neovim would not close now (e.g. E11 while
---the command-line window is open), ms.
local CLOSE_RETRY_MS = 100

---Sets up the "hide on close" behaviour shared by every ask window; called right after the float is
---made, so that whatever fails later can still close it.
---@param buf integer
---@param win integer
---@param hide fun() puts the ask aside, still pending
---@return mcp.ui.AskWindow
function M.wire(buf, win, hide)
  local closed, closing = false, false
  ---@type mcp.ui.AskWindow
  local w = { buf = buf, win = win }
  function w.closed() return closed or closing end
  function w.close()
    if closed or closing then return end
    if w.on_close and w.on_close() then
      closing = true -- the owner closes it later (see `M.input`, password)
      return
    end
    if vim.api.nvim_win_is_valid(win) then
      local current = vim.api.nvim_get_current_win() == win
      closing = true -- our own close: WinClosed must not hide the ask
      local ok = pcall(vim.api.nvim_win_close, win, true)
      closing = false
      if not ok then
        -- Not closable now (e.g. the command-line window is open): the window stays, and so does
        -- the duty to close it.
        vim.defer_fn(w.close, CLOSE_RETRY_MS)
        return
      end
      -- Leave the Insert mode of the ask's own line, never the Insert mode of the user's window.
      if current and vim.api.nvim_get_mode().mode:match('^i') then vim.cmd('stopinsert') end
    end
    closed = true
  end
  function w.finish_close()
    closing = false
    w.on_close = nil
    w.close()
  end
  vim.api.nvim_create_autocmd('WinClosed', {
    pattern = tostring(win),
    once = true,
    desc = 'mcp: a closed ask window hides the ask',
    callback = function()
      if closed or closing then return end
      closed = true
      vim.schedule(hide)
    end,
  })
  return w
end

---The keys shared by every ask window.
---@param w mcp.ui.AskWindow
---@param submit fun() <CR>
---@param respond fun(err: mcp.Error?, result: any)
---@param hide fun()
local function keys(w, submit, respond, hide)
  local function decline()
    w.close()
    respond({ code = require('mcp.core.contract').codes.Cancelled, message = 'declined by the user' })
  end
  local map = function(modes, lhs, rhs, desc)
    vim.keymap.set(modes, lhs, rhs, { buffer = w.buf, nowait = true, desc = 'mcp: ' .. desc })
  end
  map({ 'n', 'i' }, '<CR>', submit, 'answer')
  map({ 'n', 'i' }, '<C-c>', decline, 'decline')
  map('n', 'q', hide, 'hide (stays pending)')
end

---The hint shown below the question.
---@param buf integer
---@param line integer 0-based
---@param text string
local function hint(buf, line, text)
  vim.api.nvim_buf_set_extmark(buf, ns, line, 0, { virt_lines = { { { text, 'Comment' } } } })
end

---A choice among `options` (`pickString`): the cursor picks.
---@param ask mcp.Ask
---@param w mcp.ui.AskWindow
---@param head string[] lines above the options
---@param respond fun(err: mcp.Error?, result: any)
---@param hide fun()
local function pick(ask, w, head, respond, hide)
  local options, default = ask.params.options, require('mcp.core.util').nonil(ask.params.default)
  local first = #head + 1
  local start = first
  for i, o in ipairs(options) do
    if o == default then start = first + i - 1 end
  end
  vim.api.nvim_win_set_cursor(w.win, { start, 0 })
  hint(w.buf, #head + #options - 1, '<CR> pick · <C-c> decline · q later')
  vim.bo[w.buf].modifiable = false
  keys(w, function()
    local row = vim.api.nvim_win_get_cursor(w.win)[1]
    if row < first then return end
    w.close()
    respond(nil, { value = options[row - first + 1] })
  end, respond, hide)
end

---A secret (`password`): read with |inputsecret()|, never typed into a buffer. Text typed into a buffer
---in Insert mode lands in the `.` register (and so in `:registers` and ShaDa), in the undo tree and in
---what completion sources index; restoring the `.` register afterwards is impossible (it is read-only)
---and would not cover the rest. inputsecret() keeps the value out of registers and history. It blocks
---the UI while the person types, which is what a password prompt does; Neovim still handles events
---meanwhile, so a withdrawal ends the prompt (it feeds <Esc>) and then closes the window.
---@param ask mcp.Ask
---@param w mcp.ui.AskWindow
---@param respond fun(err: mcp.Error?, result: any)
---@param hide fun()
local function secret(ask, w, respond, hide)
  local default = require('mcp.core.util').nonil(ask.params.default)
  local reading = false
  w.on_close = function()
    if not reading then return false end
    -- Ends the prompt; `read` closes the window once inputsecret() has returned.
    vim.api.nvim_feedkeys(vim.keycode('<Esc>'), 'n', false)
    return true
  end
  local function read()
    if reading or w.closed() or vim.api.nvim_get_current_win() ~= w.win then return end
    reading = true
    local ok, value = pcall(vim.fn.inputsecret, ask.title .. ': ', type(default) == 'string' and default or '')
    reading = false
    vim.cmd('redraw') -- wipe the stars from the command line
    if w.closed() then return w.finish_close() end -- withdrawn or hidden while typing
    if ok and value ~= '' then
      w.close()
      return respond(nil, { value = value })
    end
    -- <Esc>, <C-c> or an empty line: nothing is answered; the window stays for <CR>, <C-c> or q.
  end
  keys(w, function() vim.schedule(read) end, respond, hide)
  -- From the main loop, in Normal mode: the ask's window is current by then (unless the user moved).
  vim.schedule(read)
end

---A line to type on (`promptString` without `password`).
---@param w mcp.ui.AskWindow
---@param row integer the line to type on (1-based)
---@param respond fun(err: mcp.Error?, result: any)
---@param hide fun()
local function line(w, row, respond, hide)
  hint(w.buf, row - 1, '<CR> answer · <C-c> decline · q later')
  vim.api.nvim_win_set_cursor(w.win, { row, 0 })
  vim.cmd('startinsert!')
  keys(w, function()
    local value = vim.api.nvim_buf_get_lines(w.buf, row - 1, row, false)[1] or ''
    w.close()
    respond(nil, { value = value })
  end, respond, hide)
end

---Asks for the value of an `${input:id}` placeholder: a line to type on, a hidden prompt for a password,
---or a list to pick from (`options`).
---@type mcp.AskHandler
function M.input(ask, respond, hide)
  local p = ask.params
  local nonil = require('mcp.core.util').nonil
  local description, default, options = nonil(p.description), nonil(p.default), nonil(p.options)
  local head = description and description ~= p.id and { description } or {}
  local lines
  if type(options) == 'table' and #options > 0 then
    lines = vim.list_extend(vim.deepcopy(head), options)
  elseif p.password == true then
    lines = vim.list_extend(vim.deepcopy(head), { '(typed on the command line, hidden)' })
  else
    lines = vim.list_extend(vim.deepcopy(head), { type(default) == 'string' and default or '' })
  end
  local buf, win = M.float(ask.title, lines)
  local w = M.wire(buf, win, hide)
  -- Whatever fails from here on closes the window before the error goes on (mcp.asks answers with it).
  local ok, err = pcall(function()
    vim.wo[win].wrap = true
    if type(options) == 'table' and #options > 0 then
      pick(ask, w, head, respond, hide)
    elseif p.password == true then
      vim.bo[buf].modifiable = false
      hint(buf, #lines - 1, '<CR> type it again · <C-c> decline · q later')
      secret(ask, w, respond, hide)
    else
      line(w, #lines, respond, hide)
    end
  end)
  if not ok then
    w.close()
    error(err, 0)
  end
  return w.close
end

return M
