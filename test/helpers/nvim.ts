/**
 * Test helpers: get Neovim binaries and drive a real, isolated Neovim over msgpack-RPC.
 *
 * Each {@link startNvim} call spawns `nvim --embed --headless --clean -n` with this repository prepended to
 * 'runtimepath' and every XDG base directory pointing into a fresh temporary folder, so that
 * `stdpath("config") .. "/mcp.json"`, the log, the trust store and the shada of one test never meet another's
 * or the user's.
 *
 * Facts this relies on (checked on 0.10.4 and 0.12.4):
 * - `--clean` skips the user's init file and user directories but still loads plugins: a
 *   `--cmd 'set rtp^=<repo>'` makes Neovim source `<repo>/plugin/*.lua` itself during startup, exactly once.
 *   No `:runtime plugin/mcp.lua` is needed (it would source the file a second time). A missing `plugin/`
 *   folder is simply nothing to load.
 * - `--clean` still puts the system folders from `$XDG_CONFIG_DIRS` / `$XDG_DATA_DIRS` on 'runtimepath'
 *   (`/etc/xdg/nvim`, `/usr/share/nvim/site`, ...), so those are pointed at empty folders too.
 * - `stdpath("log")` is `$XDG_STATE_HOME/nvim` (same folder as `stdpath("state")`).
 * - With `--embed --headless` Neovim does not wait for a UI; RPC requests are served once startup is over
 *   (`v:vim_did_enter` is 1 by the time the first request is answered; {@link startNvim} checks it anyway).
 *
 * @module
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { attach, type NeovimClient } from 'neovim';

/** Absolute path of the repository root (the folder that holds `plugin/`, `lua/`, `scripts/`). */
export const repoRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where {@link ensureNvimBinaries} records the binaries for {@link nvimBinaries}. */
export const binariesFile: string = join(repoRoot, '.cache', 'nvim', 'binaries.json');

/** The Neovim minor versions the plugin supports and tests run on. */
export const supportedVersions = ['0.10', '0.12'] as const;

/** One Neovim binary to test on. */
export interface NvimBinary {
  /** Minor version, `"0.10"` or `"0.12"`: use it in test names. */
  version: string;
  /** Full version, e.g. `"0.12.4"`. */
  full: string;
  /** Absolute path of the `nvim` executable. */
  bin: string;
}

/**
 * The minor versions selected by `MCP_TEST_NVIM` (e.g. `0.12`, or `0.10,0.12`); all supported ones if unset.
 *
 * @throws if the variable names a version that is not supported.
 */
export function selectedVersions(): string[] {
  const raw = process.env.MCP_TEST_NVIM?.trim();
  if (!raw || raw === 'all') return [...supportedVersions];
  const wanted = raw.split(/[\s,]+/).filter(Boolean);
  for (const v of wanted) {
    if (!(supportedVersions as readonly string[]).includes(v)) {
      throw new Error(`MCP_TEST_NVIM=${raw}: unsupported version ${v} (supported: ${supportedVersions.join(', ')})`);
    }
  }
  return wanted;
}

function fullVersionOf(bin: string): string {
  const out = execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  const m = /^NVIM v(\d+\.\d+\.\d+\S*)/m.exec(out);
  if (!m) throw new Error(`${bin} --version printed no "NVIM vX.Y.Z" line:\n${out}`);
  return m[1]!;
}

/**
 * Runs `scripts/nvim.sh` for the selected versions (fetching them into `.cache/nvim/` if needed) and
 * records the result in {@link binariesFile}. Called once per run from vitest's globalSetup.
 *
 * `MCP_TEST_NVIM_BIN=/path/to/nvim` bypasses the script and tests that one binary only.
 *
 * @returns the binaries, oldest first.
 */
