/**
 * Builds a transport for a server definition and connects an SDK `Client` over it in the protocol era
 * the server speaks (spec 2026-07-28: basic/versioning; spec: basic/transports).
 *
 * - Without a cached verdict the client probes with `server/discover` and falls back to `initialize`
 *   (`versionNegotiation: 'auto'`). Our process-group stdio transport is probed in place, so no second
 *   process is spawned; a legacy server that exits because its first request was not `initialize` is
 *   respawned once and reached with `initialize`: it is legacy, not failed.
 * - With a cached verdict the client connects straight in that era: `initialize` for legacy, and for
 *   modern the revision pinned (the one `server/discover` exchange that yields the server's current
 *   capabilities). A verdict that turns out wrong is dropped and the server negotiated once more.
 * - HTTP response bodies are screened before the SDK parses them (http-screen.ts), stdio lines after
 *   (incoming.ts): a malformed response fails its request at once, in one line, on every transport.
 * - Streamable HTTP falls back to the legacy HTTP+SSE transport when the server refuses the first POST
 *   with 400, 404 or 405, as the spec's backwards-compatibility section says.
 * - The whole handshake is bounded by {@link Defaults.connect_timeout_ms} (or the server's `timeout_ms`)
 *   and by the start's deadline, whether or not the transport honours a signal (the SDK's SSE transport
 *   waits for its `endpoint` event forever): when either passes, or the start is abandoned, the
 *   transport is closed (a stdio server's process group ended) before `connect` fails.
 */
import {
  OAuthClientFlowError,
  OAuthError,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type Client,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type OAuthClientProvider,
  type Transport,
  type VersionNegotiationOptions,
} from '@modelcontextprotocol/client';
import { AuthFlow } from '../auth/flow.js';
import type { ServerConfig } from '../config/types.js';
import { Defaults } from '../contract/defaults.js';
import { ErrorCodes } from '../contract/errors.js';
import { HostError } from '../errors.js';
import type { Logger } from '../log.js';
import { childEnv } from './env.js';
import type { Deadline } from './deadline.js';
import type { Era, EraCache } from './era-cache.js';
import { screenedFetch } from './http-screen.js';
import { screenIncoming, type Screen } from './incoming.js';
import { describeHttpFailure } from './net-errors.js';
import { ProcessGroupStdioTransport, SpawnError } from './stdio-transport.js';

/**
 * Step-up authorizations (403 `insufficient_scope`) per request before it fails; the session retries a
 * request at most once more after the browser step, so a scope that never suffices ends after a few
 * tries instead of looping (spec: basic/authorization, "Scope challenge handling").
 */
const STEP_UP_RETRIES = 1;

/** Statuses of a first POST that mean "this is an old HTTP+SSE server". */
const SSE_FALLBACK_STATUSES = [400, 404, 405];

/** A live connection to one server, as {@link connect} hands it over: handshake done, nothing listed yet. */
export interface Connected {
  /** The SDK client, connected; its `onclose`/`onerror` are the caller's to set. */
  client: Client;
  /** The transport under it: {@link ProcessGroupStdioTransport}, `StreamableHTTPClientTransport` or `SSEClientTransport`. */
  transport: Transport;
  /** The transport actually in use (an `http` server may have fallen back to `sse`). */
  kind: 'stdio' | 'http' | 'sse';
  /** `modern` (2026-07-28, no sessions, spec 2026-07-28: basic/versioning) or `legacy` (2025-11-25 and older). */
  era: Era;
  /** The negotiated revision, e.g. `2026-07-28` or `2025-11-25`. */
  protocolVersion: string;
  /** What was wrong in what the server sent, item by item (incoming.ts). */
  screen: Screen;
}

/** What {@link connect} needs besides the definition. */
export interface ConnectOptions {
  /**
   * The deadline of the start this connection is for: the whole handshake (probe, `initialize`, a
   * renegotiation after a wrong cached verdict, a respawn of a strict legacy server, the SSE fallback)
   * counts against it.
   */
  deadline: Deadline;
  /**
   * The definition the era verdict is filed under: the server as configured, with its `${input:...}`
   * placeholders unsubstituted, so that the cache key never hashes a value the user typed (a token).
   * Default: the definition connected to.
   */
  definition?: ServerConfig;
  /** Each stderr line of a stdio server. */
  onStderr: (line: string) => void;
  /** A fresh client set up for the given negotiation. */
  makeClient: (negotiation: VersionNegotiationOptions) => Client;
  /** Era verdicts per server definition (read, written, dropped when wrong). */
  verdicts: EraCache;
  log: Logger;
  /**
   * Aborted when the start is abandoned (the server was stopped while starting): the handshake in
   * progress ends at once, its transport closed (a stdio server's group ended) before `connect` rejects.
   */
  signal?: AbortSignal;
  /** How long the handshake may take, ms; default {@link Defaults.connect_timeout_ms}. Never past `deadline`. */
  connectTimeoutMs?: number;
  /** Each stdio transport as it is made (before it spawns), so that the host can kill it if it exits mid-handshake. */
  onTransport?: (transport: ProcessGroupStdioTransport) => void;
  /**
   * The server's OAuth client (auth/provider.ts) for the HTTP transports: a token on every request, a
   * refresh on 401, step-up on 403 `insufficient_scope` (once per request); a new authorization it
   * cannot get alone surfaces as the SDK's UnauthorizedError (auth/flow.ts finishes it).
   */
  authProvider?: OAuthClientProvider;
}

