/**
 * The wire contract between the Lua side and this host. On the Lua side `lua/mcp/host.lua` is the entry
 * point the host calls, and `lua/mcp/core/channel.lua` keeps the channel: it sends requests, matches
 * replies, and hands each kind of item to its handler (`_batch`, whose type annotation lists the items).
 *
 * Transport: msgpack-RPC over the job's stdio (`jobstart(..., { rpc = true })`).
 * Nothing in this contract is a blocking request from Neovim's side:
 *
 * - Lua → host: `vim.rpcnotify(chan, "mcp", id, method, params)`.
 *   `id` is a positive integer chosen by Lua, unique per host process; `params` a table (a map).
 * - host → Lua: the notification `nvim_exec_lua` running `require("mcp.host")._batch(chan, items)`,
 *   where `chan` is this host's channel id in Neovim (Lua drops a batch whose `chan` is not the running
 *   host's: after a restart an old host may still flush, and its request and ask ids would be taken for
 *   the new host's), and `items` lists, in order, what one turn of the host's event loop produced (an
 *   item whose Lua handler fails is reported there and skipped; the rest of the batch is handled):
 *   - `{ "r", id, err, result }`: the reply to request `id`, exactly one per request; `err` is
 *     `nil`/`vim.NIL` on success, else an {@link RpcError};
 *   - `{ "p", event, payload }`: a push, see {@link PushEvents};
 *   - `{ "q", ask_id, kind, params, meta }`: the host asks the editor (see {@link AskKinds});
 *   - `{ "w", ask_id, reason }`: the host withdraws ask `ask_id` unanswered (see "Asks" below).
 *   - `{ "j", segments, kind, id }`: any of the above nested deeper than Neovim's msgpack decoder takes
 *     (31 levels per message; an item may nest 27), as JSON segments Lua decodes and puts back together
 *     (bridge/nesting.ts); `kind` and, for a reply, `id` travel outside the JSON, so that a reply whose
 *     segments do not decode fails its request at once.
 *
 * Asks (host → editor requests). Some things need a person: a value for `${input:id}` and a server's
 * elicitation today; approval of a model's tool call, sampling review and OAuth consent next. The host
 * sends a `q` item with an `ask_id` (unique per host process, independent of Lua's request ids), the
 * kind, its params and {@link AskMeta}. Lua queues asks and shows one at a time, never taking focus in
 * Insert mode; it answers each exactly once with the `answer` request: `{ id = ask_id, result = ... }`,
 * or `{ id, error = { code, message } }` when the user declined (Cancelled) or the Lua handler failed
 * (its error). The host may withdraw an ask before that (`w` item, with a reason Lua shows while closing
 * its UI) when the server cancels the request behind it, the server stops, or the ask's `timeout_ms`
 * passes; an answer that comes after a withdrawal gets UnknownItem. When the host exits, Lua withdraws
 * every ask itself.
 *
 * Names of MCP objects keep the spec's own field names (`inputSchema`, `structuredContent`, ...).
 */

import type { ElicitRequestFormParams, ElicitResult } from '@modelcontextprotocol/client';
import type { Root, RpcError, ServerSnapshot } from '../contract/snapshot.js';
import type { HostInfo, Progress, RootsReport } from '../contract/wire.js';
import type { ProjectFile } from '../config/load.js';
import type { FieldProblem } from './elicit-check.js';
import type { UrlFacts } from './url-check.js';

export type { AskMeta, HostInfo, Progress, RootsReport, ServerRoots } from '../contract/wire.js';

export type { Root, RpcError, ServerSnapshot, ServerStatus } from '../contract/snapshot.js';
export { ErrorCodes } from '../contract/errors.js';

