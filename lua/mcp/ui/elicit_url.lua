--- A server asks the user to open a URL (|mcp-elicitation-url|): the `elicitation_url` ask (spec 2025-11-25:
--- client/elicitation, URL mode; the URLs of a -32042 error too) and, after those, the `url_retry` ask.
---
--- The URL window shows who asks and why (the server's message), the full URL with its domain highlighted,
--- the domain on a line of its own (with its ASCII/punycode form when it differs), and a warning for a URL
--- that is not HTTPS, an internationalised domain, or a user name in the URL. Nothing is fetched: `o` opens
--- the URL with |vim.ui.open()| (the person's explicit consent) and answers `accept`; `d` declines; `q`,
--- `<C-c>` or closing the window cancels; `y` copies the URL. When the server later says the flow is done
--- (`notifications/elicitation/complete`), a message says so.
---
--- The retry window (after a tool call failed with -32042 and its URLs were opened): `r` calls the tool
--- again, `q` gives up; it shows whether the server has said the flows are complete.
local M = {}

local text = require('mcp.core.text')
local ns = vim.api.nvim_create_namespace('mcp.elicit_url')

---Highlights the first plain occurrence of `needle` in line `row` (0-based) of `buf`.
---@param buf integer
---@param row integer
---@param line string
---@param needle string
---@param group string
local function mark(buf, row, line, needle, group)
  if needle == '' then return end
  local s = line:find(needle, 1, true)
  if s then vim.api.nvim_buf_set_extmark(buf, ns, row, s - 1, { end_col = s - 1 + #needle, hl_group = group }) end
end

---The lines of a URL window, and where to highlight what.
---@param p table the ask's params (`AskKinds.elicitation_url`)
---@return string[] lines
---@return { row: integer, needle: string, group: string }[] marks
local function body(p)
  local nonil = require('mcp.core.util').nonil
  local lines, marks = {}, {}
  local message = type(nonil(p.message)) == 'string' and vim.trim(p.message) or ''
  for _, l in ipairs(message ~= '' and text.lines(message) or {}) do
    lines[#lines + 1] = l
  end
  if nonil(p.required_by) then
    lines[#lines + 1] = ('(%s waits for this: it can be called again once you are done)'):format(
      text.name(p.required_by)
    )
  end
  lines[#lines + 1] = ''
  local url = text.line(tostring(p.url), 0)
  lines[#lines + 1] = 'URL:    ' .. url
  local domain = type(nonil(p.domain)) == 'string' and p.domain or ''
  local ascii = type(nonil(p.ascii)) == 'string' and p.ascii or ''
  -- The URL as sent may spell the host either way: highlight whichever it holds.
  marks[#marks + 1] =
    { row = #lines - 1, needle = url:find(ascii, 1, true) and ascii or domain, group = 'McpUrlDomain' }
  if domain ~= '' then
    local shown = text.line(domain, 0)
    lines[#lines + 1] = 'Domain: '
      .. shown
      .. (ascii ~= '' and ascii ~= domain and ('  (ASCII: ' .. ascii .. ')') or '')
    marks[#marks + 1] = { row = #lines - 1, needle = shown, group = 'McpUrlDomain' }
  end
  local warnings = type(nonil(p.warnings)) == 'table' and p.warnings or {}
  for _, w in ipairs(warnings) do
    lines[#lines + 1] = '⚠ ' .. text.line(tostring(w), 0)
    marks[#marks + 1] = { row = #lines - 1, needle = lines[#lines], group = 'McpWarning' }
  end
  lines[#lines + 1] = ''
  lines[#lines + 1] = 'Nothing has been opened. o opens it in your browser.'
  return lines, marks
end

---Shows a server's URL and answers with the person's choice (see the module's description). Withdrawn:
---the returned function closes the window without answering.
---@type mcp.AskHandler
function M.url(ask, respond, _hide)
  local p = ask.params
  local server = text.name(ask.server or 'a server')
  local lines, marks = body(p)
  require('mcp.ui.hl').setup()
  local ui = require('mcp.ui.ask')
  local title = require('mcp.core.util').nonil(p.required_by) and ('%s needs a URL opened'):format(server)
    or ('%s asks you to open a URL'):format(server)
  local buf, win = ui.float(title, lines, {
    kind = 'elicitation_url',
    min_width = 60,
    footer = 'o open (accept) · d decline · q cancel · y copy URL',
  })
  -- `respond` answers once (mcp.asks): a second choice, e.g. a close after `o`, is dropped there.
  local function answer(action) respond(nil, { action = action }) end
  -- Closing the window any other way is a cancel (the spec's "dismissed without choosing").
  local w = ui.wire(buf, win, function() answer('cancel') end)
  for _, m in ipairs(marks) do
    mark(buf, m.row, lines[m.row + 1], m.needle, m.group)
  end
  vim.bo[buf].modifiable = false
  vim.bo[buf].modified = false
  local url = tostring(p.url)
  local function open()
    local ok, cmd, err = pcall(vim.ui.open, url)
    if not ok or (cmd == nil and err) then
      return require('mcp.core.util').error(('could not open %s: %s'):format(url, tostring(ok and err or cmd)))
    end
    w.close()
    local id = require('mcp.core.util').nonil(p.elicitation_id)
    if type(id) == 'string' then M.watch(ask.server, id, url) end
    answer('accept')
  end
  local function close_with(action)
    return function()
      w.close()
      answer(action)
    end
  end
  local function map(lhs, rhs, desc)
    vim.keymap.set('n', lhs, rhs, { buffer = buf, nowait = true, desc = 'mcp URL elicitation: ' .. desc })
  end
  map('o', open, 'open the URL in the browser (accept)')
  map('d', close_with('decline'), 'decline')
  map('<C-d>', close_with('decline'), 'decline')
  map('q', close_with('cancel'), 'cancel')
  map('<C-c>', close_with('cancel'), 'cancel')
  map('y', function()
    vim.fn.setreg('"', url)
    pcall(vim.fn.setreg, '+', url)
    vim.notify('mcp: copied ' .. url, vim.log.levels.INFO)
  end, 'copy the URL')
  -- Withdrawn: the window closes; nothing is answered (the ask is no longer pending).
  return w.close
end

---Flows opened and not yet reported complete, by `server .. "\0" .. elicitation id`: their URL.
---@type table<string, string>
local opened = {}

---Remembers a flow the person opened, so that its completion can be told.
---@param server string?
---@param id string the elicitation id
---@param url string
function M.watch(server, id, url)
  opened[tostring(server) .. '\0' .. id] = url
  require('mcp.core.util').notify_later(
    ('%s: opened %s; waiting for the server to finish'):format(text.name(server or 'a server'), url),
    vim.log.levels.INFO
  )
end

---`User McpElicitationComplete` (the `elicitation_complete` push): the server says the flow of
---elicitation `data.id` is done; the person is told when it is one they opened.
---@param data { server: string, id: string }
local function completed(data)
  local key = tostring(data.server) .. '\0' .. tostring(data.id)
  local url = opened[key]
  if not url then return end
  opened[key] = nil
  require('mcp.core.util').notify_later(
    ('%s: the flow you opened (%s) is complete'):format(text.name(data.server), url),
    vim.log.levels.INFO
  )
end

vim.api.nvim_create_autocmd('User', {
  group = vim.api.nvim_create_augroup('mcp.elicit_url', { clear = true }),
  pattern = require('mcp.core.events').names.elicitation_complete,
  desc = 'mcp: tell when a URL flow you opened is complete',
  callback = function(ev)
    if type(ev.data) == 'table' then completed(ev.data) end
  end,
})

---After the URLs of a -32042 error were opened: offers to call the tool again (`r`) or give up (`q`),
---showing whether the server has said its flows are complete.
---@type mcp.AskHandler
function M.retry(ask, respond, _hide)
  local nonil = require('mcp.core.util').nonil
  local p = ask.params
  local waiting = {}
  for _, id in ipairs(type(nonil(p.waiting)) == 'table' and p.waiting or {}) do
    waiting[id] = true
  end
  local function status()
    local n = vim.tbl_count(waiting)
    if n == 0 then return '✓ Ready: call it again when you have finished in the browser.' end
    return ('… Waiting for the server to confirm %d flow%s (you may call again anyway).'):format(
      n,
      n == 1 and '' or 's'
    )
  end
  local what = ('%s/%s'):format(text.name(p.server), text.name(p.tool))
  local lines = { ('%s failed: it needs what you opened in the browser.'):format(what) }
  local message = type(nonil(p.message)) == 'string' and vim.trim(p.message) or ''
  if message ~= '' then
    for _, l in ipairs(text.lines(message)) do
      lines[#lines + 1] = l
    end
  end
  lines[#lines + 1] = ''
  lines[#lines + 1] = status()
  local ui = require('mcp.ui.ask')
  local buf, win = ui.float(('%s: call again?'):format(what), lines, {
    kind = 'url_retry',
    min_width = 60,
    footer = 'r call again · q give up',
  })
  -- `respond` answers once (mcp.asks): a second choice, e.g. a close after `o`, is dropped there.
  local function answer(action) respond(nil, { action = action }) end
  local w = ui.wire(buf, win, function() answer('cancel') end)
  vim.bo[buf].modifiable = false
  local group = vim.api.nvim_create_augroup('mcp.url_retry.' .. buf, { clear = true })
  vim.api.nvim_create_autocmd('User', {
    group = group,
    pattern = require('mcp.core.events').names.elicitation_complete,
    callback = function(ev)
      local d = ev.data or {}
      if d.server ~= p.server or not waiting[d.id] or not vim.api.nvim_buf_is_valid(buf) then return end
      waiting[d.id] = nil
      vim.bo[buf].modifiable = true
      vim.api.nvim_buf_set_lines(buf, -2, -1, false, { status() })
      vim.bo[buf].modifiable = false
      vim.bo[buf].modified = false
    end,
  })
  vim.api.nvim_create_autocmd('BufWipeout', {
    group = group,
    buffer = buf,
    callback = function() pcall(vim.api.nvim_del_augroup_by_id, group) end,
  })
  local function close_with(action)
    return function()
      w.close()
      answer(action)
    end
  end
  vim.keymap.set('n', 'r', close_with('retry'), { buffer = buf, nowait = true, desc = 'mcp: call the tool again' })
  vim.keymap.set('n', 'q', close_with('cancel'), { buffer = buf, nowait = true, desc = 'mcp: give up' })
  vim.keymap.set('n', '<C-c>', close_with('cancel'), { buffer = buf, nowait = true, desc = 'mcp: give up' })
  -- Withdrawn: the window closes; nothing is answered (the ask is no longer pending).
  return w.close
end

return M
