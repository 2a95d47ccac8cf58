/**
 * One MCP server connection (spec: basic/lifecycle): its lifecycle (start, stop, restart with backoff
 * when the server dies under us), the snapshot Lua caches, and the requests the editor makes. The
 * parts with a job of their own live beside it: connect.ts (transports and era negotiation),
 * era-cache.ts (verdicts), lists.ts (capability caches), roots.ts, subscriptions.ts, requests.ts and
 * deadline.ts (the timeout policy).
 */
import { OAuthClientFlowError, OAuthError, SdkError, SdkErrorCode, StreamableHTTPClientTransport, type CallToolResult, type Client, type CompleteRequest, type ServerCapabilities } from '@modelcontextprotocol/client';
import { AuthFlow, explainFlowError } from '../auth/flow.js';
import { AuthorizationRefused } from '../auth/provider.js';
import type { AuthStore, OpenBrowser } from '../auth/types.js';
import type { ServerConfig } from '../config/types.js';
import type { Defaults } from '../contract/defaults.js';
import type { Root, ServerSnapshot, ServerStatus } from '../contract/snapshot.js';
import { ErrorCodes, HostError } from '../errors.js';
import type { Logger } from '../log.js';
import { redact } from '../redact.js';
import { makeClient, type ClientHooks, type Elicit, type ListKind, type Sample } from './client.js';
import { connect, type Connected } from './connect.js';
import { Deadline, maxTotalMs, requestTimeoutMs } from './deadline.js';
import type { EraCache } from './era-cache.js';
import { ListCache } from './lists.js';
import { ServerLogging } from './logging.js';
import { isConnectionFailure, networkCause, redactUrl } from './net-errors.js';
import { explain, explainStartResult, sdkOptions, type RequestOpts } from './requests.js';
import { RestartPolicy, type RestartOptions } from './restart-policy.js';
import { RootsView } from './roots.js';
import { ProcessGroupStdioTransport } from './stdio-transport.js';
import { Subscriptions, type SubscriptionTarget } from './subscriptions.js';
import { cancelTask, getTask, listTasks, runToolTask, taskMode, taskResult, TaskBook, type Task, type TaskEntry } from './tasks.js';
import { checkArguments } from './validate.js';

export { CLIENT_INFO } from './client.js';
export type { RequestOpts } from './requests.js';
export type { Task, TaskEntry } from './tasks.js';

/** What a caller may pass with a tool call. */
export interface CallOpts extends RequestOpts {
  /** Run a tool whose `execution.taskSupport` is `optional` as a task (a `required` one always is). */
  task?: boolean;
  /** The call's task was created, or its status polled (tasks.ts). */
  onTask?: (task: Task) => void;
}

/**
 * How long `stop` waits for an abandoned start to end, ms: its handshake is ended at once and its
 * process group within about 1.5 s (stdio-transport.ts); this only bounds a start stuck elsewhere.
 */
const ABANDON_WAIT_MS = 5000;
/**
 * How long `stop` waits for the server to acknowledge the end of an HTTP session (the DELETE), ms: a
 * server that never answers must not keep `stop` (and the editor's `:Mcp stop`) waiting.
 */
const DELETE_TIMEOUT_MS = 2000;

/**
 * Authorizations one start may ask of the user: the first 401, and one more when the server turns the
 * new token down at once (it moved to another authorization server meanwhile); then the start fails.
 */
const START_AUTHORIZATIONS = 2;

