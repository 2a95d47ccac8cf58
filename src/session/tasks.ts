/**
 * Tool calls that run as tasks (spec 2025-11-25: basic/utilities/tasks, "task-augmented requests"): the
 * `tools/call` carries `task`, the server answers at once with a `CreateTaskResult`, and the client polls
 * `tasks/get` (every `pollInterval` ms the server suggests) until the task ends, then fetches the tool's
 * result with `tasks/result`. A task that needs input (`input_required`) gets its `tasks/result` at once:
 * that is the request on which the server delivers its queued `elicitation/create` (or sampling), which
 * the session's handlers answer like any other. Cancelling the call sends `tasks/cancel`.
 *
 * What the SDK serves: `@modelcontextprotocol/client` 2.4.0 has no task helpers of its own (its 2025
 * task vocabulary is types only, "kept for interoperability"), so this module sends the four task
 * methods with `client.request(..., schema)` and the SDK's own schemas (`specTypeSchemas`).
 *
 * In the 2026-07-28 era tasks are an extension (SEP-2663). What SDK 2.4.0 serves of it, as found with
 * test/servers/modern-tasks.mjs:
 * - `tasks/get` and `tasks/cancel` (names the extension reuses) and `tasks/update` may be sent with a
 *   schema of the caller's own, and served by a handler registered with one; the Streamable HTTP
 *   transport mirrors their `taskId` in the `Mcp-Name` header. A `tasks/get` round-trips.
 * - `tasks/result` and `tasks/list` are refused before sending (MethodNotSupportedByProtocolVersion).
 * - The server codec strips `execution` from listed tools and `tasks` from capabilities, so no tool says
 *   it wants a task; a server's `tools/call` result of `resultType: "task"` must also carry `content` to
 *   pass the server SDK's own check.
 * - The client codec refuses such a result (SdkError UnsupportedResultType) and drops the task with it:
 *   a task cannot be created, so it cannot be polled either. requests.ts tells the user so in one line,
 *   and a call that asks for a task on a 2026-07-28 server fails with InvalidParams (see {@link taskMode}).
 */
import { specTypeSchemas, type CallToolResult, type Client, type RequestOptions } from '@modelcontextprotocol/client';
import * as z from 'zod';
import { ErrorCodes } from '../contract/errors.js';
import { HostError } from '../errors.js';

/** A task's status (spec: `TaskStatus`). */
export type TaskStatus = 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';

/** The spec's `Task` as the server reports it. */
export interface Task {
  taskId: string;
  status: TaskStatus;
  statusMessage?: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601. */
  lastUpdatedAt: string;
  /** How long the server keeps the task after creation, ms; null: unlimited. */
  ttl: number | null;
  /** The polling interval the server suggests, ms. */
  pollInterval?: number;
}

/** Statuses after which a task never changes. */
export const TERMINAL: ReadonlySet<TaskStatus> = new Set(['completed', 'failed', 'cancelled']);

/** Poll interval, ms, when the server suggests none. */
export const DEFAULT_POLL_MS = 1000;
/** The shortest poll interval we honour, ms: a server suggesting 0 must not make us spin. */
export const MIN_POLL_MS = 100;

/**
 * Whether a call of `tool` runs as a task: `required` always; `optional` when the caller asks; never when
 * the tool forbids it or says nothing (spec: server/tools#tool-level-negotiation).
 *
 * @param execution the tool's `execution` as listed
 * @param asked the caller asked for a task (`call_tool` option `task`)
 * @param era the connection's era
 * @param serverDeclares the server declares `tasks.requests.tools.call`
 * @param what names the call in errors, e.g. `server "everything": tools/call "x"`
 * @throws HostError InvalidParams when a task is asked of a tool or server that cannot run one, or in the
 *   2026-07-28 era (the SDK does not serve task creation there)
 */
export function taskMode(execution: unknown, asked: boolean, era: 'legacy' | 'modern', serverDeclares: boolean, what: string): boolean {
  const support = typeof execution === 'object' && execution !== null ? (execution as { taskSupport?: unknown }).taskSupport : undefined;
  const wanted = support === 'required' || (support === 'optional' && asked);
  if (asked && support !== 'required' && support !== 'optional') {
    throw new HostError(ErrorCodes.InvalidParams, `${what}: the tool does not run as a task (execution.taskSupport: ${support === undefined ? 'not set' : String(support)})`);
  }
  if (!wanted) return false;
  if (era === 'modern') {
    throw new HostError(
      ErrorCodes.InvalidParams,
      `${what}: tasks in protocol 2026-07-28 are an extension this client's MCP SDK does not serve (it refuses a tools/call result of resultType "task")`,
    );
  }
  if (!serverDeclares) throw new HostError(ErrorCodes.InvalidParams, `${what}: the tool asks for a task, but the server does not declare tasks.requests.tools.call`);
  return true;
}

