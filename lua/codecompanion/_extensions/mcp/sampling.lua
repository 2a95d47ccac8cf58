--- The `codecompanion` sampling provider (|mcp-sampling-codecompanion|): a server's sampling request goes
--- to the model the user already chats with, through CodeCompanion's own HTTP client and adapter API
--- (v19: `codecompanion.http`, the adapter's `build_messages`/`build_tools`/`parse_chat` handlers), so
--- the adapter's URL, key, headers and settings apply as in the chat.
---
--- The adapter: the one of the chat in the current buffer, else of the last chat shown, else CodeCompanion's
--- default chat adapter (`interactions.chat.adapter`), or the adapter the `sampling.codecompanion.adapter`
--- option names. HTTP adapters only (an ACP agent is no chat-completions model).
---
--- Mapping, MCP → CodeCompanion's messages: `systemPrompt` → a `system` message; text → `content`; image
--- → an image message (when the adapter has vision); `tool_use` → the `llm` message's `tools.calls`;
--- `tool_result` → a `tool` message (`tools.call_id`); `tools` → function schemas in the payload. Back:
--- the parsed output's text and tool calls → `text` and `tool_use` blocks.
local M = {}

local nonil = require('mcp.core.util').nonil

---The adapter to sample with, resolved, and its chat's settings.
---@param name? string an adapter name from the `sampling.codecompanion.adapter` option
---@return table? adapter
---@return table? settings the chat's settings (model, temperature, ...), if from a chat
---@return string? err
local function pick_adapter(name)
  local ok, adapters = pcall(require, 'codecompanion.adapters')
  if not ok then return nil, nil, 'CodeCompanion is not installed (provider "codecompanion")' end
  local config = require('codecompanion.config')
  if name then
    local a = adapters.resolve(config.adapters.http and config.adapters.http[name] or name)
    if not a then return nil, nil, ('CodeCompanion has no adapter "%s"'):format(name) end
    return a
  end
  local Chat = require('codecompanion.interactions.chat')
  local chat = Chat.buf_get_chat(vim.api.nvim_get_current_buf()) or Chat.last_chat()
  if chat and chat.adapter then return chat.adapter, chat.settings end
  local default = config.interactions and config.interactions.chat and config.interactions.chat.adapter
  if type(default) == 'table' and default.name then default = default.name end
  local a = default and adapters.resolve(config.adapters.http and config.adapters.http[default] or default)
  if not a then return nil, nil, 'CodeCompanion has no chat adapter to sample with' end
  return a
end

---The text of a tool result's content.
---@param b table
---@return string
local function result_text(b)
  local parts = {}
  for _, c in ipairs(require('mcp.sampling.text').blocks(nonil(b.content))) do
    if c.type == 'text' then parts[#parts + 1] = tostring(nonil(c.text) or '') end
  end
  if #parts == 0 and nonil(b.structuredContent) ~= nil then return vim.json.encode(b.structuredContent) end
  return table.concat(parts, '\n')
end

---CodeCompanion's messages (its own roles: `system`, `user`, `llm`, `tool`) for an MCP request.
---@param req table
---@param vision boolean the adapter takes images
---@return table[]? messages
---@return string? err
local function to_messages(req, vision)
  local constants = require('codecompanion.config').constants
  local tags = require('codecompanion.interactions.shared.tags')
  local blocks = require('mcp.sampling.text').blocks
  local out = {}
  local sys = nonil(req.systemPrompt)
  if type(sys) == 'string' and sys ~= '' then out[#out + 1] = { role = constants.SYSTEM_ROLE, content = sys } end
  for i, m in ipairs(nonil(req.messages) or {}) do
    local role = m.role == 'assistant' and constants.LLM_ROLE or constants.USER_ROLE
    local texts, calls = {}, {}
    for _, b in ipairs(blocks(m.content)) do
      if b.type == 'text' then
        texts[#texts + 1] = tostring(nonil(b.text) or '')
      elseif b.type == 'image' then
        if not vision then return nil, ('message %d: the adapter takes no images'):format(i) end
        out[#out + 1] = {
          role = role,
          content = b.data,
          _meta = { tag = tags.IMAGE },
          context = { mimetype = b.mimeType },
        }
      elseif b.type == 'tool_use' then
        calls[#calls + 1] = {
          id = b.id,
          type = 'function',
          ['function'] = { name = b.name, arguments = vim.json.encode(require('mcp.core.util').object(nonil(b.input))) },
        }
      elseif b.type == 'tool_result' then
        out[#out + 1] = { role = 'tool', tools = { call_id = b.toolUseId }, content = result_text(b) }
      else
        return nil,
          ('message %d: content of type "%s" cannot be sent through CodeCompanion'):format(i, tostring(b.type))
      end
    end
    if #texts > 0 or #calls > 0 then
      out[#out + 1] = {
        role = role,
        content = table.concat(texts, '\n'),
        tools = #calls > 0 and { calls = calls } or nil,
      }
    end
  end
  return out
end

---The payload's tools: one group of OpenAI-style function schemas (what a chat sends).
---@param req table
---@return table[]
local function to_tools(req)
  local tools = nonil(req.tools)
  if type(tools) ~= 'table' or #tools == 0 then return {} end
  local group = {}
  for _, t in ipairs(tools) do
    group[t.name] = {
      type = 'function',
      ['function'] = { name = t.name, description = nonil(t.description) or '', parameters = t.inputSchema },
    }
  end
  return { group }
end

---Samples the chat's model (a sampling provider, |mcp-sampling-providers|).
---@param request mcp.sampling.Request the approved request
---@param done fun(err: mcp.Error|string|nil, result: table?) called once
---@param opts? { adapter?: string } the `sampling.codecompanion` option
---@return fun()? cancel stops the HTTP request
function M.provider(request, done, opts)
  local adapter, settings, err = pick_adapter(opts and opts.adapter)
  if not adapter then return done(err) end
  if adapter.type and adapter.type ~= 'http' then
    return done(('CodeCompanion adapter "%s" is not an HTTP adapter'):format(tostring(adapter.name)))
  end
  local adapters = require('codecompanion.adapters')
  local schema = require('codecompanion.schema')
  adapter = vim.deepcopy(adapter)
  adapter.opts = adapter.opts or {}
  adapter.opts.stream = false
  settings = vim.deepcopy(settings or schema.get_default(adapter))
  if request.model then settings.model = request.model end
  if adapter.schema.temperature and type(nonil(request.temperature)) == 'number' then
    settings.temperature = request.temperature
  end
  if adapter.schema.max_tokens then settings.max_tokens = request.maxTokens end
  if adapter.schema.stop and type(nonil(request.stopSequences)) == 'table' then
    settings.stop = request.stopSequences
  end
  adapter:map_schema_to_params(settings)
  local messages, merr = to_messages(request, adapter.opts.vision == true)
  if not messages then return done(merr) end
  local tools = to_tools(request)
  if #tools > 0 and not adapter.opts.tools then
    return done(('CodeCompanion adapter "%s" does not use tools'):format(tostring(adapter.name)))
  end
  local model = settings.model
  if type(model) == 'function' then model = model(adapter) end
  local finished = false
  local function finish(e, r)
    if finished then return end
    finished = true
    done(e, r)
  end
  local calls = {}
  local handle = require('codecompanion.http').new({ adapter = adapter }):send({
    messages = adapter:map_roles(messages),
    tools = tools,
  }, {
    silent = true,
    on_done = function(response)
      if not response then return finish('CodeCompanion: the model sent no answer') end
      local ok, parsed = pcall(adapters.call_handler, adapter, 'parse_chat', response, calls)
      if not ok then return finish('CodeCompanion: ' .. tostring(parsed)) end
      local content = {}
      local text = parsed and parsed.output and nonil(parsed.output.content)
      if type(text) == 'string' and text ~= '' then content[#content + 1] = { type = 'text', text = text } end
      for i, c in ipairs(calls) do
        local fn = c['function'] or {}
        local args = fn.arguments
        local dok, input = true, args
        if type(args) == 'string' then
          dok, input = pcall(vim.json.decode, args ~= '' and args or '{}')
        end
        if not dok or type(input) ~= 'table' then
          return finish(
            ('CodeCompanion: the model called %s with arguments that are not JSON'):format(tostring(fn.name))
          )
        end
        content[#content + 1] = {
          type = 'tool_use',
          id = c.id or ('call_' .. i),
          name = fn.name,
          input = require('mcp.core.util').object(input),
        }
      end
      if #content == 0 then content[1] = { type = 'text', text = '' } end
      -- One block as one block (as the host's provider answers), tool calls always as a list.
      finish(nil, {
        role = 'assistant',
        model = type(model) == 'string' and model or tostring(adapter.name),
        stopReason = #calls > 0 and 'toolUse' or 'endTurn',
        content = (#content == 1 and content[1].type ~= 'tool_use') and content[1] or content,
      })
    end,
    on_error = function(e)
      local msg = type(e) == 'table' and (e.message or e.stderr) or e
      if type(e) == 'table' and type(e.stderr) == 'table' and e.stderr.body then
        msg = ('%s%s'):format(e.message or '', e.stderr.body)
      end
      finish('CodeCompanion: ' .. tostring(msg))
    end,
  })
  return function()
    finished = true
    if handle and handle.cancel then pcall(handle.cancel) end
  end
end

return M
