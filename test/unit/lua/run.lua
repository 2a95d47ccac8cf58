-- `nvim --clean -l test/unit/lua/run.lua {spec.lua}`: runs one spec with lua/ and this folder on the
-- package path, then prints its results as JSON (harness.lua).
local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
local root = vim.fn.fnamemodify(here, ':h:h:h')
package.path = table.concat({ root .. '/lua/?.lua', root .. '/lua/?/init.lua', here .. '/?.lua', package.path }, ';')
local spec = assert(_G.arg[1], 'usage: nvim --clean -l run.lua {spec.lua}')
dofile(spec)
require('harness').report()