/** What {@link runToolTask} reports as the task goes. */
export interface TaskHooks {
  /** The task was created, or its status changed or was polled again. */
  onStatus: (task: Task) => void;
}

/** Options of each request of a task run. */
export interface TaskRequestOptions {
  /** The call's signal: aborting it cancels the task (`tasks/cancel`). */
  signal?: AbortSignal;
  /** Budget of each single request (the creation, each poll), ms. */
  requestTimeoutMs: number;
  /** The longest the whole task may run, ms, counted from the creation; then it is cancelled. */
  totalMs: number;
  /** Names the call in errors: `server "everything": tools/call "x"`. */
  what: string;
}

const schemas = specTypeSchemas as unknown as Record<string, Parameters<Client['request']>[1]>;

/** Any JSON object: the answer to a task-augmented call is one of two shapes, told apart by `task`. */
const anyObject = z.looseObject({});

/**
 * `value` checked against the SDK's schema `name` (`specTypeSchemas`).
 *
 * @throws HostError InternalError naming the call and what is wrong (`data.sdk_code` INVALID_RESULT)
 */
function parseAs<T>(name: string, value: unknown, what: string): T {
  const out = (specTypeSchemas as unknown as Record<string, { safeParse: (v: unknown) => { success: boolean; data?: unknown; error?: { issues: { path: PropertyKey[]; message: string }[] } } }>)[name]!.safeParse(value);
  if (out.success) return out.data as T;
  const issues = (out.error?.issues ?? []).map((i) => `${i.path.map(String).join('.') || '(result)'}: ${i.message}`).join('; ');
  throw new HostError(ErrorCodes.InternalError, `${what}: invalid result from the server: ${issues}`, { sdk_code: 'INVALID_RESULT' });
}

/**
 * Runs `tools/call` as a task and resolves with the tool's `CallToolResult`, as a plain call would.
 *
 * @param params the `tools/call` params (name, arguments, `_meta`)
 * @throws HostError Cancelled (the signal aborted: `tasks/cancel` was sent; or the server cancelled the
 *   task), RequestTimeout (the task ran past `totalMs`: cancelled too); ProtocolError from the server;
 *   SdkError from the SDK (the caller's `explain` rewrites it)
 */
export async function runToolTask(client: Client, params: Record<string, unknown>, opts: TaskRequestOptions, hooks: TaskHooks): Promise<CallToolResult> {
  const started = Date.now();
  const reqOpts = (): RequestOptions => ({ timeout: opts.requestTimeoutMs, ...(opts.signal ? { signal: opts.signal } : {}) });
  const answer = (await client.request({ method: 'tools/call', params: { ...params, task: {} } } as never, anyObject, reqOpts())) as Record<string, unknown>;
  // A server may run the call at once instead (spec: a receiver that does not create a task answers as usual).
  if (answer.task === undefined) return parseAs<CallToolResult>('CallToolResult', answer, opts.what);
  let task = parseAs<{ task: Task }>('CreateTaskResult', answer, opts.what).task;
  hooks.onStatus(task);
  let result: Promise<CallToolResult> | undefined;
  const fetchResult = () =>
    (result ??= client.request({ method: 'tasks/result', params: { taskId: task.taskId } } as never, schemas.CallToolResult!, {
      // Blocks until the task ends (spec): bounded by what is left of the task's whole time, not one poll's.
      timeout: Math.max(opts.requestTimeoutMs, opts.totalMs - (Date.now() - started)),
      ...(opts.signal ? { signal: opts.signal } : {}),
    }) as Promise<CallToolResult>);
  // Waiting on it in the background must not leave an unhandled rejection when polling ends first.
  const settle = () => result?.catch(() => {});
  try {
    while (!TERMINAL.has(task.status)) {
      // The server's queued requests (an elicitation) come on the tasks/result request.
      if (task.status === 'input_required') void fetchResult().catch(() => {});
      await sleep(Math.max(MIN_POLL_MS, task.pollInterval ?? DEFAULT_POLL_MS), opts.signal);
      if (Date.now() - started > opts.totalMs) {
        await cancelQuietly(client, task.taskId, opts.requestTimeoutMs);
        throw new HostError(ErrorCodes.RequestTimeout, `${opts.what}: task ${task.taskId} still ${task.status} after ${opts.totalMs} ms in all (max_total_ms); cancelled`, {
          max_total_ms: opts.totalMs,
          taskId: task.taskId,
        });
      }
      task = (await client.request({ method: 'tasks/get', params: { taskId: task.taskId } } as never, schemas.GetTaskResult!, reqOpts())) as Task;
      hooks.onStatus(task);
    }
    if (task.status === 'cancelled') {
      settle();
      throw new HostError(ErrorCodes.Cancelled, `${opts.what}: the server cancelled task ${task.taskId}${task.statusMessage ? `: ${task.statusMessage}` : ''}`, { taskId: task.taskId });
    }
    return await fetchResult();
  } catch (err) {
    if (opts.signal?.aborted) {
      settle();
      await cancelQuietly(client, task.taskId, opts.requestTimeoutMs);
    }
    throw err;
  }
}

