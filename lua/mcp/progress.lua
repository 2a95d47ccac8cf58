--- Progress of tool calls (spec: basic/utilities/progress), shown where Neovim shows progress:
--- - Neovim 0.12+: progress messages (`nvim_echo` with `kind = "progress"`, source `mcp`), which
---   |vim.ui.progress_status()|, the default 'statusline', the TUI's progress bar and |Progress|
---   autocommands see;
--- - Neovim 0.10 and 0.11: one notification per call, updated in place (a `vim.notify` replacement that
---   takes `id`/`replace` updates it; the built-in one echoes without filling the message history);
--- - any version: `require("mcp").status()`, a 'statusline' item.
--- Only calls that report progress appear; a call disappears when it ends.
local M = {}

local text = require('mcp.core.text')

---@class mcp.progress.Call
---@field title string `server/tool`
---@field progress number
---@field total? number
---@field message? string
---@field msg_id? integer|string the progress message (0.12) or notification record updated in place

---@type table<integer, mcp.progress.Call> by request id
local calls = {}
---@type integer[] request ids with progress, oldest first
local order = {}

local PROGRESS_MESSAGES = vim.fn.has('nvim-0.12') == 1

---Percent done, when the server gave a positive `total`.
---@param c mcp.progress.Call
---@return integer?
local function percent(c)
  if type(c.total) ~= 'number' or c.total <= 0 or type(c.progress) ~= 'number' then return nil end
  return math.max(0, math.min(100, math.floor(c.progress / c.total * 100)))
end

---What a call's progress says: its message, else `progress/total` (or `progress`).
---@param c mcp.progress.Call
---@return string
local function describe(c)
  if c.message and c.message ~= '' then return text.line(c.message) end
  return text.name(c.progress) .. (c.total and ('/' .. text.name(c.total)) or '')
end

---Is `vim.notify` Neovim's own (which only echoes)?
---@return boolean
local function builtin_notify()
  local info = debug.getinfo(vim.notify, 'S')
  return info ~= nil and info.source:find('vim/_editor.lua', 1, true) ~= nil
end

---Shows `c` on 0.10/0.11: one notification, replaced on each update.
---@param c mcp.progress.Call
---@param line string
---@param level? integer
local function notify(c, line, level)
  if builtin_notify() then
    -- Echoed, not kept in the message history: a call may report progress hundreds of times.
    vim.api.nvim_echo({ { line } }, false, {})
    return
  end
  -- nvim-notify replaces the record given as `replace`; fidget, snacks and mini take `id`.
  local record = vim.notify(
    line,
    level or vim.log.levels.INFO,
    { title = 'mcp', id = 'mcp.progress.' .. c.title, replace = c.msg_id }
  )
  if record ~= nil then c.msg_id = record end
end

---Shows the state of call `id`.
---@param c mcp.progress.Call
---@param status "running"|"success"|"failed"
local function show(c, status)
  if PROGRESS_MESSAGES then
    local pct = status == 'success' and 100 or percent(c)
    local ok, msg_id = pcall(vim.api.nvim_echo, { { describe(c) } }, false, {
      kind = 'progress',
      id = c.msg_id,
      title = c.title,
      source = 'mcp',
      status = status,
      percent = pct,
    })
    if ok and msg_id ~= -1 then c.msg_id = msg_id end
  else
    local pct = percent(c)
    local state = status == 'running' and (describe(c) .. (pct and (' (' .. pct .. '%)') or ''))
      or (status == 'success' and 'done' or 'failed')
    notify(c, ('mcp: %s %s'):format(c.title, state), status == 'failed' and vim.log.levels.WARN or nil)
  end
  pcall(vim.cmd.redrawstatus)
end

---Progress of call `id` (a `progress` push of a `call_tool` request).
---@param id integer the request id
---@param title string `server/tool`
---@param p mcp.Progress
function M.update(id, title, p)
  local c = calls[id]
  if not c then
    c = { title = title, progress = 0 }
    calls[id] = c
    order[#order + 1] = id
  end
  c.progress, c.total, c.message = p.progress, p.total, p.message
  show(c, 'running')
end

---Call `id` ended: its progress is closed (success or failed) and it leaves `status()`. Nothing for a
---call that reported no progress.
---@param id integer
---@param failed boolean
function M.finish(id, failed)
  local c = calls[id]
  if not c then return end
  calls[id] = nil
  for i, v in ipairs(order) do
    if v == id then
      table.remove(order, i)
      break
    end
  end
  show(c, failed and 'failed' or 'success')
end

---A 'statusline' item: the progress of the oldest running call (`mcp: everything/slow step 2 of 5
---(40%)`), with how many more run (`+2`); "" when no call reports progress. For `%{...}` in
---'statusline', whose result is shown as it is.
---@return string
function M.status()
  local first = order[1] and calls[order[1]]
  if not first then return '' end
  local pct = percent(first)
  local s = ('mcp: %s %s%s'):format(first.title, describe(first), pct and (' (' .. pct .. '%)') or '')
  if #order > 1 then s = s .. (' +%d'):format(#order - 1) end
  return s
end

return M
