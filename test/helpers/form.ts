/**
 * Test helpers for the argument form (lua/mcp/ui/form.lua) and insert-mode completion.
 */
import type { NvimInstance } from './nvim.js';

/** Waits until a form is the current buffer and returns its lines. */
export async function waitForm(nv: NvimInstance): Promise<string[]> {
  await nv.waitFor('vim.bo.filetype == "mcp_form" and require("mcp.ui.form").get() ~= nil', { message: 'a form in the current window' });
  return nv.bufferLines();
}

/** Puts the cursor at the end of the field line `name: ...` of the current form. */
export async function toField(nv: NvimInstance, name: string): Promise<void> {
  await nv.lua(
    `local name = ...
     for i, l in ipairs(vim.api.nvim_buf_get_lines(0, 0, -1, false)) do
       if l:sub(1, #name + 1) == name .. ":" then vim.api.nvim_win_set_cursor(0, { i, #l }) return end
     end
     error("no field " .. name)`,
    name,
  );
}

/** The completion items shown in Insert mode (waits until there are some). */
export function waitCompletion(nv: NvimInstance): Promise<string[]> {
  return nv.waitFor<string[]>(
    `local info = vim.fn.complete_info({ "items" })
     if #info.items == 0 then return nil end
     return vim.tbl_map(function(i) return i.word end, info.items)`,
    { message: 'insert-mode completion items' },
  );
}
