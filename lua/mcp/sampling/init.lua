--- Sampling (|mcp-sampling|): a server asks for a model's completion (spec 2025-11-25: client/sampling;
--- 2026-07-28: the same request inside an `input_required` round). The host turns each request into a
--- `sampling` ask (src/bridge/sampling.ts); this module answers it:
---
--- 1. the request is shown for approval, editable (lua/mcp/sampling/review.lua), unless the server is
---    auto-approved (`sampling.auto_approve`);
--- 2. the approved request goes to the configured provider (lua/mcp/sampling/providers.lua), with the
---    model chosen from the request's hints (`sampling.models`);
--- 3. the model's answer is shown for approval, editable, and goes back to the server.
---
--- Declining either window answers the spec's error (-1, "User rejected sampling request"). An ask put
--- aside (`q`) keeps what was approved and answered so far: brought back (|:Mcp-asks|), it opens where it
--- stopped.
local M = {}

local codes = require('mcp.core.contract').codes
local util = require('mcp.core.util')

---The `sampling` option (|mcp-sampling|).
---@class mcp.SamplingOptions
---@field provider? "openai"|"codecompanion"|mcp.sampling.Provider who answers; nil: sampling is not offered to servers
---@field openai? { url: string, model: string, api_key_env?: string, timeout_ms?: integer } the "openai" provider's endpoint
---@field codecompanion? { adapter?: string } the "codecompanion" provider: a fixed adapter instead of the chat's
---@field models? string[] models the request's hints choose among (first match wins); nil: the provider's own model
---@field tools? boolean the provider can use tools (declared as `sampling.tools`); default true for "openai" and "codecompanion", false for a function
---@field auto_approve? boolean|string[] skip both windows for every server (true) or for the named servers

---The `sampling` option now, or nil when no provider is configured.
---@return mcp.SamplingOptions?
function M.config()
  local cfg = require('mcp.core.options').get().sampling
  if type(cfg) ~= 'table' or cfg.provider == nil then return nil end
  return cfg
end

---What the host is told at `init`: nil (no provider: sampling not declared) or `{ tools = boolean }`.
---@return { tools: boolean }?
function M.capability()
  local cfg = M.config()
  if not cfg then return nil end
  return { tools = require('mcp.sampling.providers').tools(cfg) }
end

---Are `server`'s requests answered without asking?
---@param cfg mcp.SamplingOptions
---@param server? string
---@return boolean
local function auto(cfg, server)
  local a = cfg.auto_approve
  if a == true then return true end
  if type(a) == 'table' and server then return vim.tbl_contains(a, server) end
  return false
end

---The spec's error for a declined request.
local REJECTED = { code = codes.UserRejected, message = 'User rejected sampling request' }

---Answers a `sampling` ask (the handler registered with mcp.asks).
---@type mcp.AskHandler
function M.handle(ask, respond, hide)
  local cfg = M.config()
  if not cfg then
    return respond({ code = codes.InternalError, message = 'no sampling provider is configured (:help mcp-sampling)' })
  end
  local p = ask.params
  local server = tostring(util.nonil(p.server) or ask.server or '?')
  local providers = require('mcp.sampling.providers')
  local sampling_text = require('mcp.sampling.text')
  local review = require('mcp.sampling.review')
  -- What was approved and answered so far, kept on the ask: put aside and brought back, it resumes.
  ask.sampling = ask.sampling or {}
  local st = ask.sampling
  local skip = auto(cfg, ask.server)
  ---@type fun()? closes the open window or stops the provider
  local current

  local function show_result()
    local lines, cursor, hls = sampling_text.result_lines(server, st.result, providers.name(cfg))
    local w = review.open(('%s: the model answered'):format(server), lines, {
      hls = hls,
      kind = 'sampling_result',
      cursor = cursor,
      send_label = 'return it to the server',
      hide = hide,
      on_decline = function() respond(REJECTED) end,
      on_send = function(buf_lines)
        local result, err = sampling_text.parse_result(st.result, buf_lines)
        if not result then return err end
        vim.schedule(function() respond(nil, result) end)
      end,
    })
    current = w.close
  end

  local function run()
    local request = vim.deepcopy(st.request)
    request.server = server
    request.model = providers.choose_model(st.request, cfg.models)
    if not skip then
      util.notify(
        ('%s: asking %s%s…'):format(
          server,
          providers.name(cfg),
          request.model and (' (' .. request.model .. ')') or ''
        )
      )
    end
    current = providers.run(cfg, request, function(err, result)
      current = nil
      if err then
        util.error(('%s: sampling failed: %s'):format(server, err.message or 'failed'))
        return respond(err)
      end
      st.result = result
      if skip then return respond(nil, result) end
      show_result()
    end)
  end

  if st.result then
    show_result()
  elseif st.request or skip then
    st.request = st.request or p.request
    run()
  else
    local lines, cursor, hls = sampling_text.request_lines(server, p.request)
    local w = review.open(ask.title, lines, {
      hls = hls,
      kind = 'sampling_request',
      cursor = cursor,
      send_label = 'send to the model',
      hide = hide,
      on_decline = function() respond(REJECTED) end,
      on_send = function(buf_lines)
        local request, err = sampling_text.parse_request(p.request, buf_lines)
        if not request then return err end
        st.request = request
        vim.schedule(run)
      end,
    })
    current = w.close
  end
  return function()
    if current then current() end
  end
end

---Answers without any window (mcp.asks runs it at once, even while the user types): the server is
---auto-approved.
---@param ask mcp.Ask
---@return boolean
function M.direct(ask)
  local cfg = M.config()
  return cfg ~= nil and auto(cfg, ask.server)
end

return M
