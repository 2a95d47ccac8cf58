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

  t.it('refuses an unknown key, naming it, the server and where such keys go', function()
    local ok, err = pcall(options.setup, { servers = { github = { command = 'gh', autoApprove = {} } } })
    t.eq(ok, false)
    t.contains(err, 'setup().servers.github')
    t.contains(err, 'unknown key "autoApprove"')
    t.contains(err, 'config file')
    local ok2, err2 = pcall(options.setup, { servers = { s = { command = 'x', timeout = 5 } } })
    t.eq(ok2, false)
    t.contains(err2, 'unknown key "timeout"')
  end)
end)
