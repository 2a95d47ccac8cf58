/**
 * One MCP server connection (spec: basic/lifecycle): its lifecycle (start, stop, restart with backoff
 * when the server dies under us), the snapshot Lua caches, and the requests the editor makes. The
 * parts with a job of their own live beside it: connect.ts (transports and era negotiation),
 * era-cache.ts (verdicts), lists.ts (capability caches), roots.ts, subscriptions.ts, requests.ts and
 * deadline.ts (the timeout policy).
 */
import { StreamableHTTPClientTransport, type CallToolResult, type Client, type CompleteRequest, type ServerCapabilities } from '@modelcontextprotocol/client';
import type { ServerConfig } from '../config/types.js';
import type { Root, ServerSnapshot, ServerStatus } from '../contract/snapshot.js';
import { ErrorCodes, HostError } from '../errors.js';
import type { Logger } from '../log.js';
import { makeClient, type ClientHooks, type Elicit, type ListKind } from './client.js';
import { connect, type Connected } from './connect.js';
import { Deadline, requestTimeoutMs } from './deadline.js';
import type { EraCache } from './era-cache.js';
import { ListCache } from './lists.js';
import { explain, sdkOptions, type RequestOpts } from './requests.js';
import { RootsView } from './roots.js';
import { ProcessGroupStdioTransport } from './stdio-transport.js';
import { Subscriptions, type SubscriptionTarget } from './subscriptions.js';
import { checkArguments } from './validate.js';

export { CLIENT_INFO } from './client.js';
export type { RequestOpts } from './requests.js';

/** Backoff for automatic restarts after a crash: 1 s, 2 s, 4 s, 8 s, 16 s, then give up. */
const RESTART_BASE_MS = 1000;
const MAX_RESTARTS = 5;

export interface SessionDeps {
  log: Logger;
  /** Default per-request timeout, ms, when the server config sets none. */
  timeoutMs: number;
  /** Era verdicts per server definition. */
  verdicts: EraCache;
  /** Called whenever anything in {@link Session.snapshot} changed. */
  onChange: (s: Session) => void;
  /** Something the user should be told. */
  onMessage: (level: 'error' | 'warn' | 'info', text: string) => void;
  /** The editor's current roots (spec: client/roots), before this server's own `roots` setting. */
  roots: () => Root[];
  /** `notifications/resources/updated` for a subscribed resource. */
  onResourceUpdated: (s: Session, uri: string) => void;
  /**
   * The definition to start with, e.g. with `${input:id}` values asked of the user; `signal` is aborted
   * (with a reason) when the start is abandoned.
   */
  prepare?: (cfg: ServerConfig, signal: AbortSignal) => Promise<ServerConfig>;
  /**
   * Answers this server's elicitations in both eras (see {@link ClientHooks.elicit}); without it none is
   * declared. The host passes none until it can ask the editor.
   */
  elicit?: (s: Session, ...args: Parameters<Elicit>) => ReturnType<Elicit>;
}

export class Session {
  status: ServerStatus;
  error?: string;
  private conn?: Connected;
  private readonly lists = new ListCache();
  private readonly rootsView: RootsView;
  private readonly subscriptions: Subscriptions;
  /** Bumped by every start and stop: async work of an older generation is ignored. */
  private generation = 0;
  private starting?: Promise<void>;
  private restartTimer?: NodeJS.Timeout;
  /** Aborts the preparation of the start in progress (an ask for inputs) when it is abandoned. */
  private startAbort?: AbortController;
  private crashes = 0;
  private readonly log: Logger;

  constructor(
    readonly cfg: ServerConfig,
    private readonly deps: SessionDeps,
  ) {
    this.status = cfg.disabled ? 'disabled' : 'stopped';
    this.log = deps.log.child({ server: cfg.name });
    this.rootsView = new RootsView(cfg, deps.roots, this.log);
    this.subscriptions = new Subscriptions(cfg.name, this.log);
  }

