--- Wires the features into the core: the core (lua/mcp/core/) requires nothing outside core/, so what
--- it calls in a feature is registered here, from the outside, into `mcp.core.hooks`. Loaded by
--- plugin/mcp.lua at startup and by the public API (mcp/init.lua), so it is in place before anything can
--- start the host. Cheap on purpose: the features themselves load on first use.
---
--- (Pending asks withdraw themselves: mcp.asks registers its own `on_host_gone` hook when it loads, and
--- there are none before it loads.)
local hooks = require('mcp.core.hooks')

-- Roots (spec: client/roots; |mcp-roots|): computed from the editor when the host starts, announced
-- again whenever they change.
hooks.set_roots_provider(function(options, on_change) return require('mcp.roots').attach(options, on_change) end)

return {}
