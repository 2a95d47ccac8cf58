--- The approval window (|mcp-approval|): a model wants to run a tool. Shows the server, the tool, its
--- annotations and the arguments as formatted JSON, which the person may edit before allowing: what is
--- below the `arguments` line when they answer is what the server gets.
---
--- Keys (Normal mode, buffer-local): `a` allow once, `s` allow this tool for this Neovim session, `A`
--- allow always (saved under `stdpath("data")`), `d` deny, `r` deny with a reason (asked on the command
--- line; it goes back to the model), `q` hide (the ask stays pending, |:Mcp-asks|). The usual editing
--- keys other than these (`i`, `o`, `c`, `x`, `dd` is `d`: use `:d` or `x`) edit the arguments.
local M = {}

local MARK = '── arguments (JSON; edit before allowing) ──'

---The header lines: server, tool, description, annotations.
---@param p table the ask's params
---@return string[]
local function header(p)
  local nonil = require('mcp.core.util').nonil
  local lines = { ('server: %s    tool: %s'):format(tostring(p.server), tostring(p.tool)) }
  local title, desc = nonil(p.title), nonil(p.description)
  if type(title) == 'string' and title ~= p.tool then lines[#lines + 1] = 'title: ' .. title end
  if type(desc) == 'string' and desc ~= '' then lines[#lines + 1] = 'description: ' .. (desc:match('^[^\n]*') or '') end
  local ann = nonil(p.annotations)
  if type(ann) == 'table' and next(ann) then
    local keys = vim.tbl_keys(ann)
    table.sort(keys)
    local parts = {}
    for _, k in ipairs(keys) do
      parts[#parts + 1] = ('%s=%s'):format(k, vim.json.encode(ann[k]))
    end
    lines[#lines + 1] = 'annotations: ' .. table.concat(parts, ' ')
  else
    lines[#lines + 1] = 'annotations: none'
  end
  lines[#lines + 1] = MARK
  return lines
end

---The arguments as the buffer holds them now.
---@param buf integer
---@return table? args
---@return string? err
local function edited(buf)
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  for i, l in ipairs(lines) do
    if l == MARK then
      return require('mcp.tools').parse_args(table.concat(lines, '\n', i + 1), 'the edited arguments')
    end
  end
  return nil, 'the line "' .. MARK .. '" is gone: press u to undo, or d to deny'
end

---Shows a model's tool call for approval and answers `{ action = "allow", arguments }` or
---`{ action = "deny", reason? }`; `s` and `A` also remember the tool (lua/mcp/chat/state.lua).
---@type mcp.AskHandler
function M.approval(ask, respond, hide)
  local p = ask.params
  local args = require('mcp.core.util').nonil(p.arguments)
  if type(args) ~= 'table' or (next(args) == nil) then args = vim.empty_dict() end
  local lines = vim.list_extend(header(p), require('mcp.core.json').lines(args))
  local buf = require('mcp.ui.buffer').create(nil, 'approval', { bufhidden = 'wipe' })
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].filetype = 'json'
  vim.bo[buf].modified = false
  local width = 50
  for _, l in ipairs(lines) do
    width = math.max(width, vim.fn.strdisplaywidth(l) + 2)
  end
  width = math.min(width, math.max(20, vim.o.columns - 4))
  local height = math.min(#lines + 1, math.max(3, vim.o.lines - 6))
  local win = vim.api.nvim_open_win(buf, true, {
    relative = 'editor',
    width = width,
    height = height,
    row = math.floor((vim.o.lines - height) / 2) - 1,
    col = math.floor((vim.o.columns - width) / 2),
    style = 'minimal',
    border = 'rounded',
    title = ' ' .. ask.title .. ' ',
    title_pos = 'center',
    footer = ' a allow · s session · A always · d deny · r deny with reason · q later ',
    footer_pos = 'center',
  })
  vim.api.nvim_win_set_cursor(win, { #header(p) + 1, 0 })
  local closed = false
  local function close()
    if closed then return end
    closed = true
    if vim.api.nvim_win_is_valid(win) then pcall(vim.api.nvim_win_close, win, true) end
  end
  vim.api.nvim_create_autocmd('WinClosed', {
    pattern = tostring(win),
    once = true,
    desc = 'mcp: a closed approval window hides the ask',
    callback = function()
      if closed then return end
      closed = true
      vim.schedule(hide)
    end,
  })
  local function allow(scope)
    return function()
      local a, err = edited(buf)
      if not a then return require('mcp.core.util').error(err) end
      if scope then require('mcp.chat.state').allow(p.server, p.tool, scope) end
      close()
      respond(nil, { action = 'allow', arguments = require('mcp.core.util').object(a) })
    end
  end
  local function deny()
    close()
    respond(nil, { action = 'deny' })
  end
  local function deny_reason()
    vim.ui.input({ prompt = 'Reason (for the model): ' }, function(reason)
      if closed then return end -- withdrawn meanwhile
      if reason == nil then return end -- <Esc>: back to the window
      close()
      respond(nil, { action = 'deny', reason = reason })
    end)
  end
  local function map(lhs, rhs, desc)
    vim.keymap.set('n', lhs, rhs, { buffer = buf, nowait = true, desc = 'mcp approval: ' .. desc })
  end
  map('a', allow(nil), 'allow once')
  map('s', allow('session'), 'allow this tool for this session')
  map('A', allow('always'), 'allow this tool always')
  map('d', deny, 'deny')
  map('r', deny_reason, 'deny with a reason')
  map('q', hide, 'hide (stays pending)')
  return close
end

return M
