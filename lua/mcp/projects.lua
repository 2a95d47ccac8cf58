--- Project-local server configs (|mcp-project-config|): `.mcp.json` (Claude Code), `.vscode/mcp.json`
--- (VS Code) and `.cursor/mcp.json` (Cursor) at the root of a project open in the editor.
---
--- A repository's config names commands to run, and a repository may come from anyone: each file is read
--- only through Neovim's trust store (`vim.secure.read`, |trust|), which asks the first time and again
--- whenever the file changes. An untrusted or ignored file is never sent to the host. The host gets the
--- whole set of trusted files whenever it changes (`set_projects`): their servers are added or replace
--- those of the same name; when the last buffer of a project is closed, its servers stop.
---
--- The projects are those of listed file buffers, found as the roots find them (|mcp-roots| markers),
--- plus the repository root (`.git`) above them, so a monorepo's top-level `.mcp.json` counts.
local M = {}

---Config files looked for in a project root, in the order they apply (a later one wins a name).
M.files = { '.mcp.json', '.vscode/mcp.json', '.cursor/mcp.json' }

---@class mcp.ProjectFile
---@field path string absolute path of the config file
---@field root string the project's root
---@field text string the file's content, as trusted

---What the trust store said per file, so that a file is asked about once per change, not at every
---buffer event: `text` is nil for a file not trusted (denied, or ignored this time).
---@type table<string, { stamp: string, text: string?, trust: string }>
local read_cache = {}
---@type string? the set last sent to the host (JSON)
local sent_key
local timer ---@type uv.uv_timer_t?
local group ---@type integer?
---@type fun(): string[]
local project_dirs = function() return {} end
---@type integer
local debounce_ms = 200

---Size and mtime of a file: a change of either reads it again through the trust store.
---@param path string
---@return string? stamp nil when the file does not exist
local function stamp(path)
  local st = vim.uv.fs_stat(path)
  if not st or st.type ~= 'file' then return nil end
  return ('%d:%d.%d'):format(st.size, st.mtime.sec, st.mtime.nsec)
end

---The stamp of Neovim's trust database: a `:trust` (or `vim.secure.trust()`) changes it, and a file
---not trusted before is then read again.
---@return string
local function trust_stamp() return stamp(vim.fn.stdpath('state') .. '/trust') or '' end

---The file's content if the user trusts it. `vim.secure.read` asks about a file it does not know (or
---whose content changed since it was trusted); a denied one returns nil without asking. A file is not
---read (nor asked about) again until it or the trust database changes: trusting or denying it later
---(|:trust|) takes effect at the next refresh.
---@param path string
---@param st string its stamp
---@return string?
local function trusted_text(path, st)
  local cached = read_cache[path]
  if cached and cached.stamp == st and cached.trust == trust_stamp() then return cached.text end
  local ok, text = pcall(vim.secure.read, path)
  if not ok then
    require('mcp.core.util').notify_later(('mcp: %s: %s'):format(path, tostring(text)), vim.log.levels.WARN)
    text = nil
  end
  read_cache[path] = { stamp = st, text = type(text) == 'string' and text or nil, trust = trust_stamp() }
  return read_cache[path].text
end

---The trusted config files of the projects open now, ordered by root then by `M.files`.
---@return mcp.ProjectFile[]
function M.compute()
  local roots, seen = {}, {} ---@type string[], table<string, true>
  for _, dir in ipairs(project_dirs()) do
    if not seen[dir] then
      seen[dir] = true
      roots[#roots + 1] = dir
    end
  end
  table.sort(roots)
  local out = {} ---@type mcp.ProjectFile[]
  for _, root in ipairs(roots) do
    for _, rel in ipairs(M.files) do
      local path = root .. '/' .. rel
      local st = stamp(path)
      local text = st and trusted_text(path, st)
      if text then out[#out + 1] = { path = path, root = root, text = text } end
    end
  end
  return out
end

---Recomputes now and tells the host when the set of trusted files changed.
---@return boolean changed
function M.refresh()
  local files = M.compute()
  local key = vim.json.encode(files)
  if key == sent_key then return false end
  sent_key = key
  require('mcp.core.process').request('set_projects', { projects = files }, { implicit = true }, function(err)
    -- A config error was shown by the host already (a `message` push); a host gone has said so itself.
    local codes = require('mcp.core.contract').codes
    if err and err.code ~= codes.ConfigError and err.code ~= codes.HostUnavailable then
      require('mcp.core.util').notify_later('mcp: project configs: ' .. err.message, vim.log.levels.WARN)
    end
  end)
  return true
end

---Schedules a refresh after `debounce_ms` of quiet.
function M.schedule()
  timer = timer or assert(vim.uv.new_timer())
  timer:stop()
  timer:start(debounce_ms, 0, vim.schedule_wrap(M.refresh))
end

---Starts following the open projects for a host that is starting (mcp.roots calls it): the first
---refresh runs on the next turn of the main loop, after `init` is sent, so a trust prompt never
---interrupts the start.
---@param dirs fun(): string[] the project directories of the listed file buffers
---@param options? { debounce_ms?: integer }
function M.attach(dirs, options)
  project_dirs = dirs
  debounce_ms = options and options.debounce_ms or debounce_ms
  sent_key = nil
  group = vim.api.nvim_create_augroup('mcp.projects', { clear = true })
  vim.api.nvim_create_autocmd({ 'BufAdd', 'BufDelete', 'BufWipeout', 'BufFilePost', 'DirChanged' }, {
    group = group,
    callback = function() M.schedule() end,
    desc = 'mcp.nvim: project config files of the open projects',
  })
  -- A project file edited in this editor is read again (and asked about again: its content changed).
  vim.api.nvim_create_autocmd('BufWritePost', {
    group = group,
    pattern = { '*/.mcp.json', '*/.vscode/mcp.json', '*/.cursor/mcp.json' },
    callback = function() M.schedule() end,
    desc = 'mcp.nvim: re-read a project config file written',
  })
  vim.schedule(M.refresh)
end

---Stops following the projects.
function M.detach()
  if group then pcall(vim.api.nvim_del_augroup_by_id, group) end
  if timer then timer:stop() end
  group = nil
end

---The trusted project files as last sent to the host (for |:checkhealth|).
---@return mcp.ProjectFile[]
function M.current() return sent_key and vim.json.decode(sent_key) or {} end

return M
