-- What the Lua side lists by hand is checked against the generated contract (lua/mcp/core/contract.lua,
-- from src/contract/ and the config schema): server statuses and server definition keys.
local t = require('harness')
local contract = require('mcp.core.contract')

---The keys of `tbl`, sorted.
---@param tbl table
---@return string[]
local function keys(tbl)
  local out = vim.tbl_keys(tbl)
  table.sort(out)
  return out
end

local statuses = vim.deepcopy(contract.server_statuses)
table.sort(statuses)

t.describe('server statuses', function()
  t.it(
    'the hub has an icon for exactly the statuses of the contract',
    function() t.eq(keys(require('mcp.ui.hub').icons), statuses, 'ui/hub.lua icons') end
  )

  t.it('each status of the contract has exactly one highlight group, and each group is defined', function()
    local hl = require('mcp.ui.hl')
    t.eq(keys(hl.status), statuses, 'ui/hl.lua status')
    for status, group in pairs(hl.status) do
      t.eq(hl.links[group] ~= nil, true, 'a link for ' .. group .. ' (' .. status .. ')')
    end
  end)
end)

t.describe('hub keys', function()
  t.it('the help line at the top names every single-key command of g? help', function()
    local hub = require('mcp.ui.hub')
    local line = {}
    for key in hub.keys_line:sub(#'mcp.nvim' + 1):gmatch('  (%S+) %S+') do
      line[key] = true
    end
    for _, h in ipairs(hub.help) do
      for key in h[1]:gmatch('[^, ]+') do
        if key ~= 'o' then t.eq(line[key], true, ('%q of g? help in keys_line'):format(key)) end
      end
    end
  end)
end)

t.describe('options: server definitions in setup()', function()
  local options = require('mcp.core.options')

  t.it('accepts every key of the config schema', function()
    local def = {}
    for _, key in ipairs(contract.server_keys) do
      def[key] = key == 'args' and {} or 'x'
    end
    t.eq(pcall(options.check_server_keys, def, 'setup().servers.s'), true)
  end)

  t.it('warns about an unknown key, naming it, the server and where such keys go, and goes on', function()
    local notes = {}
    local orig = vim.notify
    vim.notify = function(msg, level) notes[#notes + 1] = { msg = msg, level = level } end
    local ok, err = pcall(options.setup, { servers = { github = { command = 'gh', autoApprove = {} } } })
    local ok2 = pcall(options.setup, { servers = { s = { command = 'x', timeout = 5 } } })
    -- Read again (every read checks the layers): no second warning.
    options.get()
    vim.notify = orig
    t.eq(ok, true, err)
    t.eq(ok2, true)
    t.eq(#notes, 2, vim.inspect(notes))
    t.eq(notes[1].level, vim.log.levels.WARN)
    t.contains(notes[1].msg, 'setup().servers.github')
    t.contains(notes[1].msg, 'unknown key "autoApprove"')
    t.contains(notes[1].msg, 'config file')
    t.contains(notes[2].msg, 'unknown key "timeout"')
    t.contains(notes[2].msg, 'did you mean "timeout_ms"?')
  end)
end)

t.describe('options: unknown keys of setup()', function()
  local options = require('mcp.core.options')

  t.it('warns once about a typo, naming the key and the option it resembles', function()
    local notes = {}
    local orig = vim.notify
    vim.notify = function(msg, level) notes[#notes + 1] = { msg = msg, level = level } end
    local ok, err = pcall(options.setup, { autostrat = true, log_level = 'warn' })
    options.get()
    vim.notify = orig
    t.eq(ok, true, err)
    t.eq(#notes, 1, vim.inspect(notes))
    t.eq(notes[1].level, vim.log.levels.WARN)
    t.contains(notes[1].msg, 'setup()')
    t.contains(notes[1].msg, 'unknown key "autostrat"')
    t.contains(notes[1].msg, 'did you mean "autostart"?')
    -- The known options still apply.
    t.eq(options.get().log_level, 'warn')
  end)
end)
