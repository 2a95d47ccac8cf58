-- Server text made safe to show (mcp.core.text), command-line words (mcp.core.words) and the streaming
-- builder of results (mcp.ui.builder).
local t = require('harness')

t.describe('text.name', function()
  local text = require('mcp.core.text')

  t.it('escapes control characters the way words reads them back, and cuts long names', function()
    t.eq(text.name('line\nbreak'), 'line\\nbreak')
    t.eq(text.name('a\27[31mb\7c\td\re'), 'a\\e[31mb\\x07c\\td\\re')
    t.eq(text.name('ünïcødé ✓'), 'ünïcødé ✓')
    t.eq(text.name(nil), '?')
    t.eq(text.name(12), '12')
    local long = text.name(string.rep('é', 100))
    t.eq(vim.fn.strchars(long), 80)
    t.eq(vim.endswith(long, '…'), true)
    t.eq(#text.name(string.rep('x', 300), 0), 300)
  end)

  t.it('makes prose one line: whitespace runs become a space, escapes and controls go', function()
    t.eq(text.line('  a\n\n b\27[1m c \r\n'), 'a b c')
    t.eq(text.first_line('first\nsecond'), 'first')
    t.eq(vim.fn.strchars(text.line(string.rep('word ', 100))), 160)
    t.eq(text.lines('a\r\nb\rc\n\27[2Jd\te'), { 'a', 'b', 'c', 'd\te' })
  end)
end)

t.describe('words', function()
  local words = require('mcp.core.words')
  local names =
    { 'line\nbreak', 'ctrl\27[31m\7\t', 'with space', [[it's "quoted"]], 'a/b', 'back\\slash', '工具 ✓', '' }

  t.it('reads back every name it escapes or quotes', function()
    for _, n in ipairs(names) do
      t.eq((words.read(words.escape(n))), n, 'escape ' .. vim.inspect(n))
      t.eq((words.read(words.quote(n))), n, 'quote ' .. vim.inspect(n))
      t.eq(words.escape(n):gsub('\\.', ''):find('%s'), nil, 'no unescaped white space in ' .. words.escape(n))
    end
  end)

  t.it('splits a command line into words, and says what is wrong with an unterminated quote', function()
    t.eq({ words.split([[odd with\ space 'it''s' "a\"b" x]]) }, { { 'odd', 'with space', "it's", 'a"b', 'x' } })
    local list, err = words.split('a "b c')
    t.eq(list, { 'a' })
    t.contains(err, 'unterminated quote')
    t.eq({ words.split('a "b c', true) }, { { 'a', 'b c' } })
    local w, pos = words.read('srv tool {"a": 1}')
    t.eq({ w, pos }, { 'srv', 4 })
    t.eq({ words.read('srv tool {"a": 1}', pos) }, { 'tool', 9 })
  end)
end)

t.describe('builder', function()
  local builder = require('mcp.ui.builder')

  t.it('splits a long text in pieces into exactly the lines of a plain split', function()
    local lines = {}
    for i = 1, 30000 do
      lines[i] = ('%d%s'):format(i, i % 7 == 0 and '' or string.rep('y', i % 50))
    end
    local s = table.concat(lines, '\n') .. '\n'
    local b = builder.new()
    b:text(s)
    t.eq(b:done().lines, lines)
  end)

  t.it('streamed, leaves pieces whole and takes at most the lines asked', function()
    local s = string.rep('abc\n', 50000) .. 'end'
    local b = builder.new({ stream = true })
    local co = coroutine.create(function() b:text(s) end)
    local taken = {}
    while coroutine.status(co) ~= 'dead' do
      assert(coroutine.resume(co))
      local entries, _, n = b:take(false, 20000)
      local count = 0
      for _, e in ipairs(entries) do
        count = count + (type(e) == 'string' and 1 or e.n)
        if type(e) == 'table' then taken.piece = true end
      end
      t.eq(count, n)
      t.eq(n <= 20000, true)
      taken.n = (taken.n or 0) + n
    end
    local _, _, n = b:take(true)
    t.eq(taken.n + n, 50001)
    t.eq(taken.piece, true)
  end)
end)
