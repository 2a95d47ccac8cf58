--- Putting MCP prompts, resources and images into a CodeCompanion v19 chat (|mcp-codecompanion|), the
--- way CodeCompanion's own slash commands do: messages in the chat's history (`Chat:add_message`) linked
--- to a context item shown in the chat buffer (`> Context:`; deleting its line drops the message), text for
--- the user to edit in the buffer (`Chat:add_buf_message`), images through `Chat:add_image_message`, which
--- the adapter sends as image parts when it has vision (`adapter.opts.vision`) and leaves out otherwise.
local M = {}

---Source recorded on the context items this extension adds.
M.SOURCE = 'mcp.nvim'

---Runs `pick` out of Insert mode, for a slash command: it is chosen from the completion menu, so Insert
---mode is on, and the picker and the form must start as they do from `:Mcp` (in Normal mode, the cursor
---on the first missing value). `pick` gets `live(fn)`, which wraps a delivery so that it does nothing
---once the chat's buffer is gone.
---@param chat table CodeCompanion.Chat
---@param pick fun(live: fun(fn: function): function)
function M.from_slash_command(chat, pick)
  vim.cmd('stopinsert')
  vim.schedule(function()
    pick(function(fn)
      return function(...)
        if vim.api.nvim_buf_is_valid(chat.bufnr) then fn(...) end
      end
    end)
  end)
end

---@return table constants CodeCompanion's `config.constants` (`USER_ROLE`, `LLM_ROLE`, ...)
local function constants() return require('codecompanion.config').constants end

---Can the chat's adapter take images (`adapter.opts.vision`)?
---@param chat table CodeCompanion.Chat
---@return boolean
function M.vision(chat)
  local adapter = chat and chat.adapter
  return type(adapter) == 'table' and type(adapter.opts) == 'table' and adapter.opts.vision == true
end

---Is `mime` a type CodeCompanion passes on as an image?
---@param mime? string
---@return boolean
function M.is_image(mime) return type(mime) == 'string' and mime:match('^image/') ~= nil end

---Adds an image (base64) to the chat as CodeCompanion's own image slash command does. Only when the
---adapter has vision: without it the adapter would drop the message anyway.
---@param chat table CodeCompanion.Chat
---@param image { id: string, mime_type: string, data?: string, path?: string } `data` base64, or a file at `path`
---@return boolean added
function M.image(chat, image)
  if not M.vision(chat) then return false end
  local img = { id = image.id, path = image.path or image.id, mimetype = image.mime_type, base64 = image.data }
  if not img.base64 then
    local encoded = require('codecompanion.utils.images').encode_image(img)
    if type(encoded) == 'string' then
      require('mcp.core.util').notify(('image %s: %s'):format(image.id, encoded), vim.log.levels.WARN)
      return false
    end
  end
  chat:add_image_message(img, { source = M.SOURCE, bufnr = chat.bufnr })
  return true
end

---Puts a prompt's messages into the chat with their roles: a last `user` message goes into the chat
---buffer for the user to edit and send; the messages before it (and a last `assistant` one) go into the
---chat's history as `user` / `llm` messages, shown as the context item `<mcp_prompt>{server}/{name}`.
---@param chat table CodeCompanion.Chat
---@param server string
---@param name string prompt name
---@param result table the `GetPromptResult`
function M.prompt(chat, server, name, result)
  local msgs = require('mcp.chat').prompt_result(server, name, result)
  if #msgs == 0 then
    return require('mcp.core.util').notify(('prompt %s/%s has no messages'):format(server, name), vim.log.levels.WARN)
  end
  local c = constants()
  local last = msgs[#msgs]
  local upto = last.role == 'user' and #msgs - 1 or #msgs
  if upto > 0 then
    local id = ('<mcp_prompt>%s/%s</mcp_prompt>'):format(server, name)
    for i = 1, upto do
      chat:add_message(
        { role = msgs[i].role == 'assistant' and c.LLM_ROLE or c.USER_ROLE, content = msgs[i].content },
        { visible = false, context = { id = id }, _meta = { tag = 'mcp_prompt' } }
      )
    end
    chat.context:add({ source = M.SOURCE, id = id, bufnr = chat.bufnr })
  end
  if upto < #msgs then chat:add_buf_message({ role = c.USER_ROLE, content = last.content }) end
end

---The text a model reads for a resource: the server, URI and MIME type, then the text in a fenced
---block; for binary content, the file it was written to.
---@param server string
---@param res { uri: string, mime_type?: string, text?: string, path?: string } from `require("mcp.chat").resource_text`
---@param imaged? boolean the content went to the model as an image too
---@return string
function M.resource_text(server, res, imaged)
  local head = ('MCP resource `%s`%s from the server `%s`'):format(
    res.uri,
    res.mime_type and (' (' .. res.mime_type .. ')') or '',
    server
  )
  if res.text then
    -- A fence longer than any backtick run in the text, so the text cannot close it.
    local longest = 2
    for run in res.text:gmatch('`+') do
      longest = math.max(longest, #run)
    end
    local fence = ('`'):rep(longest + 1)
    return ('%s:\n\n%s\n%s\n%s'):format(head, fence, res.text, fence)
  end
  if imaged then return ('%s: an image, attached to this conversation.'):format(head) end
  return ('%s is binary; its content was saved to the file %s'):format(head, res.path or '?')
end

---Reads a resource and puts it into the chat as a context item `<mcp_resource>{server} {uri}`: the text
---of `M.resource_text` in the history; an image also as an image when the adapter has vision.
---@param chat table CodeCompanion.Chat
---@param server string
---@param uri string
---@param cb? fun(err: mcp.Error?) called once it is in the chat (or failed: then also notified)
function M.resource(chat, server, uri, cb)
  require('mcp.chat').resource_text(server, uri, function(err, res)
    if err or not res then
      require('mcp.core.util').notify(
        ('resource %s of %s: %s'):format(uri, server, err and err.message or 'no content'),
        vim.log.levels.ERROR
      )
      if cb then cb(err) end
      return
    end
    local imaged = res.path ~= nil
      and M.is_image(res.mime_type)
      and M.image(chat, { id = server .. ' ' .. uri, mime_type = res.mime_type, path = res.path })
    chat:add_context(
      { role = constants().USER_ROLE, content = M.resource_text(server, res, imaged) },
      M.SOURCE,
      ('<mcp_resource>%s %s</mcp_resource>'):format(server, uri)
    )
    if cb then cb(nil) end
  end)
end

return M