/** `tasks/get` (spec: basic/utilities/tasks#getting-tasks). */
export async function getTask(client: Client, taskId: string, options: RequestOptions): Promise<Task> {
  return (await client.request({ method: 'tasks/get', params: { taskId } } as never, schemas.GetTaskResult!, options)) as Task;
}

/** `tasks/result`: blocks until the task ends, then its request's result. */
export async function taskResult(client: Client, taskId: string, options: RequestOptions): Promise<CallToolResult> {
  return (await client.request({ method: 'tasks/result', params: { taskId } } as never, schemas.CallToolResult!, options)) as CallToolResult;
}

/** `tasks/cancel`; resolves with the task as it is after the cancellation. */
export async function cancelTask(client: Client, taskId: string, options: RequestOptions): Promise<Task> {
  return (await client.request({ method: 'tasks/cancel', params: { taskId } } as never, schemas.CancelTaskResult!, options)) as Task;
}

/** `tasks/list`, every page (spec: basic/utilities/tasks#listing-tasks). */
export async function listTasks(client: Client, options: RequestOptions, maxPages = 100): Promise<Task[]> {
  const out: Task[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const res = (await client.request({ method: 'tasks/list', params: cursor ? { cursor } : {} } as never, schemas.ListTasksResult!, options)) as {
      tasks: Task[];
      nextCursor?: string;
    };
    out.push(...res.tasks);
    if (!res.nextCursor) break;
    cursor = res.nextCursor;
  }
  return out;
}

/** Best-effort `tasks/cancel` when the call behind a task is abandoned: a failure is only the server's. */
async function cancelQuietly(client: Client, taskId: string, timeoutMs: number): Promise<void> {
  await cancelTask(client, taskId, { timeout: Math.min(timeoutMs, 5000) }).catch(() => {});
}

/** Waits `ms`; rejects with the signal's reason when it aborts first. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** One task as `:Mcp tasks` lists it: the spec's `Task`, the server's name, and what we know of it. */
export interface TaskEntry extends Task {
  server: string;
  /** The tool whose call created it, for a task this host created. */
  tool?: string;
  /** Created by this host (else only listed by the server's `tasks/list`). */
  ours: boolean;
}

/** Most tasks a session remembers; the oldest ended ones go first. */
const BOOK_MAX = 200;

/**
 * The tasks this host created on one server, as last seen: what `:Mcp tasks` lists even when the server
 * has no `tasks/list`. Ended tasks are kept (their result can be fetched until the server's `ttl`) up to
 * {@link BOOK_MAX}.
 */
export class TaskBook {
  private readonly tasks = new Map<string, { tool: string; task: Task }>();

  /** Records the latest state of task `task` of a call of `tool`. */
  record(tool: string, task: Task): void {
    this.tasks.delete(task.taskId);
    this.tasks.set(task.taskId, { tool, task });
    if (this.tasks.size <= BOOK_MAX) return;
    for (const [id, t] of this.tasks) {
      if (TERMINAL.has(t.task.status)) {
        this.tasks.delete(id);
        if (this.tasks.size <= BOOK_MAX) return;
      }
    }
  }

  /** The tool whose call created `taskId`, when this host created it. */
  tool(taskId: string): string | undefined {
    return this.tasks.get(taskId)?.tool;
  }

  /** Updates a known task (a `tasks/get`, `tasks/cancel` or `tasks/list` answer); unknown ones are ignored. */
  update(task: Task): void {
    const t = this.tasks.get(task.taskId);
    if (t) t.task = task;
  }

  /**
   * This host's tasks merged with `listed` (the server's `tasks/list`, fresher where both have one),
   * oldest first.
   */
  entries(server: string, listed: Task[] = []): TaskEntry[] {
    const out = new Map<string, TaskEntry>();
    for (const [id, t] of this.tasks) out.set(id, { ...t.task, server, tool: t.tool, ours: true });
    for (const task of listed) {
      const mine = this.tasks.get(task.taskId);
      if (mine) mine.task = task;
      out.set(task.taskId, { ...task, server, ...(mine ? { tool: mine.tool } : {}), ours: mine !== undefined });
    }
    return [...out.values()].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  }
}
