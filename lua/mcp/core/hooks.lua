--- What the core calls in the feature layer without requiring it: the core (lua/mcp/core/) requires
--- nothing outside core/, so features register here from the outside, the way the channel's item kinds
--- are registered by mcp.host. mcp.features registers the roots provider (loaded at startup by
--- plugin/mcp.lua and by the API; this module has no requires: loading it costs next to nothing);
--- mcp.asks registers its `on_host_gone` hook when it is loaded.
local M = {}

---Computes the roots announced to servers (MCP spec: client/roots) and calls `on_change(roots)` whenever
---they change: `mcp.roots.attach`, registered by mcp.features.
---@alias mcp.RootsProvider fun(options: mcp.RootsOptions, on_change: fun(roots: mcp.Root[])): mcp.Root[]

---@type mcp.RootsProvider?
local roots_provider

---@type fun(reason: string)[]
local gone = {}

---@type (fun(): { tools: boolean }?)?
local sampling_capability

---Sets the roots provider (one; a later call replaces it).
---@param provider mcp.RootsProvider
function M.set_roots_provider(provider) roots_provider = provider end

---The roots for a host that is starting, from the provider (none registered: no roots).
---@param options mcp.RootsOptions
---@param on_change fun(roots: mcp.Root[])
---@return mcp.Root[]
function M.roots(options, on_change)
  if not roots_provider then return {} end
  return roots_provider(options, on_change)
end

---Sets what tells the host whether to offer servers sampling (|mcp-sampling|): `mcp.sampling.capability`,
---registered by mcp.features.
---@param fn fun(): { tools: boolean }?
function M.set_sampling_capability(fn) sampling_capability = fn end

---The `sampling` param of `init`: nil (no provider configured, or none registered) or `{ tools }`.
---@return { tools: boolean }?
function M.sampling_capability()
  if not sampling_capability then return nil end
  return sampling_capability()
end

---Registers `fn(reason)`, called when the host goes (it exited, was stopped or restarted): whatever
---waited on it goes with it. Registering the same function again does nothing.
---@param fn fun(reason: string)
function M.on_host_gone(fn)
  if not vim.tbl_contains(gone, fn) then gone[#gone + 1] = fn end
end

---Runs every `on_host_gone` hook; one that fails does not stop the others (its error is returned).
---@param reason string e.g. "the host exited"
---@return string[] errors
function M.host_gone(reason)
  local errors = {}
  for _, fn in ipairs(gone) do
    local ok, err = pcall(fn, reason)
    if not ok then errors[#errors + 1] = tostring(err) end
  end
  return errors
end

return M
