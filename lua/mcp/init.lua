--- mcp.nvim: Neovim as a Model Context Protocol client host. The public Lua API (|mcp-api|).
---
--- Everything here is asynchronous or a plain read of cached state: nothing waits on the host.
--- Callbacks are `cb(err, result)`, called once from the main loop; `err` is nil or an |mcp.Error|
--- `{ code, message, data? }`; `result` is the MCP result object with the spec's own field names.
--- The first call of any function that needs the host starts it.
local M = {}

-- The features the core calls (roots), in place even when the API is used before plugin/ is sourced.
require('mcp.features')

---A tool as MCP defines it, plus the server it belongs to.
---@class mcp.Tool
---@field server string name of the server (added by mcp.nvim)
---@field name string
---@field title? string
---@field description? string
---@field inputSchema table JSON Schema of the arguments
---@field outputSchema? table JSON Schema of `structuredContent`
---@field annotations? { title?: string, readOnlyHint?: boolean, destructiveHint?: boolean, idempotentHint?: boolean, openWorldHint?: boolean }

---@class mcp.Prompt
---@field server string
---@field name string
---@field title? string
---@field description? string
---@field arguments? { name: string, description?: string, required?: boolean }[]

---@class mcp.Resource
---@field server string
---@field uri string
---@field name string
---@field title? string
---@field description? string
---@field mimeType? string
---@field size? integer

---@class mcp.ResourceTemplate
---@field server string
---@field uriTemplate string
---@field name string
---@field title? string
---@field description? string
---@field mimeType? string

---@class mcp.Server: mcp.ServerSnapshot

