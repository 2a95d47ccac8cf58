/**
 * One MCP server connection (spec: basic/lifecycle) on the SDK's `Client`: connect, capability caches
 * kept complete and fresh through list-changed notifications, requests, and restart with backoff when
 * the server dies under us.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  PromptListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  type Root,
  ResourceListChangedNotificationSchema,
  ToolListChangedNotificationSchema,
  type CallToolResult,
  type Prompt,
  type Resource,
  type ResourceTemplate,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { ServerConfig } from '../config/types.js';
import type { ServerSnapshot, ServerStatus } from '../contract/snapshot.js';
import { ErrorCodes, HostError } from '../errors.js';
import type { Logger } from '../log.js';
import { connect, type Connected } from './connect.js';
import { listAllPrompts, listAllResources, listAllResourceTemplates, listAllTools } from './lists.js';
import { ProcessGroupStdioTransport } from './stdio-transport.js';
import { checkArguments } from './validate.js';

export const CLIENT_INFO = { name: 'mcp.nvim', version: '0.1.0' };

/** Backoff for automatic restarts after a crash: 1 s, 2 s, 4 s, 8 s, 16 s, then give up. */
const RESTART_BASE_MS = 1000;
const MAX_RESTARTS = 5;

export interface SessionDeps {
  log: Logger;
  /** Default per-request timeout, ms, when the server config sets none. */
  timeoutMs: number;
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
}

export interface RequestOpts {
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (p: { progress: number; total?: number; message?: string }) => void;
}

type ListKind = 'tools' | 'prompts' | 'resources';

export class Session {
  status: ServerStatus;
  error?: string;
  private conn?: Connected;
  private tools: Tool[] = [];
  private prompts: Prompt[] = [];
  private resources: Resource[] = [];
  private templates: ResourceTemplate[] = [];
  /** Bumped by every start and stop: async work of an older generation is ignored. */
  private generation = 0;
  private starting?: Promise<void>;
  private restartTimer?: NodeJS.Timeout;
  /** Aborts the preparation of the start in progress (an ask for inputs) when it is abandoned. */
  private startAbort?: AbortController;
  private crashes = 0;
  private refreshing = new Map<ListKind, Promise<void>>();
  private refreshAgain = new Set<ListKind>();
  private readonly log: Logger;
  /** The roots this server was last told about (JSON), so that only real changes are announced. */
  private announcedRoots?: string;
  /** Resource URIs subscribed to, with how many subscribers each has; renewed after every (re)connect. */
  private subscriptions = new Map<string, number>();

  constructor(
    readonly cfg: ServerConfig,
    private readonly deps: SessionDeps,
  ) {
    this.status = cfg.disabled ? 'disabled' : 'stopped';
    this.log = deps.log.child({ server: cfg.name });
  }

  get name(): string {
    return this.cfg.name;
  }

  private get timeoutMs(): number {
    return this.cfg.timeout_ms ?? this.deps.timeoutMs;
  }

  /** The state Lua caches; lists are complete. */
  snapshot(): ServerSnapshot {
    const info = this.conn?.client.getServerVersion();
    const s: ServerSnapshot = {
      name: this.name,
      status: this.status,
      transport: this.conn?.kind ?? this.cfg.transport,
      tools: this.tools,
      prompts: this.prompts,
      resources: this.resources,
      resource_templates: this.templates,
    };
    if (this.error) s.error = this.error;
    if (this.cfg.timeout_ms) s.timeout_ms = this.cfg.timeout_ms;
    if (info && this.status === 'connected') {
      s.server_info = { name: info.name, version: info.version, ...(info.title ? { title: info.title } : {}) };
      s.capabilities = this.conn!.client.getServerCapabilities() ?? {};
      const instructions = this.conn!.client.getInstructions();
      if (instructions) s.instructions = instructions;
    }
    return s;
  }

