/**
 * The RPC surface to Neovim: the only layer that knows about Neovim. Decodes `mcp` notifications
 * from Lua, runs them on the hub, and answers with `nvim_exec_lua` notifications so that neither side
 * ever waits on the other (see protocol.ts for the contract).
 */
import { homedir } from 'node:os';
import type { NeovimClient } from 'neovim';
import { UriTemplate } from '@modelcontextprotocol/client';
import { loadConfig, type ProjectFile } from '../config/load.js';
import { ConfigError, type ServerConfig } from '../config/types.js';
import { serialized } from '../config/serial.js';
import { watchConfig } from '../config/watch.js';
import { ErrorCodes, HostError, toRpcError } from '../errors.js';
import { Defaults } from '../contract/defaults.js';
import { Hub } from '../hub/hub.js';
import { createFileLogger, silentLogger, type Logger } from '../log.js';
import type { Session } from '../session/session.js';
import { approve } from './approval.js';
import { EditorAuth } from './auth.js';
import { AskBroker } from './asks.js';
import { elicitVia } from './elicit.js';
import { Inflight, type InflightWhat } from './inflight.js';
import { sampleVia } from './sampling.js';
import { complete as openAiComplete, type SamplingParams } from '../sampling/openai.js';
import { checkElicitation } from './elicit-check.js';
import { Completions, withUrlRetry } from './url-required.js';
import { InputValues, type InputDef } from '../config/inputs.js';
import type { Deadline } from '../session/deadline.js';
import { VERSION } from '../version.js';
import { nestsDeeperThan } from '../nesting.js';
import { ITEM_MAX_NESTING, toSegments } from './nesting.js';
import type { PushEvents, Requests, RpcError } from './protocol.js';

const BATCH = 'require("mcp.host")._batch(...)';

type Method = keyof Requests;
type Handler<M extends Method> = (params: Requests[M]['params'], id: number) => Promise<Requests[M]['result']>;

export class Bridge {
  log: Logger = silentLogger;
  private hub?: Hub;
  private initParams?: Requests['init']['params'];
  private stopWatching?: () => Promise<void>;
  /** In-flight requests that can be cancelled, by Lua request id (inflight.ts). */
  private readonly inflight = new Inflight();
  private closed = false;
  /** Replies and pushes waiting for the end of this turn (see {@link send}). */
  private outbox: unknown[][] = [];
  /** Settles when `init` has loaded the configuration. */
  private initialised?: Promise<unknown>;
  /** Questions for the person at the editor (asks.ts); their items share the outbox with replies. */
  readonly asks = new AskBroker((item) => this.send(item), () => this.log);
  /** Approvals waiting on the person, by server name (see {@link approveCall}). */
  private readonly approvals = new Map<string, Set<AbortController>>();
  /** Values typed for `${input:id}` placeholders, asked once per host. */
  private readonly inputs = new InputValues();
  /** `notifications/elicitation/complete` seen, for the retry offers of -32042 calls (url-required.ts). */
  private readonly completions = new Completions();
  /** The trusted project config files Lua last sent (`set_projects`). */
  private projects: ProjectFile[] = [];
  /** OAuth's editor half (token files, the browser step); absent when `init` named no `auth_dir`. */
  private auth?: EditorAuth;

  constructor(private readonly nvim: NeovimClient) {
    nvim.on('notification', (method: string, args: unknown[]) => {
      if (method !== 'mcp') return;
      const [id, name, params] = args as [number, string, Record<string, unknown>];
      void this.dispatch(id, name, params ?? {});
    });
  }

  /** Sends `_push(event, payload)` to Lua. */
  push<E extends keyof PushEvents>(event: E, payload: PushEvents[E]): void {
    this.send(['p', event, payload]);
  }

  private reply(id: number, err: RpcError | null, result: unknown): void {
    this.send(['r', id, err, result ?? null]);
  }

  /**
   * Replies and pushes produced in one turn of the event loop go to Lua as one `_batch` call, in order:
   * under load (many calls in flight, a list refresh with its pushes) Neovim runs one `nvim_exec_lua`
   * instead of hundreds; a lone reply leaves in the same turn, without waiting.
   */
  private send(item: unknown[]): void {
    if (this.closed) return;
    this.outbox.push(item);
    if (this.outbox.length === 1) setImmediate(this.flush);
  }

