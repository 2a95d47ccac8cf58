--- The windows in which asks are shown (|mcp-asks|): a small floating window per ask.
---
--- Keys, buffer-local: <CR> answers (Normal and Insert mode; on a choice, picks it), <C-c> declines,
--- `q` (Normal mode) hides the ask, which stays pending (|:Mcp-asks| brings it back). Closing the window
--- another way hides it too: nothing is answered by accident.
local M = {}

local ns = vim.api.nvim_create_namespace('mcp.ask')

---Opens a centred floating window on a new scratch buffer holding `lines`.
---@param title string
---@param lines string[]
---@return integer buf
---@return integer win
local function float(title, lines)
  local buf = require('mcp.ui.buffer').create(nil, 'ask', { bufhidden = 'wipe' })
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  local width = math.max(40, vim.fn.strdisplaywidth(title) + 4)
  for _, l in ipairs(lines) do
    width = math.max(width, vim.fn.strdisplaywidth(l) + 2)
  end
  width = math.min(width, math.max(20, vim.o.columns - 4))
  local height = math.min(#lines, math.max(1, vim.o.lines - 6))
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
  })
  vim.wo[win].wrap = true
  return buf, win
end

---Sets up the keys and the "hide on close" behaviour shared by every ask window.
---@param buf integer
---@param win integer
---@param submit fun() <CR>
---@param respond fun(err: mcp.Error?, result: any)
---@param hide fun() puts the ask aside, still pending
---@return fun() close closes the window without answering
local function wire(buf, win, submit, respond, hide)
  local closed = false
  local function close()
    if closed then return end
    closed = true
    if vim.api.nvim_win_is_valid(win) then pcall(vim.api.nvim_win_close, win, true) end
    if vim.api.nvim_get_mode().mode:match('^i') then vim.cmd('stopinsert') end
  end
  local function decline()
    close()
    respond({ code = require('mcp.core.contract').codes.Cancelled, message = 'declined by the user' })
  end
  local map = function(modes, lhs, rhs, desc)
    vim.keymap.set(modes, lhs, rhs, { buffer = buf, nowait = true, desc = 'mcp: ' .. desc })
  end
  map({ 'n', 'i' }, '<CR>', submit, 'answer')
  map({ 'n', 'i' }, '<C-c>', decline, 'decline')
  map('n', 'q', hide, 'hide (stays pending)')
  vim.api.nvim_create_autocmd('WinClosed', {
    pattern = tostring(win),
    once = true,
    desc = 'mcp: a closed ask window hides the ask',
    callback = function()
      if closed then return end
      closed = true
      vim.schedule(hide)
    end,
  })
  return close
end

---The hint shown below the question.
---@param buf integer
---@param line integer 0-based
---@param text string
local function hint(buf, line, text)
  vim.api.nvim_buf_set_extmark(buf, ns, line, 0, { virt_lines = { { { text, 'Comment' } } } })
end

---Asks for the value of an `${input:id}` placeholder: a line to type on (hidden for a password), or a
---list to pick from (`options`).
---@type mcp.AskHandler
function M.input(ask, respond, hide)
  local p = ask.params
  local nonil = require('mcp.core.util').nonil
  local description, default, options = nonil(p.description), nonil(p.default), nonil(p.options)
  local head = description and description ~= p.id and { description } or {}
  if type(options) == 'table' and #options > 0 then
    local lines = vim.list_extend(vim.deepcopy(head), options)
    local buf, win = float(ask.title, lines)
    local first = #head + 1
    local start = first
    for i, o in ipairs(options) do
      if o == default then start = first + i - 1 end
    end
    vim.api.nvim_win_set_cursor(win, { start, 0 })
    hint(buf, #lines - 1, '<CR> pick · <C-c> decline · q later')
    vim.bo[buf].modifiable = false
    local close
    close = wire(buf, win, function()
      local row = vim.api.nvim_win_get_cursor(win)[1]
      if row < first then return end
      close()
      respond(nil, { value = options[row - first + 1] })
    end, respond, hide)
    return close
  end
  local lines = vim.list_extend(vim.deepcopy(head), { type(default) == 'string' and default or '' })
  local buf, win = float(ask.title, lines)
  local row = #lines
  hint(buf, row - 1, '<CR> answer · <C-c> decline · q later')
  if p.password == true then
    -- What is typed stays in this scratch buffer (wiped on close) and is shown as stars.
    vim.wo[win].conceallevel = 2
    vim.wo[win].concealcursor = 'nvic'
    vim.api.nvim_win_call(
      win,
      function() vim.fn.matchadd('Conceal', [[\%>]] .. (row - 1) .. [[l.]], 10, -1, { conceal = '*' }) end
    )
  end
  vim.api.nvim_win_set_cursor(win, { row, 0 })
  vim.cmd('startinsert!')
  local close
  close = wire(buf, win, function()
    local value = vim.api.nvim_buf_get_lines(buf, row - 1, row, false)[1] or ''
    close()
    respond(nil, { value = value })
  end, respond, hide)
  return close
end

return M