  /**
   * Connects (spawn/HTTP, initialize, load every list). Resolves once `connected`.
   *
   * @throws Error with a readable reason; the session is then `failed` with that reason
   */
  start(): Promise<void> {
    if (this.status === 'connected') return Promise.resolve();
    if (this.starting) return this.starting;
    clearTimeout(this.restartTimer);
    const gen = ++this.generation;
    // A new server learns the roots by asking roots/list; only changes after this point are news to it.
    this.announcedRoots = JSON.stringify(this.effectiveRoots());
    this.setStatus('starting');
    this.log.info({ transport: this.cfg.transport }, 'starting');
    const started = Date.now();
    const abort = (this.startAbort = new AbortController());
    this.starting = (async () => {
      try {
        const cfg = this.deps.prepare ? await this.deps.prepare(this.cfg, abort.signal) : this.cfg;
        if (gen !== this.generation) throw new Error('stopped while starting');
        const conn = await connect(cfg, () => this.makeClient(gen), this.timeoutMs, (line) => this.log.info({ stderr: line }));
        if (gen !== this.generation) {
          await conn.client.close().catch(() => {});
          throw new Error('stopped while starting');
        }
        this.conn = conn;
        conn.client.onclose = () => this.onClosed(gen);
        conn.client.onerror = (err) => this.log.warn({ err: err.message }, 'transport error');
        await Promise.all((['tools', 'prompts', 'resources'] as const).map((k) => this.refresh(k, gen)));
        await Promise.all([...this.subscriptions.keys()].map((uri) => conn.client.subscribeResource({ uri }).catch((err: Error) => this.log.warn({ uri, err: err.message }, 'resubscribe failed'))));
        if (gen !== this.generation) throw new Error('stopped while starting');
        this.crashes = 0;
        this.log.info({ ms: Date.now() - started, transport: conn.kind }, 'connected');
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
   * @throws HostError UnknownItem (no such tool), InvalidParams (arguments fail the schema), NotConnected;
   *   McpError from the server or on timeout (RequestTimeout) or cancellation
   */
  async callTool(tool: string, args: Record<string, unknown>, opts: RequestOpts = {}): Promise<CallToolResult> {
    const client = await this.client(opts.timeoutMs);
    const def = this.tools.find((t) => t.name === tool);
    if (!def) throw new HostError(ErrorCodes.UnknownItem, `${this.name}: no tool named "${tool}"`);
    const problem = checkArguments(def.inputSchema, args);
    if (problem) throw new HostError(ErrorCodes.InvalidParams, `${this.name}/${tool}: ${problem}`);
    return (await client.callTool({ name: tool, arguments: args }, undefined, this.requestOptions(opts))) as CallToolResult;
  }

  /** `prompts/get` (spec: server/prompts). */
  async getPrompt(name: string, args: Record<string, string>, opts: RequestOpts = {}) {
    return (await this.client(opts.timeoutMs)).getPrompt({ name, arguments: args }, this.requestOptions(opts));
  }

  /** `resources/read` (spec: server/resources). */
  async readResource(uri: string, opts: RequestOpts = {}) {
    return (await this.client(opts.timeoutMs)).readResource({ uri }, this.requestOptions(opts));
  }

  /** `completion/complete` (spec: server/utilities/completion). */
  async complete(params: Parameters<Client['complete']>[0], opts: RequestOpts = {}) {
    return (await this.client(opts.timeoutMs)).complete(params, this.requestOptions(opts));
  }

  /**
   * `resources/subscribe` (spec: server/resources#subscriptions); kept across restarts.
   *
   * @throws HostError NotConnected; McpError when the server refuses
   */
  async subscribe(uri: string): Promise<void> {
    const n = this.subscriptions.get(uri) ?? 0;
    if (n === 0) await (await this.client()).subscribeResource({ uri });
    this.subscriptions.set(uri, n + 1);
  }

  /**
   * Drops one subscriber of `uri` (a buffer, a plugin); `resources/unsubscribe` goes out with the last.
   * The subscription is forgotten even when the server is gone.
   */
  async unsubscribe(uri: string): Promise<void> {
    const n = this.subscriptions.get(uri) ?? 0;
    if (n > 1) {
      this.subscriptions.set(uri, n - 1);
      return;
    }
    this.subscriptions.delete(uri);
    if (n === 1 && this.status === 'connected') await (await this.client()).unsubscribeResource({ uri });
  }

  /** The roots this server sees: the editor's, none (`roots = false`), or its fixed list. */
  effectiveRoots(): Root[] {
    const own = this.cfg.roots;
    if (own === false) return [];
    if (own === true) return this.deps.roots();
    return own.map((dir) => ({ uri: pathToFileURL(dir).href, name: basename(dir) }));
  }

  /**
   * Called when the editor's roots may have changed: sends `notifications/roots/list_changed` when
   * what this server sees really changed, and only then.
   */
  rootsChanged(): void {
    const now = JSON.stringify(this.effectiveRoots());
    if (now === this.announcedRoots) return;
    this.announcedRoots = now;
    if (this.status !== 'connected' || !this.conn) return;
    this.log.debug('roots/list_changed');
    this.conn.client.sendRootsListChanged().catch((err: Error) => this.log.warn({ err: err.message }, 'roots/list_changed failed'));
  }

  /**
   * The connected client. A request made while the server is still starting waits for it (at most
   * `timeoutMs`), so that the first `:Mcp call` of a session does not fail for being early.
   *
   * @throws HostError NotConnected when the server is not (or does not get) connected
   */
  private async client(timeoutMs = this.timeoutMs): Promise<Client> {
    if (this.status === 'starting' && this.starting) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([this.starting.catch(() => {}), late]);
      clearTimeout(timer);
    }
    if (this.status !== 'connected' || !this.conn) {
      const why = this.status === 'failed' && this.error ? `failed: ${this.error}` : this.status;
      throw new HostError(ErrorCodes.NotConnected, `server "${this.name}" is not connected (${why})`);
    }
    return this.conn.client;
  }

  private requestOptions(opts: RequestOpts) {
    return {
      timeout: opts.timeoutMs ?? this.timeoutMs,
      signal: opts.signal,
      onprogress: opts.onProgress,
      resetTimeoutOnProgress: opts.onProgress !== undefined,
    };
  }

  private makeClient(gen: number): Client {
    const client = new Client(CLIENT_INFO, { capabilities: { roots: { listChanged: true } } });
    // Spec: client/roots. Answered from our own copy, no round trip to the editor.
    client.setRequestHandler(ListRootsRequestSchema, () => {
      const roots = this.effectiveRoots();
      this.announcedRoots = JSON.stringify(roots);
      return { roots };
    });
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => this.deps.onResourceUpdated(this, n.params.uri));
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) =>
      this.log.info({ level: n.params.level, logger: n.params.logger, data: n.params.data }, 'server log'),
    );
    const on = (kind: ListKind) => () => {
      this.log.debug({ kind }, 'list changed');
      void this.refresh(kind, gen).then(
        () => this.deps.onChange(this),
        (err: Error) => this.log.warn({ kind, err: err.message }, 'list refresh failed'),
      );
    };
    client.setNotificationHandler(ToolListChangedNotificationSchema, on('tools'));
    client.setNotificationHandler(PromptListChangedNotificationSchema, on('prompts'));
    client.setNotificationHandler(ResourceListChangedNotificationSchema, on('resources'));
    return client;
  }