  /**
   * Sends the outbox as one `_batch(chan, items)`. `chan` is this host's channel id in Neovim: after a
   * restart an old host may still flush, and Lua drops a batch whose `chan` is not the current host's
   * (ask ids restart at 1 per host: an old `q` item would otherwise answer the new host's ask 1). The
   * client's `channelId` settles once, at attach; the batches resolve through it in flush order.
   *
   * An item nested deeper than Neovim's decoder takes crosses as JSON segments (nesting.ts). Should the
   * batch still fail to encode, each item is sent on its own, and an item that cannot be sent at all is
   * logged and, when it is a reply, replaced by an error reply: only its own request fails, at once.
   */
  private flush = (): void => {
    const items = this.outbox;
    this.outbox = [];
    if (!items.length || this.closed) return;
    this.nvim.channelId.then(
      (chan) => {
        if (this.closed) return;
        const wire = items.map((item) => this.onWire(item));
        try {
          this.nvim.notify('nvim_exec_lua', [BATCH, [chan, wire]]);
        } catch (err) {
          this.log.warn({ err: String(err), items: wire.length }, 'batch not encodable; sending its items one by one');
          for (const item of wire) this.sendAlone(chan, item);
        }
      },
      (err: unknown) => this.log.error({ err: String(err), items: items.length }, 'batch not sent: no channel id'),
    );
  };

  /**
   * An item as it crosses: itself, or, when it nests deeper than {@link ITEM_MAX_NESTING}, the `j` item
   * `["j", segments, kind, id]` (`kind` and `id` of a reply outside the JSON, so that Lua can fail the
   * request should the segments not decode). A reply whose value cannot be cut up becomes an error reply.
   */
  private onWire(item: unknown[]): unknown[] {
    if (!nestsDeeperThan(item, ITEM_MAX_NESTING)) return item;
    try {
      const segments = toSegments(item);
      this.log.debug({ kind: item[0], segments: segments.length }, 'deep item sent as JSON segments');
      return ['j', segments, item[0], item[0] === 'r' ? item[1] : null];
    } catch (err) {
      return this.unsendable(item, err);
    }
  }

  /** Sends one item as a batch of its own; one that cannot be encoded is replaced (see {@link unsendable}). */
  private sendAlone(chan: number, item: unknown[]): void {
    try {
      this.nvim.notify('nvim_exec_lua', [BATCH, [chan, [item]]]);
    } catch (err) {
      const instead = this.unsendable(item, err);
      if (instead !== item) {
        try {
          this.nvim.notify('nvim_exec_lua', [BATCH, [chan, [instead]]]);
        } catch (again) {
          this.log.error({ err: String(again) }, 'error reply not sent either');
        }
      }
    }
  }

  /**
   * What goes instead of an item that cannot be sent: for a reply, an error reply saying why (its caller
   * hears at once instead of at Lua's guard); anything else is dropped, and logged.
   */
  private unsendable(item: unknown[], err: unknown): unknown[] {
    const why = err instanceof Error ? err.message : String(err);
    this.log.error({ kind: item[0], id: item[0] === 'r' ? item[1] : undefined, err: why }, 'item not sendable to Neovim');
    if (item[0] !== 'r') return ['p', 'message', { level: 'error', text: `a ${String(item[0] === 'p' ? item[1] : item[0])} update could not be sent to the editor: ${why}` }];
    return ['r', item[1], { code: ErrorCodes.InternalError, message: `the reply could not be sent to the editor: ${why}` }, null];
  }

  private async dispatch(id: number, name: string, params: Record<string, unknown>): Promise<void> {
    const handler = (this.handlers as Record<string, Handler<Method> | undefined>)[name];
    try {
      if (!handler) throw new HostError(ErrorCodes.MethodNotFound, `unknown method "${name}"`);
      if (name === 'init') {
        this.initialised = handler(params as never, id) as Promise<unknown>;
        this.reply(id, null, await this.initialised);
        return;
      }
      // Requests queued behind `init` run once the configuration is loaded.
      if (!this.initialised) throw new HostError(ErrorCodes.InternalError, 'host not initialised: "init" must come first');
      await this.initialised.catch(() => {});
      this.reply(id, null, await handler(params as never, id));
    } catch (err) {
      const e = toRpcError(err);
      this.log.debug({ id, method: name, code: e.code, err: e.message }, 'request failed');
      this.reply(id, e, null);
    }
  }

