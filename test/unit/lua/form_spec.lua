-- The form's schema model and text format (lua/mcp/ui/form/schema.lua, text.lua): pure functions.
local t = require('harness')
local schema = require('mcp.ui.form.schema')
local text = require('mcp.ui.form.text')

t.describe('schema.field', function()
  t.it('takes type, title, description, default and required from a property', function()
    local f = schema.field('n', { type = 'integer', title = 'Count', description = 'how many', default = 3 }, true)
    t.eq(
      { f.name, f.type, f.title, f.description, f.default, f.required },
      { 'n', 'integer', 'Count', 'how many', 3, true }
    )
  end)

  t.it('orders a type list strictest first and drops null (an empty field is null already)', function()
    local f = schema.field('x', { type = { 'string', 'null', 'integer' } }, false)
    t.eq(f.types, { 'integer', 'string' })
    t.eq(f.type, 'integer|string')
  end)

  t.it('reads choices from enum (with enumNames) and from oneOf of consts', function()
    local e = schema.field('c', { type = 'string', enum = { 'a', 'b' }, enumNames = { 'Alpha' } }, false)
    t.eq(e.choices, { { value = 'a', title = 'Alpha' }, { value = 'b' } })
    local o = schema.field('c', { oneOf = { { const = 1, title = 'one' }, { const = 2 } } }, false)
    t.eq(o.choices, { { value = 1, title = 'one' }, { value = 2 } })
    t.eq(o.types, { 'number' }, 'type inferred from the choices')
  end)

  t.it('takes "any" when the schema says nothing, and a vim.NIL default as none', function()
    local f = schema.field('a', { default = vim.NIL }, false)
    t.eq({ f.type, f.default }, { 'any', nil })
  end)
end)

t.describe('schema.fields', function()
  t.it('puts required properties first, in the order of `required`, then the others by name', function()
    local fields = schema.fields({
      schema = { properties = { z = {}, b = {}, a = {}, y = {} }, required = { 'y', 'b' } },
    })
    t.eq(vim.tbl_map(function(f) return f.name end, fields), { 'y', 'b', 'a', 'z' })
    t.eq(vim.tbl_map(function(f) return f.required end, fields), { true, true, false, false })
  end)

  t.it('turns prompt arguments into string fields, in their order', function()
    local fields =
      schema.fields({ arguments = { { name = 'q', required = true }, { name = 'lang', description = 'd' } } })
    t.eq(vim.tbl_map(function(f) return { f.name, f.type, f.required } end, fields), {
      { 'q', 'string', true },
      { 'lang', 'string', false },
    })
  end)
end)

t.describe('schema.convert', function()
  local function conv(prop, raw, required) return schema.convert(schema.field('f', prop, required or false), raw) end

  t.it('converts numbers, integers and booleans, and says what was expected otherwise', function()
    t.eq(conv({ type = 'number' }, ' 2.5 '), 2.5)
    t.eq(conv({ type = 'integer' }, '7'), 7)
    t.eq(conv({ type = 'boolean' }, 'TRUE'), true)
    t.eq(conv({ type = 'boolean' }, 'false'), false)
    t.eq({ conv({ type = 'integer' }, '1.5') }, { nil, 'f: expected an integer, got 1.5' })
    t.eq({ conv({ type = 'number' }, 'ten') }, { nil, 'f: expected a number, got ten' })
  end)

  t.it('keeps text as typed for strings, and leaves an empty optional field out', function()
    t.eq(conv({ type = 'string' }, ' two words '), ' two words ')
    t.eq({ conv({ type = 'string' }, '   ') }, {})
    t.eq({ conv({ type = 'string' }, '', true) }, { nil, 'f: required' })
  end)

  t.it('reads arrays as JSON, and lists of strings also bare: a, b, c', function()
    t.eq(conv({ type = 'array', items = { type = 'number' } }, '[1, 2]'), { 1, 2 })
    t.eq(conv({ type = 'array', items = { type = 'string' } }, 'a, b ,c'), { 'a', 'b', 'c' })
    t.eq(
      { conv({ type = 'array', items = { type = 'number' } }, '1, 2') },
      { nil, 'f: expected a JSON array like ["a", "b"], got 1, 2' }
    )
  end)

  t.it('reads objects as JSON objects only', function()
    t.eq(conv({ type = 'object' }, '{"k": 1}'), { k = 1 })
    local v, err = conv({ type = 'object' }, '[1]')
    t.eq(v, nil)
    t.contains(err, 'expected a JSON object')
  end)

  t.it('tries each type of a type list in turn', function()
    local prop = { type = { 'integer', 'string' } }
    t.eq(conv(prop, '42'), 42)
    t.eq(conv(prop, 'forty-two'), 'forty-two')
  end)

  t.it('"any" takes JSON when it parses, else the text', function()
    t.eq(conv({}, '{"a": [1]}'), { a = { 1 } })
    t.eq(conv({}, 'plain'), 'plain')
  end)

  t.it('checks choices, bounds, lengths and item counts', function()
    t.eq({ conv({ type = 'string', enum = { 'x', 'y' } }, 'z') }, { nil, 'f: must be one of x | y' })
    t.eq({ conv({ type = 'number', minimum = 1 }, '0') }, { nil, 'f: must be at least 1' })
    t.eq({ conv({ type = 'number', exclusiveMaximum = 5 }, '5') }, { nil, 'f: must be less than 5' })
    t.eq({ conv({ type = 'string', maxLength = 2 }, 'héé') }, { nil, 'f: must be at most 2 characters' })
    t.eq(
      { conv({ type = 'array', items = { type = 'string' }, minItems = 2 }, 'a') },
      { nil, 'f: needs at least 2 items' }
    )
    local items = { type = 'array', items = { type = 'string', enum = { 'r', 'g' } } }
    t.eq(conv(items, 'r, g'), { 'r', 'g' })
    t.eq({ conv(items, 'r, b') }, { nil, 'f: b is not one of r | g' })
  end)
end)

