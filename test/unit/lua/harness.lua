--- A minimal harness for unit tests of pure Lua functions, run by `nvim --clean -l run.lua {spec}`: Neovim
--- as a plain Lua interpreter with `vim.*` (no RPC session, no UI, no host). test/unit/lua.test.ts runs
--- each spec and turns every case into a vitest test.
local H = {}

---@type { name: string, ok: boolean, err?: string }[]
local results = {}
---@type string[]
local path = {}

---Groups cases under a name.
---@param name string
---@param fn fun()
function H.describe(name, fn)
  path[#path + 1] = name
  fn()
  path[#path] = nil
end

---One case: passes unless `fn` raises.
---@param name string
---@param fn fun()
function H.it(name, fn)
  local full = table.concat(vim.list_extend(vim.deepcopy(path), { name }), ' > ')
  local ok, err = xpcall(fn, debug.traceback)
  results[#results + 1] = { name = full, ok = ok, err = not ok and tostring(err) or nil }
end

---Fails unless `actual` deep-equals `expected`.
---@param actual any
---@param expected any
---@param what? string names the value in the failure
function H.eq(actual, expected, what)
  if not vim.deep_equal(actual, expected) then
    local msg = ('expected %s, got %s'):format(vim.inspect(expected), vim.inspect(actual))
    error((what and (what .. ': ') or '') .. msg, 2)
  end
end

---Fails unless `s` contains `part` (plain text).
---@param s any
---@param part string
function H.contains(s, part)
  if type(s) ~= 'string' or not s:find(part, 1, true) then
    error(('expected %s to contain %s'):format(vim.inspect(s), vim.inspect(part)), 2)
  end
end

---Writes the results as JSON on stdout (what the vitest side reads).
function H.report() io.stdout:write(vim.json.encode(results)) end

return H
