/**
 * The editor half of OAuth (issue 12) on its own, without Neovim: the token store (mode 0600, atomic
 * writes, the lock between processes, stale-lock takeover), the loopback listener (127.0.0.1 only, the
 * `state` check, gone after the flow), the browser step's answers (open, paste, decline) through a real
 * AskBroker, and the redaction of OAuth secrets. The Neovim side is in test/lua/auth.test.ts.
 */
import { execFile } from 'node:child_process';
import { build } from 'esbuild';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, chmodSync, utimesSync, rmSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FileAuthStore } from '../../src/auth/store.js';
import { listenLoopback } from '../../src/auth/loopback.js';
import { checkPasted, editorBrowser } from '../../src/auth/browser.js';
import { AskBroker } from '../../src/bridge/asks.js';
import { ErrorCodes } from '../../src/contract/errors.js';
import { createFileLogger, silentLogger } from '../../src/log.js';
import { redact } from '../../src/redact.js';
import { repoRoot } from '../helpers/nvim.js';

const log = () => silentLogger;
const tmp = () => mkdtempSync(join(tmpdir(), 'mcp-auth-'));
const TOKENS = { access_token: 'at-SECRET-1', token_type: 'Bearer', refresh_token: 'rt-SECRET-2', expires_in: 3600 };

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

describe('FileAuthStore', () => {
  it('writes one file per server with mode 0600 in a 0700 directory, and reads it back', async () => {
    const dir = join(tmp(), 'mcp', 'auth');
    const store = new FileAuthStore(dir, log);
    await store.update('remote/one', { serverUrl: 'https://x.test/mcp', tokens: TOKENS, obtainedAt: 1 });
    await store.update('remote/one', { issuer: 'https://as.test' });
    const files = readdirSync(dir);
    expect(files).toEqual(['remote%2Fone.json']);
    expect(statSync(join(dir, files[0]!)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(await store.read('remote/one')).toEqual({ serverUrl: 'https://x.test/mcp', tokens: TOKENS, obtainedAt: 1, issuer: 'https://as.test' });
    // `undefined` in a patch removes the key.
    await store.update('remote/one', { tokens: undefined });
    expect(await store.read('remote/one')).toEqual({ serverUrl: 'https://x.test/mcp', obtainedAt: 1, issuer: 'https://as.test' });
    expect(await store.forget('remote/one')).toBe(true);
    expect(await store.forget('remote/one')).toBe(false);
    await store.remove('remote/one');
    expect(await store.read('remote/one')).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('narrows a directory made wider to 0700, and treats a broken file as no record without logging its text', async () => {
    const dir = tmp();
    chmodSync(dir, 0o755);
    const logPath = join(dir, 'log', 'mcp.log');
    const logger = createFileLogger(logPath, 'debug');
    const store = new FileAuthStore(dir, () => logger);
    writeFileSync(store.fileOf('s'), '{"serverUrl": "https://x.test", "tokens": {"access_token": "at-SECRET-1"');
    expect(await store.read('s')).toBeUndefined();
    await store.update('s', { serverUrl: 'https://x.test', tokens: TOKENS });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(store.fileOf('s')).mode & 0o777).toBe(0o600);
    logger.flush();
    await new Promise((r) => setTimeout(r, 50));
    const text = readFileSync(logPath, 'utf8');
    expect(text).toContain('auth record is not a JSON object');
    expect(text).not.toContain('SECRET');
  });

  it('two processes updating the same server at once leave one whole record holding both their writes', async () => {
    const dir = tmp();
    // A child process per writer (the store bundled by esbuild, packages external): each takes the lock
    // file and merges its own key 30 times.
    const script = join(repoRoot, '.cache', `auth-writer-${process.pid}.mjs`);
    await build({
      stdin: {
        contents: `import { FileAuthStore } from './src/auth/store.ts';
          import { silentLogger } from './src/log.ts';
          const [dir, key] = process.argv.slice(2);
          const s = new FileAuthStore(dir, () => silentLogger);
          for (let i = 0; i < 30; i++) await s.update('shared', { serverUrl: 'https://x.test', [key]: i });`,
        resolveDir: repoRoot,
        loader: 'ts',
      },
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      outfile: script,
      logLevel: 'warning',
    });
    const run = promisify(execFile);
    const writer = (key: string) => run(process.execPath, [script, dir, key], { cwd: repoRoot });
    await Promise.all([writer('obtainedAt'), writer('issuer'), writer('obtainedAt')]);
    const record = JSON.parse(readFileSync(join(dir, 'shared.json'), 'utf8'));
    expect(record).toEqual({ serverUrl: 'https://x.test', obtainedAt: 29, issuer: 29 });
    // No lock or temporary file is left behind.
    expect(readdirSync(dir)).toEqual(['shared.json']);
    rmSync(script, { force: true });
  });

  it("takes over a lock left by a process that is gone, and one too old, but waits on a live one's", async () => {
    const dir = tmp();
    const store = new FileAuthStore(dir, log);
    const lock = `${store.fileOf('s')}.lock`;
    writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 12345, nonce: 'dead' }));
    await store.update('s', { serverUrl: 'https://x.test' });
    writeFileSync(lock, JSON.stringify({ pid: process.ppid, nonce: 'old' }));
    const old = (Date.now() - 60_000) / 1000;
    utimesSync(lock, old, old);
    await store.update('s', { issuer: 'a' });
    expect(await store.read('s')).toEqual({ serverUrl: 'https://x.test', issuer: 'a' });
    expect(readdirSync(dir)).toEqual(['s.json']);
    // A fresh lock of a live process (the test runner's parent) holds the update until it is released.
    writeFileSync(lock, JSON.stringify({ pid: process.ppid, nonce: 'live' }));
    let done = false;
    const pending = store.update('s', { issuer: 'b' }).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 200));
    expect(done).toBe(false);
    writeFileSync(lock, ''); // the holder is writing: still held
    await new Promise((r) => setTimeout(r, 100));
    expect(done).toBe(false);
    unlinkSync(lock);
    await pending;
    expect((await store.read('s'))?.issuer).toBe('b');
  });
});

