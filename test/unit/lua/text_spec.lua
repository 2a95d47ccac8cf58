-- Server text made safe to show (mcp.core.text), command-line words (mcp.core.words), the streaming
-- builder of results (mcp.ui.builder), the sliced fill of resource buffers (mcp.resources.fill) and the
-- report of shared tool names (mcp.duplicates).
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

  t.it('typed: completion candidates escaped, or quoted after a double quote, each once', function()
    t.eq(words.typed({ 'a b', 'plain', 'a b', 3 }, ''), { 'a\\ b', 'plain' })
    t.eq(words.typed({ 'a b', [[it's "q"]] }, '"'), { '"a b"', [["it's \"q\""]] })
  end)
end)

t.describe('fill', function()
  local fill = require('mcp.resources.fill')
  local result = require('mcp.ui.result')
  local texts = {
    'one\ntwo\nthree\n',
    'one\ntwo\nthree',
    'a\r\nb\r\n\r\nc\r\n',
    'lone\rcr\r\nx\n',
    'end\n\n',
    '',
    '\n',
    'nul\0byte\nline\n',
    string.rep('0123456789\n', 50),
    string.rep('no newline at all ', 40),
  }

  ---Fills a new buffer with `s` (waiting for every slice) and returns its lines and state.
  local function filled(s)
    local buf = vim.api.nvim_create_buf(false, true)
    vim.bo[buf].modifiable = true
    local done = false
    fill.fill(buf, s, function() done = true end)
    vim.wait(5000, function() return done end, 1)
    local out = {
      done = done,
      lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false),
      modified = vim.bo[buf].modified,
      modifiable = vim.bo[buf].modifiable,
    }
    vim.api.nvim_buf_delete(buf, { force = true })
    return out
  end

  t.it('gives exactly the lines of a file read, at once and a few bytes at a time', function()
    local sync, piece = fill.sync_bytes, fill.piece_bytes
    for _, mode in ipairs({ 'at once', 'sliced' }) do
      if mode == 'sliced' then
        fill.sync_bytes, fill.piece_bytes = 0, 7
      end
      for _, s in ipairs(texts) do
        local got = filled(s)
        t.eq(got.done, true, mode .. ' done ' .. vim.inspect(s))
        t.eq(got.lines, result.text_lines(s), mode .. ' ' .. vim.inspect(s))
        t.eq({ got.modified, got.modifiable }, { false, true }, mode .. ' state ' .. vim.inspect(s))
      end
    end
    fill.sync_bytes, fill.piece_bytes = sync, piece
  end)

  t.it('a new fill of the buffer replaces one still running; finish completes it at once', function()
    local sync, piece = fill.sync_bytes, fill.piece_bytes
    fill.sync_bytes, fill.piece_bytes = 0, 4
    local buf = vim.api.nvim_create_buf(false, true)
    local calls = {}
    local big = string.rep('old\n', 20000)
    fill.fill(buf, big, function() calls[#calls + 1] = 'old' end)
    t.eq(vim.bo[buf].modifiable, false)
    t.eq(fill.pending(buf) ~= nil, true)
    fill.fill(buf, string.rep('new\n', 20000), function() calls[#calls + 1] = 'new' end)
    fill.finish(buf)
    t.eq(calls, { 'new' })
    t.eq(vim.api.nvim_buf_line_count(buf), 20000)
    t.eq(vim.api.nvim_buf_get_lines(buf, -2, -1, false), { 'new' })
    t.eq({ vim.bo[buf].modifiable, vim.bo[buf].modified, fill.pending(buf) }, { true, false, nil })
    vim.wait(50, function() return false end, 1)
    t.eq(calls, { 'new' })
    fill.sync_bytes, fill.piece_bytes = sync, piece
  end)
end)

t.describe('duplicates', function()
  local dup = require('mcp.duplicates')
  local notes = {}
  vim.notify = function(msg) notes[#notes + 1] = msg end
  local function snap(names, status)
    local tools = {}
    for _, n in ipairs(names) do
      tools[#tools + 1] = { name = n }
    end
    return { name = 'srv\nx', status = status or 'connected', tools = tools }
  end

  t.it('says each newly shared name once per server, naming both', function()
    t.eq(dup.shared(snap({ 'a', 'b', 'a', 'c', 'c', 'c' }).tools), { a = 2, c = 3 })
    dup.check(snap({ 'a', 'b' }))
    t.eq(#notes, 0)
    dup.check(snap({ 'a', 'b', 'a' }))
    t.eq(#notes, 1)
    t.contains(notes[1], 'server srv\\nx lists 2 tools named a')
    -- The same list again, a stop and a restart with it: nothing new.
    dup.check(snap({ 'a', 'b', 'a' }))
    dup.check(snap({}, 'stopped'))
    dup.check(snap({ 'a', 'a', 'b' }))
    t.eq(#notes, 1)
    -- A new shared name, and a name shared by more tools than before: one note for both.
    dup.check(snap({ 'a', 'a', 'a', 'b', 'b' }))
    t.eq(#notes, 2)
    t.contains(notes[2], '3 tools named a, 2 tools named b')
    dup.forget('srv\nx')
    dup.check(snap({ 'a', 'a', 'a', 'b', 'b' }))
    t.eq(#notes, 3)
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
