--- One mcp.nvim chat tool (|mcp-chat|) as a CodeCompanion v19 function tool: the tool table CodeCompanion
--- resolves from `interactions.chat.tools[name].callback`. The call runs asynchronously through
--- `require("mcp.chat").run`, so mcp.nvim's approval (|mcp-approval|) applies and the editor never waits;
--- stopping the chat (`Chat:stop()` → `output.cancelled`) cancels the run at the server.
---
--- Images in a result reach the model through CodeCompanion's own image handling: a tool message carries
--- text only (the providers' rule), so the model reads a one-line description there, and when the adapter
--- has vision (`adapter.opts.vision`) each image follows as an image message (`Chat:add_image_message`),
--- added once every tool call of the turn has its result (a message between two results of one turn
--- would break the providers' order). Without vision the description is all the model gets.
local M = {}

local put = require('codecompanion._extensions.mcp.put')

---Longest tool output shown in the chat buffer (the model always gets all of it), in bytes.
local SHOWN_BYTES = 2000

---What the chat buffer shows the user for a result.
---@param name string
---@param text string
---@param failed boolean
---@return string
local function for_user(name, text, failed)
  if #text > SHOWN_BYTES then text = text:sub(1, SHOWN_BYTES) .. '\n…[shortened for display]' end
  return ('MCP `%s` %s:\n````\n%s\n````'):format(name, failed and 'failed' or 'returned', text)
end

---The images of a result, in the form `put.image` takes.
---@param name string the function name (ids the images)
---@param result mcp.chat.Result
---@return { id: string, mime_type: string, data: string }[]
local function images(name, result)
  local out = {}
  for i, b in ipairs(result.content or {}) do
    local data = b.data
    local mime = b.mime_type
    if data and data ~= '' and put.is_image(mime) and (b.type == 'image' or b.type == 'resource') then
      out[#out + 1] = { id = ('%s result %d'):format(name, i), mime_type = mime, data = data }
    end
  end
  return out
end

---Images waiting for the other tool calls of their turn, by chat buffer.
---@type table<integer, table[]>
local waiting = {}

---Adds the images of `chat` that wait, once no tool call of the turn lacks its result.
---@param chat table CodeCompanion.Chat
local function flush_images(chat)
  local list = waiting[chat.bufnr]
  if not list or (type(chat.has_orphaned_tool_calls) == 'function' and chat:has_orphaned_tool_calls()) then return end
  waiting[chat.bufnr] = nil
  for _, img in ipairs(list) do
    put.image(chat, img)
  end
end

---The text the model reads for a result: with vision, says that the images follow.
---@param chat table CodeCompanion.Chat
---@param result mcp.chat.Result
---@param imgs table[]
---@return string
local function for_model(chat, result, imgs)
  if #imgs == 0 or not put.vision(chat) then return result.text end
  return result.text
    .. ('\n(%d image%s from this result follow%s in the next message.)'):format(
      #imgs,
      #imgs == 1 and '' or 's',
      #imgs == 1 and 's' or ''
    )
end

local ns_wait = vim.api.nvim_create_namespace('mcp.codecompanion.waiting')

---Shows (`note`) or clears (nil) the waiting note of one call at the end of the chat buffer: a server asked
---the person something while the call runs (|mcp-elicitation|), and the chat says it waits on them.
---@param chat table? CodeCompanion.Chat
---@param mark integer? the note's extmark, when shown
---@param note string?
---@return integer? mark
local function show_waiting(chat, mark, note)
  local buf = chat and chat.bufnr
  if type(buf) ~= 'number' or not vim.api.nvim_buf_is_valid(buf) then return nil end
  if mark then pcall(vim.api.nvim_buf_del_extmark, buf, ns_wait, mark) end
  if not note then return nil end
  local last = vim.api.nvim_buf_line_count(buf) - 1
  return vim.api.nvim_buf_set_extmark(buf, ns_wait, last, 0, {
    virt_lines = { { { note, 'DiagnosticWarn' } } },
  })
end

---Builds the CodeCompanion tool table for `fn` (an element of `require("mcp.chat").tools()`).
---@param fn mcp.chat.Function
---@return table tool a CodeCompanion `CodeCompanion.Tools.Tool`: `name`, `schema`, `cmds`, `output`, `opts`
function M.build(fn)
  local name = fn['function'].name
  return {
    name = name,
    schema = fn,
    opts = { require_approval_before = false },
    cmds = {
      ---Runs the model's call through mcp.chat; calls `opts.output_cb` once with the model-formatted text.
      ---@param tools table CodeCompanion.Tools (its `tool` is the running tool instance)
      ---@param args table the model's arguments
      ---@param opts { output_cb: fun(msg: { status: "success"|"error", data: string }) }
      function(tools, args, opts)
        local instance = tools.tool
        local mark
        local run_opts = {
          on_wait = function(note) mark = show_waiting(tools.chat, mark, note) end,
        }
        local handle = require('mcp.chat').run({ name = name, arguments = args }, run_opts, function(err, result)
          mark = show_waiting(tools.chat, mark, nil)
          if instance then
            instance._mcp_handle = nil
            instance._mcp_result = result
          end
          local failed = err ~= nil or result.is_error
          local text = result.text
          -- The tool's own failure (`isError`): said as one, since a provider's tool message has no flag.
          if not err and result.is_error then text = ('The MCP tool %s reported an error:\n%s'):format(name, text) end
          opts.output_cb({ status = failed and 'error' or 'success', data = text })
        end)
        if instance then instance._mcp_handle = handle end
      end,
    },
    output = {
      ---@param self table the tool instance
      ---@param stdout string[] outputs of this turn's tools; the last is this call's
      ---@param meta { tools: table }
      success = function(self, stdout, meta)
        local chat = meta.tools.chat
        local result = self._mcp_result
        self._mcp_result = nil
        local imgs = result and images(name, result) or {}
        local text = result and for_model(chat, result, imgs) or tostring(stdout and stdout[#stdout] or '')
        if #imgs > 0 and put.vision(chat) then
          waiting[chat.bufnr] = waiting[chat.bufnr] or {}
          vim.list_extend(waiting[chat.bufnr], imgs)
        end
        chat:add_tool_output(self, text, for_user(name, text, false))
        flush_images(chat)
      end,
      ---@param self table the tool instance
      ---@param stderr? string[] errors of this turn's tools; the last is this call's
      ---@param meta { tools: table }
      error = function(self, stderr, meta)
        self._mcp_result = nil
        local text = tostring(stderr and stderr[#stderr] or ('MCP tool %s failed'):format(name))
        meta.tools.chat:add_tool_output(self, text, for_user(name, text, true))
        flush_images(meta.tools.chat)
      end,
      ---The chat was stopped while this call ran (or waited for approval): cancel it at the server.
      ---@param self table the tool instance
      ---@param meta { tools: table }
      cancelled = function(self, meta)
        local handle = self._mcp_handle
        self._mcp_handle = nil
        if handle then handle:cancel('the chat request was stopped') end
        -- A stopped turn sends nothing more: images of its other calls are dropped.
        waiting[meta.tools.chat.bufnr] = nil
        meta.tools.chat:add_tool_output(
          self,
          ('The user stopped the call of the %s tool.'):format(name),
          ('Stopped `%s`'):format(name)
        )
      end,
    },
  }
end

return M