  get name(): string {
    return this.cfg.name;
  }

  /** The server's own default budget per request, ms. */
  private get timeoutMs(): number {
    return requestTimeoutMs(undefined, this.cfg.timeout_ms, this.deps.timeoutMs);
  }

  /** The state Lua caches; lists are complete. */
  snapshot(): ServerSnapshot {
    const conn = this.status === 'connected' ? this.conn : undefined;
    const s: ServerSnapshot = {
      name: this.name,
      status: this.status,
      transport: this.conn?.kind ?? this.cfg.transport,
      tools: this.lists.tools,
      prompts: this.lists.prompts,
      resources: this.lists.resources,
      resource_templates: this.lists.templates,
    };
    if (this.error) s.error = this.error;
    if (this.cfg.timeout_ms) s.timeout_ms = this.cfg.timeout_ms;
    if (conn) {
      s.protocol_version = conn.protocolVersion;
      const info = conn.client.getServerVersion();
      if (info) s.server_info = { name: info.name, version: info.version, ...(info.title ? { title: info.title } : {}) };
      s.capabilities = conn.client.getServerCapabilities() ?? {};
      const instructions = conn.client.getInstructions();
      if (instructions) s.instructions = instructions;
    }
    return s;
  }

  /**
   * Connects (spawn/HTTP, era negotiation, every list loaded, subscriptions renewed). Resolves once
   * `connected`.
   *
   * @throws Error with a readable reason; the session is then `failed` with that reason
   */
  start(): Promise<void> {
    if (this.status === 'connected') return Promise.resolve();
    if (this.starting) return this.starting;
    clearTimeout(this.restartTimer);
    const gen = ++this.generation;
    this.rootsView.reset();
    this.setStatus('starting');
    this.log.info({ transport: this.cfg.transport }, 'starting');
    const started = Date.now();
    const abort = (this.startAbort = new AbortController());
    this.starting = (async () => {
      try {
        const cfg = this.deps.prepare ? await this.deps.prepare(this.cfg, abort.signal) : this.cfg;
        if (gen !== this.generation) throw new Error('stopped while starting');
        const conn = await connect(cfg, {
          timeoutMs: this.timeoutMs,
          onStderr: (line) => this.log.info({ stderr: line }),
          makeClient: (negotiation) => makeClient(negotiation, this.hooks(gen)),
          verdicts: this.deps.verdicts,
          log: this.log,
        });
        if (gen !== this.generation) {
          await conn.client.close().catch(() => {});
          throw new Error('stopped while starting');
        }
        this.conn = conn;
        conn.client.onclose = () => this.onClosed(gen);
        conn.client.onerror = (err) => this.log.warn({ err: err.message }, 'transport error');
        const caps = conn.client.getServerCapabilities();
        await Promise.all((['tools', 'prompts', 'resources'] as const).map((k) => this.lists.refresh(k, conn.client, caps, this.timeoutMs, () => gen === this.generation)));
        await this.subscriptions.attach(this.target(conn));
        if (gen !== this.generation) throw new Error('stopped while starting');
        this.crashes = 0;
        this.log.info({ ms: Date.now() - started, transport: conn.kind, protocol_version: conn.protocolVersion }, 'connected');
        this.setStatus('connected');
      } catch (err) {
        if (gen === this.generation) {
          this.log.warn({ err: (err as Error).message }, 'failed to start');
          await this.closeConnection();
          this.setStatus('failed', (err as Error).message);
        }
        throw err;
      } finally {
        this.starting = undefined;
      }
    })();
    return this.starting;
  }

  /** Ends the session (HTTP: DELETE; stdio: the process group) and resolves once it is gone. */
  async stop(): Promise<void> {
    this.generation++;
    this.startAbort?.abort('the server was stopped');
    clearTimeout(this.restartTimer);
    this.crashes = 0;
    await this.closeConnection();
    this.setStatus(this.cfg.disabled ? 'disabled' : 'stopped');
  }

