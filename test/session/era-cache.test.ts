/**
 * The era verdict cache on its own (no Neovim): keyed by the parts of a definition that decide what
 * answers, never holding their values, aging legacy verdicts, surviving a broken file.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../src/config/types.js';
import { silentLogger } from '../../src/log.js';
import { definitionKey, ERA_CACHE_FILE, EraCache, LEGACY_MAX_AGE_MS } from '../../src/session/era-cache.js';

const stdio = (over: Partial<ServerConfig> = {}): ServerConfig =>
  ({ name: 'git', transport: 'stdio', command: 'node', args: ['server.js'], env: { TOKEN: 'sekret-1', A: '1' }, disabled: false, roots: true, source: 'test', ...over }) as ServerConfig;

describe('era verdict cache', () => {
  it('remembers a verdict per definition, in a file that holds no value of it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-era-'));
    const cache = new EraCache(dir, silentLogger);
    cache.set(stdio(), 'modern', '2026-07-28');
    expect(new EraCache(dir, silentLogger).get(stdio())).toMatchObject({ era: 'modern', protocol_version: '2026-07-28', name: 'git' });
    const text = readFileSync(join(dir, ERA_CACHE_FILE), 'utf8');
    expect(text).not.toContain('sekret-1');
    expect(text).not.toContain('server.js');
  });

  it('keys on transport, command, args, env, cwd, url and headers, not on name, timeout or roots', () => {
    const base = definitionKey(stdio());
    expect(definitionKey(stdio({ name: 'other', timeout_ms: 5, roots: false }))).toBe(base);
    expect(definitionKey(stdio({ env: { A: '1', TOKEN: 'sekret-1' } }))).toBe(base); // order does not matter
    expect(definitionKey(stdio({ args: ['server.js', '--x'] }))).not.toBe(base);
    expect(definitionKey(stdio({ env: { TOKEN: 'sekret-2', A: '1' } }))).not.toBe(base);
    expect(definitionKey(stdio({ cwd: '/tmp' } as Partial<ServerConfig>))).not.toBe(base);
    const http = (h: Record<string, string>) => ({ name: 'h', transport: 'http', url: 'http://127.0.0.1:1/mcp', headers: h, disabled: false, roots: true, source: 't' }) as ServerConfig;
    expect(definitionKey(http({ Authorization: 'a' }))).not.toBe(definitionKey(http({ Authorization: 'b' })));
  });

  it('asks a legacy server again after a week, never ages a modern verdict, and drops on request', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-era-'));
    const cache = new EraCache(dir, silentLogger);
    cache.set(stdio(), 'legacy', '2025-11-25');
    cache.set(stdio({ command: 'modern' }), 'modern', '2026-07-28');
    const file = JSON.parse(readFileSync(join(dir, ERA_CACHE_FILE), 'utf8'));
    const old = new Date(Date.now() - LEGACY_MAX_AGE_MS - 1000).toISOString();
    for (const v of Object.values(file.servers) as { probed_at: string }[]) v.probed_at = old;
    writeFileSync(join(dir, ERA_CACHE_FILE), JSON.stringify(file));
    expect(cache.get(stdio())).toBeUndefined();
    expect(cache.get(stdio({ command: 'modern' }))?.era).toBe('modern');
    cache.drop(stdio({ command: 'modern' }));
    expect(cache.get(stdio({ command: 'modern' }))).toBeUndefined();
  });

  it('starts afresh from a broken file, and keeps nothing without a directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-era-'));
    writeFileSync(join(dir, ERA_CACHE_FILE), '{ not json');
    const cache = new EraCache(dir, silentLogger);
    expect(cache.get(stdio())).toBeUndefined();
    cache.set(stdio(), 'legacy', '2025-11-25');
    expect(cache.get(stdio())?.protocol_version).toBe('2025-11-25');
    const none = new EraCache(undefined, silentLogger);
    none.set(stdio(), 'modern', '2026-07-28');
    expect(none.get(stdio())).toBeUndefined();
  });
});
