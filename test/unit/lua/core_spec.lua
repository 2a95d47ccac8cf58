-- Pure helpers of the core (lua/mcp/core/): JSON for people, name splitting, the request deadline.
local t = require('harness')

t.describe('json.encode', function()
  local json = require('mcp.core.json')

  t.it(
    'indents, sorts object keys, and writes empty objects and arrays apart',
    function()
      t.eq(
        json.encode({ b = 1, a = { 1, 2 }, e = vim.empty_dict(), l = {} }),
        table.concat({
          '{',
          '  "a": [',
          '    1,',
          '    2',
          '  ],',
          '  "b": 1,',
          '  "e": {},',
          '  "l": []',
          '}',
        }, '\n')
      )
    end
  )

  t.it(
    'writes integers without a fraction, other numbers exactly, and NaN or infinity as null',
    function() t.eq(json.encode({ 3, 0.5, 1e300 * 1e10, -2 ^ 60 }, ''), '[\n3,\n0.5,\nnull,\n-1.152921504606847e+18\n]') end
  )

  t.it('writes slashes unescaped, but keeps other escapes', function()
    t.eq(json.encode('a/b "c"\n'), '"a/b \\"c\\"\\n"')
    t.eq(json.compact({ uri = 'file:///x' }), '{"uri":"file:///x"}')
  end)

  t.it(
    'writes vim.NIL as null, and lines() splits the text',
    function() t.eq(json.lines({ x = vim.NIL }), { '{', '  "x": null', '}' }) end
  )

  t.it('indents the first max_indent_depth levels and writes deeper values compact, saying so', function()
    local saved = json.max_indent_depth
    json.max_indent_depth = 2
    local s, capped = json.encode({ a = { b = { c = { 1, { d = 'x/y' } }, e = {} } }, f = 1 })
    json.max_indent_depth = saved
    t.eq(s, table.concat({ '{', '  "a": {', '    "b": {"c":[1,{"d":"x/y"}],"e":[]}', '  },', '  "f": 1', '}' }, '\n'))
    t.eq(capped, true)
    t.eq(select(2, json.encode({ a = { 1 } })), false)
  end)

  t.it('writes a value 20,000 levels deep (past the stack and cjson) in linear size', function()
    local v = { bottom = 20000 }
    for _ = 1, 19999 do
      v = { level = v }
    end
    local lines, capped = json.lines(v)
    t.eq(capped, true)
    t.eq(#lines, 201)
    t.eq(
      lines[101],
      ('  '):rep(100) .. '"level": ' .. ('{"level":'):rep(19899) .. '{"bottom":20000}' .. ('}'):rep(19899)
    )
    t.eq(json.compact(v), ('{"level":'):rep(19999) .. '{"bottom":20000}' .. ('}'):rep(19999))
  end)
end)

t.describe('util.split_server', function()
  local split = require('mcp.core.util').split_server

  t.it('splits at the first slash when no configured name fits', function()
    t.eq({ split('everything/simple-prompt', {}) }, { 'everything', 'simple-prompt' })
    t.eq({ split('srv/file:///a/b', { 'other' }) }, { 'srv', 'file:///a/b' })
  end)

  t.it('takes the longest configured name followed by a slash (names may contain slashes)', function()
    t.eq({ split('team/db/query', { 'team', 'team/db' }) }, { 'team/db', 'query' })
    t.eq({ split('team/dbx/query', { 'team', 'team/db' }) }, { 'team', 'dbx/query' })
  end)

  t.it('gives nothing without a slash or without a rest', function()
    t.eq({ split('nothing', {}) }, {})
    t.eq({ split('srv/', {}) }, {})
  end)
end)

t.describe('channel.deadline_ms', function()
  local channel = require('mcp.core.channel')

  t.it(
    "takes the request's own timeout first",
    function() t.eq(channel.deadline_ms({ timeout_ms = 100, server = 's' }, 200, 300, 400), 100) end
  )

  t.it("then the server's, from its snapshot, then from its definition", function()
    t.eq(channel.deadline_ms({ server = 's' }, 200, 300, 400), 200)
    t.eq(channel.deadline_ms({ server = 's' }, nil, 300, 400), 300)
  end)

  t.it('then the default the host was started with; a request to no server ignores server timeouts', function()
    t.eq(channel.deadline_ms({ server = 's' }, nil, nil, 400), 400)
    t.eq(channel.deadline_ms({}, 200, 300, 400), 400)
  end)

  t.it('follows every case of test/fixtures/deadline-cases.json (the rule the host follows too)', function()
    local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
    local file = assert(io.open(here .. '/../../fixtures/deadline-cases.json', 'r'))
    local fixture = vim.json.decode(file:read('*a'))
    file:close()
    local default = require('mcp.core.contract').defaults.timeout_ms
    -- JSON has no NaN or infinity: the fixture spells them as strings.
    local special = { NaN = 0 / 0, Infinity = math.huge, ['-Infinity'] = -math.huge, default = default }
    local function num(v)
      if v == nil or v == vim.NIL then return nil end
      if type(v) == 'string' then return assert(special[v], 'unknown token ' .. v) end
      return v
    end
    t.eq(#fixture.cases > 0, true, 'cases')
    for _, c in ipairs(fixture.cases) do
      local opts = { timeout_ms = num(c.request), server = 's' }
      -- The server's level, from its snapshot or (no snapshot yet) from its definition.
      t.eq(channel.deadline_ms(opts, num(c.server), nil, num(c.default)), num(c.ms), c.name .. ' (snapshot)')
      t.eq(channel.deadline_ms(opts, nil, num(c.server), num(c.default)), num(c.ms), c.name .. ' (definition)')
    end
  end)

  t.it("skips an unusable snapshot timeout for the definition's", function()
    t.eq(channel.deadline_ms({ server = 's' }, 0, 300, 400), 300)
    t.eq(channel.deadline_ms({ timeout_ms = -5, server = 's' }, 0 / 0, nil, 400), 400)
  end)

  t.it('the guard waits the margin of the contract beyond that deadline', function()
    local contract = require('mcp.core.contract')
    t.eq(channel.guard_ms({ timeout_ms = 1000 }), 1000 + contract.defaults.timeout_margin_ms)
    t.eq(channel.guard_ms({}), contract.defaults.timeout_ms + contract.defaults.timeout_margin_ms)
    t.eq(channel.guard_ms({ timeout_ms = 0 }), contract.defaults.timeout_ms + contract.defaults.timeout_margin_ms)
    t.eq(channel.guard_ms({ timeout_ms = 0.5 }), 1 + contract.defaults.timeout_margin_ms)
  end)
end)

t.describe('util.notify', function()
  local util = require('mcp.core.util')

  t.it("prefixes 'mcp: ' once, also to an error text that already carries it", function()
    local seen = {}
    local orig = vim.notify
    vim.notify = function(msg, level, opts) seen[#seen + 1] = { msg, level, opts.title } end
    local ok, err = pcall(function()
      util.notify('plain')
      util.error('mcp: the host is not built')
      util.warn('mcp: mcp: twice')
    end)
    vim.notify = orig
    assert(ok, err)
    t.eq(seen, {
      { 'mcp: plain', vim.log.levels.INFO, 'mcp' },
      { 'mcp: the host is not built', vim.log.levels.ERROR, 'mcp' },
      { 'mcp: twice', vim.log.levels.WARN, 'mcp' },
    })
  end)
end)