export function ensureNvimBinaries(): NvimBinary[] {
  let result: NvimBinary[];
  const custom = process.env.MCP_TEST_NVIM_BIN;
  if (custom) {
    const bin = resolve(custom);
    const full = fullVersionOf(bin);
    result = [{ version: full.split('.').slice(0, 2).join('.'), full, bin }];
  } else {
    const versions = selectedVersions();
    const arg = versions.length === supportedVersions.length ? 'all' : null;
    const args = arg ? [arg] : versions;
    const bins: string[] = [];
    for (const a of args) {
      const out = execFileSync(join(repoRoot, 'scripts', 'nvim.sh'), [a], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        timeout: 10 * 60_000,
      });
      bins.push(...out.split('\n').map((l) => l.trim()).filter(Boolean));
    }
    if (bins.length !== versions.length) {
      throw new Error(`scripts/nvim.sh printed ${bins.length} paths for ${versions.length} versions: ${bins.join(' ')}`);
    }
    result = versions.map((version, i) => {
      const bin = bins[i]!;
      const full = fullVersionOf(bin);
      if (!full.startsWith(`${version}.`)) throw new Error(`${bin} is ${full}, expected ${version}.x`);
      return { version, full, bin };
    });
  }
  mkdirSync(dirname(binariesFile), { recursive: true });
  const tmp = `${binariesFile}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(result, null, 2) + '\n');
  renameSync(tmp, binariesFile);
  return result;
}

/**
 * The Neovim binaries to run tests on, oldest first: `[{ version: '0.10', bin }, { version: '0.12', bin }]`,
 * restricted by `MCP_TEST_NVIM`. Synchronous, so it works at collection time:
 * `describe.each(nvimBinaries())('nvim $version', ({ bin }) => { ... })`.
 *
 * Reads what globalSetup recorded; without globalSetup (another runner, a script) it runs `scripts/nvim.sh`.
 */
export function nvimBinaries(): NvimBinary[] {
  let all: NvimBinary[] | undefined;
  if (existsSync(binariesFile)) {
    all = (JSON.parse(readFileSync(binariesFile, 'utf8')) as NvimBinary[]).filter((b) => existsSync(b.bin));
  }
  if (!all || all.length === 0) all = ensureNvimBinaries();
  if (process.env.MCP_TEST_NVIM_BIN) return all;
  const wanted = selectedVersions();
  const chosen = all.filter((b) => wanted.includes(b.version));
  if (chosen.length !== wanted.length) return ensureNvimBinaries();
  return chosen;
}

/** Options of {@link startNvim}. */
export interface StartOptions {
  /** Put this repository on 'runtimepath' (so `plugin/mcp.lua` loads at startup). Default true. */
  plugin?: boolean;
  /** Written to `stdpath("config")/mcp.json` before Neovim starts (e.g. for autostart tests). */
  config?: unknown;
  /** Extra environment for Neovim (and so for the host and servers it starts); `undefined` removes a name. */
  env?: Record<string, string | undefined>;
  /** Extra Neovim arguments, appended after the harness's own (e.g. `['--cmd', 'let g:x = 1', 'file.txt']`). */
  args?: string[];
  /** Working directory. Default: an empty `cwd/` folder inside the instance's temporary folder. */
  cwd?: string;
  /** Fail if startup left an error in `v:errmsg` (e.g. plugin/mcp.lua threw). Default true. */
  failOnStartupError?: boolean;
  /** How long startup may take. Default 20 s. */
  startTimeoutMs?: number;
}

/** Options of {@link NvimInstance.waitFor}. */
export interface WaitOptions {
  /** Give up after this long. Default 10 s. */
  timeoutMs?: number;
  /** Poll this often. Default 25 ms. */
  intervalMs?: number;
  /** Shown in the timeout error. Default: the Lua expression, or the function's source. */
  message?: string;
}

/** Folders of one Neovim instance; all inside {@link NvimDirs.root}, a fresh temporary folder. */
export interface NvimDirs {
  /** The instance's temporary folder (removed by `quit()` unless `MCP_TEST_KEEP=1`). */
  root: string;
  /** `stdpath("config")`: `$XDG_CONFIG_HOME/nvim`. */
  config: string;
  /** `stdpath("data")`: `$XDG_DATA_HOME/nvim`. */
  data: string;
  /** `stdpath("state")`: `$XDG_STATE_HOME/nvim`. */
  state: string;
  /** `stdpath("log")`: the same folder as `state`. */
  log: string;
  /** `stdpath("cache")`: `$XDG_CACHE_HOME/nvim`. */
  cache: string;
  /** Default working directory of the instance. */
  cwd: string;
}

/** A running, isolated Neovim. Always `await quit()` it (e.g. in `afterEach`/`afterAll`). */
export interface NvimInstance {
  /** The `neovim` package's client, attached to the instance over its stdio. */
  nvim: NeovimClient;
  /** The Neovim process. */
  proc: ChildProcess;
  /** Its process id. */
  pid: number;
  /** The binary that runs. */
  bin: string;
  /** Its folders. */
  dirs: NvimDirs;
  /**
   * Runs a Lua chunk (`nvim_exec_lua`) and resolves with what it returns. The chunk receives `args` as `...`.
   * Lua `nil` arrives as `null`; an empty Lua table as `[]` (use `vim.empty_dict()` for `{}`).
   * On a Lua error it rejects with an `Error` whose message holds the Lua message and the chunk.
   */
  lua<T = unknown>(code: string, ...args: unknown[]): Promise<T>;
  /**
   * Polls until `cond` yields a value other than `null`, `undefined` or `false` (Lua's truthiness: `0` and
   * `""` count as true) and resolves with it. `cond` is a Lua expression (`'vim.g.done'`), a Lua chunk
   * with its own `return` (`'local s = ... return s'`), or a function (sync or async). Errors thrown by
   * `cond` are retried until the timeout. Rejects on timeout with the last value and last error, or at once
   * if Neovim exits.
   */
  waitFor<T = unknown>(cond: string | (() => T | Promise<T>), opts?: WaitOptions): Promise<T>;
  /**
   * Writes `obj` as JSON to `stdpath("config")/<name>` (default `mcp.json`) and returns the file's path.
   * Synchronous on disk; the returned promise is for symmetry.
   */
  writeConfig(obj: unknown, name?: string): Promise<string>;
  /** The lines of a buffer (default: the current one). */
  bufferLines(bufnr?: number): Promise<string[]>;
  /** Everything Neovim wrote to its stderr so far. */
  stderr(): string;
  /** Whether the process has exited. */
  exited(): boolean;
  /**
   * Runs `:qa!`, waits up to `timeoutMs` (default 5 s) for the process to exit, kills it (SIGKILL) if it has
   * not, and removes the temporary folder (kept if `MCP_TEST_KEEP=1`). Resolves with the exit code (`null`
   * if killed). Safe to call more than once.
   */
  quit(timeoutMs?: number): Promise<number | null>;
  /** `await using nv = await startNvim(bin)` support: same as `quit()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

