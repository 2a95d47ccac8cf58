/**
 * Pure parts of issue 13's privacy and flood work: the one redaction of URL passwords, the environment a
 * stdio server gets, the pacing of snapshots, and the log (cap and rotation, mode 0600, rate limit,
 * long values cut, passwords redacted).
 */
import { mkdtempSync, readFileSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { redact } from '../../src/redact.js';
import { childEnv } from '../../src/session/env.js';
import { PushPacer } from '../../src/hub/pacer.js';
import { createFileLogger, MAX_VALUE_CHARS, RATE_BURST } from '../../src/log.js';
import type { Session } from '../../src/session/session.js';

describe('redact', () => {
  it('removes the userinfo of every URL, and only that', () => {
    expect(redact('GET https://user:hunter2@host.test/mcp failed')).toBe('GET https://user:***@host.test/mcp failed');
    expect(redact('a http://TOKEN@h/x and sse://u:p@h2:8080/y')).toBe('a http://***@h/x and sse://u:***@h2:8080/y');
    expect(redact('mail me@host.test, see https://host.test/a@b')).toBe('mail me@host.test, see https://host.test/a@b');
    expect(redact(undefined)).toBeUndefined();
  });
});

describe('childEnv', () => {
  const from = { HOME: '/home/u', PATH: '/bin', USER: 'u', AWS_SECRET_ACCESS_KEY: 'k', NVIM: '/run/nvim.sock', LANG: 'C.UTF-8' };
  it("gives the SDK's minimal set plus the config's env", () => {
    expect(childEnv({ FOO: 'bar' }, false, from)).toEqual({ HOME: '/home/u', PATH: '/bin', USER: 'u', FOO: 'bar' });
  });
  it('inherits the names listed, or everything', () => {
    expect(childEnv({}, ['LANG', 'MISSING'], from)).toEqual({ HOME: '/home/u', PATH: '/bin', USER: 'u', LANG: 'C.UTF-8' });
    expect(childEnv({ PATH: '/opt/bin' }, true, from)).toEqual({ ...from, PATH: '/opt/bin' });
  });
});

describe('PushPacer', () => {
  it('reports status changes at once and list-only changes at most once per interval, the last always', () => {
    // Fake timers: the held-back report must go when the interval ends, whatever the machine's load.
    vi.useFakeTimers();
    let t = 0;
    const sent: string[] = [];
    const s = { status: 'starting', error: undefined } as unknown as Session & { status: string };
    const pacer = new PushPacer((x) => sent.push(x.status), 50, () => t);
    pacer.report(s);
    s.status = 'connected';
    pacer.report(s);
    expect(sent).toEqual(['starting', 'connected']);
    for (let i = 0; i < 1000; i++) pacer.report(s);
    expect(sent).toHaveLength(2);
    vi.advanceTimersByTime(49);
    expect(sent).toHaveLength(2);
    t = 50;
    vi.advanceTimersByTime(1);
    expect(sent).toEqual(['starting', 'connected', 'connected']);
    vi.useRealTimers();
  });
});

describe('the log', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'mcp-log-'));
  const flush = () => new Promise((r) => setTimeout(r, 50));

  it('is rotated at its cap, mode 0600, and never holds more than twice the cap', async () => {
    const path = join(dir(), 'sub', 'mcp.log');
    const log = createFileLogger(path, 'info', { maxBytes: 4096 });
    // Distinct messages: none is rate-limited.
    for (let i = 0; i < 500; i++) log.info({ i }, `line ${i}`);
    await flush();
    expect(statSync(path).size).toBeLessThanOrEqual(4096);
    expect(existsSync(`${path}.1`)).toBe(true);
    expect(statSync(`${path}.1`).size).toBeLessThanOrEqual(4096);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toContain('line 499');
  });

  it('rate-limits a repeated message per server and says at the window\'s end how many were left out', async () => {
    const path = join(dir(), 'mcp.log');
    // The clock stands still while the lines are written: one window, however slow the machine.
    const log = createFileLogger(path, 'info', { rateWindowMs: 50, now: () => 0 });
    const server = log.child({ server: 'junky' });
    for (let i = 0; i < 10_000; i++) server.warn({ err: `bad line ${i}` }, 'transport error');
    log.child({ server: 'other' }).warn('transport error');
    await new Promise((r) => setTimeout(r, 150));
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { msg: string; server?: string; suppressed?: number });
    expect(lines.filter((l) => l.server === 'junky' && l.msg === 'transport error')).toHaveLength(RATE_BURST);
    expect(lines.filter((l) => l.server === 'other')).toHaveLength(1);
    expect(lines.filter((l) => l.suppressed)).toEqual([expect.objectContaining({ suppressed: 10_000 - RATE_BURST, server: 'junky' })]);
  });

  it('cuts long values and redacts URL passwords', async () => {
    const path = join(dir(), 'mcp.log');
    const log = createFileLogger(path, 'info');
    log.info({ stderr: 'x'.repeat(100_000), nested: { url: 'https://u:hunter2@h/mcp' } }, 'connecting to https://u:hunter2@h/mcp');
    await flush();
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('hunter2');
    expect(text.length).toBeLessThan(MAX_VALUE_CHARS + 1000);
    expect(text).toContain(`[${100_000 - MAX_VALUE_CHARS} more characters]`);
  });
});
