-- Pure functions of the features: resource templates and sizes, tool arguments.
local t = require('harness')

t.describe('resources.templates.variables', function()
  local variables = require('mcp.resources.templates').variables

  t.it(
    'lists simple variables in order of appearance, each once',
    function()
      t.eq(variables('demo://resource/{id}/{part}/{id}'), {
        { name = 'id', explode = false, query = false },
        { name = 'part', explode = false, query = false },
      })
    end
  )

  t.it(
    'reads operators, lists, explode and prefix modifiers (RFC 6570)',
    function()
      t.eq(variables('file:///{+path}{?q,lang*}{#frag:3}'), {
        { name = 'path', explode = false, query = false },
        { name = 'q', explode = false, query = true },
        { name = 'lang', explode = true, query = true },
        { name = 'frag', explode = false, query = false },
      })
    end
  )

  t.it('finds none in a plain URI', function() t.eq(variables('file:///etc/hosts'), {}) end)
end)

t.describe('resources sizes', function()
  local resources = require('mcp.resources')

  t.it(
    'human_size speaks in B, KiB, MiB and GiB',
    function()
      t.eq(
        vim.tbl_map(resources.human_size, { 512, 1536, 10 * 1024 * 1024, 3 * 1024 ^ 3 }),
        { '512 B', '1.5 KiB', '10.0 MiB', '3.0 GiB' }
      )
    end
  )

  t.it('content_size counts text bytes and the decoded bytes of blobs', function()
    local text, blob = resources.content_size({
      contents = { { text = 'héllo' }, { blob = 'aGVsbG8=' }, { blob = 'YWJj\nZGVm' } },
    })
    t.eq({ text, blob }, { 6, 5 + 6 })
  end)
end)

t.describe('tools', function()
  local tools = require('mcp.tools')

  t.it('parse_args takes a JSON object, nothing as {}, and says what is wrong otherwise', function()
    t.eq(tools.parse_args('{"a": 1}', 's/t'), { a = 1 })
    t.eq(tools.parse_args('  ', 's/t'), vim.empty_dict())
    local _, err = tools.parse_args('[1]', 's/t')
    t.eq(err, 's/t: the arguments [1] must be a JSON object, like {"name": "value"}')
    _, err = tools.parse_args('{a}', 's/t')
    t.contains(err, 's/t: the arguments {a} are not valid JSON')
  end)

  t.it('skeleton fills required properties with defaults, first choices or empty values of their type', function()
    local schema = {
      properties = {
        msg = { type = 'string' },
        n = { type = 'integer' },
        mode = { enum = { 'fast', 'slow' } },
        level = { type = 'number', default = 2 },
        extra = { type = 'boolean' },
      },
      required = { 'msg', 'n', 'mode', 'level' },
    }
    t.eq(tools.skeleton(schema), '{"msg":"","n":0,"mode":"fast","level":2}')
    t.eq(tools.skeleton({ properties = {} }), '{}')
  end)

  t.it('takes_args is true only for a schema with properties', function()
    t.eq(tools.takes_args({ inputSchema = { type = 'object', properties = { a = {} } } }), true)
    t.eq(tools.takes_args({ inputSchema = { type = 'object' } }), false)
    t.eq(tools.takes_args(nil), false)
  end)
end)

t.describe('files', function()
  local files = require('mcp.core.files')

  t.it(
    'extension knows common MIME types, else takes a short subtype, else bin',
    function()
      t.eq(
        vim.tbl_map(
          files.extension,
          { 'image/png', 'audio/mpeg', 'application/x-tar', 'text/plain; charset=utf-8', 'weird' }
        ),
        { 'png', 'mp3', 'tar', 'txt', 'bin' }
      )
    end
  )
end)
