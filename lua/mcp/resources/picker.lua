--- Choosing a resource: the picker (`vim.ui.select`) over every server's resources and resource
--- templates, then the action; and `:Mcp resource` with its command-line completion.
local M = {}

local notify = require('mcp.core.util').notify
local resources = require('mcp.resources')
local templates = require('mcp.resources.templates')

local ACTION_LABEL = {
  insert = 'Insert at the cursor',
  open = 'Open as a buffer (mcp://…)',
  yank = 'Yank into a register',
}

---An entry of the resource picker.
---@class mcp.resources.Item
---@field kind "resource"|"template"
---@field server string
---@field uri? string (resources)
---@field uriTemplate? string (templates)
---@field name string
---@field title? string
---@field description? string
---@field mimeType? string
---@field size? integer bytes, when the server said

---Every connected server's resources, then its resource templates, servers in config order.
---@param server? string only this server's
---@return mcp.resources.Item[]
function M.items(server)
  local mcp = require('mcp')
  local out = {}
  for _, s in ipairs(mcp.servers()) do
    if (server == nil or s.name == server) and s.status == 'connected' then
      for _, r in ipairs(mcp.resources(s.name)) do
        local it = vim.deepcopy(r)
        it.kind = 'resource'
        out[#out + 1] = it
      end
      for _, t in ipairs(mcp.resource_templates(s.name)) do
        local it = vim.deepcopy(t)
        it.kind = 'template'
        out[#out + 1] = it
      end
    end
  end
  return out
end

---One line describing a picker entry: name or title (with the name when they differ), URI (template),
---`template`, MIME type, size, first line of the description, `[server]`.
---@param item mcp.resources.Item
---@return string
function M.label(item)
  local parts = {}
  local title = type(item.title) == 'string' and item.title ~= '' and item.title or nil
  parts[1] = title and title ~= item.name and ('%s (%s)'):format(title, item.name) or (item.name or '?')
  parts[#parts + 1] = item.kind == 'template' and item.uriTemplate or item.uri
  if item.kind == 'template' then parts[#parts + 1] = 'template' end
  if type(item.mimeType) == 'string' then parts[#parts + 1] = item.mimeType end
  if type(item.size) == 'number' then parts[#parts + 1] = resources.human_size(item.size) end
  if type(item.description) == 'string' and item.description ~= '' then
    parts[#parts + 1] = '— ' .. (item.description:match('^[^\r\n]*') or '')
  end
  parts[#parts + 1] = '[' .. item.server .. ']'
  return table.concat(parts, '  ')
end

---Asks which action to run (`vim.ui.select`), unless `action` is given.
---@param action? string
---@param cb fun(action: string)
local function with_action(action, cb)
  if action then return cb(action) end
  vim.ui.select(resources.actions, {
    prompt = 'Resource action',
    kind = 'mcp.resource_action',
    format_item = function(a) return ACTION_LABEL[a] or a end,
  }, function(choice)
    if choice then cb(choice) end
  end)
end

---The resource picker (`vim.ui.select`) over every server's resources and resource templates; a template
---asks for its variables (the form) and is expanded. Then `cb(server, uri, item)` with the chosen
---resource's URI (for a template: the expanded one). Nothing is called when the user cancels.
---@param cb fun(server: string, uri: string, item: mcp.resources.Item)
---@param prompt? string the picker's prompt (default "MCP resource")
function M.choose(cb, prompt)
  local items = M.items()
  if #items == 0 then return notify('no resources (no connected server offers any)', vim.log.levels.WARN) end
  vim.ui.select(
    items,
    { prompt = prompt or 'MCP resource', kind = 'mcp.resource', format_item = M.label },
    function(item)
      if not item then return end
      if item.kind == 'template' then
        templates.expand(item.server, item, function(uri) cb(item.server, uri, item) end)
      else
        cb(item.server, item.uri, item)
      end
    end
  )
end

---The resource picker (`M.choose`), then `action` (asked for when nil) on the chosen resource.
---@param action? "insert"|"open"|"yank"
---@param opts? mcp.resources.Opts
function M.pick(action, opts)
  opts = opts or {}
  opts.target = opts.target or require('mcp.ui.insert').target()
  M.choose(function(server, uri)
    with_action(action, function(a) resources.act(a, server, uri, opts) end)
  end)
end

---`:Mcp resource [insert|open|yank [{register}]] [{server} {uri}]`.
---@param a mcp.CommandArgs
function M.command(a)
  local fargs = vim.deepcopy(a.fargs)
  local action
  if vim.tbl_contains(resources.actions, fargs[1]) then action = table.remove(fargs, 1) end
  local opts = { mods = a.mods, target = require('mcp.ui.insert').target() }
  if action == 'yank' and fargs[1] and #fargs[1] == 1 then opts.register = table.remove(fargs, 1) end
  if #fargs == 0 then return M.pick(action, opts) end
  if #fargs ~= 2 then
    return notify('usage: :Mcp resource [insert|open|yank [{register}]] [{server} {uri}]', vim.log.levels.ERROR)
  end
  local server, uri = fargs[1], fargs[2]
  for _, t in ipairs(require('mcp').resource_templates(server)) do
    if t.uriTemplate == uri then
      templates.expand(server, t, function(expanded)
        with_action(action, function(act) resources.act(act, server, expanded, opts) end)
      end)
      return
    end
  end
  with_action(action, function(act) resources.act(act, server, uri, opts) end)
end

---Command-line completion after `:Mcp resource`.
---@param _ string lead
---@param words string[] the arguments before it
---@return string[]
function M.complete_cmdline(_, words)
  local i = 1
  if vim.tbl_contains(resources.actions, words[1]) then i = 2 end
  if words[1] == 'yank' and words[2] and #words[2] == 1 then i = 3 end
  local n = #words - i + 1
  if n == 0 then
    local out = i == 1 and vim.deepcopy(resources.actions) or {}
    vim.list_extend(out, require('mcp.servers').names())
    return out
  end
  if n == 1 then
    local out = {}
    for _, it in ipairs(M.items(words[i])) do
      out[#out + 1] = it.uri or it.uriTemplate
    end
    return out
  end
  return {}
end

return M
