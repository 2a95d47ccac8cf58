/**
 * Test helpers for driving mcp.nvim in a real Neovim against real MCP servers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { NvimInstance } from './nvim.js';
import { repoRoot } from './nvim.js';

const modules = join(repoRoot, 'node_modules', '@modelcontextprotocol');
/** Entry of `@modelcontextprotocol/server-everything`. */
export const EVERYTHING = join(modules, 'server-everything', 'dist', 'index.js');
/** Entry of `@modelcontextprotocol/server-filesystem`. */
export const FILESYSTEM = join(modules, 'server-filesystem', 'dist', 'index.js');
/** The project's own test servers (built with the SDK). */
export const SLOW_INIT = join(repoRoot, 'test', 'servers', 'slow-init.mjs');
export const PAGED = join(repoRoot, 'test', 'servers', 'paged.mjs');
/** The project's 2026-07-28-only server (SDK v2); `--http` serves Streamable HTTP. */
export const MODERN = join(repoRoot, 'test', 'servers', 'modern.mjs');
/** The OAuth-protected server with its two authorization servers (SDK router; test/servers/oauth.mjs). */
export const OAUTH = join(repoRoot, 'test', 'servers', 'oauth.mjs');
/** A 2025-11-25 server that exits when its first request is not `initialize`. */
export const STRICT_LEGACY = join(repoRoot, 'test', 'servers', 'strict-legacy.mjs');
/** `count-spawns.sh CMD ARGS...`: appends a line to `$MCP_SPAWN_LOG` per spawn, then runs the command. */
export const COUNT_SPAWNS = join(repoRoot, 'test', 'servers', 'count-spawns.sh');

/** The 2026-07-28-only test server over stdio. */
export const modernStdio = () => ({ command: 'node', args: [MODERN] });

/** server-everything over stdio. */
export const everythingStdio = () => ({ command: 'node', args: [EVERYTHING, 'stdio'] });
/** server-filesystem over stdio; with no directories it takes them from the client's roots. */
export const filesystemStdio = (...dirs: string[]) => ({ command: 'node', args: [FILESYSTEM, ...dirs] });

/** A snapshot as `require("mcp").servers()` returns it. */
export interface Server {
  name: string;
  status: string;
  error?: string;
  transport: string;
  tools: { name: string }[];
  server_info?: { name: string; version: string };
  /** The negotiated revision while connected, e.g. `2026-07-28`. */
  protocol_version?: string;
  /** Invalid items the server listed, left out of the lists: one line each. */
  problems?: string[];
}

/** `{ err, result }` of an API callback. */
export interface Outcome<T = Record<string, unknown>> {
  err: { code: number; message: string } | null;
  result: T | null;
}

/** Waits until `server` has `status` (default `connected`) and returns its snapshot. */
export function waitStatus(nv: NvimInstance, server: string, status = 'connected', timeoutMs = 15_000): Promise<Server> {
  return nv.waitFor<Server>(
    () =>
      nv.lua<Server>(
        `for _, s in ipairs(require("mcp").servers()) do if s.name == ... and s.status == select(2, ...) then return s end end return nil`,
        server,
        status,
      ),
    { timeoutMs, message: `server ${server} to be ${status}` },
  );
}

/** All snapshots, by name. */
export async function servers(nv: NvimInstance): Promise<Record<string, Server>> {
  const list = await nv.lua<Server[]>('return require("mcp").servers()');
  return Object.fromEntries(list.map((s) => [s.name, s]));
}

let seq = 0;
/**
 * Runs an asynchronous Lua API function whose last argument is `cb(err, result)` and resolves with the
 * outcome. `call` is a Lua expression of a function taking `cb`, e.g.
 * `function(cb) require("mcp").call_tool("everything", "echo", { message = "hi" }, cb) end`.
 */
export async function api<T = Record<string, unknown>>(nv: NvimInstance, call: string, timeoutMs = 15_000): Promise<Outcome<T>> {
  const key = `k${++seq}`;
  await nv.lua(
    `_G.__mcp_test = _G.__mcp_test or {}
     local key = ...
     local f = ${call}
     f(function(err, result) _G.__mcp_test[key] = { err = err or vim.NIL, result = result or vim.NIL } end)`,
    key,
  );
  return nv.waitFor<Outcome<T>>(`_G.__mcp_test[${JSON.stringify(key)}]`, { timeoutMs, message: call });
}

