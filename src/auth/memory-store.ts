/**
 * An {@link AuthStore} in memory: records live as long as the process. The conformance client uses it
 * (each scenario is a fresh authorization) and tests that need no token files; the editor keeps its
 * records in files (store.ts).
 */
import type { AuthRecord, AuthStore } from './types.js';

/** Records in a Map, keyed by server name; copies in and out, as a file would. */
export class MemoryAuthStore implements AuthStore {
  private readonly records = new Map<string, AuthRecord>();

  /** The server's record (a copy), or undefined. */
  async read(server: string): Promise<AuthRecord | undefined> {
    const r = this.records.get(server);
    return r && structuredClone(r);
  }

  /** Merges `patch`; a key set to undefined is removed. */
  async update(server: string, patch: Partial<AuthRecord>): Promise<void> {
    const next: Record<string, unknown> = { ...(this.records.get(server) ?? { serverUrl: patch.serverUrl ?? '' }), ...structuredClone(patch) };
    for (const [k, v] of Object.entries(next)) if (v === undefined) delete next[k];
    this.records.set(server, next as unknown as AuthRecord);
  }

  async remove(server: string): Promise<void> {
    this.records.delete(server);
  }
}
