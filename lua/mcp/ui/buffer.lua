--- The plugin's own buffers (the hub, results, the roots report, forms, asks): one helper creates them and
--- records what each is, so that anything may tell them apart from a live resource buffer
--- (`mcp://{server}/{uri}`, |mcp-resource-buffers|) without looking at names. `b:mcp_kind` holds the kind
--- for users' autocommands and statuslines.
local M = {}

---@alias mcp.ui.BufferKind "hub"|"result"|"roots"|"form"|"ask"|"log"

---@type table<integer, mcp.ui.BufferKind> by buffer number; survives |:bdelete| (not |:bwipeout|)
local kinds = {}

local augroup ---@type integer?

---Creates an unlisted scratch buffer named `name` and records it as one of the plugin's own, of `kind`.
---@param name string? buffer name (nil: none)
---@param kind mcp.ui.BufferKind
---@param opts? { buftype?: string, bufhidden?: string, filetype?: string } (defaults: "nofile", "hide")
---@return integer buf
function M.create(name, kind, opts)
  opts = opts or {}
  local buf = vim.api.nvim_create_buf(false, true)
  -- Recorded before it gets its name: naming may already run the `mcp://*` autocommands.
  kinds[buf] = kind
  if not augroup then
    augroup = vim.api.nvim_create_augroup('mcp.ui.buffer', { clear = true })
    vim.api.nvim_create_autocmd('BufWipeout', {
      group = augroup,
      desc = "mcp.nvim: forget a wiped-out buffer's kind",
      callback = function(ev) kinds[ev.buf] = nil end,
    })
  end
  if name then vim.api.nvim_buf_set_name(buf, name) end
  vim.bo[buf].buftype = opts.buftype or 'nofile'
  vim.bo[buf].bufhidden = opts.bufhidden or 'hide'
  vim.bo[buf].swapfile = false
  -- They show server text (results, descriptions): a modeline in it must never set options.
  vim.bo[buf].modeline = false
  if opts.filetype then vim.bo[buf].filetype = opts.filetype end
  vim.b[buf].mcp_kind = kind
  return buf
end

---The kind of one of the plugin's own buffers, or nil for any other buffer (a resource buffer, a file).
---@param buf integer
---@return mcp.ui.BufferKind?
function M.kind(buf) return kinds[buf] end

return M
