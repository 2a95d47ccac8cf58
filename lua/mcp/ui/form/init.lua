--- Forms for structured input (|mcp-forms|): tool arguments (from `inputSchema`), prompt arguments,
--- resource template variables, and anything else described by a JSON-Schema-like object.
---
--- A form is a floating window on a scratch buffer edited the Neovim way. Lines starting with `#` are
--- comments: the title, the keys, and above each field its name, title, type, whether it is required,
--- its default, its choices and its description. A field is one line `{name}: {value}`; the lines that
--- follow it (up to the next field or comment) continue its value, joined with newlines. Values are typed
--- as text and converted to the field's type on submit; what fails shows as virtual text beside the field.
---
--- Keys: `<C-s>` (Normal and Insert mode) or `:w` submits; `q` or `<C-c>` (Normal mode) or closing the
--- window cancels; `<Tab>`/`<S-Tab>` move between fields; `<C-x><C-o>` (and `<C-x><C-u>`) completes the
--- value under the cursor: its choices, or what the server offers (MCP `completion/complete`).
local M = {}

local hl = require('mcp.ui.hl')
local schema = require('mcp.ui.form.schema')
local text = require('mcp.ui.form.text')

local ns = vim.api.nvim_create_namespace('mcp.form')
local ns_err = vim.api.nvim_create_namespace('mcp.form.errors')

