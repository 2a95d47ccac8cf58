/**
 * `${input:id}` placeholders (VS Code's `inputs`): values the user types when a server starts, such as an
 * API token. The loader leaves them in the definition (so a changed value never looks like a changed
 * config) and lists which inputs each server needs; the values are asked for at start, once per host,
 * through the editor (bridge/asks.ts), substituted into a copy of the definition, and never logged.
 */
import type { ServerConfig } from './types.js';

/** One entry of the config file's `inputs` array (VS Code's format). */
export interface InputDef {
  type: 'promptString' | 'pickString';
  id: string;
  description?: string;
  default?: string;
  /** promptString: hide what is typed. */
  password?: boolean;
  /** pickString: the choices. */
  options?: string[];
}

const INPUT = /\$\{input:([^}]+)\}/g;

/** The ids of the `${input:id}` placeholders in `value`, in order. */
export function inputIds(value: string): string[] {
  return [...value.matchAll(INPUT)].map((m) => m[1]!);
}

/** Every string of a definition that placeholders may appear in. */
function strings(cfg: ServerConfig): string[] {
  if (cfg.transport === 'stdio') return [cfg.command, ...cfg.args, ...Object.values(cfg.env), ...(cfg.cwd ? [cfg.cwd] : [])];
  return [cfg.url, ...Object.values(cfg.headers)];
}

/** `cfg` with every `${input:id}` replaced by `values.get(id)`. */
export function substituteInputs(cfg: ServerConfig, values: ReadonlyMap<string, string>): ServerConfig {
  const sub = (s: string) => s.replace(INPUT, (m, id: string) => values.get(id) ?? m);
  const map = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, sub(v)]));
  if (cfg.transport === 'stdio') {
    return { ...cfg, command: sub(cfg.command), args: cfg.args.map(sub), env: map(cfg.env), ...(cfg.cwd ? { cwd: sub(cfg.cwd) } : {}) };
  }
  return { ...cfg, url: sub(cfg.url), headers: map(cfg.headers) };
}

/**
 * Values for the inputs a server needs, asked for once per host: two servers that start together and
 * need the same input share one ask. A failed or declined ask is forgotten, so the next start asks again.
 */
export class InputValues {
  private values = new Map<string, Promise<string>>();

  /**
   * @param ask asks the user for one input's value
   * @returns `cfg` with its inputs substituted (the same object when it has none)
   * @throws whatever `ask` throws (declined, withdrawn, timed out)
   */
  async resolve(cfg: ServerConfig, ask: (def: InputDef) => Promise<string>): Promise<ServerConfig> {
    if (!cfg.inputs.length) return cfg;
    const got = new Map<string, string>();
    for (const def of cfg.inputs) {
      let value = this.values.get(def.id);
      if (!value) {
        value = ask(def);
        this.values.set(def.id, value);
        value.catch(() => this.values.delete(def.id));
      }
      got.set(def.id, await value);
    }
    return substituteInputs(cfg, got);
  }

  /** Forgets every value (e.g. `:Mcp reload` after a wrong token): the next start asks again. */
  clear(): void {
    this.values.clear();
  }
}

/** The definitions of the inputs used in `cfg`'s strings, from the file's `inputs` or a plain prompt. */
export function inputsOf(cfg: ServerConfig, defs: readonly InputDef[]): InputDef[] {
  const ids = [...new Set(strings(cfg).flatMap(inputIds))];
  return ids.map((id) => defs.find((d) => d.id === id) ?? { type: 'promptString', id, description: id });
}