/** What a session needs from the hub that owns it. */
export interface SessionDeps {
  /** The host's logger; the session logs through a child naming the server. */
  log: Logger;
  /** Default per-request budget, ms, when neither the request nor the server config sets one. */
  timeoutMs: number;
  /** Era verdicts per server definition (under `stdpath("state")`), shared by every session. */
  verdicts: EraCache;
  /** Called whenever anything in {@link Session.snapshot} changed (status, lists, error). */
  onChange: (s: Session) => void;
  /** Something the user should be told (a crash and the restart planned), at a `vim.log.levels` name. */
  onMessage: (level: 'error' | 'warn' | 'info', text: string) => void;
  /** The editor's current roots (spec: client/roots), before this server's own `roots` setting. */
  roots: () => Root[];
  /** `notifications/resources/updated` for a subscribed resource (either era). */
  onResourceUpdated: (s: Session, uri: string) => void;
  /** `notifications/message` from the server (spec: server/utilities/logging; either era), as it came. */
  onServerLog?: (s: Session, message: ServerLogMessage) => void;
  /**
   * The definition to start with, e.g. with `${input:id}` values asked of the user. `signal` is aborted
   * (with a string reason) when the start is abandoned (the server stopped); `deadline` is the start's,
   * which the preparation counts against.
   *
   * @throws whatever makes the start fail: HostError Cancelled (declined, withdrawn), RequestTimeout
   */
  prepare?: (cfg: ServerConfig, signal: AbortSignal, deadline: Deadline) => Promise<ServerConfig>;
  /**
   * Answers this server's elicitations in both eras (see {@link ClientHooks.elicit}); without it none is
   * declared. The host passes one that asks the editor (bridge/elicit.ts); the conformance client declines.
   */
  elicit?: (s: Session, ...args: Parameters<Elicit>) => ReturnType<Elicit>;
  /** `notifications/elicitation/complete` from this server (URL mode, 2025-11-25). */
  onElicitationComplete?: (s: Session, elicitationId: string) => void;
  /**
   * Answers this server's sampling requests in both eras (see {@link ClientHooks.sample}); without it
   * sampling is not declared. The host passes one that asks the editor (bridge/sampling.ts).
   */
  sample?: (s: Session, ...args: Parameters<Sample>) => ReturnType<Sample>;
  /** The sampling provider can use tools (`sampling.tools` is declared with {@link sample}). */
  samplingTools?: boolean;
  /**
   * The restart policy's numbers (restart-policy.ts); default the contract's. Tests shorten them; a
   * server's own `restart` config (|mcp-restarts|) overrides these.
   */
  restart?: Partial<RestartOptions>;
  /** How long a handshake may take, ms, when the server sets no `timeout_ms`; default {@link Defaults.connect_timeout_ms}. */
  connectTimeoutMs?: number;
  /**
   * OAuth for HTTP servers (spec: basic/authorization; |mcp-oauth|): where tokens live and how a person
   * authorizes. Without it a server's 401 fails its start. The host passes the token files and the
   * editor's browser step; the conformance client a memory store and a `redirect: "manual"` fetch.
   */
  auth?: { store: AuthStore; openBrowser: OpenBrowser };
}

/** One `notifications/message`: its severity, the optional logger name, and any JSON `data`. */
export interface ServerLogMessage {
  level: string;
  logger?: string;
  data: unknown;
}

/**
 * One configured server: its connection (spec: basic/lifecycle), the snapshot Lua caches, and the
 * requests made to it. Every public request runs under one {@link Deadline} (deadline.ts) that includes
 * any wait for the server to start, and fails with HostError RequestTimeout (-32001) naming the server,
 * the method and the budget when it passes; NotConnected when the server is not running.
 */
export class Session {
  /** Where the server is in its lifecycle, as the snapshot shows it. */
  status: ServerStatus;
  /** Why the server is `failed` (and, after a crash, when it restarts). */
  error?: string;
  private conn?: Connected;
  private readonly lists = new ListCache();
  private readonly rootsView: RootsView;
  private readonly subscriptions: Subscriptions;
  /** Bumped by every start and stop: async work of an older generation is ignored. */
  private generation = 0;
  private starting?: Promise<void>;
  private restartTimer?: NodeJS.Timeout;
  /** Aborts the start in progress (an ask for inputs, the handshake) when it is abandoned. */
  private startAbort?: AbortController;
  /** stdio transports of starts still in their handshake, for {@link killNow}. */
  private readonly spawning = new Set<ProcessGroupStdioTransport>();
  private readonly policy: RestartPolicy;
  private readonly log: Logger;
  /** The log level asked of the server (logging.ts). */
  readonly logging: ServerLogging;
  /** The tasks this host created on the server (tasks.ts). */
  readonly taskBook = new TaskBook();
  /** The OAuth client and flow of an HTTP server, made for the definition of the start in progress (auth/flow.ts). */
  private flow?: AuthFlow;
  /** The url and `oauth` config {@link flow} was made for. */
  private flowKey?: string;
  /** The snapshot's `authorization` (contract/snapshot.ts). */
  private authorization?: 'authorizing' | 'required';
  /** Requests to this server in flight: their deadlines, and the caller's tag (a Lua request id). */
  private readonly running = new Map<Deadline, number | undefined>();

  constructor(
    readonly cfg: ServerConfig,
    private readonly deps: SessionDeps,
  ) {
    this.status = cfg.disabled ? 'disabled' : 'stopped';
    this.log = deps.log.child({ server: cfg.name });
    this.rootsView = new RootsView(cfg, deps.roots, this.log);
    this.subscriptions = new Subscriptions(cfg.name, this.log);
    const own = cfg.restart ?? {};
    this.policy = new RestartPolicy({
      ...deps.restart,
      ...(own.max !== undefined ? { max: own.max } : {}),
      ...(own.base_ms !== undefined ? { baseMs: own.base_ms } : {}),
      ...(own.stable_ms !== undefined ? { stableMs: own.stable_ms } : {}),
    });
    this.logging = new ServerLogging(cfg.log_level, cfg.name);
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
    if (this.authorization) s.authorization = this.authorization;
    if (this.cfg.timeout_ms) s.timeout_ms = this.cfg.timeout_ms;
    if (this.cfg.max_total_ms) s.max_total_ms = this.cfg.max_total_ms;
    if (this.cfg.chat) s.chat = this.cfg.chat;
    if (this.cfg.auto_approve !== undefined) s.auto_approve = this.cfg.auto_approve;
    if (this.cfg.project) s.project = this.cfg.project;
    if (conn) {
      s.protocol_version = conn.protocolVersion;
      const info = conn.client.getServerVersion();
      if (info) s.server_info = { name: info.name, version: info.version, ...(info.title ? { title: info.title } : {}) };
      s.capabilities = conn.client.getServerCapabilities() ?? {};
      const instructions = conn.client.getInstructions();
      if (instructions) s.instructions = instructions;
      const problems = conn.screen.problems();
      if (problems.length) s.problems = problems;
    }
    return s;
  }

