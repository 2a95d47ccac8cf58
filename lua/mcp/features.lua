--- Wires the features into the core: the core (lua/mcp/core/) requires nothing outside core/, so what
--- it calls in a feature is registered here, from the outside, into `mcp.core.hooks`. Loaded by
--- plugin/mcp.lua at startup and by the public API (mcp/init.lua), so it is in place before anything can
--- start the host. Cheap on purpose: the features themselves load on first use (here: a roots provider
--- and two autocmds).
---
--- (Pending asks withdraw themselves: mcp.asks registers its own `on_host_gone` hook when it loads, and
--- there are none before it loads.)
local hooks = require('mcp.core.hooks')

-- Roots (spec: client/roots; |mcp-roots|): computed from the editor when the host starts, announced
-- again whenever they change.
hooks.set_roots_provider(function(options, on_change) return require('mcp.roots').attach(options, on_change) end)

-- Sampling (|mcp-sampling|): offered to servers only when the `sampling` option names a provider.
hooks.set_sampling_capability(function() return require('mcp.sampling').capability() end)

-- Tools sharing a name within a server (|mcp-call-names|): said once per new set when a server connects
-- or its list changes. The autocmd is all that loads now; mcp.duplicates loads with the first snapshot.
local group = vim.api.nvim_create_augroup('mcp.duplicates', { clear = true })
vim.api.nvim_create_autocmd('User', {
  group = group,
  pattern = 'McpServerChanged',
  desc = 'mcp.nvim: say when a server lists two tools of one name',
  callback = function(ev) require('mcp.duplicates').check(ev.data) end,
})
vim.api.nvim_create_autocmd('User', {
  group = group,
  pattern = 'McpServerRemoved',
  desc = 'mcp.nvim: forget the shared tool names of a removed server',
  callback = function(ev)
    if type(ev.data) == 'table' and package.loaded['mcp.duplicates'] then
      require('mcp.duplicates').forget(ev.data.name)
    end
  end,
})

-- Server log messages (|mcp-server-log|): kept per server from the first one, for `:Mcp log {server}`.
vim.api.nvim_create_autocmd('User', {
  group = vim.api.nvim_create_augroup('mcp.server_log', { clear = true }),
  pattern = 'McpServerLog',
  desc = "mcp.nvim: keep a server's log messages for :Mcp log {server}",
  callback = function(ev) require('mcp.ui.log').add(ev.data) end,
})

return {}
