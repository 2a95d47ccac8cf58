/**
 * Crashes, hangs and stops, at the session level (no Neovim; real servers of our own, misbehaving on
 * purpose): nothing a server started outlives it, the restart policy backs off and gives up, a dead or
 * silent HTTP server is noticed, and failures say what and where. The restart policy's numbers are
 * shortened here (the same code runs with the contract's in test/lua/leftovers.test.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../src/config/types.js';
import { ErrorCodes } from '../../src/contract/errors.js';
import { silentLogger } from '../../src/log.js';
import { EraCache } from '../../src/session/era-cache.js';
import { Session, type SessionDeps } from '../../src/session/session.js';
import { freePort, MODERN, SLOW_INIT, startEverythingHttp, startModernHttp, type HttpServer } from '../helpers/mcp.js';
import { FLAKY, groupMembers, leftBehind, processes, SILENT_HTTP, STUBBORN, WRAPPED } from '../helpers/procs.js';

const stdio = (name: string, command: string, args: string[], over: Partial<ServerConfig> = {}): ServerConfig =>
  ({ name, transport: 'stdio', command, args, env: {}, disabled: false, roots: true, source: 'test', inputs: [], ...over }) as ServerConfig;
const remote = (name: string, transport: 'http' | 'sse', url: string, over: Partial<ServerConfig> = {}): ServerConfig =>
  ({ name, transport, url, headers: {}, disabled: false, roots: true, source: 'test', inputs: [], ...over }) as ServerConfig;

const sessions: Session[] = [];
const procs: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.stop()));
  for (const p of procs.splice(0)) p.kill('SIGKILL');
});

/** A session with a fast restart policy; `messages` collects what the user is told. */
function session(cfg: ServerConfig, over: Partial<SessionDeps> = {}): { s: Session; messages: string[] } {
  const messages: string[] = [];
  const s = new Session(cfg, {
    log: silentLogger,
    timeoutMs: 20_000,
    verdicts: new EraCache(undefined, silentLogger),
    onChange: () => {},
    onMessage: (_level, text) => messages.push(text),
    roots: () => [],
    onResourceUpdated: () => {},
    restart: { baseMs: 20, max: 3, stableMs: 60_000 },
    ...over,
  });
  sessions.push(s);
  return { s, messages };
}

