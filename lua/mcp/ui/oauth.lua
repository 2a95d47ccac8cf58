--- The OAuth consent window (|mcp-oauth|): a remote server needs the person's authorization. Shows the
--- server, the site that asks (the authorization URL's host, highlighted, so a look tells who asks) and
--- the whole authorization URL, and waits for the person's choice.
---
--- Keys (Normal mode, buffer-local): `o` opens the URL in the browser (|vim.ui.open()|; the browser comes
--- back to Neovim by itself), `y` copies the URL (registers `+` and `"`), `p` pastes the address the
--- browser was sent to (over SSH or without a browser here: the browser's page fails to load, and its
--- address is what Neovim needs), `d` declines, `q` hides (the ask stays pending, |:Mcp-asks|). `<CR>`
--- is the first of these the footer lists: `p` over SSH or without a UI, else `o`.
local M = {}

local ns = vim.api.nvim_create_namespace('mcp.oauth')

---Should the paste come first: the browser the person uses cannot reach this machine's 127.0.0.1 (Neovim
---runs over SSH), or there is no UI to open a browser from?
---@param params table the ask's params (`paste`: the host runs over SSH)
---@return boolean
function M.paste_first(params)
  return params.paste == true
    or vim.env.SSH_CONNECTION ~= nil
    or vim.env.SSH_TTY ~= nil
    or #vim.api.nvim_list_uis() == 0
end

---The window's lines and their highlights, the host's among them (built with `mcp.ui.builder`).
---@param p table the ask's params
---@param paste boolean the paste comes first
---@return mcp.ui.Rendered
local function content(p, paste)
  local text = require('mcp.core.text')
  local b = require('mcp.ui.builder').new()
  ---Highlights a part of the line just added (`mcp.ui.Hl`: 0-based line, byte columns).
  local function mark(col, end_col, group)
    b.hls[#b.hls + 1] = { line = b.count - 1, col = col, end_col = end_col, group = group }
  end
  local url, host = tostring(p.url):gsub('%c', ' '), text.line(tostring(p.host), 0)
  local server = text.name(p.server, 0)
  b:add(('%s needs your authorization to connect.'):format(server))
  mark(0, #server, 'McpServerName')
  b:add('')
  local label = 'Sign in at: '
  b:add(label .. host)
  mark(0, #label, 'McpLabel')
  mark(#label, #label + #host, 'McpUrlDomain')
  -- The whole URL, its host highlighted where it stands (after the scheme's `//`).
  b:add(url)
  local at = url:find('//', 1, true)
  if at and url:sub(at + 2, at + 1 + #host) == host then mark(at + 1, at + 1 + #host, 'McpUrlDomain') end
  for _, w in ipairs(type(p.warnings) == 'table' and p.warnings or {}) do
    b:add('! ' .. text.line(tostring(w), 0), 'McpWarning')
  end
  b:add('')
  if type(p.problem) == 'string' then b:add('! ' .. text.line(p.problem, 0), 'McpError') end
  if paste then
    b:add('Open the URL in a browser (y copies it), sign in, then press p and paste', 'McpDescription')
    b:add('the address the browser was sent to (it starts with ' .. tostring(p.redirect_uri) .. ').', 'McpDescription')
  else
    b:add('o opens it in your browser; after you sign in, the browser returns to Neovim', 'McpDescription')
    b:add('by itself (at ' .. tostring(p.redirect_uri) .. ').', 'McpDescription')
  end
  return b:done()
end

---Screen lines `lines` take in a window `width` columns wide with 'wrap' on.
---@param lines string[]
---@param width integer
---@return integer
local function rows(lines, width)
  local n = 0
  for _, l in ipairs(lines) do
    n = n + math.max(1, math.ceil(vim.fn.strdisplaywidth(l) / width))
  end
  return n
end

---Shows a server's request for authorization and answers `{ action = "open" }` once the browser was
---opened, `{ action = "paste", url }` with the address the person pasted, or the error Cancelled when
---declined.
---@type mcp.AskHandler
function M.oauth(ask, respond, hide)
  local p = ask.params
  local util = require('mcp.core.util')
  local paste = M.paste_first(p)
  local rendered = content(p, paste)
  local lines = rendered.lines
  local footer = paste and 'p paste address · y copy URL · o open · d decline · q later'
    or 'o open in browser · y copy URL · p paste address · d decline · q later'
  -- The width ask.float will pick, so that the wrapped URL's rows are counted for the height.
  local width = math.min(math.max(60, vim.fn.strdisplaywidth(footer) + 4), math.max(20, vim.o.columns - 4))
  local ui = require('mcp.ui.ask')
  local buf, win = ui.float(ask.title, lines, {
    kind = 'oauth',
    min_width = width,
    height = rows(lines, math.min(width, math.max(20, vim.o.columns - 4))),
    footer = footer,
  })
  -- Wired first: whatever fails below still closes the window; closing it another way hides the ask.
  local w = ui.wire(buf, win, hide)
  vim.wo[win].wrap = true
  for _, h in ipairs(rendered.hls) do
    local end_col = h.end_col >= 0 and h.end_col or #lines[h.line + 1]
    vim.api.nvim_buf_set_extmark(buf, ns, h.line, h.col, { end_col = end_col, hl_group = h.group })
  end
  vim.bo[buf].modifiable = false
  vim.bo[buf].modified = false
  local url = tostring(p.url)
  local server = tostring(p.server)

  local function open()
    local ok, cmd, err = pcall(vim.ui.open, url)
    if not ok or not cmd then
      return util.error(
        ('cannot open a browser: %s (y copies the URL, p pastes the address)'):format(tostring(ok and err or cmd))
      )
    end
    w.close()
    respond(nil, { action = 'open' })
    util.notify(('%s: waiting for the browser to come back to Neovim (%s)'):format(server, tostring(p.redirect_uri)))
  end
  local function copy()
    vim.fn.setreg('"', url)
    local copied = pcall(vim.fn.setreg, '+', url)
    util.notify(('%s: authorization URL copied (register %s)'):format(server, copied and '+' or '"'))
  end
  local function paste_address()
    vim.ui.input({ prompt = 'Address the browser was sent to: ' }, function(text)
      if w.closed() then return end -- withdrawn meanwhile (the browser came back)
      if text == nil or vim.trim(text) == '' then return end -- <Esc>: back to the window
      w.close()
      respond(nil, { action = 'paste', url = vim.trim(text) })
    end)
  end
  local function decline()
    w.close()
    respond({ code = require('mcp.core.contract').codes.Cancelled, message = 'declined by the user' })
  end
  local function map(lhs, rhs, desc)
    vim.keymap.set('n', lhs, rhs, { buffer = buf, nowait = true, desc = 'mcp oauth: ' .. desc })
  end
  map('o', open, 'open the URL in the browser')
  map('y', copy, 'copy the URL')
  map('p', paste_address, 'paste the address the browser was sent to')
  map('d', decline, 'decline')
  map('q', hide, 'hide (stays pending)')
  map('<CR>', paste and paste_address or open, paste and 'paste the address' or 'open in the browser')
  return w.close
end

return M
