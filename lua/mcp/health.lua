--- `:checkhealth mcp` (|mcp-health|). The only place mcp.nvim waits: briefly, for `node --version` and
--- for the host's first reply.
local M = {}

local health = vim.health

---@param text string
---@return integer[]? version { major, minor, patch }
local function parse_version(text)
  local a, b, c = (text or ''):match('v?(%d+)%.(%d+)%.(%d+)')
  if a then return { tonumber(a), tonumber(b), tonumber(c) } end
end

local function check_neovim()
  local v = vim.version()
  local s = ('%d.%d.%d'):format(v.major, v.minor, v.patch)
  if vim.fn.has('nvim-0.10') == 1 then
    health.ok('Neovim ' .. s)
  else
    health.error('Neovim ' .. s .. ' is too old', 'mcp.nvim needs Neovim 0.10 or newer')
  end
end

---@param cfg mcp.Config
---@return boolean ok
local function check_node(cfg)
  if vim.fn.executable(cfg.node) ~= 1 then
    health.error(('Node.js not found: %q is not executable'):format(cfg.node), {
      'Install Node.js 20 or newer (https://nodejs.org)',
      'or set the `node` option to its path: require("mcp").setup({ node = "/path/to/node" })',
    })
    return false
  end
  local ok, res = pcall(function() return vim.system({ cfg.node, '--version' }, { text = true }):wait(5000) end)
  if not ok or res.code ~= 0 then
    health.error(('`%s --version` failed: %s'):format(cfg.node, ok and (res.stderr or res.code) or tostring(res)))
    return false
  end
  local out = vim.trim(res.stdout or '')
  local v = parse_version(out)
  if not v then
    health.warn(('cannot tell the version of %s from %q'):format(cfg.node, out))
  elseif v[1] < 20 then
    health.error(
      ('Node.js %s is too old (%s)'):format(out, vim.fn.exepath(cfg.node)),
      'mcp.nvim needs Node.js 20 or newer'
    )
    return false
  else
    health.ok(('Node.js %s (%s)'):format(out, vim.fn.exepath(cfg.node)))
  end
  return true
end

---@return boolean ok
local function check_build()
  local root = require('mcp.core.process').root()
  if vim.uv.fs_stat(root .. '/dist/host.js') then
    health.ok('host built: ' .. root .. '/dist/host.js')
    return true
  end
  health.error('the host is not built (no dist/host.js)', {
    ('run `npm ci && npm run build` in %s'):format(root),
    'with lazy.nvim: build = "npm ci && npm run build"',
  })
  return false
end

---What the environment of stdio servers holds (|mcp-env|): the minimal set unless the file or a server
---opts in to more.
---@param file table the decoded config file
---@param cfg mcp.Config
local function check_env(file, cfg)
  local function describe(v)
    if v == true then return 'the whole environment of the editor' end
    if type(v) == 'table' then return 'also ' .. table.concat(v, ', ') end
  end
  health.info(
    'stdio servers get a minimal environment (HOME, LOGNAME, PATH, SHELL, TERM, USER and the platform equivalents) plus their `env`; see :help mcp-env'
  )
  if describe(file.env_inherit) then health.warn('every stdio server inherits ' .. describe(file.env_inherit)) end
  local function map(t) return type(t) == 'table' and t or {} end
  local servers = vim.tbl_extend('force', map(file.mcpServers), map(file.servers), map(cfg.servers))
  local names = vim.tbl_keys(servers)
  table.sort(names)
  for _, name in ipairs(names) do
    local def = servers[name]
    local says = type(def) == 'table' and describe(def.env_inherit)
    if says then health.info(('%s inherits %s'):format(name, says)) end
  end
end

