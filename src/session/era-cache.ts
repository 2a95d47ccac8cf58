/**
 * The era verdict cache: which protocol era each server definition spoke the last time it was
 * negotiated, kept in one JSON file under Neovim's `stdpath("state")` so that a restart or the next
 * Neovim connects straight in that era instead of probing (MCP 2026-07-28, basic/versioning:
 * `server/discover` with fallback to `initialize`).
 *
 * A verdict is keyed by a hash of the parts of a definition that decide what answers: transport,
 * command, args, env, cwd, url and headers (not the name, not `timeout_ms` or `roots`). Secrets in env
 * or headers never reach the file: only the hash does. Legacy verdicts expire after
 * {@link LEGACY_MAX_AGE_MS}: a server upgraded to speak both eras still answers `initialize`, so a
 * legacy verdict would otherwise hide the upgrade forever. A modern verdict fails loudly when wrong
 * and is never aged.
 *
 * File shape (version 1):
 * `{ "version": 1, "servers": { "<sha256>": { "era": "modern"|"legacy", "protocol_version": "2026-07-28",
 *    "name": "git", "probed_at": "2026-08-01T12:00:00.000Z" } } }`
 * Several Neovims may share the file: writes re-read it and replace it atomically (rename).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ServerConfig } from '../config/types.js';
import type { Logger } from '../log.js';

/** File name of the cache under the state directory. */
export const ERA_CACHE_FILE = 'mcp-eras.json';

/** Age after which a legacy verdict is probed again, ms (7 days). */
export const LEGACY_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

export type Era = 'modern' | 'legacy';

/** One cached verdict. */
export interface Verdict {
  era: Era;
  /** The revision negotiated, e.g. `2026-07-28` or `2025-11-25`. */
  protocol_version: string;
  /** The server's name when the verdict was written; for people reading the file only. */
  name: string;
  /** ISO time of the negotiation that produced it. */
  probed_at: string;
}

interface CacheFile {
  version: 1;
  servers: Record<string, Verdict>;
}

/**
 * The key of a definition: sha256 over the parts that decide which program or endpoint answers.
 * Object keys are sorted so that the same definition always hashes the same.
 */
export function definitionKey(cfg: ServerConfig): string {
  const parts =
    cfg.transport === 'stdio'
      ? { transport: cfg.transport, command: cfg.command, args: cfg.args, env: sorted(cfg.env), cwd: cfg.cwd ?? null }
      : { transport: cfg.transport, url: cfg.url, headers: sorted(cfg.headers) };
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

function sorted(o: Record<string, string>): [string, string][] {
  return Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Reads and writes the verdict file. Without a directory (no `state_dir` in `init`) it remembers nothing. */
export class EraCache {
  readonly path?: string;

  /**
   * @param dir the state directory (`stdpath("state")`), or undefined for a cache that keeps nothing
   */
  constructor(
    dir: string | undefined,
    private readonly log: Logger,
  ) {
    if (dir) this.path = join(dir, ERA_CACHE_FILE);
  }

  /** The usable verdict for `cfg`, or undefined (none, unreadable file, or a legacy verdict past its age). */
  get(cfg: ServerConfig): Verdict | undefined {
    const v = this.read().servers[definitionKey(cfg)];
    if (!v || (v.era !== 'modern' && v.era !== 'legacy') || typeof v.protocol_version !== 'string') return undefined;
    if (v.era === 'legacy' && !(Date.now() - Date.parse(v.probed_at) < LEGACY_MAX_AGE_MS)) return undefined;
    return v;
  }

  /** Records the verdict of a negotiation just made. Failures to write are logged, never thrown. */
  set(cfg: ServerConfig, era: Era, protocolVersion: string): void {
    this.update((servers) => {
      servers[definitionKey(cfg)] = { era, protocol_version: protocolVersion, name: cfg.name, probed_at: new Date().toISOString() };
    });
  }

  /** Drops the verdict of `cfg` (it turned out wrong). */
  drop(cfg: ServerConfig): void {
    this.update((servers) => {
      delete servers[definitionKey(cfg)];
    });
  }

  private read(): CacheFile {
    if (!this.path) return { version: 1, servers: {} };
    try {
      const data = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<CacheFile>;
      if (data.version === 1 && data.servers && typeof data.servers === 'object') return data as CacheFile;
      this.log.warn({ path: this.path }, 'era cache: unknown format, starting afresh');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn({ path: this.path, err: (err as Error).message }, 'era cache: unreadable, starting afresh');
    }
    return { version: 1, servers: {} };
  }

  private update(change: (servers: Record<string, Verdict>) => void): void {
    if (!this.path) return;
    const file = this.read();
    change(file.servers);
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`);
      renameSync(tmp, this.path);
    } catch (err) {
      this.log.warn({ path: this.path, err: (err as Error).message }, 'era cache: write failed');
    }
  }
}
