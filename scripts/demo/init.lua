-- Demo configuration: mcp.nvim from this checkout, nothing else. Run through `npm run demo`.
local root = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h:h:h')
vim.opt.runtimepath:prepend(root)
vim.cmd.runtime('plugin/mcp.lua')
vim.o.termguicolors = true
vim.o.number = true

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  callback = function()
    vim.cmd('Mcp')
    vim.notify(table.concat({
      'mcp.nvim demo. Try:',
      '  :Mcp call everything echo {"message":"hi"}',
      '  :Mcp tools everything      (or <CR> on a server in the hub)',
      '  :Mcp prompt everything/args-prompt city=Paris',
      '  :Mcp resource              (pick one to insert, open or yank)',
      '  :e ' .. root .. '/README.md, then :Mcp call filesystem list_allowed_directories',
      '  :help mcp',
    }, '\n'))
  end,
})