type Plan = { negotiation: VersionNegotiationOptions; legacyPrior: boolean };

/** The options {@link connect}'s helpers share: the caller's, and the one limit of this handshake. */
type Attempt = ConnectOptions & { limit: HandshakeLimit };

const AUTO: Plan = { negotiation: { mode: 'auto' }, legacyPrior: false };
const LEGACY: Plan = { negotiation: { mode: 'legacy' }, legacyPrior: true };

/**
 * Connects in the right era, using and maintaining the verdict cache.
 *
 * @param cfg the definition to connect to, `${input:...}` values substituted
 * @throws Error from spawning (`command not found: X`), HTTP, the probe or `initialize`; SdkError with
 *   code REQUEST_TIMEOUT, or HostError RequestTimeout, when the handshake outlasts `o.deadline`
 */
export async function connect(cfg: ServerConfig, options: ConnectOptions): Promise<Connected> {
  const limit = new HandshakeLimit(options);
  try {
    return await negotiate(cfg, { ...options, limit });
  } finally {
    limit.dispose();
  }
}

async function negotiate(cfg: ServerConfig, o: Attempt): Promise<Connected> {
  // The legacy HTTP+SSE transport predates 2026-07-28: nothing to negotiate, nothing to cache.
  if (cfg.transport === 'sse') return connectSse(cfg, o, LEGACY);
  const definition = o.definition ?? cfg;
  const cached = o.verdicts.get(definition);
  if (cached) {
    const plan: Plan = cached.era === 'modern' ? { negotiation: { mode: { pin: cached.protocol_version } }, legacyPrior: false } : LEGACY;
    try {
      return await connectWith(cfg, o, plan);
    } catch (err) {
      if (!verdictMayBeWrong(err)) throw err;
      o.log.info({ era: cached.era, err: (err as Error).message }, 'cached era verdict did not hold; negotiating again');
      o.verdicts.drop(definition);
    }
  }
  const conn = await connectWith(cfg, o, AUTO);
  o.verdicts.set(definition, conn.era, conn.protocolVersion);
  o.log.info({ era: conn.era, protocol_version: conn.protocolVersion }, 'era negotiated');
  return conn;
}

async function connectWith(cfg: ServerConfig, o: Attempt, plan: Plan): Promise<Connected> {
  if (cfg.transport === 'stdio') {
    try {
      return await connectStdio(cfg, o, plan);
    } catch (err) {
      // Probed in place, a legacy server that quits on any first request but `initialize` closes the pipe
      // mid-probe; the SDK reports that as a failed negotiation. It is a legacy server: spawn it again.
      if (plan === AUTO && err instanceof ProbeClosed) {
        o.log.info('server exited on server/discover; reaching it with initialize');
        return connectStdio(cfg, o, LEGACY);
      }
      throw err instanceof ProbeClosed ? err.cause : err;
    }
  }
  if (cfg.transport === 'sse') return connectSse(cfg, o, plan);
  const url = new URL(cfg.url);
  const transport = new StreamableHTTPClientTransport(url, {
    requestInit: { headers: cfg.headers },
    fetch: screenedFetch(cfg.name, o.log)(),
    ...(o.authProvider ? { authProvider: o.authProvider, maxStepUpRetries: STEP_UP_RETRIES } : {}),
  });
  const client = o.makeClient(plan.negotiation);
  try {
    await o.limit.run(step(plan), transport, client.connect(transport, { ...budget(o), ...(plan.legacyPrior ? { prior: { kind: 'legacy' as const } } : {}) }));
    return connected(client, transport, 'http', cfg, o.log);
  } catch (err) {
    await transport.close().catch(() => {});
    // v2 reports a refused POST as SdkHttpError carrying the HTTP status.
    if (!(err instanceof SdkHttpError && SSE_FALLBACK_STATUSES.includes(err.status))) throw describeHttpFailure(err, url);
    o.log.info({ status: err.status }, 'Streamable HTTP refused; falling back to HTTP+SSE');
  }
  return connectSse(cfg, o, LEGACY);
}

