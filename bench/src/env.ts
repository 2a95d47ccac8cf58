/**
 * The bench's environment: the Neovim 0.12 binary, a headless Neovim with the plugin and the bench's Lua
 * (`bench/lua/bench.lua`) loaded, and the servers. Neovim is started by the test harness's own
 * `startNvim` (isolated XDG folders, this repository on 'runtimepath').
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, startNvim, type NvimInstance } from '../../test/helpers/nvim.js';
import { EVERYTHING, MODERN, PAGED, SLOW_INIT } from '../../test/helpers/mcp.js';

export { repoRoot, EVERYTHING, PAGED, SLOW_INIT };
export const BIG_RESOURCE = join(repoRoot, 'bench', 'servers', 'big-resource.mjs');
export const BENCH_LUA = join(repoRoot, 'bench', 'lua', 'bench.lua');
export const CACHE = join(repoRoot, '.cache', 'bench');

let nvimBin: string | undefined;
/** Absolute path of Neovim 0.12.x (fetched by scripts/nvim.sh if needed). */
export function nvim012(): string {
  nvimBin ??= execFileSync('bash', [join(repoRoot, 'scripts', 'nvim.sh'), '0.12'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  return nvimBin;
}

/** Folder for CPU profiles of the host when `--profile` is given; else undefined. */
export let profileDir: string | undefined;
let wrapper: string | undefined;

/**
 * Makes every host started from now on run under `node --cpu-prof` (profiles in `dir`), through a
 * wrapper script given to `setup({ node = ... })`.
 */
export function profileHostsInto(dir: string): void {
  profileDir = dir;
  mkdirSync(dir, { recursive: true });
  mkdirSync(CACHE, { recursive: true });
  wrapper = join(CACHE, 'node-cpu-prof.sh');
  writeFileSync(wrapper, `#!/bin/sh\nexec node --cpu-prof --cpu-prof-dir=${JSON.stringify(dir)} "$@"\n`);
  chmodSync(wrapper, 0o755);
}

/** A server definition as `setup({ servers = ... })` takes it. */
export type StdioDef = { command: string; args: string[] };
/** `auto_approve` as in |mcp-config| (the chat case lets the model's calls run without asking). */
export type ServerDef = (StdioDef | { url: string }) & { auto_approve?: boolean | string[] };

export const everything = (): StdioDef => ({ command: 'node', args: [EVERYTHING, 'stdio'] });
/** test/servers/modern.mjs: speaks only MCP 2026-07-28. */
export const modern = (): StdioDef => ({ command: 'node', args: [MODERN] });
export const paged = (count = 100, page = 50): StdioDef => ({ command: 'node', args: [PAGED, String(count), String(page)] });
/** paged.mjs's catalogue with `touch_tools` listed (`--touch`). */
export const catalog = (count = 100, page = 50): StdioDef => ({ command: 'node', args: [PAGED, String(count), String(page), '--touch'] });

/** A headless Neovim under test. */
export interface BenchNvim {
  nv: NvimInstance;
  /**
   * Runs `B.<fn>(tag, ...args)` of bench.lua and resolves with what it reports for `tag`
   * (`B.done(tag, result)`); rejects on a reported `error` or after `timeoutMs`.
   */
  run<T = Record<string, unknown>>(fn: string, args: unknown[], timeoutMs?: number): Promise<T>;
  /** The host's pid, once it answered `init`. */
  hostPid(): Promise<number>;
  quit(): Promise<void>;
}

let seq = 0;

/**
 * Starts Neovim 0.12 with the plugin, loads bench.lua, and calls `setup({ config_path = false, servers })`
 * (the host is not started: the first API call does that).
 */
export async function startBench(servers: Record<string, ServerDef>, extra: Record<string, unknown> = {}): Promise<BenchNvim> {
  const nv = await startNvim(nvim012());
  const waiters = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  nv.nvim.on('notification', (method: string, args: unknown[]) => {
    if (method !== 'bench') return;
    const [tag, result] = args as [string, Record<string, unknown>];
    const w = waiters.get(tag);
    if (!w) return;
    waiters.delete(tag);
    if (result && typeof result === 'object' && 'error' in result) w.reject(new Error(String(result.error)));
    else w.resolve(result);
  });
  const chan = await nv.nvim.channelId;
  await nv.lua('_G.B = dofile(select(1, ...)); B.init(select(2, ...))', BENCH_LUA, chan);
  const opts: Record<string, unknown> = { config_path: false, servers, ...extra };
  if (wrapper) opts.node = wrapper;
  await nv.lua('require("mcp").setup(...)', opts);
  return {
    nv,
    run<T>(fn: string, args: unknown[], timeoutMs = 60_000): Promise<T> {
      const tag = `${fn}#${++seq}`;
      const p = new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(tag);
          reject(new Error(`bench.lua ${fn}: no result within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.set(tag, {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
      });
      // The call itself returns at once; the result comes as a notification.
      nv.lua(`B[select(1, ...)](select(2, ...))`, fn, tag, ...args).catch((e: Error) => waiters.get(tag)?.reject(e));
      return p;
    },
    hostPid: () => nv.waitFor<number>('(require("mcp.host").info() or {}).pid', { message: 'host pid', timeoutMs: 20_000 }),
    async quit() {
      await nv.quit();
    },
  };
}