/** Polls `cond` every 20 ms until it holds (a generous bound; never a timing assertion). */
async function until(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The process groups this test process spawned whose command line contains `marker`. */
function groupsOf(marker: string): number[] {
  return processes()
    .filter((p) => p.ppid === process.pid && p.pgid === p.pid && p.cmd.includes(marker))
    .map((p) => p.pid);
}

const countFile = () => join(mkdtempSync(join(tmpdir(), 'mcp-flaky-')), 'spawns');

describe('process groups', () => {
  it('a crashed server behind `sh -c` takes its whole group with it, and comes back', async () => {
    const { s } = session(stdio('wrapped', 'sh', [WRAPPED, 'node', FLAKY, '--count', countFile(), '--crash-after', '300', '--crash-spawns', '1']));
    await s.start();
    const [first] = groupsOf(WRAPPED);
    expect(groupMembers(first!).map((p) => p.cmd)).toEqual(expect.arrayContaining([expect.stringContaining('sleep 600'), expect.stringContaining(FLAKY)]));
    await until(() => s.status === 'failed', 'the crash');
    expect(s.error).toMatch(/server process exited with code 1; restarting in 0.02 s \(restart 1 of 3\)/);
    expect(await leftBehind([first!])).toEqual([]);
    await until(() => s.status === 'connected', 'the restart');
    expect(groupsOf(WRAPPED)).not.toContain(first);
  });

  it('stop while the server is still starting ends its group before it reports stopped', async () => {
    const { s } = session(stdio('slow', 'sh', [WRAPPED, 'node', SLOW_INIT, '10000']));
    const started = s.start().catch((e: Error) => e);
    await until(() => groupsOf(SLOW_INIT).length === 1 && groupMembers(groupsOf(SLOW_INIT)[0]!).length >= 3, 'the server to spawn');
    const [group] = groupsOf(SLOW_INIT);
    await s.stop();
    expect(s.status).toBe('stopped');
    expect(groupMembers(group!)).toEqual([]);
    expect(((await started) as Error).message).toBe('stopped while starting');
  });

  it('a server that ignores stdin EOF and SIGTERM, and its child, are gone once stop resolves', async () => {
    const { s } = session(stdio('stubborn', 'node', [STUBBORN, '--ignore-term']));
    await s.start();
    const group = s.pid!;
    expect(groupMembers(group)).toHaveLength(2);
    await s.stop();
    expect(await leftBehind([group])).toEqual([]);
  });
});

describe('restart policy', () => {
  it('backs off 1-2-4 (here 20-40-80 ms) for a server that crashes after every connect, then gives up', async () => {
    const { s, messages } = session(stdio('crashy', 'node', [FLAKY, '--crash-after', '100']));
    await s.start();
    await until(() => s.error?.includes('gave up') ?? false, 'giving up');
    expect(messages).toEqual([
      'crashy: server process exited with code 1; restarting in 0.02 s (restart 1 of 3)',
      'crashy: server process exited with code 1; restarting in 0.04 s (restart 2 of 3)',
      'crashy: server process exited with code 1; restarting in 0.08 s (restart 3 of 3)',
      'crashy: server process exited with code 1; gave up after 3 restarts (:Mcp restart tries again)',
    ]);
    expect(s.status).toBe('failed');
    // Asked for again, it starts with a fresh count.
    await s.restart();
    await until(() => messages.length === 5, 'the next crash');
    expect(messages[4]).toMatch(/restart 1 of 3/);
  });

  it('retries a restart that fails during initialize', async () => {
    // Spawn 1 connects and crashes; the restart spawns 2 and 3 (a second try in the era negotiation
    // without its cached verdict) and both exit before answering; spawn 4, the next restart, connects.
    const file = countFile();
    const { s, messages } = session(stdio('flaky', 'node', [FLAKY, '--count', file, '--crash-after', '200', '--crash-spawns', '1', '--exit-at-start', '2,3']));
    await s.start();
    await until(() => messages.length === 2 && s.status === 'connected', 'the fourth spawn to connect');
    expect(messages[0]).toMatch(/exited with code 1; restarting in 0.02 s \(restart 1 of 3\)/);
    expect(messages[1]).toMatch(/server process exited with code 3 during initialize.*; restarting in 0.04 s \(restart 2 of 3\)/);
  });

  it("the server's own `restart` config overrides the policy's numbers", async () => {
    const { s, messages } = session(stdio('own', 'node', [FLAKY, '--crash-after', '100'], { restart: { max: 1, base_ms: 30 } }));
    await s.start();
    await until(() => s.error?.includes('gave up') ?? false, 'giving up');
    expect(messages).toEqual([
      'own: server process exited with code 1; restarting in 0.03 s (restart 1 of 1)',
      'own: server process exited with code 1; gave up after 1 restart (:Mcp restart tries again)',
    ]);
  });

  it('starts the count again after a stable period connected', async () => {
    const { s, messages } = session(stdio('crashy', 'node', [FLAKY, '--crash-after', '400']), { restart: { baseMs: 20, max: 3, stableMs: 200 } });
    await s.start();
    await until(() => messages.length >= 4, 'four crashes');
    expect(messages.slice(0, 4).every((m) => m.endsWith('restarting in 0.02 s (restart 1 of 3)'))).toBe(true);
  });
});

describe('remote servers that die or hang', () => {
  let http: HttpServer | undefined;
  afterEach(async () => {
    await http?.stop();
    http = undefined;
  });

  it('a Streamable HTTP server killed mid-call fails the call at once and is restarted', async () => {
    http = await startModernHttp();
    const { s, messages } = session(remote('remote', 'http', http.url), { restart: { baseMs: 60_000, max: 3, stableMs: 60_000 } });
    await s.start();
    const call = s.callTool('slow', { ms: 15_000 }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 300));
    http.proc.kill('SIGKILL');
    // Not the call's own 20 s deadline: the lost connection.
    expect(await call).toMatchObject({ code: ErrorCodes.NotConnected, message: 'server "remote": tools/call "slow": connection closed before the answer' });
    expect(s.status).toBe('failed');
    expect(s.error).toMatch(new RegExp(`^lost the connection to ${http.url}: .*; restarting in 60 s \\(restart 1 of 3\\)$`));
    expect(messages).toHaveLength(1);
  });

  it('an SSE endpoint that never answers fails the start at the connect timeout, naming initialize', async () => {
    const proc = spawn('node', [SILENT_HTTP], { stdio: ['ignore', 'ignore', 'pipe'] });
    procs.push(proc);
    const base = await new Promise<string>((resolve) => proc.stderr!.on('data', (d: Buffer) => /listening on (\S+)/.exec(d.toString()) && resolve(/listening on (\S+)/.exec(d.toString())![1]!)));
    const { s } = session(remote('silent', 'sse', `${base}/sse`), { connectTimeoutMs: 500 });
    const err = await s.start().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCodes.RequestTimeout, message: 'server "silent": start: initialize timed out after 500 ms' });
    expect(s.status).toBe('failed');
  });

  it('an HTTP+SSE server killed is noticed and shown failed, restarting', async () => {
    http = await startEverythingHttp('sse');
    const { s } = session(remote('legacy', 'sse', http.url), { restart: { baseMs: 60_000, max: 3, stableMs: 60_000 } });
    await s.start();
    http.proc.kill('SIGKILL');
    await until(() => s.status === 'failed', 'the loss to be noticed');
    expect(s.error).toMatch(new RegExp(`^lost the connection to ${http.url}: .*; restarting in 60 s \\(restart 1 of 3\\)$`));
  });

  it('a password in the URL is never shown', async () => {
    const port = await freePort();
    const { s } = session(remote('secret', 'http', `http://user:sekret-pw@127.0.0.1:${port}/mcp`));
    const err = (await s.start().catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('user:***@127.0.0.1');
    expect(err.message).not.toContain('sekret-pw');
    expect(s.error).not.toContain('sekret-pw');
  });

  it('a refused connection names the URL, without its password, and the cause', async () => {
    const port = await freePort();
    const { s } = session(remote('gone', 'http', `http://127.0.0.1:${port}/mcp`));
    const err = (await s.start().catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(`cannot connect to http://127.0.0.1:${port}/mcp: connection refused (ECONNREFUSED)`);
    expect(s.error).toBe(err.message);
  });
});

describe('clear messages', () => {
  it('a missing cwd says so, not "command not found"', async () => {
    const { s } = session(stdio('nocwd', 'node', [MODERN], { cwd: '/nonexistent/mcp-test-dir' } as Partial<ServerConfig>));
    const err = (await s.start().catch((e: unknown) => e)) as Error;
    expect(err.message).toBe('working directory not found: /nonexistent/mcp-test-dir (cwd of node)');
  });
});
