-- mcp.nvim: Neovim as a Model Context Protocol client host. See :help mcp.
-- Startup cost: one user command, one <Plug> mapping, two tiny modules (the feature hooks), two
-- autocmds (reading `mcp://` resource buffers), and (only with `autostart`) one more autocmd.
-- Everything else loads on first use.
if vim.g.loaded_mcp then return end
vim.g.loaded_mcp = true

if vim.fn.has('nvim-0.10') ~= 1 then
  vim.api.nvim_echo({ { 'mcp.nvim needs Neovim 0.10 or newer', 'ErrorMsg' } }, true, {})
  return
end

vim.api.nvim_create_user_command('Mcp', function(opts) require('mcp.commands').run(opts) end, {
  nargs = '*',
  bang = true,
  desc = 'mcp.nvim: hub, servers, tool calls (:help :Mcp)',
  complete = function(lead, line, pos) return require('mcp.commands').complete(lead, line, pos) end,
})

vim.api.nvim_set_keymap('n', '<Plug>(mcp-hub)', '', {
  noremap = true,
  silent = true,
  desc = 'mcp.nvim: open the hub',
  callback = function() require('mcp.ui.hub').open() end,
})

-- What the core calls in the features (the roots provider): registered before anything can start the
-- host. Two tiny modules; the features themselves load on first use.
require('mcp.features')

-- `mcp://{server}/{uri}` buffers: resources read through the host (:help mcp-resource-buffers).
local group = vim.api.nvim_create_augroup('mcp.resources', { clear = true })
vim.api.nvim_create_autocmd('BufReadCmd', {
  group = group,
  pattern = 'mcp://*',
  nested = true,
  desc = 'mcp.nvim: read an MCP resource into the buffer',
  callback = function(ev) require('mcp.resources.buffers').read_cmd(ev.buf) end,
})
vim.api.nvim_create_autocmd('FileReadCmd', {
  group = group,
  pattern = 'mcp://*',
  nested = true,
  desc = 'mcp.nvim: :read an MCP resource',
  callback = function(ev) require('mcp.resources.buffers').file_read_cmd(ev.match) end,
})

local g = vim.g.mcp
if type(g) == 'table' and g.autostart == true then require('mcp')._autostart() end
