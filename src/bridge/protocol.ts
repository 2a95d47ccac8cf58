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

import type { CreateMessageRequestParams, CreateMessageResult, CreateMessageResultWithTools, ElicitRequestFormParams, ElicitResult } from '@modelcontextprotocol/client';
import type { OpenAiProvider } from '../sampling/openai.js';
import type { Root, RpcError, ServerSnapshot } from '../contract/snapshot.js';
import type { HostInfo, Progress, RootsReport } from '../contract/wire.js';
import type { ProjectFile } from '../config/load.js';
import type { Task, TaskEntry } from '../session/tasks.js';

export type { Task, TaskEntry } from '../session/tasks.js';
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
  /**
   * Consent to the browser step of an OAuth authorization (spec: basic/authorization; |mcp-oauth|): the
   * server that needs it, the authorization `url` the person is about to visit and its `host` (shown
   * apart, so a look tells which site asks), and whether a `paste` is needed (the host runs over SSH:
   * a browser elsewhere cannot reach the loopback listener; Lua also offers the paste first when Neovim
   * has no UI). `warnings`: what the person should know about the URL first (not HTTPS, an internationalised domain; as for `elicitation_url`). `problem` says why the ask comes again (a pasted URL that was not the redirect). The
   * answer `open`: Lua opened `url` with `vim.ui.open` after the person agreed, the redirect comes to
   * the loopback listener; `paste`: the URL the browser was redirected to, as the person pasted it
   * (its `state` is checked like the listener's). Declined: the error Cancelled. Withdrawn when the
   * browser reaches the listener first (the person opened the URL some other way) or the flow ends.
   */
  oauth: {
    params: { server: string; url: string; host: string; redirect_uri: string; paste: boolean; warnings?: string[]; problem?: string };
    result: { action: 'open' } | { action: 'paste'; url: string };
  };
  /**
   * A server's `sampling/createMessage` (spec 2025-11-25: client/sampling; in 2026-07-28 the same request
   * inside an `input_required` round of a call; |mcp-sampling|): `request` is the request's params as the
   * server sent them (messages with their content blocks, `systemPrompt`, `modelPreferences`,
   * `maxTokens`, `temperature`, `stopSequences`, `tools`, `toolChoice`, ...). Lua shows it for approval
   * (editable), sends it to the configured provider, shows the answer for approval (editable) and answers
   * with the spec's `CreateMessageResult` (`role` "assistant", `model`, `stopReason`, `content`: one
   * block, or a list when tools were offered). Declined: the error UserRejected, which the server gets
   * as -1 "User rejected sampling request". Withdrawn when the server cancels its request.
   */
  sampling: {
    params: { server: string; request: CreateMessageRequestParams };
    result: CreateMessageResult | CreateMessageResultWithTools;
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
      /**
       * Where OAuth tokens are kept (|mcp-oauth|): `stdpath("data") .. "/mcp/auth"`, one file per server,
       * mode 0600. Without it, servers that need authorization cannot keep tokens (each start asks again).
       */
      auth_dir?: string;
      log_level?: string;
      /** Default per-request timeout in ms. */
      timeout_ms?: number;
      /** Value of `${workspaceFolder}`: Neovim's cwd. */
      workspace_folder?: string;
      /** The editor's roots at start (see `set_roots`). */
      roots?: Root[];
      /**
       * Present when a sampling provider is configured (|mcp-sampling|): every server is then offered
       * the `sampling` capability, with `sampling.tools` when `tools` is true (the provider can use
       * tools). Absent: sampling is not declared.
       */
      sampling?: { tools?: boolean };
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
    /**
     * `task`: run a tool whose `execution.taskSupport` is `optional` as a task (spec 2025-11-25:
     * basic/utilities/tasks); one that is `required` always runs as one. A task's status pushes `progress`
     * (its `statusMessage`, else its status) at each poll, and the reply is the tool's result as for any call.
     */
    params: { server: string; tool: string; arguments?: Record<string, unknown>; timeout_ms?: number; progress?: boolean; approval?: boolean; task?: boolean };
    result: unknown;
  };
  /**
   * The built-in sampling provider (|mcp-sampling|): sends one sampling request (the params of a
   * `sampling/createMessage`, as the person approved them) to an OpenAI-compatible chat-completions
   * endpoint and replies with the `CreateMessageResult` (sampling/openai.ts has the mapping). `model` is
   * the model to ask (chosen from the request's hints by Lua), else `provider.model`. Cancellable
   * (`cancel`); RequestTimeout after `provider.timeout_ms`.
   */
  sample: {
    params: { request: CreateMessageRequestParams; provider: OpenAiProvider; model?: string };
    result: CreateMessageResult | CreateMessageResultWithTools;
  };
  /**
   * Cancel request `id`: `notifications/cancelled` to the server with `reason` (spec:
   * basic/utilities/cancellation), or `tasks/cancel` for a call running as a task; an approval it waits
   * on is withdrawn. Replies nil.
   */
  cancel: { params: { id: number; reason?: string }; result: null };
  /** The requests to servers in flight now, oldest first (|:Mcp-cancel|, the hub's In flight section). */
  requests: { params: Record<string, never>; result: InflightRequest[] };
  /**
   * The tasks of every connected server (|:Mcp-tasks|): those this host created, with what each server's
   * `tasks/list` returns when it declares `tasks.list` (2025-11-25 era). A server that fails to answer is
   * named in `errors`; the others are listed.
   */
  tasks: { params: Record<string, never>; result: { tasks: TaskEntry[]; errors: { server: string; message: string }[] } };
  /** `tasks/result` of task `task_id` of `server`: waits until the task ends, then its tool's result. */
  task_result: { params: { server: string; task_id: string; timeout_ms?: number }; result: unknown };
  /** `tasks/cancel` of task `task_id` of `server`; the task as it is after. */
  task_cancel: { params: { server: string; task_id: string }; result: Task };
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
   * Runs server `server`'s OAuth authorization now (|:Mcp-auth|; spec: basic/authorization): the
   * consent window (the `oauth` ask), the browser or the paste, the token request; then reconnects.
   * Replies with the snapshot once connected, or the flow's error (Cancelled when declined).
   * InvalidParams for a server that is not remote (stdio servers have no authorization).
   */
  auth: { params: { server: string }; result: ServerSnapshot };
  /**
   * Forgets server `server`'s tokens and client registration (|:Mcp-logout|): removes its token file,
   * then restarts it when it is running, so that no token stays in memory (its next connect asks
   * again). `removed`: whether there was a record.
   */
  logout: { params: { server: string }; result: { removed: boolean; server: ServerSnapshot } };
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

/** One request in flight from the editor to a server (the `requests` request). */
export interface InflightRequest {
  /** The Lua request id: what `cancel` takes. */
  id: number;
  server: string;
  /** The MCP method: `tools/call`, `prompts/get`, `resources/read`, `completion/complete`, `tasks/result`. */
  method: string;
  /** The tool or prompt name, the resource URI, the task id. */
  name?: string;
  /** ms since the host got the request. */
  age_ms: number;
  /** `approval`: the call waits for the person to allow it (|mcp-approval|), not for the server. */
  waiting?: 'approval';
  /** The call runs as a task: its id and last status. */
  task?: { taskId: string; status: string; statusMessage?: string };
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
