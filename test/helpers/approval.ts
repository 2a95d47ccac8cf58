/**
 * Test helper for mcp.nvim's approval window (lua/mcp/ui/approval.lua, |mcp-approval|): the window that
 * asks the person before a model's tool call runs.
 */
import type { NvimInstance } from './nvim.js';

/**
 * Waits until the approval window is the current window and returns its lines.
 *
 * @param timeoutMs how long to wait, ms (default: waitFor's)
 */
export function waitApproval(nv: NvimInstance, timeoutMs?: number): Promise<string[]> {
  return nv.waitFor<string[]>(
    `local buf = vim.api.nvim_get_current_buf()
     if vim.b[buf].mcp_kind ~= 'approval' then return nil end
     return vim.api.nvim_buf_get_lines(buf, 0, -1, false)`,
    { message: 'the approval window', ...(timeoutMs ? { timeoutMs } : {}) },
  );
}