/** The start this handshake was for was abandoned (the server was stopped while starting). */
export class Abandoned extends Error {
  constructor() {
    super('stopped while starting');
    this.name = 'Abandoned';
  }
}

/** The pipe closed during an in-place `server/discover` probe (the server exited). */
class ProbeClosed extends Error {
  constructor(override readonly cause: unknown) {
    super('server exited during server/discover');
  }
}

async function connectStdio(cfg: ServerConfig & { transport: 'stdio' }, o: Attempt, plan: Plan): Promise<Connected> {
  const transport = new ProcessGroupStdioTransport({ command: cfg.command, args: cfg.args, env: childEnv(cfg.env, cfg.env_inherit), cwd: cfg.cwd, onStderr: o.onStderr });
  o.onTransport?.(transport);
  const client = o.makeClient(plan.negotiation);
  try {
    await o.limit.run(step(plan), transport, client.connect(transport, { ...budget(o), ...(plan.legacyPrior ? { prior: { kind: 'legacy' as const } } : {}) }));
  } catch (err) {
    await transport.close();
    // The limit ended it: the process was ours to end, its exit says nothing.
    if (err instanceof HostError || err instanceof Abandoned) throw err;
    if (transport.exit && err instanceof SdkError && err.code === SdkErrorCode.EraNegotiationFailed) throw new ProbeClosed(describeExit(err, transport));
    throw describeExit(err, transport);
  }
  return connected(client, transport, 'stdio', cfg, o.log);
}

async function connectSse(cfg: ServerConfig & { transport: 'http' | 'sse' }, o: Attempt, plan: Plan): Promise<Connected> {
  const url = new URL(cfg.url);
  // One screen for the POSTs and the GET stream: the answers to the POSTs arrive on the stream.
  const screen = screenedFetch(cfg.name, o.log);
  const transport = new SSEClientTransport(url, {
    requestInit: { headers: cfg.headers },
    fetch: screen(),
    eventSourceInit: { fetch: screen(withHeaders(cfg.headers)) },
    ...(o.authProvider ? { authProvider: o.authProvider } : {}),
  });
  const client = o.makeClient(plan.negotiation);
  try {
    await o.limit.run('initialize', transport, client.connect(transport, { ...budget(o), prior: { kind: 'legacy' } }));
  } catch (err) {
    await transport.close().catch(() => {});
    throw describeHttpFailure(err, url);
  }
  return connected(client, transport, 'sse', cfg, o.log);
}

/** The handshake request a plan starts with, for messages: `server/discover` when pinned to a modern revision. */
function step(plan: Plan): string {
  const mode = plan.negotiation.mode;
  return typeof mode === 'object' && mode !== null && 'pin' in mode ? 'server/discover' : 'initialize';
}

/**
 * The one limit of a handshake: the connect timeout and the start's deadline, whichever comes first,
 * and the start's abandonment. {@link run} enforces it on each attempt, whether or not the SDK does.
 */
class HandshakeLimit {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly onAbandon: () => void;
  /** The budget that ends the handshake, ms, for the message: the connect timeout, or the start's whole budget. */
  private readonly ms: number;

  constructor(private readonly o: ConnectOptions) {
    const own = o.connectTimeoutMs ?? Defaults.connect_timeout_ms;
    const left = o.deadline.remaining();
    this.ms = own < left ? own : o.deadline.ms;
    this.timer = setTimeout(() => this.controller.abort('timeout'), Math.min(own, left));
    this.onAbandon = () => this.controller.abort('abandoned');
    if (o.signal?.aborted) this.onAbandon();
    o.signal?.addEventListener('abort', this.onAbandon, { once: true });
  }

