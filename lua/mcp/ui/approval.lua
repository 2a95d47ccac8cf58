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
  local text = require('mcp.core.text')
  -- Names and prose from the server, each on one line (|mcp-server-text|).
  local lines = { ('server: %s    tool: %s'):format(text.name(p.server, 0), text.name(p.tool, 0)) }
  local title, desc = nonil(p.title), nonil(p.description)
  if type(title) == 'string' and title ~= p.tool then lines[#lines + 1] = 'title: ' .. text.line(title) end
  if type(desc) == 'string' and desc ~= '' then lines[#lines + 1] = 'description: ' .. text.first_line(desc, 0) end
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
  -- json.lines also returns `capped`: the parentheses keep it from becoming list_extend's `start`.
  local lines = vim.list_extend(header(p), (require('mcp.core.json').lines(args)))
  local ui = require('mcp.ui.ask')
  local buf, win = ui.float(ask.title, lines, {
    kind = 'approval',
    min_width = 50,
    height = #lines + 1,
    footer = 'a allow · s session · A always · d deny · r deny with reason · q later',
  })
  -- Wired first: whatever fails below still closes the window; closing it another way hides the ask.
  local w = ui.wire(buf, win, hide)
  vim.bo[buf].filetype = 'json'
  vim.bo[buf].modified = false
  vim.api.nvim_win_set_cursor(win, { #header(p) + 1, 0 })
  local function allow(scope)
    return function()
      local a, err = edited(buf)
      if not a then return require('mcp.core.util').error(err) end
      if scope then require('mcp.chat.state').allow(p.server, p.tool, scope) end
      w.close()
      respond(nil, { action = 'allow', arguments = require('mcp.core.util').object(a) })
    end
  end
  local function deny()
    w.close()
    respond(nil, { action = 'deny' })
  end
  local function deny_reason()
    vim.ui.input({ prompt = 'Reason (for the model): ' }, function(reason)
      if w.closed() then return end -- withdrawn meanwhile
      if reason == nil then return end -- <Esc>: back to the window
      w.close()
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
  return w.close
end

return M