---The file as Lua sees it, before the host is asked: present, readable, JSON.
---@param cfg mcp.Config
---@return boolean ok worth asking the host about
local function check_config_file(cfg)
  local path = cfg.config_path
  if not path then
    health.info('no config file (config_path = false)')
  elseif vim.uv.fs_stat(path) == nil then
    health.info('config file not found: ' .. path .. ' (servers come from setup() only)')
  else
    local ok, text = pcall(vim.fn.readfile, path)
    local decoded, value = false, nil
    if ok then
      decoded, value = pcall(vim.json.decode, table.concat(text, '\n'))
    end
    if not ok then
      health.error('cannot read the config file ' .. path)
      return false
    elseif table.concat(text, ''):match('^%s*$') then
      health.warn('config file is empty: ' .. path)
    elseif not decoded then
      health.error(('config file is not valid JSON: %s'):format(path), tostring(value))
      return false
    elseif type(value) ~= 'table' or (value.mcpServers == nil and value.servers == nil) then
      health.warn(('config file %s has neither "mcpServers" nor "servers"'):format(path), ':help mcp-config')
    end
    if decoded and type(value) == 'table' then check_env(value, cfg) end
  end
  local n = vim.tbl_count(cfg.servers)
  if n > 0 then
    health.info(('%d server(s) from setup()/vim.g.mcp: %s'):format(n, table.concat(vim.tbl_keys(cfg.servers), ', ')))
  end
  return true
end

---Project config files: which are trusted and in use (|mcp-project-config|).
local function check_projects()
  local files = require('mcp.projects').current()
  if #files == 0 then
    health.info(
      'no trusted project config files (.mcp.json, .vscode/mcp.json, .cursor/mcp.json) in the open projects; see :help mcp-project-config'
    )
  end
  for _, f in ipairs(files) do
    health.info(('project config in use (trusted, see :help :trust): %s'):format(f.path))
  end
end

---The host's verdict on the whole configuration (file and setup() merged, every key validated).
---@param cfg mcp.Config
local function check_config_loaded(cfg)
  local store = require('mcp.core.store')
  vim.wait(2000, function() return store.config_status() ~= nil end, 20)
  local status = store.config_status()
  if not status then
    health.warn('the host has not reported loading the configuration yet')
  elseif status.error then
    health.error('configuration rejected: ' .. status.error, { 'fix the file; edits apply live', ':help mcp-config' })
  else
    local path = cfg.config_path and vim.uv.fs_stat(cfg.config_path) and cfg.config_path
    health.ok(path and ('config file: ' .. path) or 'configuration valid')
  end
end