/**
 * `require("mcp").call_tool(server, tool, args, opts, cb)` → outcome.
 *
 * @param timeoutMs how long the test waits for the callback, ms
 * @param callTimeoutMs the call's own `timeout_ms` (none: the configured default)
 */
export function callTool(nv: NvimInstance, server: string, tool: string, args: unknown = {}, timeoutMs = 15_000, callTimeoutMs?: number) {
  const opts = callTimeoutMs === undefined ? '{}' : `{ timeout_ms = ${callTimeoutMs} }`;
  return api<{ content: { type: string; text?: string }[]; structuredContent?: unknown; isError?: boolean }>(
    nv,
    `function(cb) require("mcp").call_tool(${JSON.stringify(server)}, ${JSON.stringify(tool)}, vim.json.decode(${JSON.stringify(JSON.stringify(args))}), ${opts}, cb) end`,
    timeoutMs,
  );
}

/** Host process id (after the host started), from the Lua side. */
export function hostPid(nv: NvimInstance): Promise<number> {
  return nv.waitFor<number>('(require("mcp.host").info() or {}).pid', { message: 'host pid' });
}

/** Direct children of `pid`, from /proc. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // gone while reading
    }
  }
  return out;
}

/** Whether a process exists (and is not a zombie). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The command line of a process. */
export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** A server-everything over HTTP (`streamableHttp` or the legacy `sse`), on loopback. */
export interface HttpServer {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `mcp-server-everything <mode>` on a free port and waits until it listens.
 * Streamable HTTP serves `/mcp`; the legacy transport serves `/sse`.
 */
export async function startEverythingHttp(mode: 'streamableHttp' | 'sse'): Promise<HttpServer> {
  const port = await freePort();
  const proc = spawn('node', [EVERYTHING, mode], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  await listening(proc, `server-everything ${mode}`, /listening|running/i);
  return { url: `http://127.0.0.1:${port}/${mode === 'sse' ? 'sse' : 'mcp'}`, proc, stop: () => stopProcess(proc) };
}

/**
 * Starts the 2026-07-28-only test server over Streamable HTTP on a free loopback port and waits until
 * it listens; its URL is what it prints.
 */
export async function startModernHttp(): Promise<HttpServer> {
  const proc = spawn('node', [MODERN, '--http'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const m = await listening(proc, 'modern.mjs --http', /listening on (\S+)/);
  return { url: m[1]!, proc, stop: () => stopProcess(proc) };
}

/**
 * Starts the OAuth-protected test server (test/servers/oauth.mjs; `args` e.g. `--no-dcr`) on free
 * loopback ports and waits until it listens. `admin(path)` POSTs (or GETs, for `stats`) its control
 * endpoints: `ttl?seconds=N`, `revoke`, `migrate`, `stats`.
 */
export async function startOAuthHttp(...args: string[]): Promise<HttpServer & { admin: <T = unknown>(path: string) => Promise<T> }> {
  const proc = spawn('node', [OAUTH, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const m = await listening(proc, 'oauth.mjs', /listening on (\S+)/);
  const url = m[1]!;
  const admin = async <T,>(path: string): Promise<T> => {
    const res = await fetch(new URL(`/admin/${path}`, url), { method: path === 'stats' ? 'GET' : 'POST' });
    return (await res.json()) as T;
  };
  return { url, proc, stop: () => stopProcess(proc), admin };
}

/**
 * Waits until a server process prints `ready` on stdout or stderr (what is piped); rejects when it exits
 * first or after 15 s, with what it printed.
 */
function listening(proc: ChildProcess, name: string, ready: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolve(m);
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.on('exit', (code) => reject(new Error(`${name} exited (${code}): ${out}`)));
    setTimeout(() => reject(new Error(`${name} did not start: ${out}`)), 15_000).unref();
  });
}

/** SIGTERM, resolved once the process has exited. */
function stopProcess(proc: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });
}
