--- `:Mcp log` and the hub's `l`: the host's log file in a split, following new lines.
local M = {}

---Opens the host's log file in a split, at its end, with 'autoread' set.
---@param opts? { mods?: string } command modifiers for the split
function M.open(opts)
  local path = require('mcp.core.process').log_path()
  if vim.uv.fs_stat(path) == nil then return require('mcp.core.util').warn('no log yet: ' .. path) end
  vim.cmd(require('mcp.core.util').mods(opts and opts.mods) .. 'split ' .. vim.fn.fnameescape(path))
  vim.bo.autoread = true
  vim.cmd('normal! G')
end

return M