  /** {@link loadAndApply}, one at a time: a file event or `reload` during a reload reads the file again after it. */
  private readonly reload = serialized(() => this.loadAndApply());

  /** Loads the config; on error tells the user and keeps what runs. */
  private async loadAndApply(): Promise<{ added: string[]; removed: string[]; changed: string[] }> {
    const p = this.initParams!;
    let next: ServerConfig[];
    try {
      next = await loadConfig({
        path: p.config_path,
        setupServers: p.servers,
        projects: this.projects,
        onProjectError: (err) => this.push('message', { level: 'warn', text: `${err.message} (the project's servers are left out)` }),
        ctx: { env: process.env, workspaceFolder: p.workspace_folder ?? process.cwd(), userHome: homedir() },
      });
    } catch (err) {
      const message = err instanceof ConfigError ? err.message : `config: ${(err as Error).message}`;
      const running = this.hub!.list().some((s) => s.status === 'connected' || s.status === 'starting');
      this.log.error({ err: message }, 'config rejected');
      this.push('config', { ...(p.config_path ? { path: p.config_path } : {}), error: message });
      this.push('message', { level: 'error', text: running ? `${message} (running servers kept)` : message });
      throw new HostError(ErrorCodes.ConfigError, message);
    }
    this.push('config', p.config_path ? { path: p.config_path } : {});
    const diff = this.hub!.apply(next);
    const names = { added: diff.added.map((s) => s.name), removed: diff.removed, changed: diff.changed.map((s) => s.name) };
    this.log.info(names, 'config applied');
    return names;
  }

  private onSessionChange = (s: Session): void => {
    // A server that stopped or failed takes the approvals of its calls with it: nothing to approve.
    if (s.status === 'stopped' || s.status === 'failed' || s.status === 'disabled') {
      for (const waiting of this.approvals.get(s.name) ?? []) waiting.abort(`the server is ${s.status}`);
    }
    // A replaced or removed session's last words are not news.
    if (this.hub?.list().includes(s)) this.push('server', s.snapshot());
  };

  /**
   * Asks for approval of a model's call (approval.ts), withdrawn when the call is cancelled or when its
   * server stops or fails while the person decides.
   */
  private async approveCall(s: Session, tool: string, args: Record<string, unknown>, id: number, signal: AbortSignal) {
    const waiting = new AbortController();
    // The note the person reads as the window closes says why: the call was cancelled (|:Mcp-cancel|, ...).
    const onCancel = () => waiting.abort(signal.reason instanceof HostError ? `the tool call ended (${signal.reason.message})` : signal.reason);
    signal.addEventListener('abort', onCancel, { once: true });
    const forServer = this.approvals.get(s.name) ?? new Set<AbortController>();
    this.approvals.set(s.name, forServer.add(waiting));
    try {
      return await approve(this.asks, s, tool, args, id, waiting.signal);
    } finally {
      signal.removeEventListener('abort', onCancel);
      forServer.delete(waiting);
      if (!forServer.size) this.approvals.delete(s.name);
    }
  }

