--- Options of mcp.nvim: defaults, merged with `vim.g.mcp` and then with `require("mcp").setup(opts)`.
---
--- Precedence, lowest first: |mcp-defaults| < `vim.g.mcp` < `setup(opts)`. `servers` merge by name
--- (a later definition of a name replaces the earlier one as a whole); every other option is replaced.
--- The JSON config file itself is read by the host, not here: see |mcp-config|.
local M = {}

local contract = require('mcp.core.contract')

-- `mcp.ServerDef` is generated from the host's config schema: lua/mcp/core/contract.lua.

---@class mcp.Options
---@field config_path? string|false JSON config file (default `stdpath("config") .. "/mcp.json"`; false: none)
---@field servers? table<string, mcp.ServerDef> servers added to (or merged over) the file's, by name
---@field node? string Node.js executable running the host (default "node")
---@field autostart? boolean start the host (and so every enabled server) right after startup (default false)
---@field log_level? "trace"|"debug"|"info"|"warn"|"error"|"fatal"|"silent" host log level (default "info")
---@field timeout_ms? integer default per-request timeout, ms (default 60000)
---@field resource_max_bytes? integer resources larger than this (bytes) are inserted or yanked only after confirmation (default 10 MiB)
---@field roots? mcp.RootsOptions how the roots announced to servers are computed (|mcp-roots|)
---@field approve? fun(server: string, tool: string, args: table): boolean|string|nil decides a model's tool call before anyone is asked: true allows, false denies, a string denies with that reason for the model, nil leaves it to the other rules (|mcp-approval|)
---@field approve_read_only? boolean tools annotated `readOnlyHint` run without asking when a model calls them (default false: annotations never approve on their own)
---@field sampling? mcp.SamplingOptions how servers' sampling requests are answered; without a `provider` sampling is not offered (|mcp-sampling|)

---@class mcp.Config
---@field config_path string|false
---@field servers table<string, mcp.ServerDef>
---@field node string
---@field autostart boolean
---@field log_level string
---@field timeout_ms integer
---@field resource_max_bytes integer
---@field roots mcp.RootsOptions
---@field approve? fun(server: string, tool: string, args: table): boolean|string|nil
---@field approve_read_only boolean
---@field sampling? mcp.SamplingOptions

---Defaults (those shared with the host come from the generated contract). `config_path` is computed on
---read (`stdpath("config")` may change before first use).
---@type mcp.Options
M.defaults = {
  config_path = nil,
  servers = {},
  node = 'node',
  autostart = false,
  log_level = contract.defaults.log_level,
  timeout_ms = contract.defaults.timeout_ms,
  resource_max_bytes = contract.defaults.resource_max_bytes,
  roots = {},
  approve_read_only = false,
}

---Log levels the host accepts, as a set.
local LOG_LEVELS = {}
for _, level in ipairs(contract.log_levels) do
  LOG_LEVELS[level] = true
end

---Options given to `setup()`, if it was called.
---@type mcp.Options?
local from_setup

---Option names `check` knows (each `opt()` adds its key), as a set.
---@type table<string, boolean>
local KNOWN = {}

---Unknown keys already warned about, by origin and key: `get()` checks every layer again on each read.
---@type table<string, boolean>
local warned = {}

