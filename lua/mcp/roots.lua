--- Roots from the editor (MCP spec: client/roots).
---
--- The projects open in Neovim are the directories a server should work in. This module computes
--- them from listed file buffers (their project root, found by markers), the workspace folders of
--- attached LSP clients, and the projects of the global and tab-local working directories (a working
--- directory outside any project, such as $HOME, gives no root); keeps them deduplicated
--- (by default a root inside another root is dropped); and tells the host whenever the set changes,
--- debounced. The host answers `roots/list` from its own copy and notifies each server.
local M = {}

---@class mcp.RootsOptions
---@field enabled? boolean compute and announce roots at all (default true; false announces none)
---@field markers? string[] files or folders that mark a project root (default: .git and the common project files)
---@field buffers? boolean roots from listed file buffers (default true)
---@field lsp? boolean roots from LSP workspace folders (default true)
---@field cwd? boolean the projects of the global and tab-local working directories (default true)
---@field nested? boolean keep a root that lies inside another root (default false: the outer one wins)
---@field filter? fun(root: mcp.Root): boolean keep only the roots for which this returns true
---@field debounce_ms? integer wait this long (ms) after the last editor event before recomputing (default 200)

---@type mcp.RootsOptions
M.defaults = {
  enabled = true,
  markers = {
    '.git',
    '.hg',
    '.svn',
    '.jj',
    'package.json',
    'deno.json',
    'tsconfig.json',
    'pyproject.toml',
    'setup.py',
    'requirements.txt',
    'Cargo.toml',
    'go.mod',
    'go.work',
    'pom.xml',
    'build.gradle',
    'build.gradle.kts',
    'settings.gradle',
    'Gemfile',
    'composer.json',
    'mix.exs',
    'stack.yaml',
    'dune-project',
    'CMakeLists.txt',
    'meson.build',
    'Makefile',
    'flake.nix',
    '.luarc.json',
    'stylua.toml',
    '*.sln',
    '*.csproj',
  },
  buffers = true,
  lsp = true,
  cwd = true,
  nested = false,
  filter = nil,
  debounce_ms = 200,
}

---@type mcp.RootsOptions
local opts = vim.deepcopy(M.defaults)
---@type mcp.Root[]
local current = {}
local current_key = '[]'
---@type fun(roots: mcp.Root[])?
local on_change
local timer ---@type uv.uv_timer_t?
local group ---@type integer?

--- A path as roots compare them: absolute, normalized, symlinks resolved, no trailing slash.
---@param path string
---@return string
local function canonical(path)
  path = vim.fs.normalize(vim.fn.fnamemodify(path, ':p'))
  path = vim.uv.fs_realpath(path) or path
  if #path > 1 then path = path:gsub('/+$', '') end
  return path
end

--- `file://` URI of a directory, with RFC 3986 percent-encoding in upper-case hex (as Node writes it).
---@param path string absolute path
---@return string
function M.uri(path)
  return (vim.uri_from_fname(path):gsub('%%(%x%x)', function(h) return '%' .. h:upper() end))
end

