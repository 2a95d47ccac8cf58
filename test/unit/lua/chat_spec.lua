-- Pure functions of the chat API: tool names a model sees and the way back, results formatted for a model.
local t = require('harness')

t.describe('chat.names', function()
  local names = require('mcp.chat.names')

  t.it('keeps {server}__{tool} when it is valid and short', function()
    t.eq(names.name('everything', 'get-sum'), 'everything__get-sum')
    t.eq({ names.split('everything__get-sum') }, { 'everything', 'get-sum' })
  end)

  t.it('shortens a long name to 64 characters with a stable hash suffix', function()
    local server = string.rep('s', 70)
    local n = names.name(server, 'echo')
    t.eq(#n, 64)
    t.eq(names.valid(n), true)
    t.eq(n, names.name(server, 'echo')) -- stable
    t.eq(n:sub(-9), '_' .. names.hash(server, 'echo'))
    t.eq(n == names.name(server, 'echo2'), false)
  end)

  t.it('sanitizes invalid characters and hashes so that lossy names stay distinct', function()
    local a, b = names.name('my server', 'x'), names.name('my_server', 'x')
    t.eq(names.valid(a), true)
    t.eq(b, 'my_server__x')
    t.eq(a == b, false)
    t.eq(a:match('^my_server__x_%x+$') ~= nil, true)
    -- A server name holding "__" would make the split ambiguous: hashed too.
    t.eq(names.name('a__b', 'c') ~= 'a__b__c', true)
  end)

  t.it('maps pairs of two servers with the same tool names to distinct names and back', function()
    local map = names.map({
      { server = 'a', tool = 'echo' },
      { server = 'b', tool = 'echo' },
      { server = string.rep('l', 80), tool = 'echo' },
    })
    local seen = {}
    for name, p in pairs(map.by_name) do
      t.eq(names.valid(name), true)
      t.eq(map.by_pair[p.server .. '\0' .. p.tool], name)
      seen[#seen + 1] = name
    end
    t.eq(#seen, 3)
  end)
end)

t.describe('chat.format', function()
  local format = require('mcp.chat.format')

  t.it('keeps text, adds structuredContent as JSON text unless a text block holds it already', function()
    local r = format.result({ content = { { type = 'text', text = 'hi' } }, structuredContent = { n = 1 } })
    t.eq(#r.content, 2)
    t.eq(vim.json.decode(r.content[2].text), { n = 1 })
    t.eq(r.text, 'hi\n{"n":1}')
    t.eq(r.is_error, false)
    local dup = format.result({ content = { { type = 'text', text = '{"n": 1}' } }, structuredContent = { n = 1 } })
    t.eq(#dup.content, 1)
  end)

  t.it('turns images and audio into neutral blocks with a description', function()
    local r = format.result({
      content = {
        { type = 'image', data = 'iVBORw0KGgo=', mimeType = 'image/png' },
        { type = 'audio', data = 'AAAA', mimeType = 'audio/wav' },
      },
    })
    t.eq(
      r.content[1],
      { type = 'image', mime_type = 'image/png', data = 'iVBORw0KGgo=', text = '[image image/png, 8 B]' }
    )
    t.eq(r.content[2].type, 'audio')
    t.eq(r.content[2].text, '[audio audio/wav, 3 B]')
  end)

  t.it('carries URI, MIME type and text of resource links and embedded resources', function()
    local r = format.result({
      content = {
        { type = 'resource_link', uri = 'file:///a.txt', name = 'a.txt', mimeType = 'text/plain' },
        { type = 'resource', resource = { uri = 'demo://x', mimeType = 'text/plain', text = 'body' } },
        { type = 'resource', resource = { uri = 'demo://b', mimeType = 'application/octet-stream', blob = 'AAAA' } },
      },
    })
    t.eq(r.content[1].uri, 'file:///a.txt')
    t.eq(r.content[1].text, '[resource link] a.txt file:///a.txt text/plain')
    t.eq(
      r.content[2],
      { type = 'resource', uri = 'demo://x', mime_type = 'text/plain', text = '[resource] demo://x text/plain\nbody' }
    )
    t.eq(r.content[3].data, 'AAAA')
    t.eq(r.content[3].text, '[resource demo://b application/octet-stream, binary, 3 B]')
  end)

  t.it('marks isError results and errors as tool errors', function()
    t.eq(format.result({ content = { { type = 'text', text = 'boom' } }, isError = true }).is_error, true)
    t.eq(
      format.error('denied: no', true),
      { content = { { type = 'text', text = 'denied: no' } }, is_error = true, text = 'denied: no', denied = true }
    )
  end)
end)

t.describe('chat.policy', function()
  local policy = require('mcp.chat.policy')
  local ro = { annotations = { readOnlyHint = true } }

  t.it('approve() decides first; a string is a reason', function()
    local approve = function(_, tool) return ({ yes = true, no = false, why = 'because' })[tool] end
    t.eq(policy.decide('s', 'yes', {}, { options = { approve = approve } }).action, 'allow')
    t.eq(policy.decide('s', 'no', {}, { options = { approve = approve } }).action, 'deny')
    t.eq(policy.decide('s', 'why', {}, { options = { approve = approve } }).reason, 'because')
  end)

  t.it('auto_approve allows; readOnlyHint only with approve_read_only', function()
    t.eq(policy.decide('s', 'x', {}, { snapshot = { auto_approve = { 'x' } }, options = {} }).action, 'allow')
    t.eq(policy.decide('s', 'y', {}, { snapshot = { auto_approve = { 'x' } }, options = {} }).action, 'ask')
    t.eq(policy.decide('s', 'r', {}, { def = ro, options = {} }).action, 'ask')
    t.eq(policy.decide('s', 'r', {}, { def = ro, options = { approve_read_only = true } }).action, 'allow')
  end)
end)
