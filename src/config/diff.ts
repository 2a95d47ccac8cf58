import { isDeepStrictEqual } from 'node:util';
import type { ServerConfig } from './types.js';

/** What changed between two configurations, by server name. */
export interface ConfigDiff {
  added: ServerConfig[];
  removed: string[];
  /** Servers whose definition differs in anything but its `source` label. */
  changed: ServerConfig[];
}

/** Compares two loaded configurations; only servers in `added`/`changed`/`removed` need a restart. */
export function diffConfig(before: ServerConfig[], after: ServerConfig[]): ConfigDiff {
  const old = new Map(before.map((s) => [s.name, s]));
  const next = new Map(after.map((s) => [s.name, s]));
  const strip = ({ source: _source, ...rest }: ServerConfig) => rest;
  return {
    added: after.filter((s) => !old.has(s.name)),
    removed: before.filter((s) => !next.has(s.name)).map((s) => s.name),
    changed: after.filter((s) => old.has(s.name) && !isDeepStrictEqual(strip(old.get(s.name)!), strip(s))),
  };
}
