--- One mcp.nvim chat tool (|mcp-chat|) as a CodeCompanion v19 function tool: the tool table CodeCompanion
--- resolves from `interactions.chat.tools[name].callback`. The call runs asynchronously through
--- `require("mcp.chat").run`, so mcp.nvim's approval (|mcp-approval|) applies and the editor never waits;
--- stopping the chat (`Chat:stop()` → `output.cancelled`) cancels the run at the server.
local M = {}

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
        local handle = require('mcp.chat').run({ name = name, arguments = args }, {}, function(err, result)
          if instance then instance._mcp_handle = nil end
          local failed = err ~= nil or result.is_error
          opts.output_cb({ status = failed and 'error' or 'success', data = result.text })
        end)
        if instance then instance._mcp_handle = handle end
      end,
    },
    output = {
      ---@param self table the tool instance
      ---@param stdout string[] outputs of this turn's tools; the last is this call's
      ---@param meta { tools: table }
      success = function(self, stdout, meta)
        local text = tostring(stdout and stdout[#stdout] or '')
        meta.tools.chat:add_tool_output(self, text, for_user(name, text, false))
      end,
      ---@param self table the tool instance
      ---@param stderr? string[] errors of this turn's tools; the last is this call's
      ---@param meta { tools: table }
      error = function(self, stderr, meta)
        local text = tostring(stderr and stderr[#stderr] or ('MCP tool %s failed'):format(name))
        meta.tools.chat:add_tool_output(self, text, for_user(name, text, true))
      end,
      ---The chat was stopped while this call ran (or waited for approval): cancel it at the server.
      ---@param self table the tool instance
      ---@param meta { tools: table }
      cancelled = function(self, meta)
        local handle = self._mcp_handle
        self._mcp_handle = nil
        if handle then handle:cancel('the chat request was stopped') end
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