/** What the host can ask the editor (kind → params → result). */
export interface AskKinds {
  /**
   * A value for a `${input:id}` placeholder of a server definition (VS Code's `inputs`: `promptString`,
   * or `pickString` when `options` is given). Asked once per host; the value is never logged.
   */
  input: {
    params: { id: string; description?: string; password?: boolean; default?: string; options?: string[] };
    result: { value: string };
  };
  /**
   * A server's form-mode elicitation (spec 2025-11-25: client/elicitation; in 2026-07-28 the same
   * `elicitation/create` inside an `input_required` round of a call): its `message` (why it asks) and
   * `requestedSchema` (a flat object of primitive properties: string with optional `format`, number,
   * integer, boolean, single- and multi-select enums; `required`; `default`s). The answer is the spec's
   * `ElicitResult`: `accept` with `content` (the form's values, one per property, typed as the schema
   * says), `decline` (the user said no) or `cancel` (dismissed without choosing). Withdrawn when the
   * server cancels its request (`notifications/cancelled`) or the call behind it ends.
   */
  elicitation: {
    params: { message: string; requestedSchema: ElicitRequestFormParams['requestedSchema'] };
    result: { action: 'accept' | 'decline' | 'cancel'; content?: ElicitResult['content'] };
  };
  /**
   * A server's URL-mode elicitation (spec 2025-11-25: client/elicitation, URL mode; in 2026-07-28 inside
   * an `input_required` round, without `elicitation_id`), or one of the URLs a call failed for with
   * -32042 (URL elicitation required; `required_by` names the call): the server's `message`, the URL as
   * sent and what to know about it ({@link UrlFacts}: its domain in Unicode and ASCII, warnings for
   * non-HTTPS and internationalised domains). The host never fetches it; the editor opens it with
   * `vim.ui.open` only after the person says so. `accept`: the person opened it (consent to the flow);
   * `decline`: they will not; `cancel`: dismissed. Withdrawn as `elicitation` is.
   */
  elicitation_url: {
    params: { message: string; elicitation_id?: string; required_by?: string } & UrlFacts;
    result: { action: 'accept' | 'decline' | 'cancel' };
  };
  /**
   * After the URLs of a -32042 error were opened: whether to call the tool again. `waiting` lists the
   * elicitation ids the server has not yet said are complete (`elicitation_complete` pushes tick them
   * off; an empty list: all done, or the server sends no completion, as in 2026-07-28). `retry` calls
   * the tool again with the same arguments; `cancel` ends the call with the -32042 error.
   */
  url_retry: {
    params: { server: string; tool: string; message: string; waiting: string[] };
    result: { action: 'retry' | 'cancel' };
  };
  /**
   * Approval of a tool call a model made in a chat (`call_tool` with `approval = true`; |mcp-approval|):
   * the server, the tool (its `title`, `description` and `annotations` as the server lists them) and
   * the arguments the model sent. The answer `allow` may carry edited `arguments`, which are what the
   * server gets; `deny` may carry the person's `reason`, which the call's error (Denied) carries back
   * to the model. Withdrawn when the call is cancelled (`cancel`) before it is answered.
   */
  approval: {
    params: {
      server: string;
      tool: string;
      title?: string;
      description?: string;
      annotations?: Record<string, unknown>;
      arguments: Record<string, unknown>;
    };
    result: { action: 'allow'; arguments?: Record<string, unknown> } | { action: 'deny'; reason?: string };
  };
}