---@return boolean ok
local function check_host()
  local host = require('mcp.core.process')
  local store = require('mcp.core.store')
  if not host.running() then health.info('the host was not running: starting it') end
  local _, err = host.try_ensure(false)
  if err then
    health.error(err)
    return false
  end
  local replied = vim.wait(5000, function() return host.info() ~= nil or not host.running() end, 20)
  local info = host.info()
  if not replied or not info then
    health.error('the host did not answer `init` within 5 s', 'see the log: ' .. host.log_path())
    return false
  end
  health.ok(('host %s running (pid %d); log: %s'):format(info.version, info.pid, info.log_path))
  health.info(
    ('the log is rotated at %d KiB to %s.1 (mode 0600); repeated lines are rate-limited'):format(
      require('mcp.core.contract').defaults.log_max_bytes / 1024,
      info.log_path
    )
  )
  -- Let the `servers` reply land so that the list below is complete.
  vim.wait(1000, function() return #store.snapshots() > 0 end, 20)
  return true
end

local function check_servers()
  local store = require('mcp.core.store')
  local config_error = (store.config_status() or {}).error
  for _, m in ipairs(store.messages()) do
    -- A config error was reported above, under the configuration.
    local reported = config_error and vim.startswith(m.text, config_error)
    if reported then -- luacheck: ignore 542 (nothing more to say)
    elseif m.level == 'error' then
      health.error('the host reported: ' .. m.text)
    elseif m.level == 'warn' then
      health.warn('the host reported: ' .. m.text)
    end
  end
  local list = store.snapshots()
  if #list == 0 then
    health.info(
      config_error and 'no servers (the configuration was rejected)' or 'no servers configured; see :help mcp-config'
    )
    return
  end
  -- Servers still starting get a moment to settle.
  vim.wait(3000, function()
    for _, s in ipairs(store.snapshots()) do
      if s.status == 'starting' then return false end
    end
    return true
  end, 50)
  for _, s in ipairs(store.snapshots()) do
    local facts = { s.transport }
    if s.protocol_version then facts[#facts + 1] = 'MCP ' .. s.protocol_version end
    if s.server_info then
      -- The server's own words: one line, control characters escaped (|mcp-server-text|).
      local text = require('mcp.core.text')
      table.insert(facts, 1, ('%s %s'):format(text.name(s.server_info.name), text.name(s.server_info.version)))
    end
    if s.status == 'connected' then
      facts[#facts + 1] = ('%d tools, %d prompts, %d resources'):format(#s.tools, #s.prompts, #s.resources)
    end
    local line = ('%s: %s (%s)'):format(s.name, s.status, table.concat(facts, ', '))
    if s.status == 'connected' then
      health.ok(line)
    elseif s.status == 'disabled' then
      health.info(line)
    elseif s.status == 'failed' and s.authorization == 'required' then
      health.warn(line .. (s.error and (': ' .. s.error) or ''), ':Mcp auth ' .. s.name)
    elseif s.status == 'failed' then
      health.error(line .. (s.error and (': ' .. s.error) or ''), 'see :Mcp log')
    else
      health.warn(line .. (s.error and (': ' .. s.error) or ''))
    end
  end
end

---OAuth token files (|mcp-oauth|): where they are, for how many servers, and that nobody else can read
---them (the host makes the folder 0700; a folder widened since is reported).
local function check_tokens()
  local dir = vim.fn.stdpath('data') .. '/mcp/auth'
  local st = vim.uv.fs_stat(dir)
  if not st then return health.info('OAuth tokens: none kept yet (they go to ' .. dir .. ')') end
  local n = 0
  for name, kind in vim.fs.dir(dir) do
    if kind == 'file' and name:match('%.json$') then n = n + 1 end
  end
  local perm = st.mode % 512 -- the permission bits (0777)
  if perm % 64 ~= 0 then
    health.warn(('OAuth tokens: %s can be read by other users (mode %o)'):format(dir, perm), 'chmod 700 ' .. dir)
  else
    health.ok(('OAuth tokens of %d server(s) in %s (mode %o)'):format(n, dir, perm))
  end
end

---The `sampling` option (|mcp-sampling|): the provider, and what it needs (its endpoint and key, or
---CodeCompanion).
---@param cfg mcp.Config
local function check_sampling(cfg)
  local s = cfg.sampling
  if type(s) ~= 'table' or s.provider == nil then
    return health.info('not offered to servers: no `sampling.provider` (see :help mcp-sampling)')
  end
  local tools = require('mcp.sampling.providers').tools(s) and 'with tools' or 'without tools'
  if type(s.provider) == 'function' then
    health.ok(('provider: your function (%s)'):format(tools))
  elseif s.provider == 'openai' then
    local o = s.openai or {}
    health.ok(('provider: OpenAI-compatible endpoint %s, model %s (%s)'):format(o.url, o.model, tools))
    local env = o.api_key_env or require('mcp.core.contract').defaults.sampling_api_key_env
    local key = vim.env[env]
    if key and key ~= '' then
      health.ok(('API key from $%s (set)'):format(env))
    else
      health.info(('$%s is unset: no API key is sent (right for Ollama and llama.cpp)'):format(env))
    end
  elseif s.provider == 'codecompanion' then
    if pcall(require, 'codecompanion') then
      health.ok(("provider: CodeCompanion's chat adapter (%s)"):format(tools))
    else
      health.error('provider "codecompanion", but CodeCompanion is not installed')
    end
  end
  local auto = s.auto_approve
  if auto == true then
    health.warn('every server samples without asking (`sampling.auto_approve = true`)')
  elseif type(auto) == 'table' and #auto > 0 then
    health.info('sampling without asking: ' .. table.concat(auto, ', '))
  end
end

function M.check()
  health.start('mcp.nvim: requirements')
  check_neovim()
  local ok_cfg, cfg = pcall(require('mcp.core.options').get)
  if not ok_cfg then
    health.error(tostring(cfg))
    return
  end
  local node_ok = check_node(cfg)
  local built = check_build()

  health.start('mcp.nvim: host')
  local host_ok = false
  if not (node_ok and built) then
    health.warn('not starting the host: fix the errors above first')
  else
    host_ok = check_host()
  end

  health.start('mcp.nvim: configuration')
  -- The file's own checks first; then the host's verdict on every key, when the host answers.
  if check_config_file(cfg) and host_ok then check_config_loaded(cfg) end
  check_projects()
  check_tokens()

  health.start('mcp.nvim: sampling')
  check_sampling(cfg)

  if host_ok then
    health.start('mcp.nvim: servers')
    check_servers()
  end
end

return M