  /**
   * The deadline of a request to this server arriving now: `requestMs`, else the server's
   * `timeout_ms`, else the host default (see {@link requestTimeoutMs}).
   *
   * @param what the method for error messages, e.g. `start` or `tools/call "status"`
   */
  deadline(what: string, requestMs?: number, progress = false): Deadline {
    const ms = requestTimeoutMs(requestMs, this.cfg.timeout_ms, this.deps.timeoutMs);
    return new Deadline(ms, `server "${this.name}": ${what}`, progress ? maxTotalMs(ms, this.cfg.max_total_ms) : ms);
  }

  /**
   * Connects (`${input:...}` asks, spawn/HTTP, era negotiation, every list loaded, subscriptions
   * renewed). Resolves once `connected`. Everything counts against one deadline: the caller's (a
   * `start` or `restart` request's, built when the request arrived), else the server's own budget. A
   * start while one runs waits for it within its own deadline. The handshake alone is also bounded by
   * the connect timeout (the server's `timeout_ms`, else {@link Defaults.connect_timeout_ms}). A start
   * asked for resets the restart policy (restart-policy.ts) and is not retried when it fails; automatic
   * restarts after a lost connection are.
   *
   * @param deadline the request's deadline; default {@link deadline}(`start`)
   * @throws HostError RequestTimeout (-32001, naming the server and the budget; `... start: initialize
   *   timed out after N ms` when the handshake took too long) when the deadline or the connect timeout
   *   passes; otherwise an Error with a readable reason (`cannot connect to URL: connection refused
   *   (ECONNREFUSED)`, `working directory not found: DIR`). The session is then `failed` with that
   *   reason (unless it was a joined start that timed out: the start it waited for goes on).
   */
  start(deadline: Deadline = this.deadline('start')): Promise<void> {
    if (this.status === 'connected') return Promise.resolve();
    if (this.starting) return this.join(this.starting, deadline);
    // Asked for (by the user, the config, a request): whatever automatic restarts failed is forgotten.
    this.policy.reset();
    return this.begin(deadline, false);
  }

  /**
   * One start: {@link start}'s, or an automatic restart (`auto`), whose failure counts against the
   * restart policy and is retried on its schedule instead of leaving the server `failed`.
   */
  private begin(deadline: Deadline, auto: boolean, authorize = false): Promise<void> {
    clearTimeout(this.restartTimer);
    const gen = ++this.generation;
    this.authorization = undefined;
    this.rootsView.reset();
    this.setStatus('starting');
    this.log.info({ transport: this.cfg.transport, timeout_ms: deadline.ms, auto }, 'starting');
    const started = Date.now();
    const abort = (this.startAbort = new AbortController());
    const spawned = new Set<ProcessGroupStdioTransport>();
    let run: Promise<void> | undefined = undefined;
    run = (async () => {
      try {
        const cfg = this.deps.prepare ? await this.deps.prepare(this.cfg, abort.signal, deadline) : this.cfg;
        if (gen !== this.generation) throw new Error('stopped while starting');
        const flow = this.flowFor(cfg);
        // A start asked for may ask the user again; an automatic restart does not after they declined.
        if (flow && !auto) flow.declined = false;
        if (authorize) {
          if (!flow) throw new HostError(ErrorCodes.InvalidParams, `server "${this.name}" has no OAuth authorization (${cfg.transport === 'stdio' ? 'a stdio server' : 'oauth = false, or no token store'})`);
          await this.authorizeNow(flow, () => flow.authorize(abort.signal).then(() => true), gen);
          deadline = this.deadline('start');
        }
        const attempt = (d: Deadline) =>
          connect(cfg, {
            deadline: d,
            definition: this.cfg,
            onStderr: (line) => this.log.info({ stderr: line }),
            makeClient: (negotiation) => makeClient(negotiation, this.hooks(gen)),
            verdicts: this.deps.verdicts,
            log: this.log,
            signal: abort.signal,
            connectTimeoutMs: this.cfg.timeout_ms ?? this.deps.connectTimeoutMs,
            onTransport: (t) => (spawned.add(t), this.spawning.add(t)),
            ...(flow ? { authProvider: flow.provider } : {}),
          }).finally(() => spawned.forEach((t) => this.spawning.delete(t)));
        // A 401 the transport could not answer with a stored or refreshed token (at the handshake, or
        // at the first lists: the server may have moved to another authorization server just then): the
        // person authorizes (not within the start's deadline: they take their time), then another try;
        // at most twice, so that a server that refuses every token ends the start.
        for (let authorized = 0; ; ) {
          try {
            await this.establish(await attempt(deadline), deadline, gen);
            break;
          } catch (err) {
            if (authorized >= START_AUTHORIZATIONS || !flow || !AuthFlow.needsAuthorization(err) || gen !== this.generation) throw err;
            if (this.conn) this.conn.client.onclose = undefined;
            await this.closeConnection();
            await this.authorizeNow(flow, () => flow.completePending(abort.signal), gen);
            authorized++;
            deadline = this.deadline('start');
          }
        }
        if (gen !== this.generation) throw new Error('stopped while starting');
        this.policy.connected();
        this.log.info({ ms: Date.now() - started, transport: this.conn?.kind, protocol_version: this.conn?.protocolVersion }, 'connected');
        this.setStatus('connected');
      } catch (caught) {
        const err = startFailure(caught, deadline, this.name);
        this.flow?.abandon();
        if (gen === this.generation) {
          this.log.warn({ err: err.message, auto }, 'failed to start');
          // Closed by us, for this failure: not a lost connection with a restart of its own.
          if (this.conn) this.conn.client.onclose = undefined;
          await this.closeConnection();
          // Waiting for the user's authorization: restarting would only ask again, so it waits for :Mcp auth.
          const needsUser = err instanceof HostError && err.code === ErrorCodes.AuthorizationRequired;
          if (needsUser) this.authorization = 'required';
          if (auto && !needsUser) this.retry(err.message);
          else this.setStatus('failed', err.message);
        }
        throw err;
      } finally {
        // stop() forgets an abandoned start at once, and a newer start may be running by now.
        if (this.starting === run) this.starting = undefined;
      }
    })();
    this.starting = run;
    return run;
  }

