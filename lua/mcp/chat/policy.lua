--- Whether a tool call a model made may run without asking (|mcp-approval|). Decided in Lua before the
--- call is sent; when the answer is "ask", the host asks the editor (the `approval` ask) and the window
--- of lua/mcp/ui/approval.lua shows it.
local M = {}

---The verdict of the policy.
---@class mcp.chat.Verdict
---@field action "allow"|"ask"|"deny"
---@field why string what decided, e.g. "auto_approve", "approve()", "allowed always"
---@field reason? string for "deny": the reason the model is given

---Decides a call, first match wins:
--- 1. the `approve(server, tool, args)` option: `true` allows, `false` denies, a string denies with that
---    reason, `nil` has no opinion (an error in it denies, naming the error);
--- 2. the server's `auto_approve`: `true`, or a list holding the tool, allows;
--- 3. the tool allowed always (saved) or for this session allows;
--- 4. with the `approve_read_only` option, a tool annotated `readOnlyHint = true` is allowed (annotations
---    are the server's claims: they never allow anything unless the user opted in);
--- 5. otherwise: ask.
---@param server string
---@param tool string
---@param args table
---@param ctx { snapshot?: mcp.ServerSnapshot, def?: mcp.Tool, options: { approve?: fun(server: string, tool: string, args: table): (boolean|string|nil), approve_read_only?: boolean } }
---@return mcp.chat.Verdict
function M.decide(server, tool, args, ctx)
  local opts = ctx.options or {}
  if type(opts.approve) == 'function' then
    local ok, v = pcall(opts.approve, server, tool, vim.deepcopy(args))
    if not ok then
      return { action = 'deny', why = 'approve()', reason = 'the approve option failed: ' .. tostring(v) }
    end
    if v == true then return { action = 'allow', why = 'approve()' } end
    if v == false then return { action = 'deny', why = 'approve()', reason = 'denied by the approve option' } end
    if type(v) == 'string' then return { action = 'deny', why = 'approve()', reason = v } end
  end
  local auto = ctx.snapshot and ctx.snapshot.auto_approve
  if auto == true then return { action = 'allow', why = 'auto_approve' } end
  if type(auto) == 'table' and vim.tbl_contains(auto, tool) then return { action = 'allow', why = 'auto_approve' } end
  local scope = require('mcp.chat.state').allowed(server, tool)
  if scope then
    return { action = 'allow', why = 'allowed ' .. (scope == 'always' and 'always' or 'for this session') }
  end
  local ann = ctx.def and type(ctx.def.annotations) == 'table' and ctx.def.annotations or nil
  if opts.approve_read_only == true and ann and ann.readOnlyHint == true then
    return { action = 'allow', why = 'approve_read_only' }
  end
  return { action = 'ask', why = 'no rule allows it' }
end

return M