  private readonly handlers: { [M in Method]: Handler<M> } = {
    init: async (params) => {
      if (this.hub) throw new HostError(ErrorCodes.InternalError, 'already initialised');
      this.initParams = params;
      this.log = createFileLogger(params.log_path, params.log_level);
      this.log.info({ node: process.version, config: params.config_path }, 'host started');
      if (params.auth_dir) this.auth = new EditorAuth(params.auth_dir, this.asks, () => this.log);
      this.hub = new Hub({
        log: this.log,
        timeoutMs: params.timeout_ms ?? Defaults.timeout_ms,
        stateDir: params.state_dir,
        onChange: this.onSessionChange,
        onRemoved: (name) => this.push('removed', { name }),
        onMessage: (level, text) => this.push('message', { level, text }),
        onResourceUpdated: (s, uri) => this.push('resource_updated', { server: s.name, uri }),
        onServerLog: (s, m) =>
          this.push('log', { server: s.name, level: String(m.level), ...(typeof m.logger === 'string' ? { logger: m.logger } : {}), text: logText(m.data) }),
        prepare: this.resolveInputs,
        elicit: elicitVia(this.asks),
        ...(this.auth ? { auth: this.auth.deps } : {}),
        // Declared only when the editor has a provider to sample with (|mcp-sampling|).
        ...(params.sampling && typeof params.sampling === 'object' ? { sample: sampleVia(this.asks), samplingTools: params.sampling.tools === true } : {}),
        onElicitationComplete: (s, id) => {
          this.completions.add(s.name, id);
          this.push('elicitation_complete', { server: s.name, elicitation_id: id });
        },
      });
      this.hub.setRoots(asList(params.roots));
      // Watch before the first read: chokidar reports nothing written before it is ready, so an edit made
      // between the read and a later watch would be lost.
      if (params.config_path) {
        this.stopWatching = await watchConfig(params.config_path, () => void this.reload().catch(() => {})).catch((err: Error) => {
          this.push('message', { level: 'warn', text: `${params.config_path}: not watched, edits need :Mcp reload (${err.message})` });
          return undefined;
        });
      }
      // A broken config at start still starts the host: the error is pushed and `reload` can fix it.
      await this.reload().catch(() => {});
      return { version: VERSION, pid: process.pid, log_path: params.log_path, ...(params.config_path ? { config_path: params.config_path } : {}) };
    },
    servers: async () => this.hub!.list().map((s) => s.snapshot()),
    // One deadline per request, started here (issue 8): the server's `timeout_ms`, else the default, as
    // Lua computes its guard; any wait (asks, a start already running, stop then start) counts against it.
    start: async ({ server }) => {
      const s = this.hub!.get(server);
      await s.start(s.deadline('start'));
      return s.snapshot();
    },
    stop: async ({ server }) => {
      const s = this.hub!.get(server);
      await s.stop();
      return s.snapshot();
    },
    restart: async ({ server }) => {
      const s = this.hub!.get(server);
      // A restart is how a wrong `${input:...}` value is retyped: the server's values are asked again.
      this.inputs.forget(s.cfg);
      await s.restart(s.deadline('restart'));
      return s.snapshot();
    },
    auth: async ({ server }, id) => {
      const s = this.hub!.get(server);
      if (!this.auth) throw new HostError(ErrorCodes.InternalError, `auth ${server}: the host keeps no tokens (init named no auth_dir)`);
      return this.auth.authorize(s, id);
    },
    logout: async ({ server }) => {
      const s = this.hub!.get(server);
      if (!this.auth) throw new HostError(ErrorCodes.InternalError, `logout ${server}: the host keeps no tokens (init named no auth_dir)`);
      const removed = await this.auth.logout(s);
      return { removed, server: s.snapshot() };
    },
    reload: async () => this.reload(),
    // Every call carries a progress token (issue 11): its progress reaches the editor's progress display
    // whether or not the caller asked, and keeps the call alive up to its maximum total time.
    call_tool: async ({ server, tool, arguments: args, timeout_ms, approval, task }, id) =>
      this.cancellable(id, { server, method: 'tools/call', name: tool }, async (signal) => {
        const s = this.hub!.get(server);
        // A model's call waits for the person first; the call's deadline starts after the answer.
        let callArgs = normalizeArgs(args);
        if (approval) {
          this.inflight.setWaiting(id, true);
          callArgs = await this.approveCall(s, tool, callArgs, id, signal);
          this.inflight.setWaiting(id, false);
        }
        let polls = 0;
        // A -32042 (URL elicitation required) offers its URLs, then the same call again.
        return withUrlRetry(this.asks, this.completions, s, tool, id, signal, () =>
          s.callTool(tool, callArgs, {
            timeoutMs: timeout_ms,
            signal,
            tag: id,
            onProgress: (p) => this.push('progress', { id, ...p }),
            ...(task === true ? { task: true } : {}),
            // A task's status shows as the call's progress, and keeps the call alive as progress does.
            onTask: (t) => {
              this.inflight.setTask(id, t);
              this.push('progress', { id, progress: ++polls, message: t.statusMessage ? `${t.status}: ${t.statusMessage}` : t.status });
            },
          }),
        );
      }),
    sample: async ({ request, provider, model }, id) => {
      if (!provider || typeof provider.url !== 'string' || !provider.url) throw new HostError(ErrorCodes.InvalidParams, 'sample: provider.url is required');
      const chosen = typeof model === 'string' && model ? model : provider.model;
      if (typeof chosen !== 'string' || !chosen) throw new HostError(ErrorCodes.InvalidParams, 'sample: no model (provider.model)');
      // Listed with the requests in flight (:Mcp cancel) under the endpoint's name: it is one the person may stop.
      return this.cancellable(id, { server: '(sampling)', method: 'chat/completions', name: chosen }, (signal) => {
        const p = { ...provider, timeout_ms: typeof provider.timeout_ms === 'number' && provider.timeout_ms > 0 ? provider.timeout_ms : Defaults.sampling_timeout_ms };
        // The SDK validates the result against the spec's schema before it reaches the server.
        return openAiComplete(p, request as unknown as SamplingParams, chosen, signal, this.log) as unknown as Promise<Requests['sample']['result']>;
      });
    },
    set_log_level: async ({ server, level }) => this.hub!.get(server).setLogLevel(level),
    cancel: async ({ id, reason }) => {
      this.inflight.get(id)?.abort(new HostError(ErrorCodes.Cancelled, reason ? `cancelled: ${reason}` : 'request cancelled'));
      return null;
    },
    get_prompt: async ({ server, name, arguments: args }, id) =>
      this.cancellable(id, { server, method: 'prompts/get', name }, (signal) => this.hub!.get(server).getPrompt(name, normalizeArgs(args) as Record<string, string>, { signal, tag: id })),
    read_resource: async ({ server, uri }, id) => this.cancellable(id, { server, method: 'resources/read', name: uri }, (signal) => this.hub!.get(server).readResource(uri, { signal, tag: id })),
    set_projects: async ({ projects }) => {
      this.projects = asList(projects);
      return this.reload();
    },
    set_roots: async ({ roots }) => {
      this.hub!.setRoots(asList(roots));
      return null;
    },
    roots: async () => ({
      roots: this.hub!.roots,
      servers: this.hub!.list().map((s) => ({
        name: s.name,
        mode: s.cfg.roots === true ? ('editor' as const) : s.cfg.roots === false ? ('none' as const) : ('fixed' as const),
        roots: s.effectiveRoots(),
      })),
    }),
    expand_template: async ({ template, variables }) => {
      try {
        return { uri: new UriTemplate(template).expand(normalizeArgs(variables) as Record<string, string | string[]>) };
      } catch (err) {
        throw new HostError(ErrorCodes.InvalidParams, `uriTemplate ${JSON.stringify(template)}: ${(err as Error).message}`);
      }
    },
    subscribe: async ({ server, uri }) => {
      await this.hub!.get(server).subscribe(uri);
      return null;
    },
    unsubscribe: async ({ server, uri }) => {
      await this.hub!.get(server).unsubscribe(uri);
      return null;
    },
    requests: async () => this.inflight.list(),
    tasks: async () => {
      const errors: { server: string; message: string }[] = [];
      const lists = await Promise.all(
        this.hub!.list().map((s) =>
          s.listTasks().catch((err: unknown) => {
            errors.push({ server: s.name, message: toRpcError(err).message });
            return s.taskBook.entries(s.name);
          }),
        ),
      );
      return { tasks: lists.flat(), errors };
    },
    task_result: async ({ server, task_id, timeout_ms }, id) =>
      this.cancellable(id, { server, method: 'tasks/result', name: task_id }, (signal) =>
        this.hub!.get(server).taskResult(String(task_id), { signal, ...(timeout_ms ? { timeoutMs: timeout_ms } : {}) }),
      ),
    task_cancel: async ({ server, task_id }) => this.hub!.get(server).cancelTask(String(task_id)),
    check_elicitation: async ({ schema, content }) => ({ problems: checkElicitation(schema, normalizeArgs(content)) }),
    answer: async ({ id, result, error }) => {
      this.asks.answer(id, error ?? null, result);
      return null;
    },
    complete: async ({ server, ref, argument, context }, id) =>
      this.cancellable(id, { server, method: 'completion/complete', name: argument?.name }, (signal) =>
        this.hub!.get(server).complete({ ref, argument, ...(context ? { context } : {}) } as never, { signal }),
      ),
  };