describe('the loopback listener', () => {
  it('binds 127.0.0.1 only, refuses a wrong state with 400 and waits on, takes the right one, and is gone after close', async () => {
    const lb = await listenLoopback('srv', log);
    expect(lb.redirectUrl).toBe(`http://127.0.0.1:${lb.port}/callback`);
    // Not reachable on any other address of this machine.
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && a.family === 'IPv4' && !a.internal)
      .map((a) => a!.address);
    for (const addr of others) expect(await accepts(addr, lb.port)).toBe(false);
    expect(await accepts('::1', lb.port)).toBe(false);

    const got = lb.wait('right-state');
    const wrong = await fetch(`${lb.redirectUrl}?code=c1&state=wrong-state`);
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('does not match');
    expect((await fetch(`http://127.0.0.1:${lb.port}/other?state=right-state`)).status).toBe(404);
    const right = await fetch(`${lb.redirectUrl}?code=c2&state=right-state&iss=https%3A%2F%2Fas.test`);
    expect(right.status).toBe(200);
    expect(await right.text()).toContain('return to Neovim');
    const url = await got;
    expect(url.searchParams.get('code')).toBe('c2');
    expect(url.searchParams.get('iss')).toBe('https://as.test');
    expect(url.origin + url.pathname).toBe(lb.redirectUrl);
    lb.close();
    await lb.closed;
    expect(await accepts('127.0.0.1', lb.port)).toBe(false);
  });

  it('a wait ends with Cancelled when its signal aborts or the listener closes', async () => {
    const lb = await listenLoopback('srv', log);
    const ac = new AbortController();
    const w1 = lb.wait('s1', ac.signal);
    ac.abort('stopped');
    await expect(w1).rejects.toMatchObject({ code: ErrorCodes.Cancelled, message: 'srv: stopped' });
    const w2 = lb.wait('s2');
    lb.close();
    await expect(w2).rejects.toMatchObject({ code: ErrorCodes.Cancelled });
  });
});