---@class mcp.CallToolOpts
---@field timeout_ms? number how long the call may take, ms, a positive number (default: the server's or
---  global `timeout_ms`); each progress notification of the call restarts it, up to the server's
---  `max_total_ms` (else the contract default) counted from the call's start. Zero, a
---  negative number or NaN is refused: the callback gets InvalidParams naming the option
---@field on_progress? fun(progress: mcp.Progress) progress notifications of this call (every call asks for
---  progress, and shows it through |mcp-progress| whether or not this is given)
---@field on_wait? fun(ask: mcp.Ask?) the call waits on the person: the server asked a question
---  (|mcp-elicitation|) while it ran; called with the ask when it opens, and with nil once it is answered or
---  withdrawn. The call's deadline stands still meanwhile.
---@field approval? boolean ask the user first (the host's `approval` ask, |mcp-approval|); the deadline
---  starts after the answer. Used by |mcp-chat| for calls a model made; a user's own call needs none
---@field task? boolean run a tool whose `execution.taskSupport` is `optional` as a task (|mcp-tasks|); one
---  that is `required` always runs as one. The callback gets the tool's result as for any call; the task's
---  status shows as the call's progress. InvalidParams for a tool that does not run as a task

---The result of `tools/call`.
---@class mcp.CallToolResult
---@field content table[] content items: `{ type = "text", text }`, `{ type = "image", data, mimeType }`, ...
---@field structuredContent? table
---@field isError? boolean

---A running tool call.
---@class mcp.CallHandle
---@field id integer? request id (nil when the host could not start; the callback then got the error)
---@field server string
---@field tool string
local CallHandle = {}
CallHandle.__index = CallHandle

---Cancels the call: the server is sent `notifications/cancelled` and the callback receives an error
---with code -32800 (|mcp-errors|). No-op once the call has finished.
---@param reason? string shown to the server
function CallHandle:cancel(reason)
  if self.id then require('mcp.core.channel').cancel(self.id, reason) end
end

---Is the call still running?
---@return boolean
function CallHandle:running() return self.id ~= nil and require('mcp.core.channel').pending(self.id) end

---@alias mcp.Callback fun(err: mcp.Error?, result: any)

---@param name string
---@param value any
---@param ty string
---@param optional? boolean
local function arg(name, value, ty, optional)
  if value == nil and optional then return end
  if type(value) ~= ty then error(('mcp: %s: expected %s, got %s'):format(name, ty, type(value)), 3) end
end

---A callback that reports errors with vim.notify when the caller gave none.
---@param what string
---@param cb mcp.Callback?
---@return mcp.Callback
local function or_notify(what, cb)
  if cb then return cb end
  return function(err)
    if err then require('mcp.core.util').error(('%s: %s'):format(what, err.message)) end
  end
end

---Table to send as a JSON object (`{}` would cross as an array).
---@param t table?
---@return table
local function object(t) return require('mcp.core.util').object(t) end

---Sends a request to the host, starting it if needed (|mcp.core.process.request()|).
---@param method string
---@param params table|nil
---@param opts mcp.RequestOpts|nil
---@param cb fun(err: mcp.Error?, result: any)|nil
---@return integer? id
local function request(method, params, opts, cb) return require('mcp.core.process').request(method, params, opts, cb) end

---Cached snapshots, after starting the host if it is not running (unless it crashed: a read never
---restarts it).
---@return mcp.ServerSnapshot[]
local function snapshots()
  require('mcp.core.process').try_ensure(true)
  return require('mcp.core.store').snapshots()
end

---Configures mcp.nvim. Optional: with no call, `vim.g.mcp` and the config file are used.
---Calling it again after the host started restarts the host when a host option changed.
---@param opts mcp.Options|nil see |mcp-options|
---@error when an option has the wrong type
function M.setup(opts)
  local config = require('mcp.core.options')
  -- Not loaded: not running. (Loading the core costs ~0.5 ms, too much for a setup() in init.lua.)
  local host = package.loaded['mcp.core.process']
  local before = host and host.running() and vim.deepcopy(config.get()) or nil
  local cfg = config.setup(opts)
  if before then
    cfg = vim.deepcopy(cfg)
    -- Options the host never sees do not restart it.
    for _, k in ipairs({ 'autostart', 'resource_max_bytes', 'approve', 'approve_read_only' }) do
      before[k], cfg[k] = nil, nil
    end
    if not vim.deep_equal(before, cfg) then host.restart() end
  end
  if config.get().autostart then M._autostart() end
end

---Starts the host after startup (used by `autostart`). Never during startup itself.
function M._autostart()
  local function go()
    vim.schedule(function()
      local _, err = require('mcp.core.process').try_ensure(false)
      if err then require('mcp.core.util').error(err) end
    end)
  end
  if vim.v.vim_did_enter == 1 then
    go()
  else
    vim.api.nvim_create_autocmd('VimEnter', { once = true, desc = 'mcp.nvim: autostart', callback = go })
  end
end

---Every configured server, in config order (a plain read of the cache; starts the host if needed).
---Each entry is a shallow copy: its lists are shared with the cache, do not modify them.
---@return mcp.Server[]
function M.servers()
  local out = {}
  for _, s in ipairs(snapshots()) do
    local copy = {}
    for k, v in pairs(s) do
      copy[k] = v
    end
    out[#out + 1] = copy
  end
  return out
end

---One server's snapshot, or nil.
---@param name string
---@return mcp.Server?
function M.server(name)
  arg('name', name, 'string')
  for _, s in ipairs(M.servers()) do
    if s.name == name then return s end
  end
end

---@param kind "tools"|"prompts"|"resources"|"resource_templates"
---@param server string?
---@return table[]
local function items(kind, server)
  arg('server', server, 'string', true)
  local out = {}
  for _, s in ipairs(snapshots()) do
    if server == nil or s.name == server then
      for _, item in ipairs(s[kind] or {}) do
        local copy = {}
        for k, v in pairs(item) do
          copy[k] = v
        end
        copy.server = s.name
        out[#out + 1] = copy
      end
    end
  end
  return out
end

---@param method "start"|"stop"|"restart"
---@param name string
---@param cb mcp.Callback?
local function lifecycle(method, name, cb)
  arg('name', name, 'string')
  arg('cb', cb, 'function', true)
  request(method, { server = name }, { server = name }, or_notify(method .. ' ' .. name, cb))
end

---Starts (connects) a server. `cb(err, snapshot)` once it is connected or has failed.
---@param name string server name
---@param cb? fun(err: mcp.Error?, server: mcp.Server?)
function M.start(name, cb) lifecycle('start', name, cb) end

---Stops a server. `cb(err, snapshot)` once it is stopped.
---@param name string
---@param cb? fun(err: mcp.Error?, server: mcp.Server?)
function M.stop(name, cb) lifecycle('stop', name, cb) end

---Restarts a server. `cb(err, snapshot)` once it is connected again or has failed.
---@param name string
---@param cb? fun(err: mcp.Error?, server: mcp.Server?)
function M.restart(name, cb) lifecycle('restart', name, cb) end

---Authorizes a remote server now (OAuth, |mcp-oauth|): the consent window, then the browser (or the
---pasted address), then new tokens, kept under `stdpath("data")/mcp/auth/`; the server reconnects with
---them. `cb(err, snapshot)` once it is connected or the flow failed: Cancelled when the person declined,
---RequestTimeout when the browser did not come back within `oauth_browser_ms`, InvalidParams for a stdio
---server. The wait for the person does not count against the request's deadline.
---@param name string server name
---@param cb? fun(err: mcp.Error?, server: mcp.Server?)
function M.auth(name, cb)
  arg('name', name, 'string')
  arg('cb', cb, 'function', true)
  local defaults = require('mcp.core.contract').defaults
  -- Guard: the browser's wait plus a connection's; the person's decision itself suspends it.
  local opts = { server = name, timeout_ms = defaults.oauth_browser_ms + defaults.connect_timeout_ms }
  request('auth', { server = name }, opts, or_notify('auth ' .. name, cb))
end

---Forgets a remote server's OAuth tokens and client registration (|:Mcp-logout|): deletes its token
---file, and restarts the server when it runs so that no token stays in memory (its next connection asks
---for authorization again). `cb(err, { removed, server })`: `removed` is whether tokens were kept.
---@param name string server name
---@param cb? fun(err: mcp.Error?, result: { removed: boolean, server: mcp.Server }?)
function M.logout(name, cb)
  arg('name', name, 'string')
  arg('cb', cb, 'function', true)
  request('logout', { server = name }, { server = name }, or_notify('logout ' .. name, cb))
end

---Re-reads the config file now (edits are also applied on their own, see |mcp-config-reload|).
---@param cb? fun(err: mcp.Error?, diff: { added: string[], removed: string[], changed: string[] }?)
function M.reload(cb)
  arg('cb', cb, 'function', true)
  request('reload', nil, {}, function(err, diff)
    if not err then require('mcp.core.process').refresh() end
    or_notify('reload', cb)(err, diff)
  end)
end

---Cached tools of one server, or of every server.
---@param server? string
---@return mcp.Tool[]
function M.tools(server) return items('tools', server) end

---Cached prompts.
---@param server? string
---@return mcp.Prompt[]
function M.prompts(server) return items('prompts', server) end

---Cached resources.
---@param server? string
---@return mcp.Resource[]
function M.resources(server) return items('resources', server) end

---Cached resource templates.
---@param server? string
---@return mcp.ResourceTemplate[]
function M.resource_templates(server) return items('resource_templates', server) end

---Calls a tool (`tools/call`). Arguments are checked against the tool's `inputSchema` first.
---`opts` may be omitted: `call_tool(server, tool, args, cb)`.
---@param server string
---@param tool string
---@param args table|nil arguments (nil or `{}`: none)
---@param opts mcp.CallToolOpts|nil
---@param cb fun(err: mcp.Error?, result: mcp.CallToolResult?)|nil
---@return mcp.CallHandle
function M.call_tool(server, tool, args, opts, cb)
  if type(opts) == 'function' and cb == nil then
    opts, cb = nil, opts
  end
  arg('server', server, 'string')
  arg('tool', tool, 'string')
  arg('args', args, 'table', true)
  arg('opts', opts, 'table', true)
  arg('cb', cb, 'function', true)
  opts = opts or {}
  local done = or_notify(('call %s/%s'):format(server, tool), cb)
  local handle = setmetatable({ id = nil, server = server, tool = tool }, CallHandle)
  -- A timeout that is not a positive number of ms would be skipped by the host (src/session/deadline.ts), so a
  -- call meant to end at once would run a whole default deadline: refuse it instead.
  if opts.timeout_ms ~= nil and not require('mcp.core.channel').positive_ms(opts.timeout_ms) then
    local err = {
      code = require('mcp.core.contract').codes.InvalidParams,
      message = ('call %s/%s: option timeout_ms: expected a positive number of ms, got %s'):format(
        server,
        tool,
        vim.inspect(opts.timeout_ms)
      ),
    }
    vim.schedule(function() done(err, nil) end)
    return handle
  end
  local params = { server = server, tool = tool, arguments = object(args) }
  if opts.timeout_ms then params.timeout_ms = opts.timeout_ms end
  -- Every call carries a progress token: its progress shows (mcp.progress) whether or not `on_progress` is given.
  params.progress = true
  if opts.approval then params.approval = true end
  if opts.task then params.task = true end
  local progress = require('mcp.progress')
  local title = server .. '/' .. tool
  local id
  id = request('call_tool', params, {
    server = server,
    timeout_ms = opts.timeout_ms,
    on_progress = function(p)
      if id then progress.update(id, title, p) end
      if opts.on_progress then opts.on_progress(p) end
    end,
    on_wait = opts.on_wait,
  }, function(err, result)
    if id then progress.finish(id, err ~= nil or (type(result) == 'table' and result.isError == true)) end
    done(err, result)
  end)
  handle.id = id
  return handle
end

---Sets a server's log level (spec: server/utilities/logging; |:Mcp-loglevel|), kept across its restarts:
---a 2025-11-25 server that declares `logging` gets `logging/setLevel` (one that does not: InvalidParams);
---a 2026-07-28 server gets the level in the `_meta` of each later request.
---@param server string
---@param level string one of `debug`, `info`, `notice`, `warning`, `error`, `critical`, `alert`, `emergency`
---@param cb? fun(err: mcp.Error?, result: { level: string, via: "logging/setLevel"|"_meta" }?)
function M.set_log_level(server, level, cb)
  arg('server', server, 'string')
  arg('level', level, 'string')
  arg('cb', cb, 'function', true)
  request(
    'set_log_level',
    { server = server, level = level },
    { server = server },
    or_notify(('loglevel %s'):format(server), cb)
  )
end

---A 'statusline' item showing the progress of running tool calls (|mcp-progress|), e.g.
---`mcp: everything/slow step 2 of 5 (40%)`; "" when no call reports progress. Cheap: no request.
---Example: `vim.o.statusline = '%f %{v:lua.require("mcp").status()}'`.
---@return string
function M.status() return require('mcp.progress').status() end

---Gets a prompt (`prompts/get`). `cb(err, { description?, messages })`.
---@param server string
---@param name string prompt name
---@param args table<string, string>|nil argument values
---@param cb fun(err: mcp.Error?, result: { description?: string, messages: { role: string, content: table }[] }?)
function M.get_prompt(server, name, args, cb)
  arg('server', server, 'string')
  arg('name', name, 'string')
  arg('args', args, 'table', true)
  arg('cb', cb, 'function')
  request('get_prompt', { server = server, name = name, arguments = object(args) }, { server = server }, cb)
end

---Reads a resource (`resources/read`). `cb(err, { contents = { { uri, mimeType?, text? | blob? } } })`.
---@param server string
---@param uri string
---@param cb fun(err: mcp.Error?, result: { contents: table[] }?)
function M.read_resource(server, uri, cb)
  arg('server', server, 'string')
  arg('uri', uri, 'string')
  arg('cb', cb, 'function')
  request('read_resource', { server = server, uri = uri }, { server = server }, cb)
end

---Subscribes to updates of a resource (`resources/subscribe`); each update fires `User McpResourceUpdated`.
---@param server string
---@param uri string
---@param cb? fun(err: mcp.Error?)
function M.subscribe(server, uri, cb)
  arg('server', server, 'string')
  arg('uri', uri, 'string')
  request('subscribe', { server = server, uri = uri }, { server = server }, or_notify('subscribe ' .. uri, cb))
end

---Ends a subscription (`resources/unsubscribe`).
---@param server string
---@param uri string
---@param cb? fun(err: mcp.Error?)
function M.unsubscribe(server, uri, cb)
  arg('server', server, 'string')
  arg('uri', uri, 'string')
  request('unsubscribe', { server = server, uri = uri }, { server = server }, or_notify('unsubscribe ' .. uri, cb))
end

---Asks a server for completions of an argument (`completion/complete`).
---`cb(err, { completion = { values, total?, hasMore? } })`.
---@param server string
---@param ref { type: "ref/prompt", name: string }|{ type: "ref/resource", uri: string }
---@param argument { name: string, value: string }
---@param context { arguments?: table<string, string> }|nil values of arguments already filled in
---@param cb fun(err: mcp.Error?, result: { completion: { values: string[], total?: integer, hasMore?: boolean } }?)
function M.complete(server, ref, argument, context, cb)
  arg('server', server, 'string')
  arg('ref', ref, 'table')
  arg('argument', argument, 'table')
  arg('context', context, 'table', true)
  arg('cb', cb, 'function')
  local params = { server = server, ref = ref, argument = argument }
  if context and next(context) then params.context = context end
  request('complete', params, { server = server }, cb)
end

---Expands a resource template's `uriTemplate` with `variables` (RFC 6570, the MCP SDK's implementation,
---run by the host; no server is involved). `cb(err, { uri })`; `err.code` is -32602 (InvalidParams) for a
---malformed template.
---@param template string an RFC 6570 URI template, e.g. `demo://resource/dynamic/text/{resourceId}`
---@param variables table<string, string|string[]>|nil values by variable name (a list for exploded `{var*}`)
---@param cb fun(err: mcp.Error?, result: { uri: string }?)
function M.expand_template(template, variables, cb)
  arg('template', template, 'string')
  arg('variables', variables, 'table', true)
  arg('cb', cb, 'function')
  request('expand_template', { template = template, variables = object(variables) }, {}, cb)
end

---The messages of a `prompts/get` result as lines of text, the way `:Mcp prompt` inserts them (for a chat
---plugin, or any buffer): each message's text as is; images, audio and binary resources written to
---files under `stdpath("cache") .. "/mcp/"` and given by path (never as text); an embedded resource as a
---`[resource] {uri}  {mimeType}` line followed by its text; a resource link as one
---`[resource link]  {name}  {uri}` line. Messages are separated by an empty line; with more than one role
---among them (or `opts.roles = true`), each starts with a `[{role}]` line.
---@param result { messages?: { role: string, content: table }[] } `prompts/get` result
---@param opts? { roles?: boolean|"auto", stem?: string } `stem`: name prefix of written files
---@return string[] lines
---@return string[] files the files written for binary content
function M.prompt_lines(result, opts)
  arg('result', result, 'table')
  arg('opts', opts, 'table', true)
  return require('mcp.ui.result').prompt_lines(result, opts)
end

---The roots currently announced to servers (computed from the editor since the host started).
---@return mcp.Root[] roots `{ { uri, name } }`
function M.roots()
  if not package.loaded['mcp.roots'] or not require('mcp.core.process').running() then return {} end
  return require('mcp.roots').current()
end

---Absolute path of the host's log file.
---@return string
function M.log_path() return require('mcp.core.process').log_path() end

---Error codes callbacks may receive (|mcp-errors|), generated from the host's contract.
---(Loaded on first use: `require("mcp")` in init.lua must stay cheap.)
setmetatable(M, {
  __index = function(_, k)
    if k == 'codes' then
      rawset(M, 'codes', require('mcp.core.contract').codes)
      return M.codes
    end
  end,
})

return M