  /**
   * Takes a connection just made into use: its close and error handlers, every list, the
   * subscriptions renewed, the log level asked for.
   *
   * @throws whatever listing fails with (a 401 the transport could not answer included); Error
   *   `stopped while starting` when the start was abandoned meanwhile
   */
  private async establish(conn: Connected, deadline: Deadline, gen: number): Promise<void> {
    if (gen !== this.generation) {
      await conn.client.close().catch(() => {});
      throw new Error('stopped while starting');
    }
    this.conn = conn;
    conn.client.onclose = () => this.onClosed(gen);
    conn.client.onerror = (err) => this.onTransportError(gen, conn, err);
    const caps = conn.client.getServerCapabilities();
    await Promise.all((['tools', 'prompts', 'resources'] as const).map((k) => this.lists.refresh(k, conn.client, caps, () => deadline, () => gen === this.generation)));
    await this.subscriptions.attach(this.target(conn), deadline.budget());
    // A level the server refuses is no reason to fail its start.
    await this.logging.apply(conn.client, conn.era, deadline.budget()).catch((err: Error) =>
      this.log.warn({ level: this.logging.level, err: err.message }, 'logging/setLevel failed'),
    );
  }

  /** Waits for a start already running, within `deadline`; its failure is this caller's too. */
  private async join(starting: Promise<void>, deadline: Deadline): Promise<void> {
    if (!(await deadline.within(starting))) throw deadline.error();
    return starting;
  }