  /** {@link stop} then {@link start}. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Kills a stdio server's process group at once; for when the host itself is exiting. */
  killNow(): void {
    if (this.conn?.transport instanceof ProcessGroupStdioTransport) this.conn.transport.killNow();
  }

  /** The server's pid for a stdio server that is running. */
  get pid(): number | undefined {
    return this.conn?.transport instanceof ProcessGroupStdioTransport ? this.conn.transport.pid : undefined;
  }

  /**
   * `tools/call` (spec: server/tools#calling-tools) after checking `args` against the tool's `inputSchema`.
   *
   * @throws HostError UnknownItem (no such tool), InvalidParams (arguments fail the schema), NotConnected,
   *   RequestTimeout (the deadline passed, waiting for the server included); ProtocolError from the server
   */
  async callTool(tool: string, args: Record<string, unknown>, opts: RequestOpts = {}): Promise<CallToolResult> {
    return this.request(`tools/call "${tool}"`, opts, (client, options) => {
      const def = this.lists.tools.find((t) => t.name === tool);
      if (!def) throw new HostError(ErrorCodes.UnknownItem, `${this.name}: no tool named "${tool}"`);
      const problem = checkArguments(def.inputSchema, args);
      if (problem) throw new HostError(ErrorCodes.InvalidParams, `${this.name}/${tool}: ${problem}`);
      return client.callTool({ name: tool, arguments: args }, options);
    });
  }

  /** `prompts/get` (spec: server/prompts). Errors as {@link callTool}. */
  getPrompt(name: string, args: Record<string, string>, opts: RequestOpts = {}) {
    return this.request(`prompts/get "${name}"`, opts, (client, options) => client.getPrompt({ name, arguments: args }, options));
  }

  /** `resources/read` (spec: server/resources); never served from the SDK's response cache. */
  readResource(uri: string, opts: RequestOpts = {}) {
    return this.request(`resources/read "${uri}"`, opts, (client, options) => client.readResource({ uri }, { ...options, cacheMode: 'bypass' }));
  }

  /** `completion/complete` (spec: server/utilities/completion). */
  complete(params: CompleteRequest['params'], opts: RequestOpts = {}) {
    return this.request('completion/complete', opts, (client, options) => client.complete(params, options));
  }

  /**
   * Subscribes to `uri` (spec: server/resources#subscriptions; 2026-07-28: `subscriptions/listen`);
   * kept across restarts.
   *
   * @throws HostError NotConnected, RequestTimeout; ProtocolError when the server refuses
   */
  async subscribe(uri: string): Promise<void> {
    await this.request(`subscribe "${uri}"`, {}, () => this.subscriptions.subscribe(uri, this.target(this.conn!)));
  }

  /**
   * Drops one subscriber of `uri` (a buffer, a plugin); the server hears of it with the last. The
   * subscription is forgotten even when the server is gone.
   */
  async unsubscribe(uri: string): Promise<void> {
    await this.subscriptions.unsubscribe(uri);
  }

  /** The roots this server sees: the editor's, none (`roots = false`), or its fixed list. */
  effectiveRoots(): Root[] {
    return this.rootsView.effective();
  }

  /** The editor's roots may have changed; a 2025-era server hears of it if its view changed. */
  rootsChanged(): void {
    const conn = this.status === 'connected' ? this.conn : undefined;
    this.rootsView.changed(conn?.client, conn?.era === 'legacy');
  }