type NvimLogger = NonNullable<NonNullable<Parameters<typeof attach>[0]['options']>['logger']>;

/** Every instance not yet quit, killed if the test process exits without quitting them. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of live) {
    try {
      p.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

const timedOutMark: unique symbol = Symbol('timedOut');

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function show(v: unknown): string {
  if (v === undefined) return 'undefined';
  try {
    const s = JSON.stringify(v);
    return s.length > 2000 ? `${s.slice(0, 2000)}…` : s;
  } catch {
    return String(v);
  }
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  // The neovim client rejects with the RPC error [type, message] or a bare message.
  if (Array.isArray(e) && typeof e[1] === 'string') return e[1];
  return show(e);
}

/** Lua's truthiness. */
function truthy(v: unknown): boolean {
  return v !== null && v !== undefined && v !== false;
}

/** Neovim's minimal environment for a test: the parent's, minus anything that would leak in a user setup. */
function childEnv(root: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [
    'NVIM', // set inside :terminal of another Nvim
    'NVIM_LISTEN_ADDRESS',
    'NVIM_LOG_FILE',
    'NVIM_APPNAME',
    'VIMRUNTIME', // a parent Nvim's runtime would not match this binary
    'VIM',
    'VIMINIT',
    'EXINIT',
    'MYVIMRC',
  ]) {
    delete env[name];
  }
  Object.assign(env, {
    XDG_CONFIG_HOME: join(root, 'config'),
    XDG_DATA_HOME: join(root, 'data'),
    XDG_STATE_HOME: join(root, 'state'),
    XDG_CACHE_HOME: join(root, 'cache'),
    XDG_CONFIG_DIRS: join(root, 'xdg-config-dirs'),
    XDG_DATA_DIRS: join(root, 'xdg-data-dirs'),
  });
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Lua expression or chunk → chunk. */
function asChunk(code: string): string {
  return /^\s*return\b/m.test(code) ? code : `return (${code})`;
}

