--- Sampling providers (|mcp-sampling-providers|): who answers a server's sampling request once the person
--- approved it. The `sampling.provider` option picks one:
---
--- - a function `function(request, done) ... end` of the user's (async: call `done(err, result)` once;
---   it may return a function that stops the work, called when the request is withdrawn);
--- - `"openai"`: the host's client of an OpenAI-compatible chat-completions endpoint (src/sampling/openai.ts);
--- - `"codecompanion"`: the model of the CodeCompanion chat in use (lua/codecompanion/_extensions/mcp/sampling.lua).
local M = {}

local nonil = require('mcp.core.util').nonil
local defaults = require('mcp.core.contract').defaults

---What a provider gets: the request's params as approved (spec names: `messages`, `systemPrompt`,
---`maxTokens`, `temperature`, `stopSequences`, `modelPreferences`, `tools`, `toolChoice`, `metadata`,
---...), plus:
---@class mcp.sampling.Request
---@field server string the server that asks
---@field model? string the model chosen from the request's hints among the `sampling.models` option (nil: the provider's own)
---@field messages table[] `{ role = "user"|"assistant", content = block|block[] }`
---@field maxTokens integer
---@field systemPrompt? string
---@field temperature? number
---@field stopSequences? string[]
---@field tools? table[] `{ name, description?, inputSchema }`
---@field toolChoice? { mode?: "auto"|"required"|"none" }

---A provider: answers `request` through `done` (once), and may return a function that stops it.
---`result` is a `CreateMessageResult` (`model`, `content` (a block, or a list with `tool_use` blocks when
---tools were offered), `stopReason`?; `role` defaults to "assistant") or a string (the answer's text).
---@alias mcp.sampling.Provider fun(request: mcp.sampling.Request, done: fun(err: mcp.Error|string|nil, result: table|string|nil)): (fun()|nil)

---The model to ask, from the request's `modelPreferences.hints` (spec: client/sampling, model
---preferences): the first of `models` whose name contains a hint (case ignored), trying the hints in order.
---@param req table the request's params
---@param models? string[] the `sampling.models` option
---@return string? model nil: no list, no hint, or no match (the provider's own model is used)
function M.choose_model(req, models)
  if type(models) ~= 'table' or #models == 0 then return nil end
  local prefs = nonil(req.modelPreferences)
  local hints = type(prefs) == 'table' and nonil(prefs.hints) or nil
  for _, h in ipairs(type(hints) == 'table' and hints or {}) do
    local name = type(h) == 'table' and nonil(h.name) or nil
    if type(name) == 'string' and name ~= '' then
      for _, m in ipairs(models) do
        if m:lower():find(name:lower(), 1, true) then return m end
      end
    end
  end
  return nil
end

---The provider's name, for the answer window's first line.
---@param cfg mcp.SamplingOptions
---@return string
function M.name(cfg)
  if type(cfg.provider) == 'function' then return 'your provider function' end
  if cfg.provider == 'openai' then
    return ('%s at %s'):format('an OpenAI-compatible endpoint', tostring(cfg.openai and cfg.openai.url))
  end
  if cfg.provider == 'codecompanion' then return 'CodeCompanion' end
  return tostring(cfg.provider)
end

---Can the configured provider use tools (`sampling.tools` is declared)?
---@param cfg mcp.SamplingOptions
---@return boolean
function M.tools(cfg)
  if type(cfg.provider) == 'function' then return cfg.tools == true end
  return cfg.tools ~= false
end

---The host's OpenAI-compatible client.
---@type mcp.sampling.Provider
local function openai(request, done, cfg)
  local o = cfg.openai or {}
  local timeout = o.timeout_ms or defaults.sampling_timeout_ms
  local req = vim.deepcopy(request)
  req.server, req.model = nil, nil
  local id = require('mcp.core.process').request('sample', {
    request = req,
    model = request.model,
    provider = {
      url = o.url,
      model = o.model,
      api_key_env = o.api_key_env or defaults.sampling_api_key_env,
      timeout_ms = timeout,
    },
  }, { timeout_ms = timeout }, function(err, result) done(err, result) end)
  return function()
    if id then require('mcp.core.channel').cancel(id, 'sampling request withdrawn') end
  end
end

---Normalizes a provider's answer.
---@param result any
---@param model? string the chosen model, for an answer that names none
---@return table? result
---@return string? err
local function normalize(result, model)
  if type(result) == 'string' then
    return {
      role = 'assistant',
      model = model or 'unknown',
      stopReason = 'endTurn',
      content = { type = 'text', text = result },
    }
  end
  if type(result) ~= 'table' or nonil(result.content) == nil then
    return nil, 'the provider answered without content'
  end
  local out = vim.deepcopy(result)
  out.role = 'assistant'
  if type(nonil(out.model)) ~= 'string' then out.model = model or 'unknown' end
  return out
end

---Sends `request` to the configured provider.
---@param cfg mcp.SamplingOptions
---@param request mcp.sampling.Request
---@param done fun(err: mcp.Error?, result: table?) called once, from the main loop
---@return fun() cancel
function M.run(cfg, request, done)
  local finished = false
  local function finish(err, result)
    if finished then return end
    finished = true
    vim.schedule(function()
      if err ~= nil then
        if type(err) ~= 'table' then err = { message = tostring(err) } end
        err.code = err.code or require('mcp.core.contract').codes.InternalError
        return done(err)
      end
      local r, nerr = normalize(result, request.model)
      if not r then return done({ code = require('mcp.core.contract').codes.InternalError, message = nerr }) end
      done(nil, r)
    end)
  end
  local provider = cfg.provider
  local ok, cancel
  if type(provider) == 'function' then
    ok, cancel = pcall(provider, vim.deepcopy(request), finish)
  elseif provider == 'openai' then
    ok, cancel = pcall(openai, request, finish, cfg)
  elseif provider == 'codecompanion' then
    ok, cancel = pcall(
      function() return require('codecompanion._extensions.mcp.sampling').provider(request, finish, cfg.codecompanion) end
    )
  else
    ok, cancel = false, ('unknown sampling provider %s'):format(vim.inspect(provider))
  end
  if not ok then
    finish(tostring(cancel))
    cancel = nil
  end
  return function()
    finished = true
    if type(cancel) == 'function' then pcall(cancel) end
  end
end

return M