t.describe('schema.to_text', function()
  t.it('writes strings as they are, bare lists when asked, anything else as compact JSON', function()
    t.eq(schema.to_text('a/b'), 'a/b')
    t.eq(schema.to_text({ 'a', 'b' }, true), 'a, b')
    t.eq(schema.to_text({ 'a,b', 'c' }, true), '["a,b","c"]', 'an item with a comma cannot go bare')
    t.eq(schema.to_text({ 1, 2 }), '[1,2]')
    t.eq(schema.to_text(vim.NIL), '')
    t.eq(schema.to_text(nil), '')
  end)
end)

t.describe('text.lines and text.parse', function()
  local spec = {
    title = 'tool s/t',
    description = 'Does things',
    schema = {
      properties = {
        msg = { type = 'string', description = 'what to say' },
        n = { type = 'integer', default = 2 },
        tags = { type = 'array', items = { type = 'string' } },
      },
      required = { 'msg' },
    },
    values = { tags = { 'x', 'y' } },
  }
  local fields = schema.fields(spec)

  t.it('starts with the title, the description and the keys, then each field under its comments', function()
    local lines = text.lines(spec, fields)
    t.eq(lines[1], '# tool s/t')
    t.eq(lines[2], '# Does things')
    t.eq(lines[3], text.keys_line)
    t.eq(
      vim.tbl_filter(function(l) return l:sub(1, 1) ~= '#' and l ~= '' end, lines),
      { 'msg: ', 'n: 2', 'tags: x, y' }
    )
    t.contains(table.concat(lines, '\n'), '# msg (string, required): what to say')
    t.contains(table.concat(lines, '\n'), '# n (integer, optional, default 2)')
  end)

  t.it('reads back what it wrote', function()
    local parsed = text.parse(text.lines(spec, fields), fields)
    t.eq(parsed.values, { msg = '', n = '2', tags = 'x, y' })
    t.eq(parsed.stray, {})
  end)

  t.it('joins continuation lines with newlines, without their common indent, and drops trailing blanks', function()
    local parsed = text.parse({ 'msg: first', '    second', '      third', '', '# n', 'n: 3' }, fields)
    t.eq(parsed.values.msg, 'first\nsecond\n  third')
    t.eq(parsed.values.n, '3')
    t.eq(parsed.rows, { msg = 0, n = 5 })
  end)

  t.it('reports text outside any field, and a field given twice', function()
    local parsed = text.parse({ 'oops', 'msg: a', 'msg: b' }, fields)
    t.eq(#parsed.stray, 2)
    t.contains(parsed.stray[1].msg, 'not a field of this form')
    t.eq(parsed.stray[2], { row = 2, msg = 'msg: given twice' })
  end)

  t.it('matches the longest field name: `ab:` is not `a` followed by `b:`', function()
    local f2 = schema.fields({ arguments = { { name = 'a' }, { name = 'ab' } } })
    t.eq(text.parse({ 'ab: 1', 'a: 2' }, f2).values, { ab = '1', a = '2' })
  end)
end)
