--- Window helpers shared by the hub and result buffers.
local M = {}

---Shows `buf`: focuses a window of the current tab page that already shows it, else opens a split.
---@param buf integer
---@param opts? { mods?: string, current?: boolean, enter?: boolean } `mods`: command modifiers
---  (`vertical`, `tab`, `botright`, ...) for the split; `current`: use the current window; `enter`
---  (default true): leave the cursor in the window
---@return integer win
function M.show(buf, opts)
  opts = opts or {}
  local cur = vim.api.nvim_get_current_win()
  local win = vim.fn.bufwinid(buf)
  local mods = opts.mods and opts.mods ~= '' and (opts.mods .. ' ') or ''
  if opts.current then
    vim.api.nvim_win_set_buf(cur, buf)
    win = cur
  elseif win == -1 or mods ~= '' then
    vim.cmd(mods .. 'sbuffer ' .. buf)
    win = vim.api.nvim_get_current_win()
  end
  if opts.enter == false then
    vim.api.nvim_set_current_win(cur)
  else
    vim.api.nvim_set_current_win(win)
  end
  return win
end

---Closes the windows of the current tab page that show `buf`. The last window of the tab page is not
---closed (that would quit Neovim): it shows the alternate buffer, or an empty one, instead.
---@param buf integer
function M.close(buf)
  for _, win in ipairs(vim.fn.win_findbuf(buf)) do
    if vim.api.nvim_win_get_tabpage(win) == vim.api.nvim_get_current_tabpage() then
      if #vim.api.nvim_tabpage_list_wins(0) > 1 then
        vim.api.nvim_win_close(win, false)
      else
        local alt = vim.api.nvim_win_call(win, function() return vim.fn.bufnr('#') end)
        if alt > 0 and alt ~= buf and vim.api.nvim_buf_is_valid(alt) then
          vim.api.nvim_win_set_buf(win, alt)
        else
          vim.api.nvim_win_call(win, function() vim.cmd('enew') end)
        end
      end
    end
  end
end

return M
