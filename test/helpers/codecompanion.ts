/**
 * Test helpers for running mcp.nvim beside the real CodeCompanion (v19) in a real Neovim.
 *
 * - {@link ensureVendorPlugins} makes CodeCompanion and plenary.nvim available under `.cache/vendor/`:
 *   unpacked from the tarballs in `../shared/vendor/` (beside the repository; see its README), or, where
 *   that folder is absent (a fresh clone elsewhere), cloned from their origins at the same commits. The
 *   plugins are never committed.
 * - {@link startChat} starts Neovim 0.12 with both plugins and this repository on 'runtimepath' and
 *   CodeCompanion set up with an adapter extended from its `openai_compatible` adapter that talks to a
 *   {@link FakeLlm} (the one fake: no LLM runs here), and returns helpers that drive the chat buffer the way
 *   a user does: type the message, submit it with the chat's send keymap, wait for the answer.
 *
 * CodeCompanion needs Neovim 0.11 or newer: use {@link codecompanionNvim} to pick the binary (the 0.12 one),
 * and skip the suite when it is `undefined`.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { nvimBinaries, repoRoot, startNvim, type NvimBinary, type NvimInstance, type WaitOptions } from './nvim.js';
import type { FakeLlm } from './fake-llm.js';

/** A vendored plugin: where its pinned copy comes from. */
export interface VendorPlugin {
  /** Folder name the archive unpacks into (also the clone's folder name). */
  name: string;
  /** Archive in `../shared/vendor/`. */
  archive: string;
  /** The commit the archive holds; cloned when the archive is absent. */
  commit: string;
  /** Where to clone it from when the archive is absent. */
  origin: string;
}

/** The pinned plugins (same versions and commits as `../shared/vendor/README.md`). */
export const vendorPlugins = {
  codecompanion: {
    name: 'codecompanion.nvim',
    archive: 'codecompanion.nvim-v19.22.0.tar.gz',
    commit: 'f1afd02537c68b3dd6e0d41d4adda5ef538e0473',
    origin: 'https://github.com/olimorris/codecompanion.nvim',
  },
  plenary: {
    name: 'plenary.nvim',
    archive: 'plenary.nvim-b9fd522.tar.gz',
    commit: 'b9fd5226c2f76c951fc8ed5923d85e4de065e509',
    origin: 'https://github.com/nvim-lua/plenary.nvim',
  },
} as const satisfies Record<string, VendorPlugin>;

/** Where the plugins are unpacked: `.cache/vendor/<name>@<short commit>/`. */
export const vendorDir: string = join(repoRoot, '.cache', 'vendor');

/** The shared vendor folder beside the repository (`MCP_VENDOR_DIR` overrides it). */
export const sharedVendorDir: string = resolve(process.env.MCP_VENDOR_DIR ?? join(repoRoot, '..', 'shared', 'vendor'));

/** Absolute paths of the ready plugin folders (each is a plugin root, for 'runtimepath'). */
export interface VendorPaths {
  codecompanion: string;
  plenary: string;
}

/**
 * Makes one plugin's pinned copy ready and returns its folder. Idempotent and safe when several processes
 * run it at once: the copy is built in a temporary folder and renamed into place; the folder exists only
 * once complete, and a process that loses the race drops its own copy.
 *
 * @throws if neither the archive nor a clone gives the plugin (the message says which and why).
 */