/**
 * Starts an isolated Neovim: `bin --embed --headless --clean -n`, this repository prepended to 'runtimepath'
 * (so `plugin/mcp.lua` is sourced by Neovim's own startup, if it exists), and `$XDG_CONFIG_HOME`,
 * `$XDG_DATA_HOME`, `$XDG_STATE_HOME`, `$XDG_CACHE_HOME`, `$XDG_CONFIG_DIRS`, `$XDG_DATA_DIRS` in a fresh
 * temporary folder. Resolves once startup is over (`v:vim_did_enter`).
 *
 * @param bin - path of the `nvim` executable, usually from {@link nvimBinaries}.
 * @param opts - see {@link StartOptions}.
 * @throws if Neovim exits or does not answer during startup, or (unless `failOnStartupError: false`) if
 *   startup set `v:errmsg`; the error carries Neovim's stderr and `:messages`.
 */
export async function startNvim(bin: string, opts: StartOptions = {}): Promise<NvimInstance> {
  const root = mkdtempSync(join(tmpdir(), 'mcp-nvim-test-'));
  const dirs: NvimDirs = {
    root,
    config: join(root, 'config', 'nvim'),
    data: join(root, 'data', 'nvim'),
    state: join(root, 'state', 'nvim'),
    log: join(root, 'state', 'nvim'),
    cache: join(root, 'cache', 'nvim'),
    cwd: opts.cwd ?? join(root, 'cwd'),
  };
  for (const d of [dirs.config, dirs.data, dirs.state, dirs.cache, join(root, 'xdg-config-dirs'), join(root, 'xdg-data-dirs')]) {
    mkdirSync(d, { recursive: true });
  }
  if (!opts.cwd) mkdirSync(dirs.cwd, { recursive: true });

  const writeConfigSync = (obj: unknown, name = 'mcp.json'): string => {
    const file = join(dirs.config, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, typeof obj === 'string' ? obj : JSON.stringify(obj, null, 2) + '\n');
    return file;
  };
  if (opts.config !== undefined) writeConfigSync(opts.config);

  const args = ['--embed', '--headless', '--clean', '-n'];
  if (opts.plugin !== false) args.push('--cmd', `set rtp^=${repoRoot.replace(/[ ,\\]/g, '\\$&')}`);
  args.push(...(opts.args ?? []));

  const proc = spawn(bin, args, {
    cwd: dirs.cwd,
    env: childEnv(root, opts.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(proc);
  // Writes after Neovim exited fail with EPIPE; the exit is reported by lua()/waitFor(), not as a crash.
  proc.stdin!.on('error', () => {});
  let stderr = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (chunk: string) => {
    stderr += chunk;
  });
  let exitCode: number | null | undefined; // undefined while running
  let exitSignal: NodeJS.Signals | null = null;
  /** Rejecters of the requests in flight: they fail when Neovim exits instead of hanging. */
  const inFlight = new Set<(e: Error) => void>();
  const exitedP = new Promise<number | null>((resolveExit) => {
    proc.once('exit', (code, signal) => {
      exitCode = code;
      exitSignal = signal;
      live.delete(proc);
      for (const reject of inFlight) reject(exitedError('lua()'));
      inFlight.clear();
      resolveExit(code);
    });
  });
  const spawnError = new Promise<never>((_, reject) => {
    proc.once('error', (e) => reject(new Error(`cannot start ${bin}: ${e.message}`)));
  });
  spawnError.catch(() => {});
  if (proc.pid === undefined) {
    live.delete(proc);
    rmSync(root, { recursive: true, force: true });
    await spawnError;
  }

  // A silent logger: the default one monkey-patches the test process's global `console`.
  const clientErrors: string[] = [];
  const logger = {
    level: 'error',
    info: () => logger,
    debug: () => logger,
    warn: () => logger,
    error: (...a: unknown[]) => {
      clientErrors.push(a.map(String).join(' '));
      return logger;
    },
  } as unknown as NvimLogger;
  const nvim = attach({ proc, options: { logger } });

  const exitedError = (what: string): Error =>
    new Error(
      `${what}: nvim (pid ${proc.pid}) exited (code ${String(exitCode)}, signal ${String(exitSignal)})\nstderr:\n${stderr}` +
        (clientErrors.length ? `\nRPC client errors:\n${clientErrors.join('\n')}` : ''),
    );

  const lua = async <T = unknown>(code: string, ...luaArgs: unknown[]): Promise<T> => {
    if (exitCode !== undefined) throw exitedError('lua()');
    return new Promise<T>((resolveLua, rejectLua) => {
      inFlight.add(rejectLua);
      nvim.lua(code, luaArgs as never[]).then(
        (v) => {
          inFlight.delete(rejectLua);
          resolveLua(v as T);
        },
        (e: unknown) => {
          inFlight.delete(rejectLua);
          rejectLua(new Error(`Lua error: ${errorText(e)}\n--- chunk ---\n${code}`, { cause: e }));
        },
      );
    });
  };

  const waitFor = async <T = unknown>(cond: string | (() => T | Promise<T>), wopts: WaitOptions = {}): Promise<T> => {
    const timeoutMs = wopts.timeoutMs ?? 10_000;
    const intervalMs = wopts.intervalMs ?? 25;
    const what = wopts.message ?? (typeof cond === 'string' ? cond : cond.toString());
    const poll: () => Promise<T> = typeof cond === 'string' ? () => lua<T>(asChunk(cond)) : async () => cond();
    const deadline = Date.now() + timeoutMs;
    let last: unknown = undefined;
    let lastError: unknown = undefined;
    let polls = 0;
    let cutOff = false; // the last poll was still running at the deadline
    for (;;) {
      if (exitCode !== undefined) throw exitedError(`waitFor(${what})`);
      const left = deadline - Date.now();
      polls++;
      try {
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<typeof timedOutMark>((r) => {
          timer = setTimeout(() => r(timedOutMark), Math.max(left, 1));
        });
        const v = await Promise.race([poll(), timedOut]);
        clearTimeout(timer);
        if (v === timedOutMark) {
          cutOff = true;
        } else {
          last = v;
          lastError = undefined;
          if (truthy(v)) return v as T;
        }
      } catch (e) {
        lastError = e;
      }
      if (Date.now() >= deadline) {
        const err = lastError === undefined ? '' : `\nlast error: ${errorText(lastError)}`;
        const cut = cutOff ? '\n(the last poll had not answered at the deadline)' : '';
        throw new Error(
          `waitFor timed out after ${timeoutMs} ms (${polls} polls): ${what}\nlast value: ${show(last)}${err}${cut}`,
        );
      }
      await sleep(Math.min(intervalMs, Math.max(deadline - Date.now(), 0)));
    }
  };

  let quitting: Promise<number | null> | undefined;
  const quit = (timeoutMs = 5_000): Promise<number | null> => {
    quitting ??= (async () => {
      if (exitCode === undefined) {
        try {
          // A notification: Neovim exits before it could answer a request.
          nvim.notify('nvim_command', ['qa!']);
        } catch {
          /* the pipe may be gone already */
        }
        let timer: NodeJS.Timeout | undefined;
        const late = await Promise.race([
          exitedP.then(() => false),
          new Promise<boolean>((r) => {
            timer = setTimeout(() => r(true), timeoutMs);
          }),
        ]);
        clearTimeout(timer);
        if (late) {
          proc.kill('SIGKILL');
          await exitedP;
        }
      }
      // Not nvim.close(): it waits for `stdin.end()`'s callback, which never comes once the pipe is gone.
      proc.stdin?.destroy();
      proc.stdout?.destroy();
      proc.stderr?.destroy();
      if (process.env.MCP_TEST_KEEP !== '1') rmSync(root, { recursive: true, force: true });
      return exitCode ?? null;
    })();
    return quitting;
  };

  const instance: NvimInstance = {
    nvim,
    proc,
    pid: proc.pid!,
    bin,
    dirs,
    lua,
    waitFor,
    writeConfig: async (obj, name) => writeConfigSync(obj, name),
    bufferLines: (bufnr = 0) => lua<string[]>('return vim.api.nvim_buf_get_lines(..., 0, -1, false)', bufnr),
    stderr: () => stderr,
    exited: () => exitCode !== undefined,
    quit,
    [Symbol.asyncDispose]: async () => {
      await quit();
    },
  };

  try {
    const state = await Promise.race([
      waitFor<{ entered: number; errmsg: string; messages: string }>(
        'return vim.v.vim_did_enter == 1 and { entered = 1, errmsg = vim.v.errmsg, messages = vim.fn.execute("messages") } or nil',
        { timeoutMs: opts.startTimeoutMs ?? 20_000, message: 'Neovim startup (v:vim_did_enter)' },
      ),
      spawnError,
    ]);
    if ((opts.failOnStartupError ?? true) && state.errmsg !== '') {
      throw new Error(`startup error (v:errmsg): ${state.errmsg}\n:messages:\n${state.messages}\nstderr:\n${stderr}`);
    }
  } catch (e) {
    await quit(1_000);
    throw e;
  }
  return instance;
}
