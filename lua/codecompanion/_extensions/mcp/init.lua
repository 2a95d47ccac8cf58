--- mcp.nvim's CodeCompanion extension (|mcp-codecompanion|), in CodeCompanion v19's extension API
--- (`{ setup, exports }`, loaded by CodeCompanion from `extensions.mcp.callback`). Each connected server
--- is a tool group `mcp_<server>` (its `instructions` in the group's system prompt) and each of its tools
--- the chat API enables (|mcp-chat|) a function tool named as `require("mcp.chat").tools()` names it.
--- Calls run through `require("mcp.chat").run`, so mcp.nvim's approval applies and CodeCompanion's own
--- (`require_approval_before`) is off for them: the user is asked once.
---
--- The registration follows the servers: `User McpServerChanged`, `McpServerRemoved` and `McpChatChanged`
--- register again, and tools that left are removed from open chats too, so the next request no longer
--- offers them. Only this file's loader (CodeCompanion) loads it: without CodeCompanion nothing of it runs.
local M = {}

local tool = require('codecompanion._extensions.mcp.tool')

---Prefix of the group names; CodeCompanion's own MCP client uses `mcp:<server>`, so `_` never clashes.
local GROUP_PREFIX = 'mcp_'

---What this extension put into CodeCompanion's tools config, so that it removes exactly that.
---@type { tools: table<string, true>, groups: table<string, true> }
local registered = { tools = {}, groups = {} }

---The group name of a server: `mcp_<server>`, characters other than letters, digits, `_` and `-` as `_`.
---@param server string
---@return string
function M.group_name(server) return GROUP_PREFIX .. server:gsub('[^%w_-]', '_') end

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
  local ok, Chat = pcall(require, 'codecompanion.interactions.chat')
  if not ok or type(Chat.buf_get_chat) ~= 'function' then return end
  for _, entry in ipairs(Chat.buf_get_chat() or {}) do
    local reg = entry.chat and entry.chat.tool_registry
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
    end
  end
end

---Registers every enabled tool of every connected server, and a group per server, in CodeCompanion's
---chat tools config, replacing what this extension registered before; refreshes CodeCompanion's tool
---cache. Safe to call any time from the main loop.
---@return { tools: string[], groups: string[] } what is registered now
function M.register()
  local cfg = tools_config()
  if not cfg then return { tools = {}, groups = {} } end
  local chat = require('mcp.chat')
  local instructions = {}
  for _, i in ipairs(chat.instructions()) do
    instructions[i.server] = i.text
  end
  local now = { tools = {}, groups = {} }
  local members = {} ---@type table<string, string[]>
  local order = {} ---@type string[]
  for _, fn in ipairs(chat.tools()) do
    local name = fn['function'].name
    local server = chat.resolve(name)
    if server then
      if not members[server] then
        members[server] = {}
        order[#order + 1] = server
      end
      table.insert(members[server], name)
      local def = tool.build(fn)
      cfg[name] = {
        description = ('%s (MCP server %s)'):format(fn['function'].description, server),
        callback = function() return def end,
        -- Offered through the server's group; mcp.nvim asks for approval itself.
        visible = false,
        opts = { require_approval_before = false, mcp_nvim = { server = server } },
      }
      now.tools[name] = true
    end
  end
  for _, server in ipairs(order) do
    local group = M.group_name(server)
    local system = ('You can use the tools of the MCP server `%s`.'):format(server)
    if instructions[server] then system = system .. '\nInstructions from that server:\n' .. instructions[server] end
    cfg.groups[group] = {
      description = ('Tools of the MCP server %s (mcp.nvim)'):format(server),
      prompt = ('the ${tools} of the MCP server `%s`'):format(server),
      system_prompt = system,
      tools = members[server],
      opts = { collapse_tools = true },
    }
    now.groups[group] = true
  end
  local gone, gone_groups = {}, {}
  for name in pairs(registered.tools) do
    if not now.tools[name] then
      cfg[name] = nil
      gone[name] = true
    end
  end
  for group in pairs(registered.groups) do
    if not now.groups[group] then
      cfg.groups[group] = nil
      gone_groups[group] = true
    end
  end
  registered = now
  prune_chats(gone, gone_groups)
  -- The tool filter caches the config for 30 s; refresh it (quietly: chat_refresh_cache() notifies).
  local fok, filter = pcall(require, 'codecompanion.interactions.chat.tools.filter')
  if fok and type(filter.refresh_cache) == 'function' then filter.refresh_cache() end
  return { tools = vim.tbl_keys(now.tools), groups = vim.tbl_keys(now.groups) }
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
  M.register()
end

---Functions CodeCompanion exposes as `require("codecompanion").extensions.mcp`.
M.exports = {
  register = function() return M.register() end,
  group_name = M.group_name,
}

return M