  private async cancellable<T>(id: number, what: InflightWhat, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = this.inflight.add(id, what);
    try {
      return await run(controller.signal);
    } catch (err) {
      // The SDK rejects with its own wrapping of the abort reason; give Lua the reason itself.
      if (controller.signal.aborted && controller.signal.reason instanceof HostError) throw controller.signal.reason;
      throw err;
    } finally {
      this.inflight.delete(id);
    }
  }

  /**
   * A server definition with its `${input:id}` placeholders filled in, asking the editor for the values
   * it does not have yet (once per host). Called by a session at each start.
   *
   * @param signal aborted when the start is abandoned (the server stopped): the ask is withdrawn once no
   *   other start waits for the same input
   * @param deadline the start's: no answer before it passes fails the start with RequestTimeout
   * @throws HostError Cancelled (declined or withdrawn), RequestTimeout (no answer within the start's deadline)
   */
  resolveInputs = (cfg: ServerConfig, signal?: AbortSignal, deadline?: Deadline): Promise<ServerConfig> =>
    this.inputs.resolve(cfg, async (def: InputDef, withdraw: AbortSignal) => {
      const params = {
        id: def.id,
        ...(def.description ? { description: def.description } : {}),
        ...(def.password ? { password: true } : {}),
        ...(def.default !== undefined ? { default: def.default } : {}),
        ...(def.type === 'pickString' && def.options ? { options: def.options } : {}),
      };
      const title = `${cfg.name}: ${def.description ?? def.id}`;
      // No timeout of its own: each start waiting for it gives up at its own deadline (inputs.ts).
      const answer = await this.asks.ask('input', params, { server: cfg.name, title, signal: withdraw });
      if (typeof answer?.value !== 'string') throw new HostError(ErrorCodes.InvalidParams, `${title}: the editor's answer has no string "value"`);
      return answer.value;
    }, { ...(signal ? { signal } : {}), ...(deadline ? { deadline } : {}) });

