--- Tasks (spec 2025-11-25: basic/utilities/tasks; |:Mcp-tasks|): tool calls a server runs in the
--- background. A tool whose `execution.taskSupport` is `required` always runs as one, an `optional` one
--- when the caller asks (`call_tool` option `task`, `:Mcp call!`); the host polls its status and the
--- call's callback gets the tool's result as for any call. This module lists the tasks of every server
--- (those this host created, and what a server's `tasks/list` returns) and offers each one's result and
--- its cancellation.
local M = {}

local text = require('mcp.core.text')
local util = require('mcp.core.util')

---A task as `:Mcp tasks` lists it (`TaskEntry` in src/session/tasks.ts): the spec's `Task` and more.
---@class mcp.Task
---@field server string
---@field taskId string
---@field status "working"|"input_required"|"completed"|"failed"|"cancelled"
---@field statusMessage? string
---@field createdAt string ISO 8601
---@field lastUpdatedAt string ISO 8601
---@field ttl? number ms the server keeps it after creation (nil/vim.NIL: unlimited)
---@field pollInterval? number ms the server suggests between polls
---@field tool? string the tool whose call created it (tasks this host created)
---@field ours boolean created by this host

---Statuses after which a task never changes.
M.terminal = { completed = true, failed = true, cancelled = true }

---The tasks of every connected server, oldest first; `errors` names the servers that failed to list theirs.
---@param cb fun(err: mcp.Error?, tasks: mcp.Task[], errors: { server: string, message: string }[])
function M.list(cb)
  require('mcp.core.process').request('tasks', nil, {}, function(err, res)
    if err then return cb(err, {}, {}) end
    cb(nil, res and res.tasks or {}, res and res.errors or {})
  end)
end

---Seconds since an ISO 8601 time, or nil when it does not parse.
---@param iso string
---@return integer?
local function since(iso)
  local y, mo, d, h, mi, s = tostring(iso):match('^(%d+)-(%d+)-(%d+)T(%d+):(%d+):(%d+)')
  if not y then return nil end
  -- os.time reads a table as local time; the ISO time is UTC: correct by the local offset.
  local t = os.time({ year = y, month = mo, day = d, hour = h, min = mi, sec = s, isdst = false })
  local now = os.time()
  local offset = os.difftime(now, os.time(os.date('!*t', now) --[[@as osdateparam]]))
  return math.max(0, math.floor(os.difftime(now, t + offset)))
end

---One line for a task: `everything  simulate-research-query  working  12 s  Gathering sources...  (6c7d…)`.
---@param t mcp.Task
---@return string
function M.describe(t)
  local age = since(t.createdAt)
  local parts = { text.name(t.server), text.name(t.tool or '(not started here)'), text.name(t.status) }
  if age then parts[#parts + 1] = require('mcp.requests').age(age * 1000) end
  if type(t.statusMessage) == 'string' and t.statusMessage ~= '' then
    parts[#parts + 1] = text.line(t.statusMessage, 80)
  end
  parts[#parts + 1] = '(' .. text.name(t.taskId, 40) .. ')'
  return table.concat(parts, '  ')
end

---How a message names task `t`: `{server} task {id}`.
---@param t mcp.Task
---@return string
local function label_of(t) return ('%s task %s'):format(text.name(t.server), text.name(t.taskId, 40)) end

---Fetches a task's result (`tasks/result`: waits while the task runs) and shows it in the results buffer
---(|mcp-results|), as a call of its tool would.
---@param t mcp.Task
---@param opts? { mods?: string }
function M.show_result(t, opts)
  local label = label_of(t)
  require('mcp.core.process').request(
    'task_result',
    { server = t.server, task_id = t.taskId },
    { server = t.server },
    function(err, result)
      if err then return util.error(('%s: %s'):format(label, err.message)) end
      require('mcp.ui.result').tool(t.server, t.tool or ('task ' .. t.taskId), result, opts)
    end
  )
end

---Cancels a task (`tasks/cancel`) and says how it ended.
---@param t mcp.Task
---@param cb? fun(err: mcp.Error?, task: mcp.Task?)
function M.cancel(t, cb)
  local label = label_of(t)
  require('mcp.core.process').request(
    'task_cancel',
    { server = t.server, task_id = t.taskId },
    { server = t.server },
    function(err, task)
      if cb then return cb(err, task) end
      if err then return util.error(('cancel %s: %s'):format(label, err.message)) end
      util.notify(('%s: %s'):format(label, text.name(task and task.status or 'cancelled')))
    end
  )
end

---`:Mcp tasks [{server}]`: picks a task with |vim.ui.select()|, then what to do with it: show its result
---(waiting for it while it runs) or cancel it (while it has not ended).
---@param server? string only this server's tasks
---@param opts? { mods?: string }
function M.pick(server, opts)
  M.list(function(err, list, errors)
    if err then return util.error('tasks: ' .. err.message) end
    for _, e in ipairs(errors) do
      util.warn(('tasks: %s: %s'):format(text.name(e.server), text.line(e.message)))
    end
    if server then list = vim.tbl_filter(function(t) return t.server == server end, list) end
    if #list == 0 then return util.notify(server and ('no task on %s'):format(text.name(server)) or 'no task') end
    vim.ui.select(list, { prompt = 'Tasks', format_item = M.describe }, function(t)
      if not t then return end
      local actions = { { 'result', 'show the result' .. (M.terminal[t.status] and '' or ' (when it ends)') } }
      if not M.terminal[t.status] then actions[#actions + 1] = { 'cancel', 'cancel the task' } end
      vim.ui.select(actions, {
        prompt = M.describe(t),
        format_item = function(a) return a[2] end,
      }, function(a)
        if not a then return end
        if a[1] == 'result' then
          M.show_result(t, opts)
        else
          M.cancel(t)
        end
      end)
    end)
  end)
end

return M