  /** Aborted when the handshake must end: for the SDK's own requests. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * Waits for one handshake attempt within the limit. When the limit passes first (or the SDK's own
   * timeout fires), the transport is closed and the attempt fails with RequestTimeout naming `what`.
   *
   * @param what the handshake's request for the message: `initialize` or `server/discover`
   * @throws HostError RequestTimeout `server "x": start: initialize timed out after N ms`; Error
   *   `stopped while starting` when abandoned; whatever the attempt throws
   */
  async run<T>(what: string, transport: Transport, attempt: Promise<T>): Promise<T> {
    const signal = this.controller.signal;
    let onAbort: (() => void) | undefined;
    const ended = new Promise<never>((_, reject) => {
      onAbort = () => reject(this.error(what));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    // The attempt may still settle after the limit ended it: that outcome is nobody's to handle.
    attempt.catch(() => {});
    try {
      return await Promise.race([attempt, ended]);
    } catch (err) {
      if (signal.aborted || (err instanceof SdkError && err.code === SdkErrorCode.RequestTimeout)) {
        await transport.close().catch(() => {});
        throw this.error(what);
      }
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort!);
    }
  }

  private error(what: string): Error {
    if (this.controller.signal.reason === 'abandoned') return new Abandoned();
    return new HostError(ErrorCodes.RequestTimeout, `${this.o.deadline.what}: ${what} timed out after ${this.ms} ms`, { timeout_ms: this.ms });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.o.signal?.removeEventListener('abort', this.onAbandon);
  }
}

/**
 * The SDK's options for one handshake attempt: what is left of the deadline, and its signal, so that a
 * probe followed by `initialize` inside one `connect` call also ends at the deadline.
 *
 * @throws HostError RequestTimeout when nothing is left (an earlier attempt used it all)
 */
function budget(o: Attempt): { timeout: number; signal: AbortSignal } {
  return { timeout: o.deadline.budget(), signal: AbortSignal.any([o.deadline.signal, o.limit.signal]) };
}

function connected(client: Client, transport: Transport, kind: Connected['kind'], cfg: ServerConfig, log: Logger): Connected {
  const screen = screenIncoming(transport, cfg.name, log);
  notificationsFirst(transport);
  return {
    screen,
    client,
    transport,
    kind,
    era: client.getProtocolEra() ?? 'legacy',
    protocolVersion: client.getNegotiatedProtocolVersion() ?? 'unknown',
  };
}

/**
 * Whether a failure with a cached verdict may come from the verdict being wrong. A server that cannot
 * be spawned or reached, a timeout, or a refused authorization says nothing about its era.
 */
function verdictMayBeWrong(err: unknown): boolean {
  if (err instanceof SpawnError || err instanceof HostError || err instanceof Abandoned) return false;
  // Authorization (a 401 that needs the user, a refused token request) happens before either era's handshake.
  if (AuthFlow.needsAuthorization(err) || err instanceof OAuthError || err instanceof OAuthClientFlowError) return false;
  if (err instanceof SdkError) {
    const final: string[] = [SdkErrorCode.RequestTimeout, SdkErrorCode.ClientHttpAuthentication, SdkErrorCode.ClientHttpForbidden];
    if (final.includes(err.code)) return false;
  }
  const text = err instanceof Error ? `${err.message} ${String((err.cause as Error | undefined)?.message ?? '')}` : '';
  return !/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|fetch failed/.test(text);
}

/** The SSE stream's GET carries the configured headers too (auth tokens). */
function withHeaders(headers: Record<string, string>) {
  return (input: string | URL, init?: RequestInit) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } });
}

/** "Connection closed" says little; say how the process ended instead. */
function describeExit(err: unknown, transport: ProcessGroupStdioTransport): unknown {
  const exit = transport.exit;
  if (!exit || !(err instanceof Error) || err instanceof SpawnError) return err;
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  return new Error(`server process ${how} during initialize (${err.message})`);
}

/**
 * Orders incoming messages so that a notification is handled before whatever follows it. The SDK handles
 * a response at once but a notification a turn later, so a final `notifications/progress` read together
 * with its response found its handler gone and was dropped (typescript-sdk#2580). After a notification
 * (or a server request), the messages that follow are handed over one per macrotask until the backlog is
 * empty; a response with nothing before it (the common case) is delivered at once, without a detour.
 */
function notificationsFirst(transport: Transport): void {
  const deliver = transport.onmessage;
  if (!deliver) return;
  // A queue read from `head`: `shift()` moves the whole array, quadratic in a flood (100,000
  // notifications in a row took the host 11 s).
  let backlog: ([JSONRPCMessage, MessageExtraInfo | undefined] | undefined)[] = [];
  let head = 0;
  let deferring = false;
  const pump = (): void => {
    const next = backlog[head];
    if (!next) {
      backlog = [];
      head = 0;
      deferring = false;
      return;
    }
    backlog[head++] = undefined;
    deliver.call(transport, next[0], next[1]);
    setImmediate(pump);
  };
  transport.onmessage = (message, extra) => {
    if (deferring) {
      backlog.push([message, extra]);
      return;
    }
    deliver.call(transport, message, extra);
    if ('method' in message) {
      deferring = true;
      setImmediate(pump);
    }
  };
}