---The known name closest to `key` (at most two edits away, or one of them a prefix of the other; case
---ignored), to suggest for a typo.
---@param key string
---@param names string[]
---@return string?
local function closest(key, names)
  local best, best_d
  key = key:lower()
  for _, name in ipairs(names) do
    local a, b = key, name:lower()
    -- Levenshtein distance, two rows.
    local prev = {}
    for j = 0, #b do
      prev[j] = j
    end
    for i = 1, #a do
      local cur = { [0] = i }
      for j = 1, #b do
        local cost = a:sub(i, i) == b:sub(j, j) and 0 or 1
        cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
      end
      prev = cur
    end
    local d = prev[#b]
    -- A shortened or lengthened name (`timeout` for `timeout_ms`) is as near as a typo.
    if #a >= 3 and #b >= 3 and (vim.startswith(b, a) or vim.startswith(a, b)) then d = math.min(d, 1) end
    if d <= 2 and (not best_d or d < best_d) then
      best, best_d = name, d
    end
  end
  return best
end

---Warns (once per place and key) about keys of `tbl` that are not in `known`: a typo (`autostrat`) would
---otherwise be ignored without a word. The warning names the key, where it is, and the nearest known key.
---@param tbl table
---@param known table<string, boolean>
---@param where string e.g. "setup()" or "setup().servers.github"
---@param hint? string appended to the warning
---@return string[] unknown the unknown keys, sorted
local function warn_unknown(tbl, known, where, hint)
  local unknown = {}
  for key in pairs(tbl) do
    if not known[key] then unknown[#unknown + 1] = tostring(key) end
  end
  table.sort(unknown)
  local names = vim.tbl_keys(known)
  table.sort(names)
  for _, key in ipairs(unknown) do
    local id = where .. '\0' .. key
    if not warned[id] then
      warned[id] = true
      local near = closest(key, names)
      local text = require('mcp.core.text')
      require('mcp.core.util').warn(
        ('option %s: unknown key "%s", ignored%s%s'):format(
          text.name(where, 0),
          text.name(key),
          near and (' (did you mean %q?)'):format(near) or '',
          hint or ''
        )
      )
    end
  end
  return unknown
end

---@param what string
---@param value any
---@param expected string
local function bad(what, value, expected)
  error(('mcp.nvim: option %s: expected %s, got %s'):format(what, expected, vim.inspect(value)), 0)
end

---Checks one layer of options; raises on the first wrong type.
---@param opts table
---@param origin string where the table came from, for messages ("setup()" or "vim.g.mcp")
local function check(opts, origin)
  if type(opts) ~= 'table' then bad(origin, opts, 'a table') end
  local function opt(key, ty, extra)
    KNOWN[key] = true
    local v = opts[key]
    if v == nil then return end
    if type(v) ~= ty and not (extra and extra(v)) then bad(origin .. '.' .. key, v, ty) end
  end
  opt('config_path', 'string', function(v) return v == false end)
  opt('servers', 'table')
  opt('node', 'string')
  opt('autostart', 'boolean')
  opt('log_level', 'string')
  opt('timeout_ms', 'number')
  opt('roots', 'table')
  opt('resource_max_bytes', 'number')
  opt('approve', 'function')
  opt('approve_read_only', 'boolean')
  opt('sampling', 'table')
  if opts.sampling ~= nil then M.check_sampling(opts.sampling, origin .. '.sampling') end
  if opts.resource_max_bytes ~= nil and (opts.resource_max_bytes <= 0 or opts.resource_max_bytes % 1 ~= 0) then
    bad(origin .. '.resource_max_bytes', opts.resource_max_bytes, 'a positive integer (bytes)')
  end
  if opts.log_level ~= nil and not LOG_LEVELS[opts.log_level] then
    bad(origin .. '.log_level', opts.log_level, 'one of ' .. table.concat(contract.log_levels, ', '))
  end
  if opts.timeout_ms ~= nil and (opts.timeout_ms <= 0 or opts.timeout_ms % 1 ~= 0) then
    bad(origin .. '.timeout_ms', opts.timeout_ms, 'a positive integer (ms)')
  end
  warn_unknown(opts, KNOWN, origin)
  for name, def in pairs(opts.servers or {}) do
    if type(name) ~= 'string' then bad(origin .. '.servers', name, 'server names as keys') end
    if type(def) ~= 'table' then bad(origin .. '.servers.' .. name, def, 'a table') end
    M.check_server_keys(def, origin .. '.servers.' .. name)
  end
end

---Keys of the `sampling` option and of its `openai` table, as sets.
local SAMPLING_KEYS =
  { provider = true, openai = true, codecompanion = true, models = true, tools = true, auto_approve = true }
local OPENAI_KEYS = { url = true, model = true, api_key_env = true, timeout_ms = true }

---Checks the `sampling` option (|mcp-sampling|); raises on a wrong type, warns about unknown keys.
---@param s table
---@param where string e.g. "setup().sampling"
function M.check_sampling(s, where)
  warn_unknown(s, SAMPLING_KEYS, where)
  local p = s.provider
  if p ~= nil and type(p) ~= 'function' and p ~= 'openai' and p ~= 'codecompanion' then
    bad(where .. '.provider', p, 'a function, "openai" or "codecompanion"')
  end
  if s.models ~= nil and (type(s.models) ~= 'table' or not vim.islist(s.models)) then
    bad(where .. '.models', s.models, 'a list of model names')
  end
  if s.tools ~= nil and type(s.tools) ~= 'boolean' then bad(where .. '.tools', s.tools, 'a boolean') end
  local a = s.auto_approve
  if a ~= nil and type(a) ~= 'boolean' and not (type(a) == 'table' and vim.islist(a)) then
    bad(where .. '.auto_approve', a, 'a boolean or a list of server names')
  end
  if s.codecompanion ~= nil and type(s.codecompanion) ~= 'table' then
    bad(where .. '.codecompanion', s.codecompanion, 'a table')
  end
  local o = s.openai
  if o ~= nil then
    if type(o) ~= 'table' then bad(where .. '.openai', o, 'a table') end
    warn_unknown(o, OPENAI_KEYS, where .. '.openai')
    for _, k in ipairs({ 'url', 'model', 'api_key_env' }) do
      if o[k] ~= nil and type(o[k]) ~= 'string' then bad(where .. '.openai.' .. k, o[k], 'a string') end
    end
    if o.timeout_ms ~= nil and (type(o.timeout_ms) ~= 'number' or o.timeout_ms <= 0) then
      bad(where .. '.openai.timeout_ms', o.timeout_ms, 'a positive number (ms)')
    end
  end
  if p == 'openai' and (type(o) ~= 'table' or not o.url or not o.model) then
    bad(where .. '.openai', o, 'a table with `url` and `model` (provider "openai")')
  end
end

---Keys of a server definition (the host's config schema, via the generated contract), as a set.
local SERVER_KEYS = {}
for _, key in ipairs(contract.server_keys) do
  SERVER_KEYS[key] = true
end

---Warns about keys of a server definition given in Lua (`setup()`, `vim.g.mcp`) that mcp.nvim does not
---know. Those tables are written for mcp.nvim alone, so an unknown key is a mistake (`timeout` for
---`timeout_ms`, `arg` for `args`) that would otherwise be ignored without a word; it is still ignored
---(the server starts), but the user is told, once. The JSON config file is different: other clients read
---it too and keep their own keys there (`autoApprove`, ...), so any extra key is accepted there quietly.
---@param def table
---@param where string names the definition in the warning, e.g. "setup().servers.github"
---@return string[] unknown the unknown keys, sorted (each warned about once)
function M.check_server_keys(def, where)
  return warn_unknown(
    def,
    SERVER_KEYS,
    where,
    ('; a server definition knows %s (keys of other clients go in the config file, see :help mcp-config)'):format(
      table.concat(contract.server_keys, ', ')
    )
  )
end

---Stores the options of `setup()`.
---@param opts mcp.Options|nil
---@return mcp.Config merged the resulting configuration
---@error when an option has the wrong type (the message names it)
function M.setup(opts)
  opts = opts or {}
  check(opts, 'setup()')
  from_setup = vim.deepcopy(opts)
  return M.get()
end

---The configuration now: defaults, `vim.g.mcp`, `setup()` options.
---@return mcp.Config
---@error when `vim.g.mcp` or an option has the wrong type
function M.get()
  local cfg = vim.deepcopy(M.defaults)
  cfg.servers = {}
  for _, layer in ipairs({ { vim.g.mcp, 'vim.g.mcp' }, { from_setup, 'setup()' } }) do
    local opts, origin = layer[1], layer[2]
    if opts ~= nil then
      check(opts, origin)
      for k, v in pairs(opts) do
        if k == 'servers' then
          for name, def in pairs(v) do
            cfg.servers[name] = vim.deepcopy(def)
          end
        else
          cfg[k] = vim.deepcopy(v)
        end
      end
    end
  end
  if cfg.config_path == nil then
    cfg.config_path = vim.fn.stdpath('config') .. '/mcp.json'
  elseif cfg.config_path then
    cfg.config_path = vim.fs.normalize(vim.fn.fnamemodify(cfg.config_path --[[@as string]], ':p'))
  end
  ---@cast cfg mcp.Config
  return cfg
end

---Has `setup()` been called?
---@return boolean
function M.was_setup() return from_setup ~= nil end

return M
