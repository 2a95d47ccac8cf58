--- Resource templates (spec: server/resources, `resources/templates/list`): their RFC 6570 variables,
--- asked for with the form (|mcp-forms|, values completed by the server), and expanded by the host.
local M = {}

local notify = require('mcp.core.util').notify

---The variables of an RFC 6570 URI template, in order of appearance, each once.
---@param template string e.g. `demo://resource/dynamic/text/{resourceId}` or `file:///{+path}{?q,lang}`
---@return { name: string, explode: boolean, query: boolean }[]
function M.variables(template)
  local out, seen = {}, {}
  for expr in template:gmatch('{([^}]*)}') do
    local op = expr:sub(1, 1)
    local query = op == '?' or op == '&'
    if op:match('[+#./;?&]') then expr = expr:sub(2) end
    for spec in vim.gsplit(expr, ',', { plain = true }) do
      local explode = spec:sub(-1) == '*'
      local name = vim.trim((spec:gsub('%*$', ''):gsub(':%d+$', '')))
      if name ~= '' and not seen[name] then
        seen[name] = true
        out[#out + 1] = { name = name, explode = explode, query = query }
      end
    end
  end
  return out
end

---Asks for the variables of a resource template (the form, with completion through `ref/resource`),
---expands it (RFC 6570, by the host) and calls `cb(uri)`.
---@param server string
---@param template mcp.ResourceTemplate|{ uriTemplate: string, name?: string, description?: string }
---@param cb fun(uri: string)
---@param values? table<string, string> initial values
---@return mcp.form.Form? form nil when the template has no variables (then `cb` runs at once)
function M.expand(server, template, cb, values)
  local vars = M.variables(template.uriTemplate)
  local function expand(vars_values)
    require('mcp').expand_template(template.uriTemplate, vars_values, function(err, res)
      if err then return notify(('expand %s: %s'):format(template.uriTemplate, err.message), vim.log.levels.ERROR) end
      cb(res.uri)
    end)
  end
  if #vars == 0 then
    expand({})
    return nil
  end
  local props, required = {}, {}
  for _, v in ipairs(vars) do
    if v.explode then
      props[v.name] =
        { type = 'array', items = { type = 'string' }, description = 'several values, separated by commas' }
    else
      props[v.name] = { type = 'string' }
    end
    if not v.query then required[#required + 1] = v.name end
  end
  local desc = { template.uriTemplate }
  if type(template.description) == 'string' and template.description ~= '' then
    desc[#desc + 1] = template.description
  end
  return require('mcp.ui.form').open({
    title = ('template %s/%s'):format(server, template.name or template.uriTemplate),
    description = table.concat(desc, '\n'),
    schema = { properties = props, required = required },
    values = values,
    kind = 'template',
    complete = require('mcp.completion').form_completer(server, { type = 'ref/resource', uri = template.uriTemplate }),
    on_submit = expand,
  })
end

return M
