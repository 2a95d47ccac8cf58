-- Demo configuration: mcp.nvim from this checkout, nothing else. Run through `npm run demo`.
local root = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h:h:h')
vim.opt.runtimepath:prepend(root)
vim.o.termguicolors = true
vim.o.number = true

local tips = {
  'mcp.nvim demo: the hub is above. Things to try:',
  '',
  '  :Mcp call everything echo {"message":"hi"}',
  '  <CR> on a server in the hub: its tools, prompts and resources; c on a tool calls it',
  '  :Mcp prompt everything/args-prompt city=Paris',
  '  :Mcp resource                 pick a resource to insert, open or yank',
  '  :e ' .. root .. '/README.md',
  '  :Mcp call filesystem list_allowed_directories     it follows the projects you open',
  '  :Mcp call modern echo {"message":"hi"}     the same, with MCP 2026-07-28 (see the hub)',
  '  :Mcp roots    :Mcp log    :checkhealth mcp    :help mcp',
}

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  callback = function()
    if vim.fn.argc() == 0 then
      vim.api.nvim_buf_set_lines(0, 0, -1, false, tips)
      vim.bo.modified = false
    end
    vim.cmd('Mcp')
  end,
})