describe('the browser step', () => {
  /** A broker whose asks are answered by `answer` (what Lua would do), recording each ask's params. */
  function broker(answer: (params: Record<string, unknown>, n: number) => { result?: unknown; error?: { code: number; message: string } } | 'later') {
    const asked: Record<string, unknown>[] = [];
    const withdrawn: string[] = [];
    const asks: AskBroker = new AskBroker((item) => {
      if (item[0] === 'w') withdrawn.push(String(item[2]));
      if (item[0] !== 'q') return;
      const params = item[3] as Record<string, unknown>;
      asked.push(params);
      const a = answer(params, asked.length);
      if (a !== 'later') setImmediate(() => asks.answer(item[1] as number, a.error ?? null, a.result));
    }, log);
    return { asks, asked, withdrawn };
  }
  const AUTH = new URL('https://as.test/authorize?client_id=c&state=st-1');

  it('open: the person agrees, the browser comes back to the listener; the ask shows the server, URL and host', async () => {
    const b = broker(() => ({ result: { action: 'open' } }));
    const session = await editorBrowser({ asks: b.asks, log, remote: false })('srv');
    const flow = session.authorize(AUTH, 'st-1', new AbortController().signal);
    await new Promise((r) => setTimeout(r, 20));
    expect(b.asked[0]).toEqual({ server: 'srv', url: AUTH.href, host: 'as.test', redirect_uri: session.redirectUrl, paste: false });
    // The browser, played by fetch: first an old tab's redirect, then this flow's.
    expect((await fetch(`${session.redirectUrl}?code=old&state=st-0`)).status).toBe(400);
    expect((await fetch(`${session.redirectUrl}?code=abc&state=st-1`)).status).toBe(200);
    expect((await flow).searchParams.get('code')).toBe('abc');
    session.close();
  });

  it('paste: a wrong state is refused and asked again, the right URL completes the flow', async () => {
    const b = broker((_p, n) => ({
      result: { action: 'paste', url: n === 1 ? 'http://127.0.0.1:1/callback?code=x&state=other' : 'http://127.0.0.1:1/callback?code=good&state=st-1' },
    }));
    const session = await editorBrowser({ asks: b.asks, log, remote: true })('srv');
    const url = await session.authorize(AUTH, 'st-1', new AbortController().signal);
    expect(url.searchParams.get('code')).toBe('good');
    expect(url.origin + url.pathname).toBe(session.redirectUrl);
    expect(b.asked).toHaveLength(2);
    expect(b.asked[0]).toMatchObject({ paste: true });
    expect(b.asked[1]!.problem).toMatch(/state.*does not match/);
    session.close();
  });

  it('declined: Cancelled; the browser coming back while the window is open withdraws the ask', async () => {
    const b1 = broker(() => ({ error: { code: ErrorCodes.Cancelled, message: 'declined by the user' } }));
    const s1 = await editorBrowser({ asks: b1.asks, log })('srv');
    await expect(s1.authorize(AUTH, 'st-1', new AbortController().signal)).rejects.toMatchObject({ code: ErrorCodes.Cancelled });
    s1.close();

    const b2 = broker(() => 'later');
    const s2 = await editorBrowser({ asks: b2.asks, log })('srv');
    const flow = s2.authorize(AUTH, 'st-1', new AbortController().signal);
    await new Promise((r) => setTimeout(r, 20));
    await fetch(`${s2.redirectUrl}?code=by-hand&state=st-1`);
    expect((await flow).searchParams.get('code')).toBe('by-hand');
    await new Promise((r) => setTimeout(r, 20));
    expect(b2.withdrawn).toEqual(['the browser came back with the authorization']);
    expect(b2.asks.size).toBe(0);
    s2.close();
  });

  it("the flow's signal withdraws the ask; a new flow for the same server ends the old one", async () => {
    const b = broker(() => 'later');
    const open = editorBrowser({ asks: b.asks, log });
    const ac = new AbortController();
    const s1 = await open('srv');
    const f1 = s1.authorize(AUTH, 'st-1', ac.signal);
    await new Promise((r) => setTimeout(r, 20));
    ac.abort('the server was stopped');
    await expect(f1).rejects.toMatchObject({ code: ErrorCodes.Cancelled });
    const f2 = s1.authorize(AUTH, 'st-2', new AbortController().signal);
    f2.catch(() => {});
    await open('srv');
    await expect(f2).rejects.toMatchObject({ code: ErrorCodes.Cancelled });
    expect(await accepts('127.0.0.1', Number(new URL(s1.redirectUrl).port))).toBe(false);
  });

  it('checkPasted takes the whole URL or its query, and says what is wrong otherwise', () => {
    const r = 'http://127.0.0.1:5/callback';
    expect(String(checkPasted(' http://127.0.0.1:5/callback?code=a&state=s ', 's', r))).toBe(`${r}?code=a&state=s`);
    expect(String(checkPasted('?code=a&state=s', 's', r))).toBe(`${r}?code=a&state=s`);
    expect(String(checkPasted('?error=access_denied&state=s', 's', r))).toBe(`${r}?error=access_denied&state=s`);
    expect(checkPasted('', 's', r)).toBe('nothing was pasted');
    expect(checkPasted('not a url', 's', r)).toMatch(/not a URL/);
    expect(checkPasted('http://x/cb?code=a', 's', r)).toMatch(/no "state"/);
    expect(checkPasted('http://x/cb?code=a&state=t', 's', r)).toMatch(/another authorization/);
    expect(checkPasted('http://x/cb?state=s', 's', r)).toMatch(/no "code"/);
  });
});

describe('redaction of OAuth secrets', () => {
  it('masks codes, tokens and secrets in URLs, form bodies and Bearer credentials', () => {
    expect(redact('GET http://127.0.0.1:4/callback?code=abc123&state=xyz')).toBe('GET http://127.0.0.1:4/callback?code=***&state=xyz');
    expect(redact('grant_type=refresh_token&refresh_token=rt-1&client_secret=s3')).toBe('grant_type=refresh_token&refresh_token=***&client_secret=***');
    expect(redact('{"error":"x"} for "access_token=at.1-2"')).toBe('{"error":"x"} for "access_token=***"');
    expect(redact('Authorization: Bearer eyJhbGciOi.J9-x_y==')).toBe('Authorization: Bearer ***');
    expect(redact('a Bearer token is required')).toBe('a Bearer token is required');
    expect(redact('mode=fast')).toBe('mode=fast');
  });
});
