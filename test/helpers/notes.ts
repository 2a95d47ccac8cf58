/**
 * What the user is shown: `vim.notify`, recorded in the Neovim under test (and still shown), so that a
 * test can assert the messages a user would read.
 */
import type { NvimInstance } from './nvim.js';

/** One `vim.notify` call: its message and level (`vim.log.levels`, INFO when none was given). */
export interface Note {
  msg: string;
  level: number;
}

/** `vim.log.levels.WARN`. */
export const WARN = 3;

/**
 * Wraps `vim.notify` so that every call is appended to `_G.mcp_test_notes`, and still shown unless
 * `show` is false (for tests that provoke errors on purpose and only read them back).
 */
export async function recordNotes(nv: NvimInstance, opts: { show?: boolean } = {}): Promise<void> {
  await nv.lua(
    `_G.mcp_test_notes = {}
    local show = ...
    local orig = vim.notify
    vim.notify = function(msg, level, o)
      table.insert(_G.mcp_test_notes, { msg = msg, level = level or vim.log.levels.INFO })
      if show then return orig(msg, level, o) end
    end`,
    opts.show ?? true,
  );
}

/** The notifications recorded since {@link recordNotes} or the last {@link clearNotes}. */
export function notes(nv: NvimInstance): Promise<Note[]> {
  return nv.lua<Note[]>('return _G.mcp_test_notes');
}

/** Forgets the notifications recorded so far. */
export async function clearNotes(nv: NvimInstance): Promise<void> {
  await nv.lua('_G.mcp_test_notes = {}');
}

/** Waits for a notification whose message matches `re`; `message` says what is awaited when it fails. */
export function waitNote(nv: NvimInstance, re: RegExp, message: string, timeoutMs?: number): Promise<Note> {
  return nv.waitFor<Note>(async () => (await notes(nv)).find((n) => re.test(n.msg)) as Note, {
    message: `notification ${re}: ${message}`,
    ...(timeoutMs ? { timeoutMs } : {}),
  });
}