--- Is `path` `root` itself or below it?
---@param path string
---@param root string
---@return boolean
local function inside(path, root)
  if path == root then return true end
  local prefix = root == '/' and '/' or root .. '/'
  return path:sub(1, #prefix) == prefix
end

--- Names of the listed file buffers (not `mcp://` and other URI buffers, not special buffers).
---@return string[]
local function file_buffers()
  local names = {} ---@type string[]
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    local name = vim.api.nvim_buf_get_name(buf)
    if name ~= '' and vim.bo[buf].buflisted and vim.bo[buf].buftype == '' and not name:match('^%a[%w+.-]*://') then
      names[#names + 1] = name
    end
  end
  return names
end

--- The projects of the listed file buffers, for project config files (mcp.projects): each buffer's
--- project root by the markers, and the repository root (`.git`) above it; canonical, unsorted, with
--- repeats. Independent of `enabled` and the sources chosen for roots: a project open in a buffer has
--- its config whether or not roots are announced.
---@return string[]
function M.buffer_projects()
  local dirs = {} ---@type string[]
  for _, name in ipairs(file_buffers()) do
    for _, markers in ipairs({ opts.markers or M.defaults.markers, { '.git' } }) do
      local root = vim.fs.root(name, markers)
      if root then dirs[#dirs + 1] = canonical(root) end
    end
  end
  return dirs
end

--- Directory candidates from every enabled source, in a stable order.
---@return string[]
local function candidates()
  local dirs = {} ---@type string[]
  if opts.buffers ~= false then
    for _, name in ipairs(file_buffers()) do
      local root = vim.fs.root(name, opts.markers or M.defaults.markers)
      if root then dirs[#dirs + 1] = root end
    end
  end
  if opts.lsp ~= false then
    local get = vim.lsp.get_clients or vim.lsp.get_active_clients
    for _, client in ipairs(get()) do
      for _, folder in ipairs(client.workspace_folders or {}) do
        dirs[#dirs + 1] = vim.uri_to_fname(folder.uri)
      end
    end
  end
  if opts.cwd ~= false then
    -- A working directory counts through its project, like a buffer: starting Neovim in $HOME must not
    -- hand every server the whole home directory.
    local cwds = { vim.fn.getcwd(-1, -1) }
    for tabnr = 1, vim.fn.tabpagenr('$') do
      cwds[#cwds + 1] = vim.fn.getcwd(-1, tabnr)
    end
    for _, cwd in ipairs(cwds) do
      local root = vim.fs.root(cwd, opts.markers or M.defaults.markers)
      if root then dirs[#dirs + 1] = root end
    end
  end
  return dirs
end

--- Computes the roots now from the editor's state.
---@return mcp.Root[] roots sorted by path; outer roots only unless `nested` is set
function M.compute()
  if opts.enabled == false then return {} end
  local seen, paths = {}, {} ---@type table<string, true>, string[]
  for _, dir in ipairs(candidates()) do
    local path = canonical(dir)
    if not seen[path] and vim.fn.isdirectory(path) == 1 then
      seen[path] = true
      paths[#paths + 1] = path
    end
  end
  table.sort(paths)
  local roots, kept = {}, {} ---@type mcp.Root[], string[]
  for _, path in ipairs(paths) do
    local covered = false
    if not opts.nested then
      for _, outer in ipairs(kept) do
        if inside(path, outer) then
          covered = true
          break
        end
      end
    end
    if not covered then
      local root = { uri = M.uri(path), name = vim.fs.basename(path) ~= '' and vim.fs.basename(path) or path }
      if not opts.filter or opts.filter(vim.deepcopy(root)) then
        kept[#kept + 1] = path
        roots[#roots + 1] = root
      end
    end
  end
  return roots
end

--- The roots last computed (and announced to the host).
---@return mcp.Root[]
function M.current() return vim.deepcopy(current) end

--- Recomputes now; calls the change handler only when the set differs from the last one.
---@return boolean changed
function M.refresh()
  local roots = M.compute()
  local key = vim.json.encode(roots)
  if key == current_key then return false end
  current, current_key = roots, key
  if on_change then on_change(vim.deepcopy(roots)) end
  return true
end

--- Schedules a refresh after `debounce_ms` of quiet.
function M.schedule()
  timer = timer or assert(vim.uv.new_timer())
  timer:stop()
  timer:start(opts.debounce_ms or M.defaults.debounce_ms, 0, vim.schedule_wrap(M.refresh))
end

--- Starts following the editor: computes the roots at once and then on every relevant event.
---@param options mcp.RootsOptions|nil merged over the defaults
---@param notify fun(roots: mcp.Root[]) called with the new set whenever it changes
---@return mcp.Root[] roots the current set
function M.attach(options, notify)
  opts = vim.tbl_extend('force', vim.deepcopy(M.defaults), options or {})
  on_change = notify
  group = vim.api.nvim_create_augroup('mcp.roots', { clear = true })
  vim.api.nvim_create_autocmd(
    { 'BufAdd', 'BufDelete', 'BufWipeout', 'BufFilePost', 'DirChanged', 'TabClosed', 'LspAttach', 'LspDetach' },
    { group = group, callback = function() M.schedule() end, desc = 'mcp.nvim: recompute roots' }
  )
  current = M.compute()
  current_key = vim.json.encode(current)
  -- Project config files follow the same projects (|mcp-project-config|).
  require('mcp.projects').attach(M.buffer_projects, { debounce_ms = opts.debounce_ms })
  return vim.deepcopy(current)
end

--- Stops following the editor.
function M.detach()
  require('mcp.projects').detach()
  if group then pcall(vim.api.nvim_del_augroup_by_id, group) end
  if timer then timer:stop() end
  group, on_change = nil, nil
end

return M
