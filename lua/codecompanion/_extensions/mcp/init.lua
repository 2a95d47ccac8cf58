--- mcp.nvim's CodeCompanion extension (|mcp-codecompanion|), in CodeCompanion v19's extension API
--- (`{ setup, exports }`, loaded by CodeCompanion from `extensions.mcp.callback`). Each connected server
--- is a tool group `mcp_<server>` (its `instructions` in the group's system prompt) and each of its tools
--- the chat API enables (|mcp-chat|) a function tool named as `require("mcp.chat").tools()` names it.
--- Calls run through `require("mcp.chat").run`, so mcp.nvim's approval applies and CodeCompanion's own
--- (`require_approval_before`) is off for them: the user is asked once.
---
--- Prompts and resources: the slash commands `/mcp_prompt` (lua/codecompanion/_extensions/mcp/slash_prompt.lua)
--- and `/mcp_resource` (slash_resource.lua), and the editor-context entries `#{mcp:{server}/{name}}`
--- (context.lua).
---
--- The registration follows the servers: `User McpServerChanged`, `McpServerRemoved` and `McpChatChanged`
--- register again, and tools that left are removed from open chats too, so the next request no longer
--- offers them. Only this file's loader (CodeCompanion) loads it: without CodeCompanion nothing of it runs.
local M = {}

local tool = require('codecompanion._extensions.mcp.tool')
local context = require('codecompanion._extensions.mcp.context')

---The slash commands, by name: CodeCompanion resolves `path` as `codecompanion.<path>`. Names with `_`:
---CodeCompanion's own MCP client has `/mcp`.
M.slash_commands = {
  mcp_prompt = {
    path = '_extensions.mcp.slash_prompt',
    description = 'Insert an MCP prompt (mcp.nvim)',
    opts = { contains_code = false },
  },
  mcp_resource = {
    path = '_extensions.mcp.slash_resource',
    description = 'Add an MCP resource or resource template (mcp.nvim)',
    opts = { contains_code = false },
  },
}

---The open CodeCompanion chats.
---@return table[]
local function open_chats()
  local ok, Chat = pcall(require, 'codecompanion.interactions.chat')
  if not ok or type(Chat.buf_get_chat) ~= 'function' then return {} end
  local out = {}
  for _, entry in ipairs(Chat.buf_get_chat() or {}) do
    if entry.chat then out[#out + 1] = entry.chat end
  end
  return out
end

---Prefix of the group names: CodeCompanion's own MCP client uses `mcp:<server>` (and `<server>_<tool>`
---for tools), so they never clash; a name taken anyway is skipped (`M.register`).
local GROUP_PREFIX = 'mcp_'

---What this extension put into CodeCompanion's tools config, by name: the very tables it wrote, so that
---it replaces and removes only entries that are still its own (a user's tool, or another plugin's, that
---took the name since is left alone).
---@type { tools: table<string, table>, groups: table<string, table> }
local registered = { tools = {}, groups = {} }

---Names already warned about (`tool:<name>` / `group:<name>`): a clash is said once a session.
---@type table<string, true>
local warned = {}

---Says once that `name` is taken by an entry this extension did not create, so it is skipped.
---@param kind "tool"|"group"
---@param name string
---@param what string what the entry would have offered (the server, or server/tool)
local function warn_taken(kind, name, what)
  local key = kind .. ':' .. name
  if warned[key] then return end
  warned[key] = true
  require('mcp.core.util').warn(
    ('CodeCompanion: the %s name %q is taken by an entry mcp.nvim did not create; %s is not offered under it'):format(
      kind == 'tool' and 'tool' or 'tool group',
      name,
      what
    )
  )
end

---The tools CodeCompanion's own MCP client registered (`require("codecompanion.mcp")`), if it is loaded:
---a chat merges them over the tools config, so one of the same name would hide this extension's.
---@return table<string, table>
local function builtin_mcp_tools()
  local mod = package.loaded['codecompanion.mcp']
  if type(mod) ~= 'table' or type(mod.get_registered_tools) ~= 'function' then return {} end
  local ok, tools = pcall(mod.get_registered_tools)
  return ok and type(tools) == 'table' and tools or {}
end

---The group name of a server: `mcp_<server>` when the server name consists of letters, digits, `_` and
---`-`; otherwise the other characters as `_` and then `_` and 8 hex digits of the SHA-256 of the server
---name, so that `a.b` and `a_b` get different groups (`mcp_a_b_<hash>` and `mcp_a_b`), the same in
---every session.
---@param server string
---@return string
function M.group_name(server)
  local plain = server:gsub('[^%w_-]', '_')
  if plain == server then return GROUP_PREFIX .. server end
  return GROUP_PREFIX .. plain .. '_' .. vim.fn.sha256(server):sub(1, 8)
end

---CodeCompanion's chat tools config (`config.interactions.chat.tools`), or nil if it has none.
---@return table?
local function tools_config()
  local ok, config = pcall(require, 'codecompanion.config')
  if not ok then return nil end
  local chat = type(config.interactions) == 'table' and config.interactions.chat or nil
  if type(chat) ~= 'table' or type(chat.tools) ~= 'table' then return nil end
  chat.tools.groups = chat.tools.groups or {}
  return chat.tools
end

---Removes tools that are no longer registered from every open chat, so the next request does not offer
---them (CodeCompanion keeps a chat's tools once added).
---@param gone table<string, true> tool names
---@param gone_groups table<string, true> group names
local function prune_chats(gone, gone_groups)
  if next(gone) == nil and next(gone_groups) == nil then return end
  for _, chat in ipairs(open_chats()) do
    local reg = chat.tool_registry
    if reg then
      for group in pairs(gone_groups) do
        if reg.groups[group] then pcall(reg.remove_group, reg, group) end
      end
      for name in pairs(gone) do
        if reg.in_use[name] then
          reg.in_use[name] = nil
          reg.schemas[('<tool>%s</tool>'):format(name)] = nil
        end
      end
      -- Groups that stay keep only their members that stay.
      for _, members in pairs(reg.groups) do
        for i = #members, 1, -1 do
          if gone[members[i]] then table.remove(members, i) end
        end
      end
    end
  end
end

---Adds tools that joined a server's group to every open chat that uses the group (CodeCompanion expands
---a group into its tools once, when the user adds it), so the next request offers them.
---@param cfg table CodeCompanion's chat tools config
---@param members table<string, string[]> tool names by group
local function grow_chats(cfg, members)
  for _, chat in ipairs(open_chats()) do
    local reg = chat.tool_registry
    if reg and type(reg.groups) == 'table' then
      for group, names in pairs(members) do
        local have = reg.groups[group]
        if have then
          for _, name in ipairs(names) do
            if not reg.in_use[name] and cfg[name] then
              local ok = pcall(reg.add_single_tool, reg, name, { config = cfg[name], visible = false })
              if ok and reg.in_use[name] then have[#have + 1] = name end
            end
          end
        end
      end
    end
  end
end

---Registers every enabled tool of every connected server, and a group per server, in CodeCompanion's
---chat tools config, and the editor-context entries of every resource and template, replacing what this
---extension registered before; refreshes CodeCompanion's tool cache. Safe to call any time from the
---main loop. A name already taken by an entry this extension did not create (a user's tool, another
---plugin's, a tool of CodeCompanion's own MCP client) is left alone: that tool or group is skipped, with
---one warning a session; what it created and no longer offers it removes only while still its own.
---@return { tools: string[], groups: string[], context: string[] } what is registered now
function M.register()
  local keys = context.register(open_chats())
  local cfg = tools_config()
  if not cfg then return { tools = {}, groups = {}, context = keys } end
  local chat = require('mcp.chat')
  local instructions = {}
  for _, i in ipairs(chat.instructions()) do
    instructions[i.server] = i.text
  end
  local builtin = builtin_mcp_tools()
  ---Is `name` free for this extension in `into` (unset, or the entry it wrote last time)?
  local function free(into, mine, name) return into[name] == nil or (mine[name] ~= nil and into[name] == mine[name]) end
  local now = { tools = {}, groups = {} }
  local members = {} ---@type table<string, string[]>
  local order = {} ---@type string[]
  for _, fn in ipairs(chat.tools()) do
    local name = fn['function'].name
    local server, tname = chat.resolve(name)
    if server and (not free(cfg, registered.tools, name) or builtin[name] ~= nil) then
      warn_taken('tool', name, ('the MCP tool %s/%s'):format(server, tname))
    elseif server then
      if not members[server] then
        members[server] = {}
        order[#order + 1] = server
      end
      table.insert(members[server], name)
      local def = tool.build(fn)
      local entry = {
        description = ('%s (MCP server %s)'):format(fn['function'].description, server),
        callback = function() return def end,
        -- Offered through the server's group; mcp.nvim asks for approval itself.
        visible = false,
        opts = { require_approval_before = false, mcp_nvim = { server = server } },
      }
      cfg[name] = entry
      now.tools[name] = entry
    end
  end
  local by_group = {} ---@type table<string, string[]>
  for _, server in ipairs(order) do
    local group = M.group_name(server)
    if not free(cfg.groups, registered.groups, group) or now.groups[group] then
      warn_taken('group', group, ('the MCP server %s'):format(server))
    else
      local system = ('You can use the tools of the MCP server `%s`.'):format(server)
      if instructions[server] then system = system .. '\nInstructions from that server:\n' .. instructions[server] end
      local entry = {
        description = ('Tools of the MCP server %s (mcp.nvim)'):format(server),
        prompt = ('the ${tools} of the MCP server `%s`'):format(server),
        system_prompt = system,
        tools = members[server],
        opts = { collapse_tools = true },
      }
      cfg.groups[group] = entry
      now.groups[group] = entry
      by_group[group] = members[server]
    end
  end
  -- Remove what this extension wrote before and no longer offers, where it is still its own entry.
  local gone, gone_groups = {}, {}
  for name, entry in pairs(registered.tools) do
    if not now.tools[name] then
      if cfg[name] == entry then
        cfg[name] = nil
        gone[name] = true
      end
    end
  end
  for group, entry in pairs(registered.groups) do
    if not now.groups[group] then
      if cfg.groups[group] == entry then
        cfg.groups[group] = nil
        gone_groups[group] = true
      end
    end
  end
  registered = now
  prune_chats(gone, gone_groups)
  grow_chats(cfg, by_group)
  -- The tool filter caches the config for 30 s; refresh it (quietly: chat_refresh_cache() notifies).
  local fok, filter = pcall(require, 'codecompanion.interactions.chat.tools.filter')
  if fok and type(filter.refresh_cache) == 'function' then filter.refresh_cache() end
  return { tools = vim.tbl_keys(now.tools), groups = vim.tbl_keys(now.groups), context = keys }
end

local pending = false
---Registers again on the next main-loop turn, once for a burst of events.
local function schedule_register()
  if pending then return end
  pending = true
  vim.schedule(function()
    pending = false
    M.register()
  end)
end

---Called by CodeCompanion when it loads the extension (`extensions.mcp` in its setup).
---@param opts? table the extension's `opts` (none yet)
function M.setup(opts)
  local _ = opts
  local group = vim.api.nvim_create_augroup('mcp_codecompanion', { clear = true })
  vim.api.nvim_create_autocmd('User', {
    group = group,
    pattern = { 'McpServerChanged', 'McpServerRemoved', 'McpChatChanged' },
    callback = schedule_register,
  })
  -- Every chat reads the resources its message names before it is sent (context.lua).
  local function hook(chat)
    if chat and not chat._mcp_nvim then
      chat._mcp_nvim = true
      chat:add_callback('on_before_submit', context.before_submit)
      chat:add_callback('on_closed', function(c) context.forget(c.bufnr) end)
    end
  end
  vim.api.nvim_create_autocmd('User', {
    group = group,
    pattern = 'CodeCompanionChatCreated',
    callback = function(ev)
      local ok, Chat = pcall(require, 'codecompanion.interactions.chat')
      if ok and type(ev.data) == 'table' and ev.data.bufnr then hook(Chat.buf_get_chat(ev.data.bufnr)) end
    end,
  })
  for _, chat in ipairs(open_chats()) do
    hook(chat)
  end
  local cok, config = pcall(require, 'codecompanion.config')
  local chat_cfg = cok and type(config.interactions) == 'table' and config.interactions.chat or nil
  if type(chat_cfg) == 'table' and type(chat_cfg.slash_commands) == 'table' then
    for name, def in pairs(M.slash_commands) do
      -- A user's own settings for these names (keymaps, description) win.
      chat_cfg.slash_commands[name] = vim.tbl_deep_extend('keep', chat_cfg.slash_commands[name] or {}, def)
    end
  end
  M.register()
end

---Functions CodeCompanion exposes as `require("codecompanion").extensions.mcp`.
M.exports = {
  register = function() return M.register() end,
  group_name = M.group_name,
}

return M