function ensurePlugin(p: VendorPlugin): string {
  const final = join(vendorDir, `${p.name}@${p.commit.slice(0, 7)}`);
  if (existsSync(join(final, 'lua'))) return final;
  mkdirSync(vendorDir, { recursive: true });
  const work = mkdtempSync(join(vendorDir, `.${p.name}.tmp-`));
  try {
    const archive = join(sharedVendorDir, p.archive);
    const built = join(work, p.name);
    if (existsSync(archive)) {
      execFileSync('tar', ['xzf', archive, '-C', work], { stdio: ['ignore', 'ignore', 'pipe'] });
    } else {
      // A fresh clone elsewhere: the same commit from the plugin's origin (needs the network; CI has the archives).
      try {
        execFileSync('git', ['clone', '--quiet', '--filter=blob:none', '--no-checkout', p.origin, built], {
          stdio: ['ignore', 'ignore', 'pipe'],
          timeout: 5 * 60_000,
        });
        execFileSync('git', ['-C', built, 'checkout', '--quiet', p.commit], { stdio: ['ignore', 'ignore', 'pipe'] });
      } catch (e) {
        throw new Error(
          `vendor: ${archive} is absent and cloning ${p.origin} at ${p.commit} failed: ${(e as Error).message}`,
          { cause: e },
        );
      }
      rmSync(join(built, '.git'), { recursive: true, force: true });
    }
    if (!existsSync(join(built, 'lua'))) throw new Error(`vendor: ${p.name} has no lua/ folder after unpacking into ${built}`);
    writeFileSync(join(built, '.mcp-vendor'), `${p.name} ${p.commit}\n`);
    try {
      renameSync(built, final);
    } catch (e) {
      // Another process renamed its complete copy first: use that one.
      if (!existsSync(join(final, 'lua'))) throw e;
    }
    return final;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Makes CodeCompanion and plenary.nvim ready under {@link vendorDir} (unpacking `../shared/vendor/`'s
 * archives, or cloning the pinned commits where that folder is absent) and returns their folders.
 * Synchronous; a second call costs two `stat`s.
 *
 * @throws if a plugin cannot be had (no archive and no clone).
 */
export function ensureVendorPlugins(): VendorPaths {
  return { codecompanion: ensurePlugin(vendorPlugins.codecompanion), plenary: ensurePlugin(vendorPlugins.plenary) };
}

/** The Neovim to run CodeCompanion on (v19 needs 0.11+): the 0.12 binary, or `undefined` if not selected. */
export function codecompanionNvim(): NvimBinary | undefined {
  return nvimBinaries().find((b) => b.version === '0.12');
}

/** Options of {@link startChat}. */
export interface ChatOptions {
  /** The fake model CodeCompanion talks to. */
  llm: FakeLlm;
  /**
   * A Lua expression of a table deep-merged into CodeCompanion's setup options (after the harness's own),
   * e.g. `{ interactions = { chat = { tools = { my_tool = {...} } } } }`.
   */
  config?: string;
  /**
   * Whether the adapter streams (its `opts.stream`; CodeCompanion's default, and so the harness's, is true).
   * False makes every answer one JSON object instead of Server-Sent Events.
   */
  stream?: boolean;
  /**
   * Whether the adapter takes images (its `opts.vision`; the `openai_compatible` adapter's default, and so
   * the harness's, is true). False makes CodeCompanion leave image messages out of the request.
   */
  vision?: boolean;
  /** Passed on to {@link startNvim} (e.g. `config` for mcp.json, `env`). */
  nvim?: Parameters<typeof startNvim>[1];
  /** Neovim binary; default {@link codecompanionNvim}. */
  bin?: string;
}

/** A Neovim with CodeCompanion set up against the fake model. `await quit()` it. */
export interface ChatSession {
  /** The Neovim instance (its `lua`, `waitFor`, `quit`, ...). */
  nv: NvimInstance;
  /** Opens a chat buffer (`:CodeCompanionChat`) in a window and makes it current; resolves with its bufnr. */
  open(): Promise<number>;
  /**
   * Types `text` at the end of the chat buffer (normal-mode `G`, `A`, the text, `<Esc>`) and submits it with
   * the send keymap (`<CR>` in normal mode), as a user does. Opens a chat first if none is open. Resolves
   * once Neovim has taken the keys; use {@link ChatSession.waitForReply} to wait for the answer.
   */
  send(text: string): Promise<void>;
  /**
   * Waits until the turn started by the last {@link ChatSession.send} is over (CodeCompanion fired
   * `User CodeCompanionChatDone` or `CodeCompanionChatStopped` for it: after any tool calls and the model's
   * answers to their results), then resolves with the chat buffer's lines. Default timeout 20 s.
   */
  waitForReply(opts?: WaitOptions): Promise<string[]>;
  /** Waits until some line of the chat buffer contains `text`; resolves with all lines. Default 20 s. */
  waitForText(text: string, opts?: WaitOptions): Promise<string[]>;
  /** The chat buffer's lines. */
  lines(): Promise<string[]>;
  /** The chat buffer's text (lines joined with `\n`). */
  text(): Promise<string>;
  /** Stops the chat's request (`Chat:stop()`, what the chat's stop keymap `q` does). */
  stop(): Promise<void>;
  /** `:messages` and `v:errmsg`, to check that nothing raised. */
  errors(): Promise<{ errmsg: string; messages: string }>;
  /** Quits Neovim (see {@link NvimInstance.quit}). */
  quit(): Promise<number | null>;
}

/** The harness's CodeCompanion setup: adapter `fake_llm` extended from `openai_compatible`, pointing at the fake. */
const setupLua = `
local url, model, extra_src, stream, vision = ...
local extra = extra_src ~= vim.NIL and assert(loadstring("return " .. extra_src, "startChat config"))() or {}
local base = {
  adapters = {
    http = {
      fake_llm = function()
        return require("codecompanion.adapters").extend("openai_compatible", {
          name = "fake_llm",
          formatted_name = "Fake LLM",
          env = {
            url = url,
            api_key = "fake-llm-key",
            chat_url = "/v1/chat/completions",
            models_endpoint = "/v1/models",
          },
          schema = { model = { default = model } },
          opts = { stream = stream, vision = vision },
        })
      end,
    },
  },
  interactions = {
    chat = { adapter = "fake_llm" },
    inline = { adapter = "fake_llm" },
    cmd = { adapter = "fake_llm" },
  },
  opts = { log_level = "DEBUG" },
}
require("codecompanion").setup(vim.tbl_deep_extend("force", base, extra))
-- Turn ends, counted so a test can wait for the one it started.
_G.__cc_test = { done = 0, stopped = 0 }
vim.api.nvim_create_autocmd("User", {
  pattern = { "CodeCompanionChatDone", "CodeCompanionChatStopped" },
  callback = function(ev)
    if ev.match == "CodeCompanionChatDone" then
      _G.__cc_test.done = _G.__cc_test.done + 1
    else
      _G.__cc_test.stopped = _G.__cc_test.stopped + 1
    end
  end,
})
return true
`;

/** Escapes text for `nvim_input` (`<` starts a key name) and turns newlines into `<CR>`. */
function keys(text: string): string {
  return text.replace(/</g, '<lt>').replace(/\r?\n/g, '<CR>');
}

/**
 * Starts Neovim (0.12) with plenary, CodeCompanion and mcp.nvim on 'runtimepath' and CodeCompanion set up
 * against `opts.llm`. Isolation is {@link startNvim}'s (temporary XDG folders). CodeCompanion's log goes to
 * `stdpath("log")/codecompanion.log` at DEBUG level (kept with `MCP_TEST_KEEP=1`).
 *
 * @throws if the plugins cannot be had, Neovim does not start, or CodeCompanion's setup raises.
 */
export async function startChat(opts: ChatOptions): Promise<ChatSession> {
  const paths = ensureVendorPlugins();
  const bin = opts.bin ?? codecompanionNvim()?.bin;
  if (!bin) throw new Error('startChat: no Neovim 0.12 selected (CodeCompanion v19 needs 0.11+); skip the suite instead');
  const rtp = (p: string) => p.replace(/[ ,\\]/g, '\\$&');
  const nvOpts = opts.nvim ?? {};
  const nv = await startNvim(bin, {
    ...nvOpts,
    // Appended after the harness's `set rtp^=<repo>`: mcp.nvim stays first, the plugins follow it.
    args: ['--cmd', `set rtp+=${rtp(paths.plenary)},${rtp(paths.codecompanion)}`, ...(nvOpts.args ?? [])],
  });
  try {
    await nv.lua(setupLua, opts.llm.url, opts.llm.model, opts.config ?? null, opts.stream ?? true, opts.vision ?? true);
  } catch (e) {
    await nv.quit();
    throw e;
  }

  let endsBefore = 0;
  const ends = () => nv.lua<number>('return _G.__cc_test.done + _G.__cc_test.stopped');
  const chatBuf = () => nv.lua<number | null>('local c = require("codecompanion").last_chat() return c and c.bufnr or nil');
  const lines = async (): Promise<string[]> => {
    const b = await chatBuf();
    if (b === null) throw new Error('no CodeCompanion chat is open');
    return nv.bufferLines(b);
  };
  const open = async (): Promise<number> => {
    await nv.lua('vim.cmd("CodeCompanionChat")');
    const b = (await nv.waitFor<number | null>(chatBuf, { message: 'a CodeCompanion chat buffer' }))!;
    await nv.lua('local b = ... vim.api.nvim_set_current_win(vim.fn.bufwinid(b))', b);
    return b;
  };

  const session: ChatSession = {
    nv,
    open,
    send: async (text) => {
      let b = await chatBuf();
      if (b === null) b = await open();
      await nv.lua(
        'local b = ... local w = vim.fn.bufwinid(b) assert(w ~= -1, "chat buffer has no window") vim.api.nvim_set_current_win(w)',
        b,
      );
      endsBefore = await ends();
      // Keys a user types: to the end of the buffer, append the message, leave insert mode, send.
      await nv.nvim.input(`<Esc>GA${keys(text)}<Esc>`);
      await nv.nvim.input('<CR>');
      // nvim_input only queues the keys: a round trip after them returns once they were processed.
      await nv.lua('return vim.fn.mode()');
    },
    waitForReply: async (wopts = {}) => {
      await nv.waitFor(async () => (await ends()) > endsBefore, {
        timeoutMs: 20_000,
        message: 'the chat turn to end (User CodeCompanionChatDone/ChatStopped)',
        ...wopts,
      });
      return lines();
    },
    waitForText: async (text, wopts = {}) => {
      let last: string[] = [];
      try {
        await nv.waitFor(
          async () => {
            last = await lines();
            return last.some((l) => l.includes(text));
          },
          { timeoutMs: 20_000, ...wopts },
        );
      } catch (e) {
        throw new Error(`chat buffer never showed ${JSON.stringify(text)}; it holds:\n${last.join('\n')}`, { cause: e });
      }
      return last;
    },
    lines,
    text: async () => (await lines()).join('\n'),
    stop: async () => {
      await nv.lua('local c = require("codecompanion").last_chat() if c then c:stop() end');
    },
    errors: () => nv.lua<{ errmsg: string; messages: string }>('return { errmsg = vim.v.errmsg, messages = vim.fn.execute("messages") }'),
    quit: () => nv.quit(),
  };
  return session;
}