  /**
   * Ends the session (HTTP: DELETE, given at most {@link DELETE_TIMEOUT_MS}; stdio: the process group,
   * stdin closed, then SIGTERM, then SIGKILL) and resolves once it is gone. Abandons a start in
   * progress (its `${input:...}` asks are withdrawn) and any planned restart. Never throws.
   */
  async stop(): Promise<void> {
    const abandoned = this.starting;
    this.generation++;
    this.startAbort?.abort('the server was stopped');
    // A start after this stop must not join the abandoned one.
    this.starting = undefined;
    clearTimeout(this.restartTimer);
    this.policy.reset();
    this.flow?.abandon();
    await this.closeConnection();
    // "stopped" only once nothing of the abandoned start runs: its handshake ends at once (connect.ts)
    // and closes its transport, which ends the server's process group.
    if (abandoned) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([abandoned.catch(() => {}), new Promise((resolve) => (timer = setTimeout(resolve, ABANDON_WAIT_MS)))]);
      clearTimeout(timer);
    }
    this.setStatus(this.cfg.disabled ? 'disabled' : 'stopped');
  }

  /**
   * Authorizes the server now (`:Mcp auth`; spec: basic/authorization) and (re)connects: the whole
   * flow (discovery, client identity, a new authorization in the browser even when tokens are stored,
   * which stay until new ones arrive), then a start with a fresh deadline. A connected server stays
   * connected while the person decides, and is restarted with the new tokens; declined, it stays as it
   * was. The browser step is not bounded by a request deadline (the person takes their time) but by the
   * flow's own limit.
   *
   * @returns the snapshot once connected
   * @throws HostError AuthorizationRequired (declined, timed out, refused; the session is `failed` with
   *   `authorization` `required`), InvalidParams (a stdio server, `oauth = false`), or as {@link start}
   */
  async authorize(): Promise<ServerSnapshot> {
    const flow = this.status === 'connected' ? this.flow : undefined;
    if (flow) {
      // Connected: the connection stays while the person decides; only new tokens replace it.
      const signal = (this.startAbort ??= new AbortController()).signal;
      await this.authorizeNow(flow, () => flow.authorize(signal).then(() => true), this.generation);
      await this.restart();
      return this.snapshot();
    }
    await this.stop();
    this.policy.reset();
    await this.begin(this.deadline('start'), false, true);
    return this.snapshot();
  }

  /** The OAuth flow for the definition `cfg` of a start (inputs substituted), or none (stdio, `oauth = false`, no store). */
  private flowFor(cfg: ServerConfig): AuthFlow | undefined {
    if (cfg.transport === 'stdio' || cfg.oauth === false || !this.deps.auth) return (this.flow = undefined);
    // Kept across restarts while the definition is the same: its DPoP key (tokens are bound to it) lives in memory.
    const key = JSON.stringify([cfg.url, cfg.oauth ?? null]);
    if (this.flow && this.flowKey === key) {
      this.flow.provider.reload();
      return this.flow;
    }
    this.flowKey = key;
    this.flow = new AuthFlow({ server: this.name, serverUrl: cfg.url, ...(cfg.oauth ? { config: cfg.oauth } : {}), ...this.deps.auth, log: this.log });
    return this.flow;
  }

  /**
   * Runs the browser step of `flow` (`run`), the snapshot saying `authorizing` meanwhile.
   *
   * @throws HostError AuthorizationRequired naming the server, what happened and `:Mcp auth NAME`
   */
  private async authorizeNow(flow: AuthFlow, run: () => Promise<boolean>, gen: number): Promise<void> {
    this.authorization = 'authorizing';
    this.deps.onChange(this);
    try {
      if (!(await run())) throw new Error('the server refused the token and no new authorization could be started');
    } catch (err) {
      if (gen !== this.generation) throw new HostError(ErrorCodes.NotConnected, `server "${this.name}" was stopped while waiting for authorization`);
      throw authorizationRequired(this.name, err);
    } finally {
      if (gen === this.generation) flow.provider.closeBrowser();
      if (this.authorization === 'authorizing') {
        this.authorization = undefined;
        this.deps.onChange(this);
      }
    }
  }

  /**
   * {@link stop} then {@link start}, both within one deadline (the `restart` request's).
   *
   * @param deadline default {@link deadline}(`restart`)
   * @throws as {@link start}
   */
  async restart(deadline: Deadline = this.deadline('restart')): Promise<void> {
    await this.stop();
    await this.start(deadline);
  }

  /** Kills the process group of a stdio server (running or still in its handshake) at once; for when the host itself is exiting. */
  killNow(): void {
    if (this.conn?.transport instanceof ProcessGroupStdioTransport) this.conn.transport.killNow();
    for (const t of this.spawning) t.killNow();
  }

  /** The server's pid for a stdio server that is running. */
  get pid(): number | undefined {
    return this.conn?.transport instanceof ProcessGroupStdioTransport ? this.conn.transport.pid : undefined;
  }

  /**
   * `tools/call` (spec: server/tools#calling-tools) after checking `args` against the tool's `inputSchema`.
   * A tool whose `execution.taskSupport` is `required`, or `optional` with `opts.task`, runs as a task
   * (tasks.ts): created, polled every `pollInterval`, its result fetched with `tasks/result`, cancelled with
   * `tasks/cancel` when the call is; each request of it gets the call's budget, the whole task the call's
   * maximum total time.
   *
   * @throws HostError UnknownItem (no such tool), InvalidParams (arguments fail the schema; a task asked of
   *   a tool or server that cannot run one, or of a 2026-07-28 server), NotConnected, RequestTimeout (the
   *   deadline passed, waiting for the server included), Cancelled (the server cancelled the task);
   *   ProtocolError from the server
   */
  async callTool(tool: string, args: Record<string, unknown>, opts: CallOpts = {}): Promise<CallToolResult> {
    const what = `tools/call "${tool}"`;
    return this.request(what, opts, (client, options) => {
      const def = this.lists.tools.find((t) => t.name === tool);
      if (!def) throw new HostError(ErrorCodes.UnknownItem, `${this.name}: no tool named "${tool}"`);
      const problem = checkArguments(def.inputSchema, args);
      if (problem) throw new HostError(ErrorCodes.InvalidParams, `${this.name}/${tool}: ${problem}`);
      const params = { name: tool, arguments: args, ...this.meta() };
      // Spec 2025-11-25: basic/utilities/tasks: a tool that requires a task (or offers one the caller asked for).
      const caps = client.getServerCapabilities() as { tasks?: { requests?: { tools?: { call?: unknown } } } } | undefined;
      if (taskMode(def.execution, opts.task === true, this.conn!.era, caps?.tasks?.requests?.tools?.call !== undefined, `server "${this.name}": ${what}`)) {
        const taskOpts = { requestTimeoutMs: options.timeout!, totalMs: options.maxTotalTimeout ?? options.timeout!, what: `server "${this.name}": ${what}`, ...(options.signal ? { signal: options.signal } : {}) };
        return runToolTask(client, params, taskOpts, {
          onStatus: (t) => {
            this.taskBook.record(tool, t);
            opts.onTask?.(t);
          },
        });
      }
      return client.callTool(params, options);
    });
  }

  /**
   * This host's tasks on the server, with those its `tasks/list` returns (spec 2025-11-25:
   * basic/utilities/tasks#listing-tasks) when it declares `tasks.list`.
   *
   * @throws as {@link callTool}, when the server is asked and fails
   */
  async listTasks(opts: RequestOpts = {}): Promise<TaskEntry[]> {
    const caps = this.conn?.client.getServerCapabilities() as { tasks?: { list?: unknown } } | undefined;
    if (this.status !== 'connected' || this.conn?.era !== 'legacy' || caps?.tasks?.list === undefined) return this.taskBook.entries(this.name);
    const listed = await this.request('tasks/list', opts, (client, options) => listTasks(client, options));
    return this.taskBook.entries(this.name, listed);
  }

  /** `tasks/get` of one task; the book learns its status. Errors as {@link callTool}. */
  async getTask(taskId: string, opts: RequestOpts = {}): Promise<Task> {
    const task = await this.request(`tasks/get "${taskId}"`, opts, (client, options) => getTask(client, taskId, options));
    this.taskBook.update(task);
    return task;
  }

  /** `tasks/result` of one task: waits until it ends, then its tool's result. Errors as {@link callTool}. */
  taskResult(taskId: string, opts: RequestOpts = {}): Promise<CallToolResult> {
    return this.request(`tasks/result "${taskId}"`, opts, (client, options) => taskResult(client, taskId, options));
  }

  /** `tasks/cancel` of one task; the book learns its status. Errors as {@link callTool}. */
  async cancelTask(taskId: string, opts: RequestOpts = {}): Promise<Task> {
    const task = await this.request(`tasks/cancel "${taskId}"`, opts, (client, options) => cancelTask(client, taskId, options));
    this.taskBook.update(task);
    return task;
  }

  /** `prompts/get` (spec: server/prompts). Errors as {@link callTool}. */
  getPrompt(name: string, args: Record<string, string>, opts: RequestOpts = {}) {
    return this.request(`prompts/get "${name}"`, opts, (client, options) => client.getPrompt({ name, arguments: args, ...this.meta() }, options));
  }

  /** `resources/read` (spec: server/resources); never served from the SDK's response cache. */
  readResource(uri: string, opts: RequestOpts = {}) {
    return this.request(`resources/read "${uri}"`, opts, (client, options) => client.readResource({ uri, ...this.meta() }, { ...options, cacheMode: 'bypass' }));
  }

  /** `completion/complete` (spec: server/utilities/completion). */
  complete(params: CompleteRequest['params'], opts: RequestOpts = {}) {
    return this.request('completion/complete', opts, (client, options) => client.complete(params, options));
  }

  /**
   * Sets the server's log level (spec: server/utilities/logging) and keeps it across restarts: a
   * 2025-11-25 server that declares `logging` gets `logging/setLevel` now; a 2026-07-28 server, which
   * has no such request, gets the level in the `_meta` of each later request (logging.ts).
   *
   * @param level one of the spec's eight severities (`debug` ... `emergency`)
   * @returns how the level reached the server
   * @throws HostError InvalidParams (not a level, or a 2025-era server that does not declare `logging`),
   *   NotConnected, RequestTimeout; ProtocolError from the server
   */
  async setLogLevel(level: string, opts: RequestOpts = {}): Promise<{ level: string; via: 'logging/setLevel' | '_meta' }> {
    return this.request(`logging/setLevel "${level}"`, opts, async (client, options) => {
      const era = this.conn!.era;
      if (era === 'legacy' && !client.getServerCapabilities()?.logging) {
        throw new HostError(ErrorCodes.InvalidParams, `server "${this.name}" does not declare the logging capability: it takes no log level`);
      }
      const chosen = this.logging.choose(level);
      if (era === 'modern') return { level: chosen, via: '_meta' as const };
      await client.setLoggingLevel(chosen, options);
      return { level: chosen, via: 'logging/setLevel' as const };
    });
  }

  /**
   * Holds the clock of every request to this server in flight (issue 11): a server's elicitation or
   * sampling request waits on the person at the editor (or a model), and none of its calls may time out meanwhile (which call the question
   * belongs to the server does not say in the 2025-11-25 era). Requests made while held are not held.
   *
   * @returns `requests`: the tags ({@link RequestOpts.tag}) of the held requests; `release`: restarts
   *   their clocks, with the held time added (idempotent)
   */
  holdRequests(): { requests: number[]; release: () => void } {
    const releases = [...this.running.keys()].map((d) => d.hold());
    const requests = [...this.running.values()].filter((t): t is number => typeof t === 'number');
    return { requests, release: () => releases.forEach((r) => r()) };
  }

  /** The `_meta` of a request in this connection's era (the 2026-07-28 log level), spread into its params. */
  private meta(): { _meta?: Record<string, unknown> } {
    const meta = this.conn ? this.logging.meta(this.conn.era) : undefined;
    return meta ? { _meta: meta } : {};
  }

  /**
   * Subscribes to `uri` (spec: server/resources#subscriptions; 2026-07-28: `subscriptions/listen`);
   * kept across restarts.
   *
   * @throws HostError NotConnected, RequestTimeout; ProtocolError when the server refuses
   */
  async subscribe(uri: string, opts: RequestOpts = {}): Promise<void> {
    await this.request(`subscribe "${uri}"`, opts, (_client, options) => this.subscriptions.subscribe(uri, this.target(this.conn!), options.timeout));
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
    const deadline = this.deadline(what, opts.timeoutMs, opts.onProgress !== undefined);
    if (this.status === 'starting' && this.starting && !(await deadline.within(this.starting))) throw deadline.error();
    if (this.status !== 'connected' || !this.conn) {
      const why = this.status === 'failed' && this.error ? `failed: ${this.error}` : this.status;
      throw new HostError(ErrorCodes.NotConnected, `server "${this.name}" is not connected (${why})`);
    }
    this.running.set(deadline, opts.tag);
    try {
      return await run(this.conn.client, sdkOptions(deadline, opts));
    } catch (err) {
      const flow = this.flow;
      if (!flow || !AuthFlow.needsAuthorization(err)) throw explain(err, deadline);
      // The token was refused mid-session (expired without a refresh, revoked, or a scope the request
      // needs): the person authorizes, then the request is made once more, with a deadline of its own.
      const gen = this.generation;
      await this.authorizeNow(flow, () => flow.completePending(this.startAbort?.signal ?? new AbortController().signal), gen);
      if (this.status !== 'connected' || !this.conn) throw new HostError(ErrorCodes.NotConnected, `server "${this.name}" is not connected (${this.status})`);
      const again = this.deadline(what, opts.timeoutMs, opts.onProgress !== undefined);
      this.running.set(again, opts.tag);
      try {
        return await run(this.conn.client, sdkOptions(again, opts));
      } catch (retryErr) {
        if (AuthFlow.needsAuthorization(retryErr)) {
          flow.abandon();
          throw authorizationRequired(this.name, retryErr);
        }
        throw explain(retryErr, again);
      } finally {
        this.running.delete(again);
        again.dispose();
      }
    } finally {
      this.running.delete(deadline);
      deadline.dispose();
    }
  }

  private target(conn: Connected): SubscriptionTarget {
    return { client: conn.client, era: conn.era, caps: conn.client.getServerCapabilities() as ServerCapabilities | undefined, timeoutMs: this.timeoutMs };
  }

  /** What the clients of generation `gen` report back. */
  private hooks(gen: number): ClientHooks {
    const elicit = this.deps.elicit;
    const sample = this.deps.sample;
    return {
      ...(elicit ? { elicit: (params, signal) => elicit(this, params, signal) } : {}),
      ...(sample ? { sample: (params, signal) => sample(this, params, signal), samplingTools: this.deps.samplingTools === true } : {}),
      onElicitationComplete: (id: string) => {
        if (gen !== this.generation) return;
        this.log.info({ elicitation: id }, 'elicitation complete');
        this.deps.onElicitationComplete?.(this, id);
      },
      roots: () => this.rootsView.answer(),
      onResourceUpdated: (uri: string) => this.deps.onResourceUpdated(this, uri),
      onLog: (p: ServerLogMessage) => {
        if (gen !== this.generation) return;
        this.log.info({ level: p.level, logger: p.logger, data: p.data }, 'server log');
        this.deps.onServerLog?.(this, p);
      },
      onListChanged: (kind: ListKind) => {
        const conn = this.conn;
        if (gen !== this.generation || !conn) return;
        this.log.debug({ kind }, 'list changed');
        const deadline = () => this.deadline(`${kind}/list`);
        void this.lists.refresh(kind, conn.client, conn.client.getServerCapabilities(), deadline, () => gen === this.generation).then(
          () => this.deps.onChange(this),
          (err: Error) => this.log.warn({ kind, err: err.message }, 'list refresh failed'),
        );
      },
    };
  }

  /** The connection closed and we did not close it: a stdio server exited, or an HTTP transport closed. */
  private onClosed(gen: number): void {
    const transport = this.conn?.transport;
    const exit = transport instanceof ProcessGroupStdioTransport ? transport.exit : undefined;
    const reason = exit ? (exit.signal ? `server process was killed by ${exit.signal}` : `server process exited with code ${exit.code}`) : 'connection closed';
    this.lost(gen, reason);
  }

  /**
   * An error of a connection's transport. For an HTTP server, a failure of the connection itself (a
   * POST or the GET stream failing without an HTTP answer, a reconnection refused) means the server
   * is gone: the connection is treated as lost at once, instead of requests waiting out their timeout.
   * An HTTP status or a malformed message is only logged: the server is there.
   */
  private onTransportError(gen: number, conn: Connected, err: Error): void {
    this.log.warn({ err: err.message }, 'transport error');
    if (gen !== this.generation || conn.kind === 'stdio' || !isConnectionFailure(err)) return;
    const url = this.cfg.transport === 'stdio' ? '' : redactUrl(this.cfg.url);
    this.lost(gen, `lost the connection to ${url}: ${networkCause(err) ?? err.message}`);
  }

  /**
   * The connection of generation `gen` is gone and we did not end it: fail the requests waiting on it
   * at once, report, and restart on the policy's schedule (or give up).
   */
  private lost(gen: number, reason: string): void {
    if (gen !== this.generation) return;
    const conn = this.conn;
    this.conn = undefined;
    this.subscriptions.detach();
    this.generation++;
    this.lists.clear();
    // Rejects what still waits on it with ConnectionClosed, and ends what is left of it (an HTTP stream).
    if (conn) void conn.client.close().catch(() => {});
    this.log.warn({ reason, failures: this.policy.count + 1 }, 'connection lost');
    this.retry(reason);
  }

  /** Schedules the next automatic restart after a failure, or gives up; either way the user is told. */
  private retry(reason: string): void {
    const next = this.policy.failed();
    const max = this.policy.options.max;
    if (!next) {
      this.setStatus('failed', `${reason}; gave up after ${max} restart${max === 1 ? '' : 's'} (:Mcp restart tries again)`);
    } else {
      this.setStatus('failed', `${reason}; restarting in ${next.delayMs / 1000} s (restart ${next.attempt} of ${max})`);
      this.restartTimer = setTimeout(() => void this.begin(this.deadline('restart'), true).catch(() => {}), next.delayMs);
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
      // Bounded: closing the client below aborts a DELETE still waiting.
      const ended = conn.transport.terminateSession().then(
        () => true,
        (err: Error) => (this.log.debug({ err: err.message }, 'DELETE failed'), true),
      );
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), DELETE_TIMEOUT_MS)));
      if (!(await Promise.race([ended, late]))) this.log.info({ ms: DELETE_TIMEOUT_MS }, 'no answer to DELETE; closing anyway');
      clearTimeout(timer);
    }
    await conn.client.close().catch(() => {});
  }

  private setStatus(status: ServerStatus, error?: string): void {
    this.status = status;
    this.error = redact(error);
    this.deps.onChange(this);
  }
}

