--- The chat API (|mcp-chat|): what a chat plugin needs to give a model the tools, prompts and resources of
--- every connected MCP server, provider-neutral. Tools as function-calling schemas with stable names
--- (lua/mcp/chat/names.lua), what reaches the model chosen per server and per tool (config and runtime,
--- remembered), a model's tool call run through the approval policy (|mcp-approval|) and formatted for
--- the model (lua/mcp/chat/format.lua), prompts and resources in the forms a chat inserts.
---
--- Nothing here blocks: lists are reads of the cached snapshots, everything else calls back.
local M = {}

local names = require('mcp.chat.names')
local format = require('mcp.chat.format')
local state = require('mcp.chat.state')

---An OpenAI-style function-calling tool: what a chat sends a model in `tools`.
---@class mcp.chat.Function
---@field type "function"
---@field function { name: string, description: string, parameters: table } `parameters` is the tool's `inputSchema`, unchanged

---A model's tool call.
---@class mcp.chat.Call
---@field name string the function name the model called (a name from `tools()`)
---@field arguments? table|string the arguments: a table, or JSON text as models send it ("" or nil: none)

---@class mcp.chat.RunOpts
---@field on_progress? fun(progress: mcp.Progress) progress notifications of the call
---@field timeout_ms? number the call's deadline, ms, counted from the approval (default: the server's)
---@field approval? boolean false: the caller approved the call already, skip the policy (default true)
---@field on_wait? fun(note: string?) the call waits on the person (a server's question, |mcp-elicitation|): a
---  one-line note for the chat to show (e.g. `⏳ waiting for your answer to everything: Please provide
---  inputs`), and nil once answered; default: nothing more than the form itself

---@class mcp.chat.ToolsOpts
---@field servers? string[] only these servers (default: every connected one)

---The last name mapping handed out by `tools()`, kept so that `resolve()` knows every name given to a
---model, even one whose server has since changed its list.
---@type table<string, { server: string, tool: string }>
local handed = {}

---Is `server` offered to models: the runtime choice (`set_enabled`), else its config's `chat.enabled`,
---else true. With `tool`: also the tool's runtime choice, else not in the config's `chat.disabled`.
---@param server string
---@param tool? string
---@return boolean
function M.enabled(server, tool)
  local s = require('mcp').server(server)
  local cfg = s and type(s.chat) == 'table' and s.chat or {}
  local on = state.enabled(server)
  if on == nil then on = cfg.enabled ~= false end
  if not on or tool == nil then return on end
  local t = state.enabled(server, tool)
  if t ~= nil then return t end
  return not (type(cfg.disabled) == 'table' and vim.tbl_contains(cfg.disabled, tool))
end

---Offers (true) or withholds (false) a server's tools, or one tool, from models; remembered across
---sessions in `stdpath("data") .. "/mcp/chat.json"`. Fires `User McpChatChanged` (`data`: `{ server, tool?, enabled }`).
---@param server string
---@param tool string|nil nil: the whole server
---@param on boolean
function M.set_enabled(server, tool, on)
  vim.validate({ server = { server, 'string' }, tool = { tool, 'string', true }, on = { on, 'boolean' } })
  state.set_enabled(server, tool, on)
  local events = require('mcp.core.events')
  events.fire_now(events.names.chat_changed, { server = server, tool = tool, enabled = on })
end

---The enabled tools of connected servers as OpenAI-style function objects, in config order, with names
---unique across servers and valid for every major provider (|mcp-chat-names|).
---@param opts? mcp.chat.ToolsOpts
---@return mcp.chat.Function[]
function M.tools(opts)
  opts = opts or {}
  local only = opts.servers and {} or nil
  for _, n in ipairs(opts.servers or {}) do
    only[n] = true
  end
  local list, pairs_ = {}, {}
  for _, s in ipairs(require('mcp').servers()) do
    if s.status == 'connected' and (not only or only[s.name]) and M.enabled(s.name) then
      for _, t in ipairs(s.tools or {}) do
        if M.enabled(s.name, t.name) then
          list[#list + 1] = { server = s.name, def = t }
          pairs_[#pairs_ + 1] = { server = s.name, tool = t.name }
        end
      end
    end
  end
  local map = names.map(pairs_)
  local out = {}
  for _, item in ipairs(list) do
    local name = map.by_pair[item.server .. '\0' .. item.def.name]
    handed[name] = { server = item.server, tool = item.def.name }
    local desc = type(item.def.description) == 'string' and item.def.description or ''
    out[#out + 1] = {
      type = 'function',
      ['function'] = {
        name = name,
        description = desc,
        parameters = item.def.inputSchema or { type = 'object', properties = vim.empty_dict() },
      },
    }
  end
  return out
end

---The server and tool behind a function name from `tools()` (or any name of the |mcp-chat-names| rule
---whose server and tool exist).
---@param name string
---@return string? server
---@return string? tool
function M.resolve(name)
  local h = handed[name]
  if h then return h.server, h.tool end
  for _, s in ipairs(require('mcp').servers()) do
    for _, t in ipairs(s.tools or {}) do
      if names.name(s.name, t.name) == name then return s.name, t.name end
    end
  end
end

---The function name a model sees for `tool` of `server` (|mcp-chat-names|).
---@param server string
---@param tool string
---@return string
function M.name(server, tool) return names.name(server, tool) end

---Each connected, enabled server's `instructions` (what the server tells a model about its tools).
---@return { server: string, text: string }[]
function M.instructions()
  local out = {}
  for _, s in ipairs(require('mcp').servers()) do
    if s.status == 'connected' and type(s.instructions) == 'string' and s.instructions ~= '' and M.enabled(s.name) then
      out[#out + 1] = { server = s.name, text = s.instructions }
    end
  end
  return out
end

---A running model tool call.
---@class mcp.chat.Handle
---@field name string the function name called
---@field server? string
---@field tool? string
---@field call? mcp.CallHandle the tool call, once sent
local Handle = {}
Handle.__index = Handle

---Cancels the call: an approval window still open is withdrawn, a running call is cancelled at the
---server (`notifications/cancelled`); the callback gets Cancelled. No-op once finished.
---@param reason? string
function Handle:cancel(reason)
  self.cancelled = true
  if self.call then self.call:cancel(reason) end
end

---@return boolean
function Handle:running() return self.call ~= nil and self.call:running() end

---Decodes a model's arguments.
---@param args any
---@return table? args
---@return string? err
local function arguments(args)
  if args == nil or args == vim.NIL then return vim.empty_dict() end
  if type(args) == 'string' then return require('mcp.tools').parse_args(args, 'arguments') end
  if type(args) == 'table' then return args end
  return nil, ('arguments must be a JSON object or a table, got %s'):format(type(args))
end

---The note a chat shows while one of its tool calls waits on the person: who asks, and what.
---@param ask mcp.Ask
---@return string
function M.waiting_note(ask)
  local text = require('mcp.core.text')
  local message = type(ask.params) == 'table' and type(ask.params.message) == 'string' and ask.params.message or ''
  local first = vim.trim(vim.split(message, '\n', { plain = true })[1] or '')
  local who = text.name(ask.server or 'a server')
  local what = ask.kind == 'elicitation_url' and 'asks you to open a URL' or 'asks for your input'
  return ('⏳ waiting for you: %s %s%s (:Mcp asks)'):format(
    who,
    what,
    first ~= '' and (': ' .. text.name(first)) or ''
  )
end

---Runs a model's tool call: resolves its name, decodes its arguments, applies the approval policy
---(|mcp-approval|; the host asks the editor when it says "ask"), calls the tool and formats the result
---for the model. Asynchronous; `cb` is called once, from the main loop.
---
---`cb(err, result)`: `err` is nil when the tool ran (a tool's own failure is `result.is_error`); else it
---says why not (`code`: UnknownItem for an unknown name, InvalidParams, Denied with `data.reason`,
---Cancelled, RequestTimeout, NotConnected, ... |mcp-errors|) and `result` is still a tool error the model
---can read (for Denied: the user's reason).
---@param call mcp.chat.Call
---@param opts? mcp.chat.RunOpts
---@param cb fun(err: mcp.Error?, result: mcp.chat.Result)
---@return mcp.chat.Handle
function M.run(call, opts, cb)
  if type(opts) == 'function' and cb == nil then
    opts, cb = nil, opts
  end
  vim.validate({ call = { call, 'table' }, opts = { opts, 'table', true }, cb = { cb, 'function' } })
  opts = opts or {}
  local codes = require('mcp.core.contract').codes
  local handle = setmetatable({ name = tostring(call.name) }, Handle)
  local function fail(code, message, data)
    vim.schedule(
      function() cb({ code = code, message = message, data = data }, format.error(message, code == codes.Denied)) end
    )
    return handle
  end
  local server, tool = M.resolve(handle.name)
  if not server then return fail(codes.UnknownItem, ('no MCP tool is called %q'):format(handle.name)) end
  ---@cast tool string
  handle.server, handle.tool = server, tool
  local what = server .. '/' .. tool
  local args, aerr = arguments(call.arguments)
  if not args then return fail(codes.InvalidParams, ('%s: %s'):format(what, aerr)) end
  local approval = false
  if opts.approval ~= false then
    local options = require('mcp.core.options').get()
    local verdict = require('mcp.chat.policy').decide(server, tool, args, {
      snapshot = require('mcp').server(server),
      def = require('mcp.tools').find(server, tool),
      options = { approve = options.approve, approve_read_only = options.approve_read_only },
    })
    if verdict.action == 'deny' then
      return fail(
        codes.Denied,
        ('%s: denied (%s): %s'):format(what, verdict.why, verdict.reason),
        { reason = verdict.reason }
      )
    end
    approval = verdict.action == 'ask'
  end
  handle.call = require('mcp').call_tool(server, tool, args, {
    timeout_ms = opts.timeout_ms,
    on_progress = opts.on_progress,
    on_wait = opts.on_wait and function(ask) opts.on_wait(ask and M.waiting_note(ask) or nil) end or nil,
    approval = approval,
  }, function(err, result)
    if err then
      local message = err.message
      if err.code == codes.Denied then
        local reason = type(err.data) == 'table' and type(err.data.reason) == 'string' and err.data.reason or nil
        message = ('The user denied this call of %s%s'):format(what, reason and (': ' .. reason) or '.')
      end
      return cb(err, format.error(message, err.code == codes.Denied))
    end
    cb(nil, format.result(result))
  end)
  return handle
end

---A `prompts/get` result's messages in the form a chat inserts: `{ { role, content = text } }`, each
---message's content as text (images, audio and binary resources written to files under
---`stdpath("cache")/mcp/` and given by path, embedded resources with their URI and text: the renderer of
---|mcp-results|).
---@param server string
---@param name string prompt name (names the files written)
---@param result table the `GetPromptResult`
---@return { role: "user"|"assistant", content: string }[]
function M.prompt_result(server, name, result)
  local out = {}
  local view = require('mcp.ui.result')
  for _, m in ipairs(type(result) == 'table' and type(result.messages) == 'table' and result.messages or {}) do
    local lines = view.prompt_lines({ messages = { m } }, { roles = false, stem = server .. '-' .. name })
    out[#out + 1] = { role = m.role, content = table.concat(lines, '\n') }
  end
  return out
end

---Gets a prompt and gives its messages in the form a chat inserts (`M.prompt_result`).
---@param server string
---@param name string prompt name
---@param args? table<string, string>
---@param cb fun(err: mcp.Error?, messages: { role: string, content: string }[]?, description: string?)
function M.prompt_messages(server, name, args, cb)
  require('mcp').get_prompt(server, name, args, function(err, result)
    if err then return cb(err) end
    cb(nil, M.prompt_result(server, name, result), require('mcp.core.util').nonil(result.description))
  end)
end

---A resource in the form a chat inserts: `{ uri, mime_type?, text }` for text; for binary content
---`{ uri, mime_type?, path }`, the content written to a file under `stdpath("cache")/mcp/`
---(lua/mcp/core/files.lua), never as text.
---@param server string
---@param uri string
---@param cb fun(err: mcp.Error?, resource: { uri: string, mime_type?: string, text?: string, path?: string }?)
function M.resource_text(server, uri, cb)
  require('mcp').read_resource(server, uri, function(err, result)
    if err then return cb(err) end
    local lines, info = require('mcp.ui.result').resource_lines(server, uri, result)
    local out = { uri = uri, mime_type = info.mimeType }
    if info.binary and info.files[1] then
      out.path = info.files[1]
    else
      out.text = table.concat(lines, '\n')
    end
    cb(nil, out)
  end)
end

---`:Mcp chat {server} [{tool}] on|off` (|:Mcp-chat|); without on|off, says what reaches the model. The
---server and tool are words as `mcp.core.words` reads them (|mcp-call-names|).
---@param a mcp.CommandArgs
function M.command(a)
  local util = require('mcp.core.util')
  local text = require('mcp.core.text')
  local usage = 'usage: :Mcp chat {server} [{tool}] on|off'
  local f, err = require('mcp.core.words').split(a.args)
  if err then return util.error(('chat: %s (%s)'):format(err, usage)) end
  local last = f[#f]
  local label = #f >= 1 and text.name(f[1]) or ''
  if (#f == 2 or #f == 3) and (last == 'on' or last == 'off') then
    M.set_enabled(f[1], #f == 3 and f[2] or nil, last == 'on')
    return util.notify(
      ('chat: %s%s %s'):format(
        label,
        #f == 3 and ('/' .. text.name(f[2])) or '',
        last == 'on' and 'offered to models' or 'kept from models'
      )
    )
  end
  if #f == 1 or #f == 2 then
    local on = M.enabled(f[1], f[2])
    return util.notify(
      ('chat: %s%s is %s'):format(
        label,
        f[2] and ('/' .. text.name(f[2])) or '',
        on and 'offered to models' or 'kept from models'
      )
    )
  end
  util.error(usage)
end

---Completion after `:Mcp chat`: a server, then its tools or on|off, then on|off; names inserted as
---`:Mcp chat` reads them back (|mcp-call-names|).
---@param lead string the word being completed, as typed
---@param before string[] the arguments before it, as `mcp.core.words` reads them
---@return string[]
function M.complete_cmdline(lead, before)
  local words = require('mcp.core.words')
  if #before == 0 then return words.typed(require('mcp.servers').names(), lead) end
  if #before == 1 then
    local out = { 'on', 'off' }
    for _, t in ipairs(require('mcp').tools(before[1])) do
      out[#out + 1] = t.name
    end
    return words.typed(out, lead)
  end
  if #before == 2 and before[2] ~= 'on' and before[2] ~= 'off' then return { 'on', 'off' } end
  return {}
end

return M
