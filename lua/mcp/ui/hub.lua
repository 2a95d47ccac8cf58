--- The hub: one scratch buffer (`mcp://hub`, filetype `mcp`) listing every server, its state and, when
--- expanded, its tools, prompts, resources and resource templates (|mcp-hub|).
---
--- Line format of a server (fields separated by two spaces; optional ones left out, see |mcp-hub-format|):
---   `{icon} {name}  {status}[  {info.name} {info.version}]  {transport}[  {revision}  tools N  prompts N  resources N]`
local M = {}

local hl = require('mcp.ui.hl')
local text = require('mcp.core.text')

local ns = vim.api.nvim_create_namespace('mcp.hub')

M.name = 'mcp://hub'

---Icons by status.
M.icons = {
  connected = '●',
  starting = '◐',
  failed = '✗',
  stopped = '○',
  disabled = '⊘',
}

---The help line at the top.
M.keys_line =
  'mcp.nvim  <CR> expand  s start  S stop  r restart  c call  C chat  x cancel  R reload  l log  a asks  q close  g? help'

---Key → description, as `g?` shows them.
M.help = {
  { '<CR>, o', 'expand or collapse the server, or show details of the item, under the cursor' },
  { 's', 'start the server under the cursor' },
  { 'S', 'stop the server under the cursor' },
  { 'r', 'restart the server under the cursor' },
  { 'c', 'call the tool (get the prompt, read the resource) under the cursor' },
  { 'C', 'offer the server or tool under the cursor to chat models, or keep it from them (|mcp-chat-select|)' },
  { 'x', 'cancel the request in flight under the cursor (|:Mcp-cancel|)' },
  { 'R', 'reload the config file' },
  { 'l', 'open the log file' },
  { 'a', 'show a pending ask (also <CR> on the Asks line)' },
  { 'q', 'close the hub' },
  { 'g?', 'show or hide this help' },
}

---@class mcp.hub.Item
---@field kind "server"|"tool"|"prompt"|"resource"|"template"|"asks"|"request"
---@field server? string (absent for the Asks line)
---@field request? mcp.InflightRequest a request in flight (kind "request")
---@field name? string tool or prompt name, resource URI, template URI template
---@field key string stable identity, used to keep the cursor on it across redraws
---@field def? table the Tool object (tools: several may share a name)

local state = {
  buf = nil, ---@type integer?
  ---@type table<string, boolean> server name → expanded
  expanded = {},
  ---@type table<string, boolean> item key → details shown
  details = {},
  help = false,
  ---Expand servers not toggled by hand (`:Mcp tools`).
  expand_all = false,
  ---Move the cursor to this server's line (true: the first server) once it is shown.
  ---@type string|boolean|nil
  want_focus = nil,
  ---@type table<integer, mcp.hub.Item> 1-based line → item
  items = {},
  scheduled = false,
  augroup = nil, ---@type integer?
  ---@type mcp.InflightRequest[] the requests in flight, as last asked of the host (`refresh_inflight`)
  inflight = {},
  inflight_timer = nil, ---@type uv.uv_timer_t?
}

---How often the hub asks the host for the requests in flight while it is shown, ms (their ages move).
M.inflight_refresh_ms = 1000

---@class mcp.hub.Line
---@field segs { [1]: string, [2]: string? }[] text pieces with their highlight group
---@field item? mcp.hub.Item

local first_line = text.first_line

