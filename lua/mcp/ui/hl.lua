--- Highlight groups of mcp.nvim, linked by default to standard groups (|mcp-highlights|).
local M = {}

---Group → default link.
M.links = {
  McpConnected = 'DiagnosticOk',
  McpStarting = 'DiagnosticWarn',
  McpFailed = 'DiagnosticError',
  McpStopped = 'Comment',
  McpDisabled = 'NonText',
  McpServerName = 'Title',
  McpServerInfo = 'Comment',
  McpCount = 'Number',
  McpSection = 'Statement',
  McpItem = 'Identifier',
  McpDescription = 'Comment',
  McpTag = 'Special',
  McpTagDestructive = 'DiagnosticWarn',
  McpError = 'DiagnosticError',
  McpHelp = 'Comment',
  McpKey = 'Special',
  McpHeader = 'Title',
  McpHeaderError = 'ErrorMsg',
  McpLabel = 'Label',
  McpPath = 'Directory',
  McpUrlDomain = 'Title',
  McpWarning = 'DiagnosticWarn',
}

---Status word → group.
M.status = {
  connected = 'McpConnected',
  starting = 'McpStarting',
  failed = 'McpFailed',
  stopped = 'McpStopped',
  disabled = 'McpDisabled',
}

local done = false

---Defines the groups (as `default` links, so a colorscheme or the user may override them).
function M.setup()
  for group, link in pairs(M.links) do
    vim.api.nvim_set_hl(0, group, { link = link, default = true })
  end
  if done then return end
  done = true
  vim.api.nvim_create_autocmd('ColorScheme', {
    group = vim.api.nvim_create_augroup('mcp.highlights', { clear = true }),
    desc = 'mcp.nvim: restore default highlight links',
    callback = M.setup,
  })
end

return M