---@class mcp.form.Spec
---@field title string shown in the window border and the first comment line, e.g. "everything/echo"
---@field description? string shown as comment lines under the title
---@field schema? { properties?: table<string, table>, required?: string[] } JSON Schema of an object
---@field arguments? { name: string, title?: string, description?: string, required?: boolean }[] prompt
---  arguments (their values are strings)
---@field values? table<string, any> initial values by field name (override schema defaults)
---@field complete? fun(field: string, value: string, filled: table<string, string>, cb: fun(values: string[]?)) asks
---  for completions of a field's value; `filled`: the other fields' non-empty values as typed
---@field on_submit fun(values: table<string, any>) called once with the converted values (fields left
---  empty are absent); the form is closed first
---@field on_cancel? fun() called once when the form is closed without submitting
---@field kind? string what the form is for ("tool", "prompt", "template", ...): `b:mcp_form_kind`
---@field validate? fun(values: table<string, any>, cb: fun(problems: { field: string?, message: string }[]?)) a
---  last check of the converted values before submitting (e.g. the host's, against formats): problems are
---  shown beside their fields and the form stays open, with every value as typed

---@class mcp.form.Form
---@field buf integer
---@field win integer
---@field spec mcp.form.Spec
---@field fields mcp.form.Field[]
---@field by_name table<string, mcp.form.Field>
---@field prev_win integer window to return to
---@field done boolean submitted or cancelled
---@field tried boolean a submit was attempted (missing required values are errors from then on)
---@field pending integer id of the newest completion request
---@field validating? boolean `spec.validate` is checking a submit

---@type table<integer, mcp.form.Form> by buffer
local forms = {}

local counter = 0

---Converts and checks every field.
---@param form mcp.form.Form
---@param final boolean missing required values count as errors
---@return table<string, any> values
---@return { row: integer, msg: string }[] errors
---@return mcp.form.Parsed parsed
local function check(form, final)
  local lines = vim.api.nvim_buf_get_lines(form.buf, 0, -1, false)
  local parsed = text.parse(lines, form.fields)
  local values, errors = {}, {}
  for _, e in ipairs(parsed.stray) do
    errors[#errors + 1] = e
  end
  local last_row = #lines - 1
  for _, f in ipairs(form.fields) do
    local raw = parsed.values[f.name]
    local v, err = schema.convert(f, raw)
    if err and (final or (raw ~= nil and vim.trim(raw) ~= '')) then
      if parsed.rows[f.name] == nil then err = err .. ' (its line `' .. f.name .. ':` is gone)' end
      errors[#errors + 1] = { row = parsed.rows[f.name] or last_row, msg = err }
    elseif v ~= nil then
      values[f.name] = v
    end
  end
  return values, errors, parsed
end

---Shows errors as virtual text beside their lines.
---@param form mcp.form.Form
---@param errors { row: integer, msg: string }[]
local function show_errors(form, errors)
  vim.api.nvim_buf_clear_namespace(form.buf, ns_err, 0, -1)
  local count = vim.api.nvim_buf_line_count(form.buf)
  for _, e in ipairs(errors) do
    vim.api.nvim_buf_set_extmark(form.buf, ns_err, math.min(e.row, count - 1), 0, {
      virt_text = { { '  ✗ ' .. e.msg, 'McpError' } },
      virt_text_pos = 'eol',
    })
  end
end

---Highlights comments and field names.
---@param form mcp.form.Form
local function decorate(form)
  local buf = form.buf
  vim.api.nvim_buf_clear_namespace(buf, ns, 0, -1)
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local parsed = text.parse(lines, form.fields)
  for i, line in ipairs(lines) do
    if line:sub(1, 1) == '#' then
      vim.api.nvim_buf_set_extmark(
        buf,
        ns,
        i - 1,
        0,
        { end_col = #line, hl_group = i == 1 and 'McpHeader' or 'McpDescription' }
      )
    end
  end
  for name, row in pairs(parsed.rows) do
    local f = form.by_name[name]
    vim.api.nvim_buf_set_extmark(
      buf,
      ns,
      row,
      0,
      { end_col = #name + 1, hl_group = f and f.required and 'McpLabel' or 'McpItem' }
    )
  end
end

---Resizes the window to the buffer.
---@param form mcp.form.Form
local function resize(form)
  if not vim.api.nvim_win_is_valid(form.win) then return end
  local n = vim.api.nvim_buf_line_count(form.buf)
  local height = math.max(1, math.min(n, vim.o.lines - 6))
  local cfg = vim.api.nvim_win_get_config(form.win)
  if cfg.height ~= height then
    cfg.height = height
    cfg.row = math.max(0, math.floor((vim.o.lines - height) / 2) - 1)
    pcall(vim.api.nvim_win_set_config, form.win, cfg)
  end
end

---Closes the window and wipes the buffer.
---@param form mcp.form.Form
local function close(form)
  form.done = true
  forms[form.buf] = nil
  if vim.api.nvim_win_is_valid(form.win) then pcall(vim.api.nvim_win_close, form.win, true) end
  if vim.api.nvim_buf_is_valid(form.buf) then pcall(vim.api.nvim_buf_delete, form.buf, { force = true }) end
  if vim.api.nvim_win_is_valid(form.prev_win) then pcall(vim.api.nvim_set_current_win, form.prev_win) end
end

---The form shown in buffer `buf` (default: the current buffer), if any.
---@param buf? integer
---@return mcp.form.Form?
function M.get(buf)
  if buf == nil or buf == 0 then buf = vim.api.nvim_get_current_buf() end
  return forms[buf]
end

---Shows `errors` beside their fields, reports them with |vim.notify()| and moves the cursor to the first.
---@param form mcp.form.Form
---@param errors { row: integer, msg: string }[]
local function refuse(form, errors)
  show_errors(form, errors)
  local msgs = vim.tbl_map(function(e) return e.msg end, errors)
  require('mcp.core.util').error(table.concat(msgs, '; '))
  if vim.api.nvim_win_is_valid(form.win) and vim.api.nvim_get_current_win() == form.win then
    pcall(vim.api.nvim_win_set_cursor, form.win, { errors[1].row + 1, 0 })
  end
end

---Closes the form and hands over its values.
---@param form mcp.form.Form
---@param values table<string, any>
local function deliver(form, values)
  if vim.api.nvim_get_current_buf() == form.buf and vim.fn.mode() ~= 'n' then vim.cmd('stopinsert') end
  close(form)
  form.spec.on_submit(values)
end

---Submits the form in `buf`: converts and checks every field; on errors shows them beside the fields,
---reports them with |vim.notify()| and keeps the form open; else closes the form and calls `on_submit`.
---With `spec.validate`, its check comes last, asynchronously: the form stays open until it answers.
---@param buf? integer default: the current buffer
---@return boolean submitted true when closed now (false: refused, or waiting for `spec.validate`)
function M.submit(buf)
  local form = M.get(buf)
  if not form or form.done or form.validating then return false end
  form.tried = true
  local values, errors = check(form, true)
  show_errors(form, errors)
  if #errors > 0 then
    refuse(form, errors)
    return false
  end
  if not form.spec.validate then
    deliver(form, values)
    return true
  end
  form.validating = true
  form.spec.validate(values, function(problems)
    form.validating = false
    if form.done then return end
    if type(problems) ~= 'table' or #problems == 0 then return deliver(form, values) end
    local parsed = text.parse(vim.api.nvim_buf_get_lines(form.buf, 0, -1, false), form.fields)
    local found = {}
    for _, p in ipairs(problems) do
      local field = type(p.field) == 'string' and p.field or nil
      local label = field and require('mcp.core.text').name(field, 0) or 'form'
      found[#found + 1] =
        { row = field and parsed.rows[field] or 0, msg = ('%s: %s'):format(label, tostring(p.message)) }
    end
    refuse(form, found)
  end)
  return false
end

---Cancels the form in `buf`: closes it and calls `on_cancel`.
---@param buf? integer default: the current buffer
function M.cancel(buf)
  local form = M.get(buf)
  if not form or form.done then return end
  close(form)
  if form.spec.on_cancel then form.spec.on_cancel() end
end

---Moves the cursor to the end of the next (`dir` 1) or previous (-1) field's value.
---@param dir 1|-1
function M.jump(dir)
  local form = M.get()
  if not form then return end
  local parsed = text.parse(vim.api.nvim_buf_get_lines(form.buf, 0, -1, false), form.fields)
  local rows = {}
  for _, r in pairs(parsed.rows) do
    rows[#rows + 1] = r
  end
  if #rows == 0 then return end
  table.sort(rows)
  local cur = vim.api.nvim_win_get_cursor(0)[1] - 1
  local target
  if dir > 0 then
    for _, r in ipairs(rows) do
      if r > cur then
        target = r
        break
      end
    end
    target = target or rows[1]
  else
    for i = #rows, 1, -1 do
      if rows[i] < cur then
        target = rows[i]
        break
      end
    end
    target = target or rows[#rows]
  end
  local line = vim.api.nvim_buf_get_lines(form.buf, target, target + 1, false)[1] or ''
  local col = #line
  if vim.fn.mode() == 'n' then col = math.max(0, col - 1) end
  vim.api.nvim_win_set_cursor(0, { target + 1, col })
end

---The field whose value the cursor is in, with the byte column (0-based) where its value starts on the
---cursor line.
---@param form mcp.form.Form
---@return mcp.form.Field? field
---@return integer start
---@return mcp.form.Parsed parsed
local function field_at_cursor(form)
  local lines = vim.api.nvim_buf_get_lines(form.buf, 0, -1, false)
  local parsed = text.parse(lines, form.fields)
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  local best, best_row = nil, -1
  for name, r in pairs(parsed.rows) do
    if r <= row and r > best_row then
      best, best_row = name, r
    end
  end
  if not best then return nil, 0, parsed end
  for r = best_row + 1, row do
    if (lines[r + 1] or ''):sub(1, 1) == '#' then return nil, 0, parsed end
  end
  local start = best_row == row and #best + 1 or 0
  local line = lines[row + 1] or ''
  if best_row == row and line:sub(start + 1, start + 1) == ' ' then start = start + 1 end
  return form.by_name[best], start, parsed
end

---Completion candidates from a field's choices (and `true`/`false` for booleans).
---@param f mcp.form.Field
---@return string[]
local function local_choices(f)
  if f.choices then
    return vim.tbl_map(function(c) return schema.to_text(c.value) end, f.choices)
  end
  if f.item_choices then
    return vim.tbl_map(function(c) return schema.to_text(c.value) end, f.item_choices)
  end
  if f.types[1] == 'boolean' then return { 'true', 'false' } end
  return {}
end

---'omnifunc' (and 'completefunc') of form buffers. Choices complete at once; values the server offers
---(the spec's `complete`, i.e. MCP `completion/complete`) are asked for asynchronously and shown with
---|complete()| when the answer arrives, if Insert mode is still on the same line.
---@param findstart integer 1: return the start column; 0: return matches for `base`
---@param base string
---@return integer|string[]
function M.omnifunc(findstart, base)
  local form = M.get()
  if not form then return findstart == 1 and -3 or {} end
  local f, start = field_at_cursor(form)
  if not f then return findstart == 1 and -3 or {} end
  local cursor = vim.api.nvim_win_get_cursor(0)
  local line = vim.api.nvim_get_current_line()
  if findstart == 1 then
    if cursor[2] < start then return -3 end
    local choices = local_choices(f)
    if #choices > 0 or not form.spec.complete then return start end
    -- Ask the server; answer later with complete().
    local prefix = line:sub(start + 1, cursor[2])
    local filled = {}
    local parsed = text.parse(vim.api.nvim_buf_get_lines(form.buf, 0, -1, false), form.fields)
    for name, v in pairs(parsed.values) do
      if name ~= f.name and vim.trim(v) ~= '' then filled[name] = v end
    end
    form.pending = (form.pending or 0) + 1
    local mine, buf, row = form.pending, form.buf, cursor[1]
    form.spec.complete(f.name, prefix, filled, function(values)
      if form.done or form.pending ~= mine or not values then return end
      if vim.api.nvim_get_current_buf() ~= buf or vim.api.nvim_win_get_cursor(0)[1] ~= row then return end
      if vim.api.nvim_get_mode().mode:sub(1, 1) ~= 'i' then return end
      local items = {}
      for _, v in ipairs(values) do
        items[#items + 1] = { word = v, menu = '[mcp]', icase = 1, dup = 0 }
      end
      vim.fn.complete(start + 1, items)
    end)
    return -2
  end
  local out = {}
  for _, c in ipairs(local_choices(f)) do
    if vim.startswith(c:lower(), base:lower()) then out[#out + 1] = c end
  end
  return out
end

---@param form mcp.form.Form
local function keymaps(form)
  local buf = form.buf
  local function map(modes, lhs, rhs, desc)
    vim.keymap.set(modes, lhs, rhs, { buffer = buf, nowait = true, silent = true, desc = 'mcp form: ' .. desc })
  end
  map({ 'n', 'i' }, '<C-s>', function() M.submit(buf) end, 'submit')
  map('n', 'q', function() M.cancel(buf) end, 'cancel')
  map('n', '<C-c>', function() M.cancel(buf) end, 'cancel')
  map('n', '<Tab>', function() M.jump(1) end, 'next field')
  map('n', '<S-Tab>', function() M.jump(-1) end, 'previous field')
  vim.keymap.set('i', '<Tab>', function()
    if vim.fn.pumvisible() == 1 then return '<C-n>' end
    return '<Cmd>lua require("mcp.ui.form").jump(1)<CR>'
  end, { buffer = buf, expr = true, desc = 'mcp form: next field (or next completion)' })
  vim.keymap.set('i', '<S-Tab>', function()
    if vim.fn.pumvisible() == 1 then return '<C-p>' end
    return '<Cmd>lua require("mcp.ui.form").jump(-1)<CR>'
  end, { buffer = buf, expr = true, desc = 'mcp form: previous field (or previous completion)' })
end

---Opens a form in a floating window and leaves the cursor on the first field to fill (a required one
---without a value, else the first). Never waits: `on_submit`/`on_cancel` are called later.
---@param spec mcp.form.Spec
---@return mcp.form.Form form `{ buf, win, fields, ... }`; see |mcp.form.submit()| and |mcp.form.cancel()|
---@error when `spec` lacks `title` or `on_submit`
function M.open(spec)
  if type(spec) ~= 'table' or type(spec.title) ~= 'string' or type(spec.on_submit) ~= 'function' then
    error('mcp.ui.form.open: spec needs a title (string) and on_submit (function)', 2)
  end
  hl.setup()
  local fields = schema.fields(spec)
  local by_name = {}
  for _, f in ipairs(fields) do
    by_name[f.name] = f
  end
  local lines = text.lines(spec, fields)

  counter = counter + 1
  local title = require('mcp.core.text').name(spec.title, 0)
  local name = ('mcp-form://%d/%s'):format(counter, title)
  local buf = require('mcp.ui.buffer').create(name, 'form', { buftype = 'acwrite', bufhidden = 'wipe' })
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modified = false
  vim.bo[buf].filetype = 'mcp_form'
  vim.bo[buf].omnifunc = "v:lua.require'mcp.ui.form'.omnifunc"
  vim.bo[buf].completefunc = "v:lua.require'mcp.ui.form'.omnifunc"
  vim.b[buf].mcp_form_kind = spec.kind

  local width = 20
  for _, l in ipairs(lines) do
    width = math.max(width, vim.fn.strdisplaywidth(l) + 2)
  end
  width = math.max(40, math.min(width, 100, vim.o.columns - 4))
  local height = math.max(1, math.min(#lines, vim.o.lines - 6))
  local prev = vim.api.nvim_get_current_win()
  local cfg = {
    relative = 'editor',
    width = width,
    height = height,
    col = math.max(0, math.floor((vim.o.columns - width) / 2)),
    row = math.max(0, math.floor((vim.o.lines - height) / 2) - 1),
    style = 'minimal',
    border = 'rounded',
    title = ' ' .. title .. ' ',
    title_pos = 'center',
    footer = ' <C-s> submit · q cancel ',
    footer_pos = 'center',
  }
  local win = vim.api.nvim_open_win(buf, true, cfg)
  vim.wo[win].wrap = true
  vim.wo[win].linebreak = true
  vim.wo[win].cursorline = true

  ---@type mcp.form.Form
  local form = {
    buf = buf,
    win = win,
    spec = spec,
    fields = fields,
    by_name = by_name,
    prev_win = prev,
    done = false,
    tried = false,
    pending = 0,
  }
  forms[buf] = form
  keymaps(form)
  decorate(form)

  local group = vim.api.nvim_create_augroup('mcp.form.' .. buf, { clear = true })
  vim.api.nvim_create_autocmd('BufWriteCmd', {
    group = group,
    buffer = buf,
    desc = 'mcp form: :w submits',
    callback = function()
      vim.bo[buf].modified = false
      M.submit(buf)
    end,
  })
  vim.api.nvim_create_autocmd({ 'TextChanged', 'TextChangedI', 'InsertLeave' }, {
    group = group,
    buffer = buf,
    desc = 'mcp form: highlight and check',
    callback = function()
      if form.done then return end
      decorate(form)
      resize(form)
      local _, errors = check(form, form.tried)
      show_errors(form, errors)
    end,
  })
  vim.api.nvim_create_autocmd('BufWipeout', {
    group = group,
    buffer = buf,
    desc = 'mcp form: closing it cancels',
    callback = function()
      pcall(vim.api.nvim_del_augroup_by_id, group)
      if not form.done then
        form.done = true
        forms[buf] = nil
        vim.schedule(function()
          if vim.api.nvim_win_is_valid(form.prev_win) then pcall(vim.api.nvim_set_current_win, form.prev_win) end
          if spec.on_cancel then spec.on_cancel() end
        end)
      end
    end,
  })
  vim.api.nvim_create_autocmd('WinClosed', {
    group = group,
    pattern = tostring(win),
    desc = 'mcp form: closing the window cancels',
    callback = function()
      vim.schedule(function()
        if not form.done and vim.api.nvim_buf_is_valid(buf) then M.cancel(buf) end
      end)
    end,
  })

  -- Cursor: the first required field without a value, else the first field.
  local parsed = text.parse(lines, fields)
  local first
  for _, f in ipairs(fields) do
    if f.required and vim.trim(parsed.values[f.name] or '') == '' then
      first = f
      break
    end
  end
  first = first or fields[1]
  if first and parsed.rows[first.name] then
    local row = parsed.rows[first.name]
    vim.api.nvim_win_set_cursor(win, { row + 1, math.max(0, #lines[row + 1] - 1) })
  end
  return form
end

return M
