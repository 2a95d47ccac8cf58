/**
 * A session's start on its own (no Neovim; real servers over stdio): one deadline covers everything a
 * start waits for, and the era verdict is filed under the definition as configured, never under the
 * values typed for its `${input:...}` placeholders.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { substituteInputs } from '../../src/config/inputs.js';
import type { ServerConfig } from '../../src/config/types.js';
import { ErrorCodes } from '../../src/contract/errors.js';
import { silentLogger } from '../../src/log.js';
import { definitionKey, ERA_CACHE_FILE, EraCache } from '../../src/session/era-cache.js';
import { Session, type SessionDeps } from '../../src/session/session.js';
import { MODERN, SLOW_INIT } from '../helpers/mcp.js';

const stdio = (name: string, args: string[], over: Partial<ServerConfig> = {}): ServerConfig =>
  ({ name, transport: 'stdio', command: 'node', args, env: {}, disabled: false, roots: true, source: 'test', inputs: [], ...over }) as ServerConfig;

function session(cfg: ServerConfig, over: Partial<SessionDeps> = {}): Session {
  return new Session(cfg, {
    log: silentLogger,
    timeoutMs: 60_000,
    verdicts: new EraCache(undefined, silentLogger),
    onChange: () => {},
    onMessage: () => {},
    roots: () => [],
    onResourceUpdated: () => {},
    ...over,
  });
}

describe('session start', () => {
  it('one deadline covers the wait for inputs and the handshake: what the ask used is gone', async () => {
    // slow-init answers 1.5 s after it is spawned; the start's budget is 2 s, and the user takes 1 s to
    // type the input. Given the budget afresh for the handshake it would connect; it must not.
    const cfg = stdio('slow', [SLOW_INIT, '1500'], { timeout_ms: 2000 });
    const s = session(cfg, { prepare: (c) => new Promise((resolve) => setTimeout(() => resolve(c), 1000)) });
    const err = await s.start().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCodes.RequestTimeout, message: 'server "slow": start: initialize timed out after 2000 ms' });
    expect(s.status).toBe('failed');
    expect(s.error).toBe('server "slow": start: initialize timed out after 2000 ms');
    await s.stop();
  });

  it('a start while one runs waits for it within its own deadline, and the running start goes on', async () => {
    const s = session(stdio('slow', [SLOW_INIT, '1500'], { timeout_ms: 30_000 }));
    const first = s.start();
    const joined = await s.start(s.deadline('start', 200)).catch((e: unknown) => e);
    expect(joined).toMatchObject({ code: ErrorCodes.RequestTimeout, message: 'server "slow": start: timed out after 200 ms' });
    await first;
    expect(s.status).toBe('connected');
    await s.stop();
  });

  it('files the era verdict under the definition with its placeholders, not the typed value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-era-'));
    const cfg = stdio('modern', [MODERN], { env: { MCP_TOKEN: '${input:tok}' }, inputs: [{ type: 'promptString', id: 'tok' }] });
    const typed = new Map([['tok', 'typed-sekret']]);
    const s = session(cfg, { verdicts: new EraCache(dir, silentLogger), prepare: async (c) => substituteInputs(c, typed) });
    await s.start();
    expect(s.snapshot().protocol_version).toBe('2026-07-28');
    await s.stop();
    const text = readFileSync(join(dir, ERA_CACHE_FILE), 'utf8');
    const keys = Object.keys((JSON.parse(text) as { servers: Record<string, unknown> }).servers);
    expect(keys).toEqual([definitionKey(cfg)]);
    expect(keys).not.toContain(definitionKey(substituteInputs(cfg, typed)));
    expect(text).not.toContain('typed-sekret');
    // Another value typed next time finds the same verdict.
    expect(new EraCache(dir, silentLogger).get(cfg)?.era).toBe('modern');
  });
});