  /**
   * Reloads one list (resources come with their templates). Notifications that arrive during a refresh
   * cause exactly one more refresh after it, never a pile of concurrent ones.
   */
  private refresh(kind: ListKind, gen: number): Promise<void> {
    const running = this.refreshing.get(kind);
    if (running) {
      this.refreshAgain.add(kind);
      return running;
    }
    const run = (async () => {
      try {
        do {
          this.refreshAgain.delete(kind);
          await this.load(kind, gen);
        } while (this.refreshAgain.has(kind));
      } finally {
        this.refreshing.delete(kind);
      }
    })();
    this.refreshing.set(kind, run);
    return run;
  }

  private async load(kind: ListKind, gen: number): Promise<void> {
    const client = this.conn?.client;
    const caps = client?.getServerCapabilities();
    if (!client || gen !== this.generation) return;
    const t = this.timeoutMs;
    if (kind === 'tools') {
      const tools = caps?.tools ? await listAllTools(client, t) : [];
      if (gen === this.generation) this.tools = tools;
    } else if (kind === 'prompts') {
      const prompts = caps?.prompts ? await listAllPrompts(client, t) : [];
      if (gen === this.generation) this.prompts = prompts;
    } else {
      const [resources, templates] = caps?.resources
        ? await Promise.all([listAllResources(client, t), listAllResourceTemplates(client, t).catch(() => [])])
        : [[], []];
      if (gen === this.generation) {
        this.resources = resources;
        this.templates = templates;
      }
    }
  }

  /** The connection closed and we did not close it: report, then restart with backoff. */
  private onClosed(gen: number): void {
    if (gen !== this.generation) return;
    const transport = this.conn?.transport;
    const exit = transport instanceof ProcessGroupStdioTransport ? transport.exit : undefined;
    const reason = exit ? (exit.signal ? `server process was killed by ${exit.signal}` : `server process exited with code ${exit.code}`) : 'connection closed';
    this.conn = undefined;
    this.generation++;
    this.clearLists();
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
    this.clearLists();
    if (!conn) return;
    if (conn.transport instanceof StreamableHTTPClientTransport) {
      // Spec: basic/transports#session-management: the client SHOULD end its session with DELETE.
      await conn.transport.terminateSession().catch((err: Error) => this.log.debug({ err: err.message }, 'DELETE failed'));
    }
    await conn.client.close().catch(() => {});
  }

  private clearLists(): void {
    this.tools = [];
    this.prompts = [];
    this.resources = [];
    this.templates = [];
  }

  private setStatus(status: ServerStatus, error?: string): void {
    this.status = status;
    this.error = error;
    this.deps.onChange(this);
  }
}
