/**
 * One deadline per request (issue 8's timeout policy, owned by the host): the request's own
 * `timeout_ms`, else the server's, else the default; and the wait for a server that is still starting
 * counts against it instead of earning the request a second full timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Defaults } from '../../src/contract/defaults.js';
import { requestTimeoutMs } from '../../src/session/deadline.js';
import { nvimBinaries, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { api, SLOW_INIT, waitStatus } from '../helpers/mcp.js';

describe('requestTimeoutMs', () => {
  it('takes the request, else the server, else the default, skipping what is unset or not positive', () => {
    expect(requestTimeoutMs(500, 2000, 9000)).toBe(500);
    expect(requestTimeoutMs(undefined, 2000, 9000)).toBe(2000);
    expect(requestTimeoutMs(undefined, undefined, 9000)).toBe(9000);
    expect(requestTimeoutMs(0, -1, 9000)).toBe(9000);
    expect(requestTimeoutMs(Number.NaN, undefined, undefined)).toBe(Defaults.timeout_ms);
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