  /**
   * Runs one request under one deadline (see deadline.ts): a request made while the server is still
   * starting waits for it, and that wait counts against the request's budget, so that the first
   * `:Mcp call` of a session neither fails for being early nor gets a second full timeout.
   *
   * @param what the method (and tool, prompt or URI) for error messages
   * @throws HostError NotConnected when the server is not (or does not get) connected; RequestTimeout
   */
  private async request<T>(what: string, opts: RequestOpts, run: (client: Client, options: ReturnType<typeof sdkOptions>) => Promise<T>): Promise<T> {
    const deadline = new Deadline(requestTimeoutMs(opts.timeoutMs, this.cfg.timeout_ms, this.deps.timeoutMs), `server "${this.name}": ${what}`);
    if (this.status === 'starting' && this.starting && !(await deadline.within(this.starting))) throw deadline.error();
    if (this.status !== 'connected' || !this.conn) {
      const why = this.status === 'failed' && this.error ? `failed: ${this.error}` : this.status;
      throw new HostError(ErrorCodes.NotConnected, `server "${this.name}" is not connected (${why})`);
    }
    try {
      return await run(this.conn.client, sdkOptions(deadline, opts));
    } catch (err) {
      throw explain(err, deadline);
    }
  }

  private target(conn: Connected): SubscriptionTarget {
    return { client: conn.client, era: conn.era, caps: conn.client.getServerCapabilities() as ServerCapabilities | undefined, timeoutMs: this.timeoutMs };
  }

  /** What the clients of generation `gen` report back. */
  private hooks(gen: number): ClientHooks {
    const elicit = this.deps.elicit;
    return {
      ...(elicit ? { elicit: (params, signal) => elicit(this, params, signal) } : {}),
      roots: () => this.rootsView.answer(),
      onResourceUpdated: (uri: string) => this.deps.onResourceUpdated(this, uri),
      onLog: (p: { level: string; logger?: string; data: unknown }) => this.log.info({ level: p.level, logger: p.logger, data: p.data }, 'server log'),
      onListChanged: (kind: ListKind) => {
        const conn = this.conn;
        if (gen !== this.generation || !conn) return;
        this.log.debug({ kind }, 'list changed');
        void this.lists.refresh(kind, conn.client, conn.client.getServerCapabilities(), this.timeoutMs, () => gen === this.generation).then(
          () => this.deps.onChange(this),
          (err: Error) => this.log.warn({ kind, err: err.message }, 'list refresh failed'),
        );
      },
    };
  }

  /** The connection closed and we did not close it: report, then restart with backoff. */
  private onClosed(gen: number): void {
    if (gen !== this.generation) return;
    const transport = this.conn?.transport;
    const exit = transport instanceof ProcessGroupStdioTransport ? transport.exit : undefined;
    const reason = exit ? (exit.signal ? `server process was killed by ${exit.signal}` : `server process exited with code ${exit.code}`) : 'connection closed';
    this.conn = undefined;
    this.subscriptions.detach();
    this.generation++;
    this.lists.clear();
    this.crashes++;
    this.log.warn({ reason, crashes: this.crashes }, 'connection lost');
    if (this.crashes <= MAX_RESTARTS) {
      const delay = RESTART_BASE_MS * 2 ** (this.crashes - 1);
      this.setStatus('failed', `${reason}; restarting in ${delay / 1000} s`);
      this.restartTimer = setTimeout(() => this.start().catch(() => {}), delay);
    } else {
      this.setStatus('failed', `${reason}; gave up after ${MAX_RESTARTS} restarts`);
    }
    this.deps.onMessage('warn', `${this.name}: ${this.error}`);
  }

  private async closeConnection(): Promise<void> {
    const conn = this.conn;
    this.conn = undefined;
    this.subscriptions.detach();
    this.lists.clear();
    if (!conn) return;
    if (conn.transport instanceof StreamableHTTPClientTransport && conn.era === 'legacy') {
      // Spec 2025-11-25: basic/transports#session-management: the client SHOULD end its session with DELETE.
      // (2026-07-28 has no sessions.)
      await conn.transport.terminateSession().catch((err: Error) => this.log.debug({ err: err.message }, 'DELETE failed'));
    }
    await conn.client.close().catch(() => {});
  }

  private setStatus(status: ServerStatus, error?: string): void {
    this.status = status;
    this.error = error;
    this.deps.onChange(this);
  }
}