  /** Stops watching and every server; resolves when they are gone. */
  async shutdown(): Promise<void> {
    // Neovim is gone: nothing more is sent to it (a write would fail with EPIPE). Waiting asks fail
    // without a `w` item; Lua withdraws every ask itself when the host exits.
    this.closed = true;
    this.asks.rejectAll('the host is exiting');
    await this.stopWatching?.();
    await this.hub?.stopAll();
  }

  /** Synchronous last resort on exit. */
  killAll(): void {
    this.hub?.killAll();
  }
}

/** A log message's `data` as a line of text: a string as is, anything else as JSON. */
function logText(data: unknown): string {
  if (typeof data === 'string') return data;
  try {
    return JSON.stringify(data) ?? String(data);
  } catch {
    return String(data);
  }
}

/** A Lua list that may be missing or `vim.NIL`. */
function asList<T>(v: T[] | null | undefined): T[] {
  return Array.isArray(v) ? v : [];
}

/**
 * Tool and prompt arguments as the host passes them on: Lua's `{}` arrives as `[]`, nil as null, and
 * arguments are always an object.
 * @throws HostError InvalidParams when `args` is a list with items or not a table at all.
 */
export function normalizeArgs(args: unknown): Record<string, unknown> {
  if (args === undefined || args === null || (Array.isArray(args) && args.length === 0)) return {};
  if (typeof args !== 'object' || Array.isArray(args)) throw new HostError(ErrorCodes.InvalidParams, 'arguments must be a table of named values');
  return args as Record<string, unknown>;
}