/**
 * The error a failed start reports: a timeout of any step (the SDK's, or a step aborted by the deadline's
 * signal), or any failure once the deadline has passed, is the deadline's RequestTimeout, naming the
 * server and the budget. A result the SDK refuses (a whole list malformed) says so in one line naming
 * the method (requests.ts). A HostError (an `${input:...}` ask declined, withdrawn or unanswered) says
 * what happened itself and passes unchanged, as does any other failure within the deadline.
 */
function startFailure(caught: unknown, deadline: Deadline, server: string): Error {
  const err = explainStartResult(caught, deadline);
  if (err instanceof HostError) return err;
  if (AuthFlow.needsAuthorization(err)) return authorizationRequired(server, err);
  if (err instanceof OAuthError || err instanceof OAuthClientFlowError || err instanceof AuthorizationRefused || /dynamic client registration/i.test((err as Error | undefined)?.message ?? '')) {
    return explainFlowError(err, `server "${server}"`);
  }
  if ((err instanceof SdkError && err.code === SdkErrorCode.RequestTimeout) || deadline.remaining() <= 0) return deadline.error();
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * The server needs the user's authorization and has none: what happened (declined, timed out, refused
 * by the server, a mix-up refused) and what to do. The reason of a refusal keeps its own words.
 */
function authorizationRequired(server: string, cause: unknown): HostError {
  const message = cause instanceof Error ? cause.message : String(cause);
  // The cause's own prefix naming the server goes: the message names it once.
  const why = [`server "${server}": `, `${server}: `].reduce((m, prefix) => (m.startsWith(prefix) ? m.slice(prefix.length) : m), message);
  const reason =
    cause instanceof HostError && cause.code === ErrorCodes.Cancelled ? 'declined'
    : why === 'Unauthorized' ? 'the server turned the token down'
    : why;
  return new HostError(ErrorCodes.AuthorizationRequired, `needs authorization: run :Mcp auth ${server} (${reason})`, { server });
}