/** Requests Lua sends (method → params → result). */
export interface Requests {
  /**
   * First request after jobstart. Loads the configuration and connects every server not
   * `disabled`. Replies at once (before servers connect) with the host's facts.
   */
  init: {
    params: {
      /** Absolute path of the JSON config file; may not exist. */
      config_path?: string;
      /** Server definitions from `setup({ servers = ... })`, same shape as `mcpServers` entries. */
      servers?: Record<string, unknown>;
      /** Absolute path of the log file (under `stdpath("log")`). */
      log_path: string;
      /**
       * Neovim's `stdpath("state")`: the host keeps the era verdict cache there (`mcp-eras.json`).
       * Without it, every server start negotiates its protocol era afresh.
       */
      state_dir?: string;
      log_level?: string;
      /** Default per-request timeout in ms. */
      timeout_ms?: number;
      /** Value of `${workspaceFolder}`: Neovim's cwd. */
      workspace_folder?: string;
      /** The editor's roots at start (see `set_roots`). */
      roots?: Root[];
    };
    result: HostInfo;
  };
  /** All servers, in config order. */
  servers: { params: Record<string, never>; result: ServerSnapshot[] };
  /** Replies once connected (result: snapshot) or failed (err). */
  start: { params: { server: string }; result: ServerSnapshot };
  stop: { params: { server: string }; result: ServerSnapshot };
  restart: { params: { server: string }; result: ServerSnapshot };
  /** Re-read the config file now; result lists what changed. */
  reload: { params: Record<string, never>; result: { added: string[]; removed: string[]; changed: string[] } };
  /**
   * MCP `tools/call` (spec: server/tools). Arguments are validated against the tool's `inputSchema`
   * first (InvalidParams naming the field). Every call carries a progress token (spec:
   * basic/utilities/progress): the host pushes `progress` events carrying this request's id, and each
   * restarts the call's deadline (`timeout_ms`), up to the server's `max_total_ms` (else the contract
   * default) counted from the call's start. `progress` is accepted and no longer needed. With `approval = true` (a model's call that
   * Lua's policy says to ask about) the host first asks the editor (the `approval` ask, its meta's
   * `request` this request's id) and calls the tool only when allowed, with the arguments of the answer;
   * denied, the reply is the error Denied (`data.reason`: the person's reason). The deadline
   * (`timeout_ms`) starts after the answer; `cancel` withdraws the ask. While an elicitation of the
   * server is open the call's deadline is held (its ask's `holds` names this request). A call that fails
   * with -32042 (URL elicitation required) offers its URLs (`elicitation_url` asks) and then the retry
   * (`url_retry`), each with this request as `request`; declined, the reply is UrlElicitationRequired.
   */
  call_tool: {
    params: { server: string; tool: string; arguments?: Record<string, unknown>; timeout_ms?: number; progress?: boolean; approval?: boolean };
    result: unknown;
  };
  /** Cancel request `id` (sends `notifications/cancelled` to the server); replies nil. */
  cancel: { params: { id: number; reason?: string }; result: null };
  get_prompt: { params: { server: string; name: string; arguments?: Record<string, string> }; result: unknown };
  read_resource: { params: { server: string; uri: string }; result: unknown };
  /**
   * The editor's roots changed (spec: client/roots). The host keeps them, answers `roots/list` from
   * this copy, and sends `notifications/roots/list_changed` to each connected server whose view changed.
   */
  set_roots: { params: { roots: Root[] }; result: null };
  /**
   * The trusted project config files of the projects open in the editor (|mcp-project-config|), the
   * whole current set, each read by Lua through `vim.secure.read`. The configuration is reloaded with
   * them: their servers are added or replace those of the same name; a project that left the set takes
   * its servers with it. A broken project file is reported (a `message` push) and left out.
   */
  set_projects: { params: { projects: ProjectFile[] }; result: { added: string[]; removed: string[]; changed: string[] } };
  /** The editor's roots and what each server is told (after its own `roots` setting). */
  roots: {
    params: Record<string, never>;
    result: RootsReport;
  };
  /**
   * Expands a resource template's `uriTemplate` (RFC 6570, the SDK's implementation) with the given
   * variables; no server is involved.
   */
  expand_template: { params: { template: string; variables: Record<string, string | string[]> }; result: { uri: string } };
  /** `resources/subscribe`; `resource_updated` pushes follow. */
  subscribe: { params: { server: string; uri: string }; result: null };
  unsubscribe: { params: { server: string; uri: string }; result: null };
  complete: {
    params: { server: string; ref: unknown; argument: { name: string; value: string }; context?: unknown };
    result: unknown;
  };
  /**
   * Sets server `server`'s log level (spec: server/utilities/logging; |:Mcp-loglevel|), kept across its
   * restarts: `logging/setLevel` to a 2025-11-25 server that declares `logging` (InvalidParams for one
   * that does not), the `_meta` log level of each later request to a 2026-07-28 server (`via`).
   */
  set_log_level: { params: { server: string; level: string }; result: { level: string; via: 'logging/setLevel' | '_meta' } };
  /**
   * Checks an elicitation form's values against the server's `requestedSchema` before the person's
   * accept is sent (elicit-check.ts: ajv with formats email, uri, date, date-time): the problems, one
   * per field, each a message the form shows beside the field (`field` null: the form as a whole).
   */
  check_elicitation: { params: { schema: unknown; content: Record<string, unknown> }; result: { problems: FieldProblem[] } };
  /**
   * The editor's one answer to ask `id` (a `q` item): `result` shaped as `AskKinds[kind]['result']`, or
   * `error` when the user declined (Cancelled) or the Lua handler failed. Replies nil, or UnknownItem
   * when the ask is no longer pending (withdrawn, or answered already).
   */
  answer: { params: { id: number; result?: unknown; error?: RpcError }; result: null };
}

/** Pushes the host sends unasked (event → payload). */
export interface PushEvents {
  /** A server's state or any of its lists changed: the whole snapshot. */
  server: ServerSnapshot;
  /** A server left the configuration. */
  removed: { name: string };
  /** Progress of request `id` (a Lua request id), from `notifications/progress`. */
  progress: { id: number } & Progress;
  /** After every load of the configuration (start, file edit, `reload`): the file and what was wrong, if anything. */
  config: { path?: string; error?: string };
  /** `notifications/resources/updated` for a subscribed resource. */
  resource_updated: { server: string; uri: string };
  /**
   * A server's `notifications/message` (spec: server/utilities/logging): its severity (one of the
   * spec's eight, as the server sent it), its `logger` when named, and its `data` as text (a string
   * as is, anything else as JSON).
   */
  log: { server: string; level: string; logger?: string; text: string };
  /**
   * `notifications/elicitation/complete` (spec 2025-11-25: client/elicitation, URL mode): the flow the
   * person opened for elicitation `elicitation_id` of `server` is done.
   */
  elicitation_complete: { server: string; elicitation_id: string };
  /** Something the user should see (config errors, a server that crashed). */
  message: { level: 'error' | 'warn' | 'info'; text: string };
}
