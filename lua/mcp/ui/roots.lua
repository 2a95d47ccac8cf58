--- `:Mcp roots`: the roots announced to servers and what each server is told (|mcp-roots|).
local M = {}

--- Renders a report into lines.
---@param report mcp.RootsReport
---@return string[]
function M.lines(report)
  local lines =
    { ('Roots (%d), from open files, LSP workspace folders and working directories:'):format(#report.roots) }
  if #report.roots == 0 then lines[#lines + 1] = '  (none)' end
  local width = 0
  for _, r in ipairs(report.roots) do
    width = math.max(width, vim.fn.strdisplaywidth(r.name or ''))
  end
  for _, r in ipairs(report.roots) do
    local name = r.name or ''
    lines[#lines + 1] = ('  %s%s  %s'):format(name, (' '):rep(width - vim.fn.strdisplaywidth(name)), r.uri)
  end
  lines[#lines + 1] = ''
  lines[#lines + 1] = 'Servers:'
  for _, s in ipairs(report.servers) do
    local why = ({ none = 'roots = false', fixed = 'fixed list', editor = "the editor's" })[s.mode] or s.mode
    lines[#lines + 1] = ('  %s  %d root%s (%s)'):format(s.name, #s.roots, #s.roots == 1 and '' or 's', why)
    if s.mode == 'fixed' then
      for _, r in ipairs(s.roots) do
        lines[#lines + 1] = '    ' .. r.uri
      end
    end
  end
  return lines
end

--- Asks the host for the report and shows it in a scratch buffer named `mcp://roots`.
---@param mods? string command modifiers for the split
function M.show(mods)
  require('mcp.core.process').request('roots', nil, {}, function(err, report)
    if err then return require('mcp.core.util').error('roots: ' .. err.message) end
    local name = 'mcp://roots'
    local buf = vim.fn.bufnr(name)
    if buf == -1 then buf = require('mcp.ui.buffer').create(name, 'roots', { filetype = 'mcp' }) end
    vim.bo[buf].modifiable = true
    vim.api.nvim_buf_set_lines(buf, 0, -1, false, M.lines(report))
    vim.bo[buf].modifiable = false
    vim.bo[buf].modified = false
    vim.keymap.set('n', 'q', function() require('mcp.ui.window').close(buf) end, { buffer = buf, desc = 'mcp: close' })
    require('mcp.ui.window').show(buf, { mods = mods })
  end)
end

return M
