--- The `/mcp_prompt` slash command (|mcp-codecompanion|), a CodeCompanion v19 slash command module
--- (`new`, `execute`, `enabled`; resolved by CodeCompanion from the command's `path`). It is `:Mcp prompt`
--- in the chat: the picker over every connected server's prompts (lua/mcp/prompts.lua), the argument
--- form with completion of values when the prompt has arguments, then the prompt's messages into the
--- chat with their roles (lua/codecompanion/_extensions/mcp/put.lua).
local SlashCommand = {}

---@param args { Chat: table, config: table, context?: table }
---@return table
function SlashCommand.new(args)
  return setmetatable({ Chat = args.Chat, config = args.config, context = args.context }, { __index = SlashCommand })
end

---Is there a prompt to pick?
---@return boolean enabled
---@return string? why not
function SlashCommand.enabled()
  if #require('mcp').prompts() == 0 then return false, 'mcp.nvim: no connected MCP server offers prompts' end
  return true
end

---Runs the picker; the chosen prompt goes into this chat.
function SlashCommand:execute()
  local chat = self.Chat
  local put = require('codecompanion._extensions.mcp.put')
  put.from_slash_command(chat, function(live)
    require('mcp.prompts').pick({
      deliver = live(function(server, name, result) put.prompt(chat, server, name, result) end),
    })
  end)
end

return SlashCommand
