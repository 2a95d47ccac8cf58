-- luacheck (Debian's lua-check) for lua/, plugin/, bench/lua/ and test/unit/: `npm run lint`.
std = 'luajit'
globals = { 'vim' }
-- Column width is stylua's business (stylua.toml).
max_line_length = false
-- `self` is implicit in methods; unused ones are fine.
self = false
exclude_files = { '.cache/**', 'node_modules/**' }
