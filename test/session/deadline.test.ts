/**
 * One deadline per request (issue 8's timeout policy, owned by the host): the request's own
 * `timeout_ms`, else the server's, else the default; and the wait for a server that is still starting
 * counts against it instead of earning the request a second full timeout.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Defaults } from '../../src/contract/defaults.js';
import { Deadline, maxTotalMs, requestTimeoutMs } from '../../src/session/deadline.js';
import { nvimBinaries, repoRoot, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { api, SLOW_INIT, waitStatus } from '../helpers/mcp.js';

/** The cases of the rule, shared with the Lua side's check (test/unit/lua/core_spec.lua). */
interface DeadlineCase {
  name: string;
  request?: number | string;
  server?: number | string;
  default?: number | string;
  ms: number | string;
}
const fixture = JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'deadline-cases.json'), 'utf8')) as { cases: DeadlineCase[] };
/** JSON has no NaN or infinity: the fixture spells them (and the contract default) as strings. */
const special: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, '-Infinity': -Infinity, default: Defaults.timeout_ms };
const num = (v: number | string | undefined): number | undefined => (typeof v === 'string' ? special[v] : v);

describe('requestTimeoutMs', () => {
  it.each(fixture.cases)('$name', (c) => {
    expect(requestTimeoutMs(num(c.request), num(c.server), num(c.default))).toBe(num(c.ms));
  });
});

describe('maxTotalMs: the longest a request kept alive by progress may run', () => {
  it("is the server's max_total_ms, else the contract default", () => {
    expect(maxTotalMs(1000, 5000)).toBe(5000);
    expect(maxTotalMs(1000)).toBe(Defaults.max_total_ms);
    expect(maxTotalMs(1000, 0)).toBe(Defaults.max_total_ms);
    expect(maxTotalMs(1000, Number.NaN)).toBe(Defaults.max_total_ms);
  });
  it("is never below the request's own budget: progress only lengthens a request", () => {
    expect(maxTotalMs(9000, 5000)).toBe(9000);
  });
  it('a deadline whose total has passed says so, naming max_total_ms', async () => {
    const d = new Deadline(1, 'server "x": tools/call "t"', 5);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(d.totalRemaining()).toBe(0);
    expect(d.error().message).toBe('server "x": tools/call "t": still running after 5 ms in all (max_total_ms), progress notwithstanding');
    expect(d.error().data).toEqual({ timeout_ms: 1, max_total_ms: 5 });
    // Without progress (total = budget) the error names the budget alone.
    expect(new Deadline(1, 'w', 1).error().message).toBe('w: timed out after 1 ms');
  });
});

describe('a held deadline (an elicitation waits on the person)', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  it('does not run down while held, and runs again with the held time added once released', async () => {
    const d = new Deadline(60, 'server "x": tools/call "t"');
    const signal = d.signal;
    const release = d.hold();
    await sleep(150);
    expect(signal.aborted).toBe(false);
    expect(d.remaining()).toBeGreaterThan(0);
    release();
    release(); // idempotent
    expect(d.remaining()).toBeGreaterThan(0);
    await sleep(150);
    expect(signal.aborted).toBe(true);
    expect(d.expired?.message).toBe('server "x": tools/call "t": timed out after 60 ms');
  });
  it('nests: the clock runs again only when the last hold is released', async () => {
    const d = new Deadline(60, 'w');
    const signal = d.signal;
    const a = d.hold();
    const b = d.hold();
    a();
    await sleep(150);
    expect(signal.aborted).toBe(false);
    b();
    await sleep(150);
    expect(signal.aborted).toBe(true);
  });
});

describe.each(nvimBinaries())('one deadline on Neovim $version', ({ bin }) => {
  let nv: NvimInstance;

  beforeAll(async () => {
    // slow-init sleeps 4 s before it reads its first request.
    nv = await startNvim(bin, { config: { mcpServers: { slow: { command: 'node', args: [SLOW_INIT, '4000'] } } } });
  });
  afterAll(async () => {
    await nv?.quit();
  });

  it('a call made while the server starts fails at its own deadline, naming server, tool and ms', async () => {
    const out = await api(nv, 'function(cb) require("mcp").call_tool("slow", "ping", {}, { timeout_ms = 500 }, cb) end');
    expect(out.err!.code).toBe(-32001);
    expect(out.err!.message).toBe('server "slow": tools/call "ping": timed out after 500 ms');
    // The server itself was not given up on: it connects and answers within a default deadline.
    await waitStatus(nv, 'slow', 'connected', 15_000);
    const ping = await api<{ content: { text: string }[] }>(nv, 'function(cb) require("mcp").call_tool("slow", "ping", {}, cb) end');
    expect(ping.result!.content[0]!.text).toBe('pong');
  });
});

describe.each(nvimBinaries())('one deadline for start and restart on Neovim $version', ({ bin }) => {
  let nv: NvimInstance;

  beforeAll(async () => {
    // slow-init sleeps 8 s before it reads its first request; the server's own budget is 1 s.
    nv = await startNvim(bin, { config: { mcpServers: { slow: { command: 'node', args: [SLOW_INIT, '8000'], timeout_ms: 1000 } } } });
  });
  afterAll(async () => {
    await nv?.quit();
  });

  it("start and restart of a server slower than its timeout_ms get the host's RequestTimeout, naming the server and the ms", async () => {
    await waitStatus(nv, 'slow', 'failed');
    const started = await api(nv, 'function(cb) require("mcp").start("slow", cb) end');
    // The host's answer, not the Lua guard's "no reply from the host".
    expect(started.err).toEqual({ code: -32001, message: 'server "slow": start: initialize timed out after 1000 ms', data: { timeout_ms: 1000 } });
    const restarted = await api(nv, 'function(cb) require("mcp").restart("slow", cb) end');
    expect(restarted.err).toEqual({ code: -32001, message: 'server "slow": restart: initialize timed out after 1000 ms', data: { timeout_ms: 1000 } });
    expect((await waitStatus(nv, 'slow', 'failed')).error).toBe('server "slow": restart: initialize timed out after 1000 ms');
  });
});
