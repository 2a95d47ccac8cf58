-- A sampling request and a model's answer as editable text and back (mcp.sampling.text), and the model
-- chosen from a request's hints (mcp.sampling.providers.choose_model).
local t = require('harness')

local text = require('mcp.sampling.text')

local function request()
  return {
    messages = {
      { role = 'user', content = { type = 'text', text = 'Describe this picture' } },
      {
        role = 'user',
        content = {
          { type = 'image', mimeType = 'image/png', data = 'iVBORw0KGgo=' },
          { type = 'text', text = 'and this one' },
        },
      },
    },
    systemPrompt = 'Be brief.',
    maxTokens = 100,
    temperature = 0.5,
    modelPreferences = { hints = { { name = 'claude' } }, speedPriority = 0.25 },
  }
end

t.describe('sampling text', function()
  t.it('shows a request with its preferences, values, system prompt and messages', function()
    local lines, cursor = text.request_lines('srv', request())
    t.eq(lines, {
      '# srv asks to sample a model',
      '# model preferences: hints claude · speed 0.25',
      'max tokens: 100',
      'temperature: 0.5',
      'stop sequences: ',
      '── system prompt ──',
      'Be brief.',
      '── message 1: user ──',
      'Describe this picture',
      '── message 2: user · image image/png, 8 bytes (kept as is) ──',
      'and this one',
    })
    t.eq(cursor, 11)
  end)

  t.it('reads back what was not changed exactly as it came', function()
    local req = request()
    local lines = text.request_lines('srv', req)
    t.eq(text.parse_request(req, lines), req)
  end)

  t.it('reads edited values and texts; other content stays where it was', function()
    local req = request()
    local lines = text.request_lines('srv', req)
    lines[3] = 'max tokens: 7'
    lines[4] = 'temperature: '
    lines[5] = 'stop sequences: ["END"]'
    lines[7] = ''
    lines[11] = 'and this other one'
    local out = assert(text.parse_request(req, lines))
    t.eq(out.maxTokens, 7)
    t.eq(out.temperature, nil)
    t.eq(out.stopSequences, { 'END' })
    t.eq(out.systemPrompt, nil)
    t.eq(out.messages[1], req.messages[1])
    t.eq(out.messages[2].content, {
      { type = 'image', mimeType = 'image/png', data = 'iVBORw0KGgo=' },
      { type = 'text', text = 'and this other one' },
    })
  end)

  t.it('says what is wrong instead of guessing', function()
    local req = request()
    local lines = text.request_lines('srv', req)
    local bad = vim.deepcopy(lines)
    bad[3] = 'max tokens: lots'
    t.eq(select(2, text.parse_request(req, bad)), 'max tokens: expected a positive whole number, got "lots"')
    bad = vim.deepcopy(lines)
    table.remove(bad, 8)
    t.eq(select(2, text.parse_request(req, bad)) ~= nil, true)
    bad = vim.deepcopy(lines)
    bad[9] = ''
    t.eq(select(2, text.parse_request(req, bad)), 'message 1: no content left (give it some text)')
  end)

  t.it('shows an answer with tool calls as JSON and reads the edited input back', function()
    local result = {
      role = 'assistant',
      model = 'm',
      stopReason = 'toolUse',
      content = {
        { type = 'text', text = 'Let me look.' },
        { type = 'tool_use', id = 'c1', name = 'get_weather', input = { city = 'Paris' } },
      },
    }
    local lines = text.result_lines('srv', result, 'a test')
    t.eq(lines, {
      '# the model answered srv (through a test)',
      'model: m',
      'stop reason: toolUse',
      '── answer ──',
      'Let me look.',
      '── tool_use 1: get_weather (id c1; input as JSON) ──',
      '{',
      '  "city": "Paris"',
      '}',
    })
    lines[8] = '  "city": "Lyon"'
    local out = assert(text.parse_result(result, lines))
    t.eq(out.content[2].input, { city = 'Lyon' })
    t.eq(result.content[2].input, { city = 'Paris' })
    lines[8] = '  "city": '
    t.eq(select(2, text.parse_result(result, lines)):match('^tool_use 1: the input is not valid JSON') ~= nil, true)
  end)
end)

t.describe('sampling model choice', function()
  local choose = require('mcp.sampling.providers').choose_model
  t.it('takes the first configured model that contains a hint, hints in order, case ignored', function()
    local req = { modelPreferences = { hints = { { name = 'gpt-4' }, { name = 'Qwen' }, { name = 'llama' } } } }
    t.eq(choose(req, { 'llama3.1:8b', 'qwen2.5-coder:7b' }), 'qwen2.5-coder:7b')
    t.eq(choose(req, {}), nil)
    t.eq(choose({}, { 'llama3.1:8b' }), nil)
    t.eq(choose({ modelPreferences = { hints = { { name = 'mistral' } } } }, { 'llama3.1:8b' }), nil)
  end)
end)