---Short tags from a tool's annotations (only hints the server set explicitly).
---@param tool table
---@return { [1]: string, [2]: string }[]
function M.tool_tags(tool)
  local a = type(tool.annotations) == 'table' and tool.annotations or {}
  local tags = {}
  if a.readOnlyHint == true then tags[#tags + 1] = { 'read-only', 'McpTag' } end
  if a.destructiveHint == true and a.readOnlyHint ~= true then
    tags[#tags + 1] = { 'destructive', 'McpTagDestructive' }
  end
  if a.idempotentHint == true then tags[#tags + 1] = { 'idempotent', 'McpTag' } end
  if a.openWorldHint == true then tags[#tags + 1] = { 'open-world', 'McpTag' } end
  return tags
end

---Display name of a tool: its title (with the name in parentheses when they differ), else its name.
---@param tool table
---@return string
local function tool_label(tool)
  local a = type(tool.annotations) == 'table' and tool.annotations or {}
  local title = type(tool.title) == 'string' and tool.title or (type(a.title) == 'string' and a.title or nil)
  if title and title ~= '' and title ~= tool.name then
    return ('%s (%s)'):format(text.name(title), text.name(tool.name))
  end
  return text.name(tool.name)
end

---The server line's text pieces.
---@param s mcp.ServerSnapshot
---@return { [1]: string, [2]: string? }[]
function M.server_segments(s)
  local group = hl.status[s.status] or 'McpStopped'
  local segs = {
    { (M.icons[s.status] or '?') .. ' ', group },
    { text.name(s.name), 'McpServerName' },
    { '  ' },
    { s.status, group },
  }
  if s.status == 'connected' and type(s.server_info) == 'table' then
    segs[#segs + 1] = { '  ' }
    local info = ('%s %s'):format(text.name(s.server_info.name), text.name(s.server_info.version, 40))
    segs[#segs + 1] = { info, 'McpServerInfo' }
  end
  segs[#segs + 1] = { '  ' .. text.name(s.transport) }
  if s.status == 'connected' and s.protocol_version then
    segs[#segs + 1] = { '  ' .. text.name(s.protocol_version), 'McpServerInfo' }
  end
  if s.status == 'connected' then
    for _, k in ipairs({ 'tools', 'prompts', 'resources' }) do
      segs[#segs + 1] = { '  ' .. k .. ' ' }
      segs[#segs + 1] = { tostring(#(s[k] or {})), 'McpCount' }
    end
  end
  -- OAuth (|mcp-oauth|): waiting for the person in the browser, or failed for want of authorization.
  if s.authorization == 'authorizing' then
    segs[#segs + 1] = { '  [authorizing]', 'McpTag' }
  elseif s.authorization == 'required' then
    segs[#segs + 1] = { '  [needs authorization]', 'McpTagDestructive' }
  end
  if not require('mcp.chat').enabled(s.name) then segs[#segs + 1] = { '  [chat off]', 'McpTag' } end
  -- A server of a project config file says which file (|mcp-project-config|).
  if type(s.project) == 'string' then
    segs[#segs + 1] = { '  [' .. vim.fn.fnamemodify(s.project, ':~:.') .. ']', 'McpTag' }
  end
  return segs
end

---The server line as plain text (what the hub shows; see |mcp-hub-format|).
---@param s mcp.ServerSnapshot
---@return string
function M.server_line(s)
  local t = {}
  for _, seg in ipairs(M.server_segments(s)) do
    t[#t + 1] = seg[1]
  end
  return table.concat(t)
end

---@param lines mcp.hub.Line[]
---@param item mcp.hub.Item?
---@param indent string
---@param text string?
---@param group string?
local function detail(lines, item, indent, prose, group)
  for _, l in ipairs(text.lines(prose or '')) do
    lines[#lines + 1] = { segs = { { indent .. l, group } }, item = item }
  end
end

---@param lines mcp.hub.Line[]
---@param s mcp.ServerSnapshot
local function expanded(lines, s)
  local sitem = { kind = 'server', server = s.name, key = 'server:' .. s.name }
  if s.status ~= 'connected' then
    lines[#lines + 1] = { segs = { { '    (not connected)', 'McpDescription' } }, item = sitem }
    return
  end
  local any = false
  local function section(title, list)
    if #list == 0 then return false end
    any = true
    lines[#lines + 1] = { segs = { { ('    %s (%d)'):format(title, #list), 'McpSection' } }, item = sitem }
    return true
  end
  if section('Tools', s.tools) then
    local dups = require('mcp.tools').duplicates(s.tools)
    local seen = {} ---@type table<string, integer>
    for _, t in ipairs(s.tools) do
      local key = 'tool:' .. s.name .. ':' .. tostring(t.name)
      if dups[t.name] then
        -- Tools that share a name are told apart by their place among them.
        seen[t.name] = (seen[t.name] or 0) + 1
        key = key .. ':' .. seen[t.name]
      end
      local item = { kind = 'tool', server = s.name, name = t.name, def = t, key = key }
      local segs = { { '      ' }, { tool_label(t), 'McpItem' } }
      local desc = first_line(t.description)
      if desc ~= '' then
        segs[#segs + 1] = { '  ' }
        segs[#segs + 1] = { desc, 'McpDescription' }
      end
      for _, tag in ipairs(M.tool_tags(t)) do
        segs[#segs + 1] = { '  ' }
        segs[#segs + 1] = { '[' .. tag[1] .. ']', tag[2] }
      end
      if dups[t.name] then
        segs[#segs + 1] = { '  ' }
        segs[#segs + 1] = { ('[name shared by %d tools]'):format(dups[t.name]), 'McpTagDestructive' }
      end
      if not require('mcp.chat').enabled(s.name, t.name) then
        segs[#segs + 1] = { '  ' }
        segs[#segs + 1] = { '[chat off]', 'McpTag' }
      end
      lines[#lines + 1] = { segs = segs, item = item }
      if state.details[item.key] then
        if text.line(t.description, 0) ~= desc then detail(lines, item, '        ', t.description, 'McpDescription') end
        lines[#lines + 1] = { segs = { { '        Input schema:', 'McpLabel' } }, item = item }
        detail(lines, item, '        ', require('mcp.core.json').encode(t.inputSchema or vim.empty_dict()))
        if type(t.outputSchema) == 'table' then
          lines[#lines + 1] = { segs = { { '        Output schema:', 'McpLabel' } }, item = item }
          detail(lines, item, '        ', require('mcp.core.json').encode(t.outputSchema))
        end
      end
    end
  end
  if section('Prompts', s.prompts) then
    for _, p in ipairs(s.prompts) do
      local item =
        { kind = 'prompt', server = s.name, name = p.name, key = 'prompt:' .. s.name .. ':' .. tostring(p.name) }
      local segs = { { '      ' }, { text.name(p.name), 'McpItem' } }
      local desc = first_line(p.description)
      if desc ~= '' then
        segs[#segs + 1] = { '  ' }
        segs[#segs + 1] = { desc, 'McpDescription' }
      end
      local args = {}
      for _, a in ipairs(type(p.arguments) == 'table' and p.arguments or {}) do
        args[#args + 1] = text.name(a.name) .. (a.required == true and '*' or '')
      end
      if #args > 0 then
        segs[#segs + 1] = { '  ' }
        segs[#segs + 1] = { '(' .. table.concat(args, ', ') .. ')', 'McpTag' }
      end
      lines[#lines + 1] = { segs = segs, item = item }
      if state.details[item.key] then
        if text.line(p.description, 0) ~= desc then detail(lines, item, '        ', p.description, 'McpDescription') end
        for _, a in ipairs(type(p.arguments) == 'table' and p.arguments or {}) do
          detail(
            lines,
            item,
            '        ',
            ('%s%s  %s'):format(
              text.name(a.name),
              a.required == true and ' (required)' or '',
              first_line(a.description)
            )
          )
        end
      end
    end
  end
  ---One line for a resource or a resource template (title or name, URI or URI template, MIME type).
  ---@return table item
  local function uri_line(kind, r, uri)
    local item = { kind = kind, server = s.name, name = uri, key = kind .. ':' .. s.name .. ':' .. tostring(uri) }
    local segs = {
      { '      ' },
      { text.name(r.title or r.name), 'McpItem' },
      { '  ' },
      { text.name(uri or '', 200), 'McpDescription' },
    }
    if r.mimeType then segs[#segs + 1] = { '  ' .. text.name(r.mimeType), 'McpTag' } end
    lines[#lines + 1] = { segs = segs, item = item }
    return item
  end
  if section('Resources', s.resources) then
    for _, r in ipairs(s.resources) do
      local item = uri_line('resource', r, r.uri)
      if state.details[item.key] then
        if r.description then detail(lines, item, '        ', r.description, 'McpDescription') end
        if r.size then detail(lines, item, '        ', ('size: %s bytes'):format(text.name(r.size))) end
      end
    end
  end
  if section('Resource templates', s.resource_templates) then
    for _, r in ipairs(s.resource_templates) do
      local item = uri_line('template', r, r.uriTemplate)
      if state.details[item.key] and r.description then
        detail(lines, item, '        ', r.description, 'McpDescription')
      end
    end
  end
  if not any then
    lines[#lines + 1] = { segs = { { '    (no tools, prompts or resources)', 'McpDescription' } }, item = sitem }
  end
end

---Is the server expanded in the hub?
---@param name string
---@return boolean
function M.is_expanded(name)
  local e = state.expanded[name]
  if e == nil then return state.expand_all end
  return e
end

---Builds the hub's content from the cache.
---@return mcp.hub.Line[]
function M.build()
  local process = require('mcp.core.process')
  local store = require('mcp.core.store')
  local lines = {} ---@type mcp.hub.Line[]
  -- Help line: keys highlighted, words plain.
  local segs = { { 'mcp.nvim', 'McpHeader' } }
  for key, desc in M.keys_line:sub(#'mcp.nvim' + 1):gmatch('  (%S+) (%S+)') do
    segs[#segs + 1] = { '  ' }
    segs[#segs + 1] = { key, 'McpKey' }
    segs[#segs + 1] = { ' ' .. desc, 'McpHelp' }
  end
  lines[#lines + 1] = { segs = segs }
  if state.help then
    for _, h in ipairs(M.help) do
      lines[#lines + 1] = { segs = { { ('  %-8s'):format(h[1]), 'McpKey' }, { h[2], 'McpHelp' } } }
    end
  end
  local ok, cfg = pcall(require('mcp.core.options').get)
  local info = process.info()
  local config_path = (info and info.config_path) or (ok and cfg.config_path) or nil
  lines[#lines + 1] = {
    segs = {
      { 'Config: ', 'McpLabel' },
      { config_path and vim.fn.fnamemodify(config_path, ':~') or '(none)', 'McpPath' },
    },
  }
  local config = store.config_status()
  if config and config.error then
    for i, l in ipairs(text.lines(config.error)) do
      lines[#lines + 1] = { segs = { { (i == 1 and '  error: ' or '         ') .. l, 'McpError' } } }
    end
  end
  local asks = package.loaded['mcp.asks'] and require('mcp.asks').pending() or {}
  if #asks > 0 then
    lines[#lines + 1] = {
      segs = {
        { 'Asks: ', 'McpLabel' },
        { ('%d waiting for you'):format(#asks), 'McpStarting' },
        { '  (a: show)', 'McpHelp' },
      },
      item = { kind = 'asks', key = 'asks' },
    }
  end
  if #state.inflight > 0 then
    lines[#lines + 1] = {
      segs = {
        { 'In flight: ', 'McpLabel' },
        { tostring(#state.inflight), 'McpCount' },
        { '  (x: cancel)', 'McpHelp' },
      },
    }
    local describe = require('mcp.requests').describe
    for _, r in ipairs(state.inflight) do
      lines[#lines + 1] = {
        segs = { { '  ' }, { describe(r), r.waiting and 'McpStarting' or 'McpDescription' } },
        item = { kind = 'request', server = r.server, request = r, key = 'request:' .. tostring(r.id) },
      }
    end
  end
  lines[#lines + 1] = { segs = { { '' } } }

  local servers = store.snapshots()
  if not process.running() and process.last_error() then
    detail(lines, nil, '', 'Host not running: ' .. process.last_error(), 'McpError')
    lines[#lines + 1] = { segs = { { '' } } }
  end
  if #servers == 0 then
    if process.running() and not info then
      lines[#lines + 1] = { segs = { { 'Starting the host…', 'McpDescription' } } }
    elseif process.running() then
      lines[#lines + 1] =
        { segs = { { 'No servers configured: add some to the config file (:help mcp-config).', 'McpDescription' } } }
    end
  end
  for _, s in ipairs(servers) do
    local item = { kind = 'server', server = s.name, key = 'server:' .. s.name }
    lines[#lines + 1] = { segs = M.server_segments(s), item = item }
    if s.error then
      for i, l in ipairs(text.lines(s.error)) do
        lines[#lines + 1] = { segs = { { (i == 1 and '    error: ' or '           ') .. l, 'McpError' } }, item = item }
      end
    end
    -- Invalid items the server listed (a tool with a broken inputSchema): left out of the lists, named here.
    for _, p in ipairs(s.problems or {}) do
      lines[#lines + 1] = { segs = { { '    left out: ' .. p:gsub('%c', ' '), 'McpError' } }, item = item }
    end
    if M.is_expanded(s.name) then expanded(lines, s) end
  end
  return lines
end

---Is the hub buffer shown in some window (of any tab page)?
---@return boolean
local function visible()
  return state.buf ~= nil and vim.api.nvim_buf_is_valid(state.buf) and #vim.fn.win_findbuf(state.buf) > 0
end

---Redraws the hub buffer now, keeping each window's cursor on the same item.
function M.render()
  local buf = state.buf
  if not buf or not vim.api.nvim_buf_is_valid(buf) then return end
  hl.setup()
  -- Remember, per window, the item under the cursor.
  local cursors = {}
  for _, win in ipairs(vim.fn.win_findbuf(buf)) do
    local pos = vim.api.nvim_win_get_cursor(win)
    local item = state.items[pos[1]]
    -- Which occurrence of that item's lines the cursor is on (a server line vs. its error line).
    local nth = 0
    if item then
      for l = pos[1], 1, -1 do
        if state.items[l] and state.items[l].key == item.key then
          nth = nth + 1
        else
          break
        end
      end
    end
    cursors[#cursors + 1] = { win = win, pos = pos, key = item and item.key, nth = nth }
  end

  local built = M.build()
  local rows, items = {}, {}
  for i, l in ipairs(built) do
    local parts = {}
    for _, seg in ipairs(l.segs) do
      parts[#parts + 1] = seg[1]
    end
    rows[i] = table.concat(parts)
    items[i] = l.item
  end
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, rows)
  vim.bo[buf].modifiable = false
  vim.bo[buf].modified = false
  state.items = items
  vim.api.nvim_buf_clear_namespace(buf, ns, 0, -1)
  for i, l in ipairs(built) do
    local col = 0
    for _, seg in ipairs(l.segs) do
      if seg[2] and #seg[1] > 0 then
        vim.api.nvim_buf_set_extmark(buf, ns, i - 1, col, { end_col = col + #seg[1], hl_group = seg[2] })
      end
      col = col + #seg[1]
    end
  end

  for _, c in ipairs(cursors) do
    local line
    if c.key then
      local first
      for l = 1, #rows do
        if items[l] and items[l].key == c.key then
          first = first or l
          local run = 0
          for k = l, 1, -1 do
            if items[k] and items[k].key == c.key then
              run = run + 1
            else
              break
            end
          end
          if run == c.nth then
            line = l
            break
          end
        end
      end
      line = line or first
    end
    line = math.max(1, math.min(line or c.pos[1], #rows))
    local col = math.min(c.pos[2], math.max(0, #rows[line] - 1))
    pcall(vim.api.nvim_win_set_cursor, c.win, { line, col })
  end

  if state.want_focus then
    for l = 1, #rows do
      local item = items[l]
      if item and item.kind == 'server' and (state.want_focus == true or item.server == state.want_focus) then
        for _, c in ipairs(cursors) do
          pcall(vim.api.nvim_win_set_cursor, c.win, { l, 0 })
        end
        state.want_focus = nil
        break
      end
    end
  end
end

---Schedules a redraw (coalesced) if the hub is visible.
function M.schedule()
  if state.scheduled then return end
  state.scheduled = true
  vim.schedule(function()
    state.scheduled = false
    if visible() then M.render() end
  end)
end

---The item under the cursor of the current window (which must show the hub).
---@return mcp.hub.Item?
function M.item()
  if vim.api.nvim_get_current_buf() ~= state.buf then return nil end
  return state.items[vim.api.nvim_win_get_cursor(0)[1]]
end

---@param fn fun(item: mcp.hub.Item)
---@return fun()
local function on_item(fn)
  return function()
    local item = M.item()
    if not item then return require('mcp.core.util').notify('no server under the cursor') end
    fn(item)
  end
end

---Toggles the server's expansion, or the details of the item under the cursor.
function M.toggle()
  local item = M.item()
  if not item then return end
  if item.kind == 'asks' then return require('mcp.asks').pick() end
  if item.kind == 'server' then
    state.expanded[item.server] = not M.is_expanded(item.server)
  else
    state.details[item.key] = not state.details[item.key]
  end
  M.render()
end

---@param method "start"|"stop"|"restart"
local function lifecycle(method)
  return on_item(function(item) require('mcp.servers').lifecycle(method, item.server) end)
end

---Acts on the item under the cursor: calls a tool, gets a prompt, reads a resource.
function M.act()
  local item = M.item()
  if not item then return end
  if item.kind == 'tool' then
    require('mcp.tools').ask_and_call(item.server, item.name, item.def)
  elseif item.kind == 'prompt' then
    require('mcp.prompts').run(item.server, item.name, {}, { scratch = true, ask = true })
  elseif item.kind == 'resource' then
    require('mcp.resources').show(item.server, item.name)
  elseif item.kind == 'template' then
    -- The form asks for the template's variables (with completion), the host expands it.
    local tpl = { uriTemplate = item.name }
    for _, t in ipairs(require('mcp').resource_templates(item.server)) do
      if t.uriTemplate == item.name then tpl = t end
    end
    require('mcp.resources.templates').expand(
      item.server,
      tpl,
      function(uri) require('mcp.resources').show(item.server, uri) end
    )
  else
    require('mcp.core.util').notify('put the cursor on a tool, prompt or resource (<CR> on a server lists them)')
  end
end

---Cancels the request in flight under the cursor (|:Mcp-cancel|).
function M.cancel_request()
  local item = M.item()
  if not item or item.kind ~= 'request' then
    return require('mcp.core.util').notify('put the cursor on a request in flight (the In flight section)')
  end
  local requests = require('mcp.requests')
  requests.cancel(item.request.id)
  require('mcp.core.util').notify('cancelled: ' .. requests.describe(item.request))
  M.refresh_inflight()
end

---Asks the host for the requests in flight and redraws the hub when they changed (or, while there are
---some, for their ages). Keeps doing so every `inflight_refresh_ms` while the hub is shown.
function M.refresh_inflight()
  require('mcp.requests').list(function(_, list)
    local before = #state.inflight
    state.inflight = list or {}
    if before > 0 or #state.inflight > 0 then M.schedule() end
  end)
  if not state.inflight_timer then
    state.inflight_timer = assert(vim.uv.new_timer())
    state.inflight_timer:start(
      M.inflight_refresh_ms,
      M.inflight_refresh_ms,
      vim.schedule_wrap(function()
        if visible() then return M.refresh_inflight() end
        -- Hidden: nothing to refresh until it is shown again (BufWinEnter restarts it).
        if state.inflight_timer then
          state.inflight_timer:stop()
          state.inflight_timer:close()
          state.inflight_timer = nil
        end
      end)
    )
  end
end

---Offers the server or tool under the cursor to chat models, or keeps it from them (toggles; remembered).
function M.chat_toggle()
  local item = M.item()
  if not item or (item.kind ~= 'server' and item.kind ~= 'tool') then
    return require('mcp.core.util').notify('put the cursor on a server or a tool')
  end
  local chat = require('mcp.chat')
  local tool = item.kind == 'tool' and item.name or nil
  chat.set_enabled(item.server, tool, not chat.enabled(item.server, tool))
  M.render()
end

---Sets the hub's buffer-local keys.
---@param buf integer
local function keymaps(buf)
  local function map(lhs, rhs, desc)
    vim.keymap.set('n', lhs, rhs, { buffer = buf, nowait = true, silent = true, desc = 'mcp: ' .. desc })
  end
  map('<CR>', M.toggle, 'expand or show details')
  map('o', M.toggle, 'expand or show details')
  map('s', lifecycle('start'), 'start server')
  map('S', lifecycle('stop'), 'stop server')
  map('r', lifecycle('restart'), 'restart server')
  map('c', M.act, 'call tool / get prompt / read resource')
  map('C', M.chat_toggle, 'offer to chat models, or keep from them')
  map('x', M.cancel_request, 'cancel the request in flight under the cursor')
  map('R', function() require('mcp.servers').reload() end, 'reload config')
  map('l', function() require('mcp.ui.log').open() end, 'open log')
  map('a', function() require('mcp.asks').pick() end, 'show a pending ask')
  map('q', M.close, 'close')
  map('g?', function()
    state.help = not state.help
    M.render()
  end, 'help')
end

---The hub buffer, created if needed.
---@return integer buf
function M.buffer()
  if state.buf and vim.api.nvim_buf_is_valid(state.buf) then return state.buf end
  local buf = require('mcp.ui.buffer').create(M.name, 'hub', { filetype = 'mcp' })
  vim.bo[buf].modifiable = false
  state.buf = buf
  keymaps(buf)
  if not state.augroup then
    state.augroup = vim.api.nvim_create_augroup('mcp.hub', { clear = true })
    vim.api.nvim_create_autocmd('User', {
      group = state.augroup,
      pattern = {
        'McpServerChanged',
        'McpServerRemoved',
        'McpHostStarted',
        'McpHostExited',
        'McpConfigLoaded',
        'McpAsksChanged',
      },
      desc = 'mcp.nvim: redraw the hub',
      callback = function() M.schedule() end,
    })
  end
  vim.api.nvim_create_autocmd('BufWinEnter', {
    group = state.augroup,
    buffer = buf,
    desc = 'mcp.nvim: redraw the hub when shown',
    callback = function()
      M.schedule()
      M.refresh_inflight()
    end,
  })
  return buf
end

---@class mcp.hub.OpenOpts
---@field mods? string command modifiers (`vertical`, `tab`, `topleft`, ...) for the split
---@field current? boolean show the hub in the current window instead of a split
---@field focus? string put the cursor on this server (and expand it)
---@field expand? boolean|string[] expand every server (true) or these servers

---Opens the hub (or focuses it when it is shown in the current tab page) and starts the host if needed.
---@param opts? mcp.hub.OpenOpts
---@return integer buf
---@return integer win
function M.open(opts)
  opts = opts or {}
  local _, err = require('mcp.core.process').try_ensure(false)
  if err then require('mcp.core.util').error(err) end
  local buf = M.buffer()
  local win = require('mcp.ui.window').show(buf, { mods = opts.mods, current = opts.current })
  for name, value in pairs({
    number = false,
    relativenumber = false,
    list = false,
    spell = false,
    foldenable = false,
    wrap = false,
    cursorline = true,
    signcolumn = 'no',
  }) do
    vim.api.nvim_set_option_value(name, value, { scope = 'local', win = win })
  end
  if opts.expand == true then
    state.expand_all = true
  elseif type(opts.expand) == 'table' then
    for _, name in ipairs(opts.expand) do
      state.expanded[name] = true
    end
  end
  if opts.focus then
    state.expanded[opts.focus] = true
    state.want_focus = opts.focus
  elseif vim.b[buf].mcp_hub_shown == nil then
    state.want_focus = true
  end
  vim.b[buf].mcp_hub_shown = true
  M.render()
  M.refresh_inflight()
  return buf, win
end

---`:Mcp tools [{server}]`: the hub with every server expanded, or with the cursor on `server`.
---@param a mcp.CommandArgs
function M.tools_command(a)
  local util = require('mcp.core.util')
  local args, err = require('mcp.core.words').split(a.args)
  if err then return util.error(err) end
  if #args > 1 then return util.error('usage: :Mcp tools [{server}]') end
  local server = args[1]
  if server and require('mcp.core.process').info() and not require('mcp.core.store').snapshot(server) then
    local names = table.concat(vim.tbl_map(text.name, require('mcp.servers').names()), ', ')
    return util.error(('no server named "%s" (configured: %s)'):format(text.name(server), names))
  end
  M.open({ mods = a.mods, current = a.bang, focus = server, expand = server == nil })
end

---Closes every window of the hub in the current tab page (the buffer is kept).
function M.close()
  if state.buf and vim.api.nvim_buf_is_valid(state.buf) then require('mcp.ui.window').close(state.buf) end
end

return M
