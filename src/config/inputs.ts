/**
 * `${input:id}` placeholders (VS Code's `inputs`): values the user types when a server starts, such as an
 * API token. The loader leaves them in the definition (so a changed value never looks like a changed
 * config) and lists which inputs each server needs; the values are asked for at start, once per host,
 * through the editor (bridge/asks.ts), substituted into a copy of the definition, and never logged
 * (nor hashed into the era cache's keys, which use the definition with its placeholders).
 */
import { ErrorCodes, HostError } from '../errors.js';
import type { HttpServerConfig, ServerConfig } from './types.js';

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
  return [cfg.url, ...Object.values(cfg.headers), ...oauthSecrets(cfg.oauth)];
}

/** The `oauth` strings that may hold `${input:id}` (secrets a user would rather type than store). */
function oauthSecrets(o: HttpServerConfig['oauth']): string[] {
  if (!o) return [];
  return [o.client_secret, o.private_key, o.assertion, o.idp?.client_secret, o.idp?.id_token].filter((s): s is string => s !== undefined);
}

/** `cfg` with every `${input:id}` replaced by `values.get(id)`. */
export function substituteInputs(cfg: ServerConfig, values: ReadonlyMap<string, string>): ServerConfig {
  const sub = (s: string) => s.replace(INPUT, (m, id: string) => values.get(id) ?? m);
  const map = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, sub(v)]));
  if (cfg.transport === 'stdio') {
    return { ...cfg, command: sub(cfg.command), args: cfg.args.map(sub), env: map(cfg.env), ...(cfg.cwd ? { cwd: sub(cfg.cwd) } : {}) };
  }
  const o = cfg.oauth;
  const oauth = o
    ? {
        oauth: {
          ...o,
          ...(o.client_secret !== undefined ? { client_secret: sub(o.client_secret) } : {}),
          ...(o.private_key !== undefined ? { private_key: sub(o.private_key) } : {}),
          ...(o.assertion !== undefined ? { assertion: sub(o.assertion) } : {}),
          ...(o.idp ? { idp: { ...o.idp, id_token: sub(o.idp.id_token), ...(o.idp.client_secret !== undefined ? { client_secret: sub(o.idp.client_secret) } : {}) } } : {}),
        },
      }
    : {};
  return { ...cfg, url: sub(cfg.url), headers: map(cfg.headers), ...oauth };
}

/** Asks the user for one input's value; `signal` aborts (with a string reason) when nobody waits any more. */
export type AskInput = (def: InputDef, signal: AbortSignal) => Promise<string>;

/** What one start waiting for input values brings: when it gives up. */
export interface InputWait {
  /** Aborted, with a string reason (`the server was stopped`), when the start is abandoned. */
  signal?: AbortSignal;
  /** The start's deadline; each value not yet typed is waited for until it passes. */
  deadline?: { remaining(): number; readonly ms: number };
}

/** One value, asked or known, and the starts waiting for it. */
interface Shared {
  value: Promise<string>;
  /** Withdraws the ask; aborted when the last waiter gave up. */
  controller: AbortController;
  waiters: number;
  settled: boolean;
}

/**
 * Values for the inputs a server needs, asked for once per host: two servers that start together and
 * need the same input share one ask, which stays up as long as one of them still waits for it (a
 * server stopping or timing out stops waiting on its own). A failed or declined ask is forgotten, so
 * the next start asks again; {@link forget} drops known values (`:Mcp restart` of a server).
 */
export class InputValues {
  private values = new Map<string, Shared>();

  /**
   * @param ask asks the user for one input's value
   * @returns `cfg` with its inputs substituted (the same object when it has none)
   * @throws whatever `ask` throws (declined, failed in the editor); HostError Cancelled when `wait.signal`
   *   aborts (`<server>: <input>: <reason>`); HostError RequestTimeout when `wait.deadline` passes
   *   (`<server>: <input>: no answer within <ms> ms`)
   */
  async resolve(cfg: ServerConfig, ask: AskInput, wait: InputWait = {}): Promise<ServerConfig> {
    if (!cfg.inputs.length) return cfg;
    const got = new Map<string, string>();
    for (const def of cfg.inputs) got.set(def.id, await this.valueOf(cfg.name, def, ask, wait));
    return substituteInputs(cfg, got);
  }

  /**
   * Forgets the values typed for `cfg`'s inputs, so that its next start asks again (a wrong token can
   * be retyped). An ask still waiting for an answer is left alone.
   */
  forget(cfg: ServerConfig): void {
    for (const def of cfg.inputs) if (this.values.get(def.id)?.settled) this.values.delete(def.id);
  }

  private async valueOf(server: string, def: InputDef, ask: AskInput, wait: InputWait): Promise<string> {
    const what = `${server}: ${def.description ?? def.id}`;
    for (;;) {
      const shared = this.shared(def, ask);
      shared.waiters++;
      let gaveUp: HostError | undefined;
      let onAbort = (): void => {};
      let timer: NodeJS.Timeout | undefined;
      const mine = new Promise<never>((_, reject) => {
        const leave = (err: HostError, reason: string) => {
          gaveUp = err;
          // Rejected first, so that this waiter fails with its own error rather than the withdrawal's.
          reject(err);
          // The last one to stop waiting withdraws the ask, with its own reason.
          if (--shared.waiters === 0 && !shared.settled) shared.controller.abort(reason);
        };
        onAbort = () => {
          const reason = typeof wait.signal?.reason === 'string' ? wait.signal.reason : 'the start was abandoned';
          leave(new HostError(ErrorCodes.Cancelled, `${what}: ${reason}`), reason);
        };
        if (wait.signal?.aborted) return onAbort();
        wait.signal?.addEventListener('abort', onAbort, { once: true });
        if (wait.deadline && !shared.settled) {
          const reason = `no answer within ${wait.deadline.ms} ms`;
          timer = setTimeout(() => leave(new HostError(ErrorCodes.RequestTimeout, `${what}: ${reason}`), reason), wait.deadline.remaining());
        }
      });
      mine.catch(() => {});
      try {
        return await Promise.race([shared.value, mine]);
      } catch (err) {
        // Withdrawn because every OTHER waiter gave up while this one joined: ask again.
        if (!gaveUp && shared.controller.signal.aborted) continue;
        throw err;
      } finally {
        clearTimeout(timer);
        wait.signal?.removeEventListener('abort', onAbort);
        if (!gaveUp) shared.waiters--;
      }
    }
  }

  /** The value of `def` known or being asked for, else a new ask. */
  private shared(def: InputDef, ask: AskInput): Shared {
    const known = this.values.get(def.id);
    if (known && !known.controller.signal.aborted) return known;
    const controller = new AbortController();
    const shared: Shared = { value: ask(def, controller.signal), controller, waiters: 0, settled: false };
    this.values.set(def.id, shared);
    shared.value.then(
      () => (shared.settled = true),
      () => {
        shared.settled = true;
        if (this.values.get(def.id) === shared) this.values.delete(def.id);
      },
    );
    return shared;
  }
}

/** The definitions of the inputs used in `cfg`'s strings, from the file's `inputs` or a plain prompt. */
export function inputsOf(cfg: ServerConfig, defs: readonly InputDef[]): InputDef[] {
  const ids = [...new Set(strings(cfg).flatMap(inputIds))];
  return ids.map((id) => defs.find((d) => d.id === id) ?? { type: 'promptString', id, description: id });
}
