--- The `/mcp_resource` slash command (|mcp-codecompanion|), a CodeCompanion v19 slash command module
--- (`new`, `execute`, `enabled`). The resource picker of `:Mcp resource` (lua/mcp/resources/picker.lua)
--- over every connected server's resources and resource templates (a template asks for its variables,
--- with completion), then the resource's content into the chat as a context item
--- (lua/codecompanion/_extensions/mcp/put.lua).
local SlashCommand = {}

---@param args { Chat: table, config: table, context?: table }
---@return table
function SlashCommand.new(args)
  return setmetatable({ Chat = args.Chat, config = args.config, context = args.context }, { __index = SlashCommand })
end

---Is there a resource to pick?
---@return boolean enabled
---@return string? why not
function SlashCommand.enabled()
  if #require('mcp.resources.picker').items() == 0 then
    return false, 'mcp.nvim: no connected MCP server offers resources'
  end
  return true
end

---Runs the picker; the chosen resource goes into this chat.
function SlashCommand:execute()
  local chat = self.Chat
  local put = require('codecompanion._extensions.mcp.put')
  put.from_slash_command(chat, function(live)
    require('mcp.resources.picker').choose(live(function(server, uri) put.resource(chat, server, uri) end))
  end)
end

return SlashCommand
