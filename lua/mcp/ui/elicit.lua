--- A server asks the user to fill in a form (|mcp-elicitation|): the `elicitation` ask (AskKinds in
--- src/bridge/protocol.ts; spec: client/elicitation, form mode).
---
--- The form (|mcp-forms|) names the server that asks, shows its message, and has one field per property
--- of the server's `requestedSchema` (types, choices, required fields and defaults as the schema says).
--- Keys, buffer-local: `<C-s>` or `:w` accepts (the values go back as the content), `<C-d>` declines
--- (Normal and Insert mode), `q`, `<C-c>` or closing the window cancels. The three answers are the spec's
--- `accept`, `decline` and `cancel`. Before an accept leaves, the host checks the values against the
--- schema (`check_elicitation`: formats email, uri, date, date-time, lengths, bounds, choices); what fails
--- is shown beside its field and the form stays open with every value as typed, to correct and resubmit.
local M = {}

---Asks the host to check `values` against `schema`; `cb(problems)` from the main loop. A check that
---cannot run (the host is gone) lets the answer through: the server judges it then.
---@param schema table
---@param values table<string, any>
---@param cb fun(problems: { field: string?, message: string }[]?)
local function host_check(schema, values, cb)
  require('mcp.core.channel').send(
    'check_elicitation',
    { schema = schema, content = require('mcp.core.util').object(values) },
    {},
    function(err, result)
      if err or type(result) ~= 'table' then return cb(nil) end
      local problems = require('mcp.core.util').nonil(result.problems)
      cb(type(problems) == 'table' and problems or nil)
    end
  )
end

---The key help of an elicitation form, in place of the form's generic one.
local KEYS = '# <C-s> or :w accept · <C-d> decline · q or <C-c> cancel · <C-x><C-o> choices · <Tab> next field'

---Replaces the form's key help (comment line and window footer) with the elicitation's answers.
---@param form mcp.form.Form
local function relabel(form)
  local generic = require('mcp.ui.form.text').keys_line
  local lines = vim.api.nvim_buf_get_lines(form.buf, 0, -1, false)
  for i, l in ipairs(lines) do
    if l == generic then
      vim.api.nvim_buf_set_lines(form.buf, i - 1, i, false, { KEYS })
      vim.bo[form.buf].modified = false
      break
    end
  end
  local cfg = vim.api.nvim_win_get_config(form.win)
  cfg.footer = ' <C-s> accept · <C-d> decline · q cancel '
  cfg.footer_pos = 'center'
  pcall(vim.api.nvim_win_set_config, form.win, cfg)
end

---Shows a server's elicitation as a form and answers with the person's choice: `{ action = "accept",
---content = values }` on submit (fields left empty are absent), `{ action = "decline" }` on `<C-d>`,
---`{ action = "cancel" }` when the form is closed any other way. Withdrawn (the server cancelled its
---request): the returned function closes the form without answering.
---@type mcp.AskHandler
function M.elicitation(ask, respond, _hide)
  local nonil = require('mcp.core.util').nonil
  local p = ask.params
  local schema = nonil(p.requestedSchema)
  local message = nonil(p.message)
  local server = ask.server or ask.title:match('^([^:]+):') or 'a server'
  -- Set once the form has answered, declined or been withdrawn: on_cancel then says nothing more.
  local settled = false
  local declined = false
  local form = require('mcp.ui.form').open({
    title = ('%s asks'):format(server),
    description = type(message) == 'string' and message or nil,
    schema = type(schema) == 'table' and schema or { type = 'object', properties = {} },
    kind = 'elicitation',
    validate = type(schema) == 'table' and function(values, cb) host_check(schema, values, cb) end or nil,
    on_submit = function(values)
      if settled then return end
      settled = true
      respond(nil, { action = 'accept', content = require('mcp.core.util').object(values) })
    end,
    on_cancel = function()
      if settled then return end
      settled = true
      respond(nil, { action = declined and 'decline' or 'cancel' })
    end,
  })
  relabel(form)
  local function decline()
    declined = true
    if vim.api.nvim_get_mode().mode:match('^i') then vim.cmd('stopinsert') end
    require('mcp.ui.form').cancel(form.buf)
  end
  vim.keymap.set(
    { 'n', 'i' },
    '<C-d>',
    decline,
    { buffer = form.buf, nowait = true, desc = 'mcp elicitation: decline' }
  )
  return function()
    if form.done then return end
    settled = true
    if vim.api.nvim_get_current_buf() == form.buf and vim.api.nvim_get_mode().mode:match('^i') then
      vim.cmd('stopinsert')
    end
    require('mcp.ui.form').cancel(form.buf)
  end
end

return M
