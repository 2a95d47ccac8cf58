/**
 * The set of sessions, one per configured server. Servers start in parallel and independently: one slow
 * or failing server never delays another. Applies config diffs so that only added, removed or changed
 * servers restart.
 */
import type { ServerConfig } from '../config/types.js';
import type { Root } from '../contract/snapshot.js';
import { diffConfig, type ConfigDiff } from '../config/diff.js';
import { Defaults } from '../contract/defaults.js';
import { redact } from '../redact.js';
import { PushPacer } from './pacer.js';
import { ErrorCodes, HostError } from '../errors.js';
import type { Logger } from '../log.js';
import { EraCache } from '../session/era-cache.js';
import { Session, type SessionDeps } from '../session/session.js';

/** What the bridge gives the hub: the host's settings and where sessions report to. */
export interface HubDeps {
  /** The host's logger. */
  log: Logger;
  /** Default per-request budget, ms (`init`'s `timeout_ms`, else the contract default). */
  timeoutMs: number;
  /** Where the era verdict cache lives (`stdpath("state")`); without it, every start negotiates. */
  stateDir?: string;
  /**
   * A session's snapshot changed (see {@link SessionDeps.onChange}): at once when its status or error
   * changed, else (only its lists changed) at most once per `listPushIntervalMs`.
   */
  onChange: (s: Session) => void;
  /** Shortest time between two list-only reports of one session, ms (default {@link Defaults.list_push_interval_ms}). */
  listPushIntervalMs?: number;
  /** A server left the configuration and has stopped. */
  onRemoved: (name: string) => void;
  /** Something the user should be told (see {@link SessionDeps.onMessage}). */
  onMessage: (level: 'error' | 'warn' | 'info', text: string) => void;
  /** `notifications/resources/updated` from a server (see {@link SessionDeps.onResourceUpdated}). */
  onResourceUpdated: (s: Session, uri: string) => void;
  /** `notifications/message` from a server (see {@link SessionDeps.onServerLog}). */
  onServerLog?: SessionDeps['onServerLog'];
  /** See {@link SessionDeps.prepare}. */
  prepare?: SessionDeps['prepare'];
  /** See {@link SessionDeps.elicit}; sessions declare elicitation only when given. */
  elicit?: SessionDeps['elicit'];
  /**
   * OAuth for HTTP servers (see {@link SessionDeps.auth}): the token store and the browser step the
   * editor provides (bridge); without it a server that answers 401 fails its start.
   */
  auth?: SessionDeps['auth'];
  /** See {@link SessionDeps.sample}; sessions declare sampling only when given. */
  sample?: SessionDeps['sample'];
  /** See {@link SessionDeps.samplingTools}. */
  samplingTools?: boolean;
  /** See {@link SessionDeps.onElicitationComplete}. */
  onElicitationComplete?: SessionDeps['onElicitationComplete'];
}

/**
 * The configured servers, one {@link Session} each, in config order, and the editor's roots they share.
 * A server removed from the configuration or stopped withdraws its own asks (its start's signal), so the
 * hub keeps no list of asks. Raises HostError UnknownServer for a name not configured.
 */
export class Hub {
  private sessions = new Map<string, Session>();
  private editorRoots: Root[] = [];
  private readonly sessionDeps;

  /** Paces each session's snapshots (see {@link PushPacer}); every report goes through it. */
  private readonly pacer: PushPacer;

  constructor(private readonly deps: HubDeps) {
    this.pacer = new PushPacer(deps.onChange, deps.listPushIntervalMs ?? Defaults.list_push_interval_ms);
    this.sessionDeps = {
      ...deps,
      onChange: this.pacer.report,
      onMessage: (level: 'error' | 'warn' | 'info', text: string) => deps.onMessage(level, redact(text)),
      roots: () => this.editorRoots,
      verdicts: new EraCache(deps.stateDir, deps.log),
    };
  }

  /** The editor's roots as Lua computed them. */
  get roots(): Root[] {
    return this.editorRoots;
  }

  /** Replaces the editor's roots; each server hears of it only if what it sees changed. */
  setRoots(roots: Root[]): void {
    this.editorRoots = roots;
    for (const s of this.list()) s.rootsChanged();
  }

  /** Sessions in config order. */
  list(): Session[] {
    return [...this.sessions.values()];
  }

  /**
   * The session of server `name`.
   *
   * @throws HostError UnknownServer naming the server and the known ones
   */
  get(name: string): Session {
    const s = this.sessions.get(name);
    if (!s) {
      const known = [...this.sessions.keys()].join(', ') || 'none';
      throw new HostError(ErrorCodes.UnknownServer, `no server named "${name}" (configured: ${known})`);
    }
    return s;
  }

  /**
   * Replaces the configuration. Starts nothing and awaits nothing: each started server reports through
   * `onChange` on its own.
   */
  apply(next: ServerConfig[]): ConfigDiff {
    const diff = diffConfig(this.list().map((s) => s.cfg), next);
    for (const name of diff.removed) {
      const s = this.sessions.get(name)!;
      this.sessions.delete(name);
      void s.stop().finally(() => this.deps.onRemoved(name));
    }
    const replaced = new Set([...diff.added, ...diff.changed].map((c) => c.name));
    const ordered = new Map<string, Session>();
    const fresh: [Session, Session | undefined][] = [];
    for (const cfg of next) {
      const old = this.sessions.get(cfg.name);
      if (old && !replaced.has(cfg.name)) {
        ordered.set(cfg.name, old);
        continue;
      }
      const session = new Session(cfg, this.sessionDeps);
      ordered.set(cfg.name, session);
      fresh.push([session, old]);
    }
    // The new set must be current before anything reports: pushes of sessions not in it are dropped.
    this.sessions = ordered;
    for (const [session, old] of fresh) {
      const begin = () => {
        this.pacer.report(session);
        if (!session.cfg.disabled) session.start().catch(() => {});
      };
      if (old) void old.stop().then(begin);
      else begin();
    }
    return diff;
  }

  /** Stops every server; resolves when all are gone. */
  async stopAll(): Promise<void> {
    await Promise.allSettled(this.list().map((s) => s.stop()));
  }

  /** SIGKILLs every stdio server's process group synchronously (host exiting now). */
  killAll(): void {
    for (const s of this.list()) s.killNow();
  }
}
