--- MCP resources and resource templates as CodeCompanion v19 editor context (`#{...}`, v19's name for
--- variables; |mcp-codecompanion|). Every resource of a connected server is an entry
--- `#{mcp:{server}/{name}}`; every resource template one taking its variables as parameters,
--- `#{mcp:{server}/{name}}{{variable}={value},...}` (a template with one variable also takes the bare value,
--- `{3}`). Server and resource names are written with characters other than letters, digits, `_`, `.`
--- and `-` as `_` (for templates `-` too); a name taken twice gets `_2`, `_3`, ... Completion in the chat
--- lists them.
---
--- CodeCompanion renders editor context synchronously while it submits, and reading a resource is a
--- request to the server: so the chat's `on_before_submit` callback finds the references in the message,
--- holds the submission back (the editor never waits), reads them, and submits again; the entries then
--- render what was read.
local M = {}

---Prefix of every entry this module registers (CodeCompanion's own MCP client registers none).
M.PREFIX = 'mcp:'

---A registered entry: the resource (`uri`) or template behind it.
---@class mcp.cc.ContextEntry
---@field server string
---@field uri? string
---@field template? mcp.ResourceTemplate

---Entries by key (without the `#{}`).
---@type table<string, mcp.cc.ContextEntry>
local entries = {}

---What was read for a chat, by reference (`key` or `key{params}`), until rendered.
---@type table<integer, table<string, { text: string, image?: table }>>
local read = {}

---`s` with characters other than letters, digits, `_`, `.` and `-` as `_`; with `template`, `-` too.
---CodeCompanion puts keys into Vim patterns unescaped (`.` and `-` are safe there), and the keys of
---entries with parameters also into Lua patterns, where `-` is a quantifier.
---@param s string
---@param template? boolean
---@return string
local function safe(s, template) return (tostring(s):gsub(template and '[^%w%._]' or '[^%w%._%-]', '_')) end

---The entries of every connected server's resources and resource templates.
---@return table<string, mcp.cc.ContextEntry>
function M.build()
  local out = {}
  for _, it in ipairs(require('mcp.resources.picker').items()) do
    local t = it.kind == 'template'
    local base = M.PREFIX .. safe(it.server, t) .. '/' .. safe(it.name or it.uri or it.uriTemplate or '?', t)
    local key, n = base, 1
    while out[key] do
      n = n + 1
      key = base .. '_' .. n
    end
    out[key] = { server = it.server, uri = it.uri, template = it.kind == 'template' and it or nil }
  end
  return out
end

---The entries registered now.
---@return table<string, mcp.cc.ContextEntry>
function M.entries() return entries end

---The CodeCompanion editor-context config of an entry.
---@param key string
---@param e mcp.cc.ContextEntry
---@return table
local function entry_config(key, e)
  local what = e.template and ('template %s'):format(e.template.uriTemplate) or e.uri
  return {
    description = ('MCP resource %s of %s (mcp.nvim)'):format(what, e.server),
    ---@param ec { Chat: table, params?: string }
    callback = function(ec) return M.render(ec.Chat, key, ec.params) end,
    opts = { contains_code = false, has_params = e.template ~= nil, interactions = { 'chat' } },
  }
end

---Makes a chat's editor-context instance know the current entries (CodeCompanion copies the config's
---entries when it creates a chat).
---@param chat table CodeCompanion.Chat
function M.sync(chat)
  local ec = chat.editor_context and chat.editor_context.editor_context
  if type(ec) ~= 'table' then return end
  for key in pairs(ec) do
    if key:sub(1, #M.PREFIX) == M.PREFIX and not entries[key] then ec[key] = nil end
  end
  for key, e in pairs(entries) do
    ec[key] = entry_config(key, e)
  end
end

---Registers the entries in CodeCompanion's editor-context config (`interactions.shared.editor_context`)
---and in every open chat, replacing those registered before.
---@param chats table[] the open chats
---@return string[] keys
function M.register(chats)
  local ok, config = pcall(require, 'codecompanion.config')
  local shared = ok and type(config.interactions) == 'table' and config.interactions.shared or nil
  if type(shared) ~= 'table' or type(shared.editor_context) ~= 'table' then return {} end
  local cfg = shared.editor_context
  for key in pairs(entries) do
    cfg[key] = nil
  end
  entries = M.build()
  for key, e in pairs(entries) do
    cfg[key] = entry_config(key, e)
  end
  for _, chat in ipairs(chats) do
    M.sync(chat)
  end
  -- The completion source caches the entries until a buffer event; run its own handler to drop the cache.
  pcall(vim.api.nvim_exec_autocmds, 'BufAdd', { group = 'codecompanion.chat.editor_context', modeline = false })
  return vim.tbl_keys(entries)
end

---The references to this module's entries in a message: `#{key}` and `#{key}{params}`.
---@param text string
---@return { ref: string, key: string, params?: string }[]
function M.refs(text)
  local out, seen = {}, {}
  for key in pairs(entries) do
    local open = '#{' .. key .. '}'
    local from = 1
    while true do
      local s, e = text:find(open, from, true)
      if not s then break end
      local params = text:match('^{([^}]*)}', e + 1)
      local ref = key .. (params and ('{' .. params .. '}') or '')
      if not seen[ref] then
        seen[ref] = true
        out[#out + 1] = { ref = ref, key = key, params = params }
      end
      from = e + 1
    end
  end
  return out
end

---A template's variable values from an entry's parameters: `name=value,...`, or one bare value for a
---template with one variable.
---@param template mcp.ResourceTemplate
---@param params? string
---@return table<string, string>? values
---@return string? err
function M.values(template, params)
  local vars = require('mcp.resources.templates').variables(template.uriTemplate)
  local values = {}
  params = vim.trim(params or '')
  if params == '' then
    if #vars == 0 then return values end
    return nil, ('give its variables: #{...}{%s=...}'):format(vars[1].name)
  end
  if not params:find('=', 1, true) then
    if #vars ~= 1 then return nil, 'give its variables as {name}={value}, separated by commas' end
    values[vars[1].name] = params
    return values
  end
  for part in vim.gsplit(params, ',', { plain = true }) do
    local k, v = part:match('^%s*([^=]-)%s*=%s*(.-)%s*$')
    if not k or k == '' then return nil, ('expected {name}={value}, got "%s"'):format(part) end
    values[k] = v
  end
  return values
end

---Reads what a reference names: `cb(text, image?)`, the text a model reads (an error said as text, so
---the chat still goes on and the model learns why).
---@param chat table CodeCompanion.Chat
---@param r { ref: string, key: string, params?: string }
---@param cb fun(entry: { text: string, image?: table })
local function fetch(chat, r, cb)
  local e = entries[r.key]
  local put = require('codecompanion._extensions.mcp.put')
  local function failed(what, message)
    local text = ('The MCP resource %s of the server `%s` could not be read: %s'):format(what, e.server, message)
    require('mcp.core.util').notify(text, vim.log.levels.WARN)
    cb({ text = text })
  end
  local function read_uri(uri)
    require('mcp.chat').resource_text(e.server, uri, function(err, res)
      if err or not res then return failed(uri, err and err.message or 'no content') end
      local image = res.path
          and put.is_image(res.mime_type)
          and put.vision(chat)
          and { id = e.server .. ' ' .. uri, mime_type = res.mime_type, path = res.path }
        or nil
      cb({ text = put.resource_text(e.server, res, image ~= nil), image = image })
    end)
  end
  if not e.template then return read_uri(e.uri) end
  local values, verr = M.values(e.template, r.params)
  if not values then return failed(e.template.uriTemplate, verr) end
  require('mcp').expand_template(e.template.uriTemplate, values, function(err, res)
    if err then return failed(e.template.uriTemplate, err.message) end
    read_uri(res.uri)
  end)
end

---The chat's `on_before_submit` callback: when the message names entries not read yet, holds the
---submission back (returns false), reads them, and submits again once all are read.
---@param chat table CodeCompanion.Chat
---@return boolean? false to hold the submission back
function M.before_submit(chat)
  if next(entries) == nil then return end
  local ok, parser = pcall(require, 'codecompanion.interactions.chat.parser')
  if not ok then return end
  local pok, msg = pcall(parser.messages, chat, chat.header_line)
  if not pok or type(msg) ~= 'table' or type(msg.content) ~= 'string' then return end
  M.sync(chat)
  local got = read[chat.bufnr] or {}
  read[chat.bufnr] = got
  local missing = vim.tbl_filter(function(r) return got[r.ref] == nil end, M.refs(msg.content))
  if #missing == 0 then return end
  local left = #missing
  for _, r in ipairs(missing) do
    fetch(chat, r, function(entry)
      got[r.ref] = entry
      left = left - 1
      if left == 0 then
        vim.schedule(function()
          if vim.api.nvim_buf_is_valid(chat.bufnr) then chat:submit() end
        end)
      end
    end)
  end
  return false
end

---Renders an entry while CodeCompanion submits: the text read by `before_submit` (its image added to
---the chat first), then forgotten, so that naming it again reads it again.
---@param chat table CodeCompanion.Chat
---@param key string
---@param params? string
---@return string text for the model
function M.render(chat, key, params)
  local ref = key .. (params and ('{' .. params .. '}') or '')
  local got = chat and read[chat.bufnr] or {}
  local entry = got[ref]
  if not entry then return ('The MCP resource %s was not read.'):format(ref) end
  got[ref] = nil
  if entry.image then require('codecompanion._extensions.mcp.put').image(chat, entry.image) end
  return entry.text
end

---Forgets what was read for a chat buffer (it closed).
---@param bufnr integer
function M.forget(bufnr) read[bufnr] = nil end

return M
