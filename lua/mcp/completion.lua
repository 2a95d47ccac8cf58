--- Completion of argument values by the server (MCP `completion/complete`, |mcp-completion|), for the
--- form (asynchronous) and for the command line (the one place mcp.nvim waits on a server, briefly).
local M = {}

---How long command-line completion of an argument value may wait for the server, in ms. Command-line
---completion is synchronous by nature: this is the only place mcp.nvim waits on a server, and only this
---long (|mcp-completion|). A late answer is kept and offered on the next <Tab>.
M.cmdline_wait_ms = 300

---How long a completion answer is reused by command-line completion, in ms.
M.cache_ms = 10000

---Does the server answer `completion/complete`?
---@param server string
---@return boolean
function M.supported(server)
  local s = require('mcp.core.store').snapshot(server)
  return s ~= nil and s.status == 'connected' and type(s.capabilities) == 'table' and s.capabilities.completions ~= nil
end

---The values of a `completion/complete` result (an empty list when it has none).
---@param res any
---@return string[]
local function values_of(res)
  local c = type(res) == 'table' and res.completion or nil
  return type(c) == 'table' and type(c.values) == 'table' and c.values or {}
end

---A completion function for forms (|mcp.form.Spec| `complete`): asks the server about `ref`, with the
---form's other values as `context.arguments`. Nil when the server cannot complete.
---@param server string
---@param ref { type: "ref/prompt", name: string }|{ type: "ref/resource", uri: string }
---@return (fun(field: string, value: string, filled: table<string, string>, cb: fun(values: string[]?)))?
function M.form_completer(server, ref)
  if not M.supported(server) then return nil end
  return function(field, value, filled, cb)
    local context = next(filled) and { arguments = filled } or nil
    require('mcp').complete(server, ref, { name = field, value = value }, context, function(err, res)
      if err then
        require('mcp.core.util').warn(('completion of %s: %s'):format(field, err.message))
        return cb(nil)
      end
      cb(values_of(res))
    end)
  end
end

---@type table<string, { time: number, done?: boolean, values?: string[] }>
local cache = {}

---Asks the server for completions and waits for the answer at most `M.cmdline_wait_ms` (for the command
---line only: |mcp-completion|). Answers are cached for `M.cache_ms`; a late answer serves the next call.
---@param server string
---@param ref table
---@param argument string
---@param value string
---@param context? table<string, string> values of the other arguments
---@return string[]
function M.now(server, ref, argument, value, context)
  if not M.supported(server) then return {} end
  local key = table.concat({
    server,
    vim.json.encode(ref),
    argument,
    value,
    context and vim.json.encode(context) or '',
  }, '\0')
  local now = vim.uv.now()
  local entry = cache[key]
  if not entry or now - entry.time > M.cache_ms then
    entry = { time = now }
    cache[key] = entry
    local params = { server = server, ref = ref, argument = { name = argument, value = value } }
    if context and next(context) then params.context = { arguments = context } end
    require('mcp.core.process').request('complete', params, {
      server = server,
      -- Runs inside the host's reply, so the wait below ends as soon as the answer is in.
      sync = function(err, res)
        entry.done = true
        entry.values = not err and values_of(res) or {}
      end,
    }, nil)
  end
  if not entry.done then pcall(vim.wait, M.cmdline_wait_ms, function() return entry.done == true end, 5) end
  return entry.values or {}
end

return M
