/**
 * Screens what a server sends before the SDK sees it, so that one bad part does not fail the whole:
 *
 * - A list (`tools/list`, `prompts/list`, `resources/list`, `resources/templates/list`) whose result the
 *   SDK would refuse because one item is invalid (a tool whose `inputSchema.properties` is a string) is
 *   passed on without that item; the item is recorded as a problem of one line ("tool "x":
 *   inputSchema.properties: expected record, received string"), which the server's snapshot shows.
 * - A `tools/call` result with an invalid content item (an image whose `data` is not base64) keeps its
 *   other items; the bad one is replaced by a text item saying which item it was and what is wrong.
 * - A response the SDK cannot parse at all, e.g. one carrying both `result` and `error` (JSON-RPC 2.0
 *   §5 forbids it), would be dropped by the transport and leave its request waiting for its timeout: it
 *   becomes an error response to that request at once, with a message saying so.
 *
 * Items are checked with the SDK's own schemas (`specTypeSchemas`), and only when the SDK's check of the
 * whole result fails, so that a result the SDK accepts passes untouched.
 */
import { specTypeSchemas, type JSONRPCMessage, type SpecTypeName, type Transport } from '@modelcontextprotocol/client';
import type { Logger } from '../log.js';
import { nestsDeeperThan } from '../nesting.js';

/** The lists screened item by item: method → the result's array field, the item's spec type, and how the item is named. */
const LISTS: Record<string, { field: string; type: SpecTypeName; result: SpecTypeName; noun: string; key: string }> = {
  'tools/list': { field: 'tools', type: 'Tool', result: 'ListToolsResult', noun: 'tool', key: 'name' },
  'prompts/list': { field: 'prompts', type: 'Prompt', result: 'ListPromptsResult', noun: 'prompt', key: 'name' },
  'resources/list': { field: 'resources', type: 'Resource', result: 'ListResourcesResult', noun: 'resource', key: 'uri' },
  'resources/templates/list': { field: 'resourceTemplates', type: 'ResourceTemplate', result: 'ListResourceTemplatesResult', noun: 'resource template', key: 'uriTemplate' },
};

/**
 * Deepest nesting (JSON arrays and objects, the item itself counted) of a listed item that is passed on.
 * The SDK checks a list with recursive schemas, which overflow the stack on a deep enough item; the
 * request then may never settle (a start waits for its deadline). Measured in the host on Neovim 0.10.4
 * and 0.12.4, the depth where a tool's `inputSchema` overflows these checks varies with the stack in use
 * (how much of the code is optimised yet): from 599 property levels (1198 JSON levels) up to past 714.
 * Items deeper than this, a third below the lowest, are left out (as a problem naming the item) before
 * the SDK sees them: a tool whose schema nests 400 property levels (800 JSON levels) is listed intact.
 */
export const MAX_LISTED_NESTING = 800;

/** Requests whose ids are remembered at most (a server that never answers must not grow the map forever). */
const MAX_PENDING = 10_000;

/** JSON-RPC's "Internal error", the code of the error responses made here. */
const INTERNAL_ERROR = -32603;

/**
 * A line from the server that is not a valid JSON-RPC message; carries the line, so that the screen can
 * still answer the request it was meant for. Transports that read lines report it through `onerror`.
 */
export class MalformedMessageError extends Error {
  constructor(
    message: string,
    /** The line as received (without its newline). */
    readonly line: string,
  ) {
    super(message);
    this.name = 'MalformedMessageError';
  }
}

/** What {@link screenIncoming} found wrong in one list, one line per item. */
export interface Screen {
  /** Every problem of the current lists, one line each, e.g. `tool "x": inputSchema.properties: expected record, received string`. */
  problems(): string[];
}

/**
 * Installs the screen on a connected transport: wraps its `send` (to know which method each response
 * answers) and its `onmessage` and `onerror` (set by the SDK at connect). Call it once, after connect.
 *
 * @param server the server's name, for error messages
 * @param log the session's logger: each problem is logged at warn
 */
export function screenIncoming(transport: Transport, server: string, log: Logger): Screen {
  const pending = new Map<string | number, string>();
  /** Problems by list method, reset when a list's first page is asked for. */
  const problems = new Map<string, string[]>();

  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    if ('method' in message && 'id' in message) {
      if (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value!);
      pending.set(message.id, message.method);
      const params = message.params as { cursor?: unknown } | undefined;
      if (LISTS[message.method] && params?.cursor === undefined) problems.delete(message.method);
    } else if ('method' in message && message.method === 'notifications/cancelled') {
      pending.delete((message.params as { requestId: string | number }).requestId);
    }
    return send(message, options);
  };

  const deliver = transport.onmessage?.bind(transport);
  if (deliver) {
    transport.onmessage = (message, extra) => {
      if (!('method' in message) && 'id' in message && message.id !== undefined) {
        const method = pending.get(message.id);
        pending.delete(message.id);
        if (method && 'result' in message) screenResult(method, message.result as Record<string, unknown>);
      }
      deliver(message, extra);
    };
  }

  const onerror = transport.onerror?.bind(transport);
  transport.onerror = (error) => {
    onerror?.(error);
    if (!(error instanceof MalformedMessageError) || !deliver) return;
    const answer = answerMalformed(error.line);
    if (answer) deliver(answer);
  };

  /** Fixes, in place, a result the SDK would refuse for one bad item. */
  function screenResult(method: string, result: Record<string, unknown>): void {
    const list = LISTS[method];
    const items = list && result[list.field];
    if (list && Array.isArray(items) && (items.some((item) => nestsDeeperThan(item, MAX_LISTED_NESTING)) || !valid(list.result, result))) {
      const kept: unknown[] = [];
      const found = problems.get(method) ?? [];
      items.forEach((item: unknown, i: number) => {
        const issue = nestsDeeperThan(item, MAX_LISTED_NESTING)
          ? `nests deeper than ${MAX_LISTED_NESTING} levels, more than the MCP SDK's checks take`
          : firstIssue(list.type, item);
        if (!issue) return void kept.push(item);
        const key = (item as Record<string, unknown> | null)?.[list.key];
        const line = `${list.noun} ${typeof key === 'string' ? JSON.stringify(key) : `#${i + 1}`}: ${issue}`;
        found.push(line);
        log.warn({ method, problem: line }, `${list.noun} left out`);
      });
      problems.set(method, found);
      result[list.field] = kept;
    } else if (method === 'tools/call' && Array.isArray(result.content) && !valid('CallToolResult', result)) {
      result.content = result.content.map((item: unknown, i: number) => {
        const issue = firstIssue('ContentBlock', item);
        if (!issue) return item;
        const c = (item ?? {}) as { type?: unknown; mimeType?: unknown };
        const what = [typeof c.mimeType === 'string' ? c.mimeType : '', typeof c.type === 'string' ? c.type : 'item'].filter(Boolean).join(' ');
        const text = `[content item ${i + 1} (${what}) left out by mcp.nvim: ${issue}]`;
        log.warn({ method, item: i + 1, problem: issue }, 'content item left out');
        return { type: 'text', text };
      });
    }
  }

  /** An error response for a line that answers a pending request but is not a valid message. */
  function answerMalformed(line: string): JSONRPCMessage | undefined {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      return undefined;
    }
    if (typeof raw !== 'object' || raw === null || 'method' in raw) return undefined;
    const id = (raw as { id?: unknown }).id;
    if ((typeof id !== 'string' && typeof id !== 'number') || !pending.has(id)) return undefined;
    const method = pending.get(id)!;
    pending.delete(id);
    const both = 'result' in raw && 'error' in raw;
    const theirs = (raw as { error?: { message?: unknown } }).error?.message;
    const message = both
      ? `server "${server}" answered ${method} with both "result" and "error", which JSON-RPC forbids${typeof theirs === 'string' ? ` (its error: ${theirs})` : ''}`
      : `server "${server}" answered ${method} with a malformed response`;
    log.warn({ method, id }, message);
    return { jsonrpc: '2.0', id, error: { code: INTERNAL_ERROR, message } };
  }

  return { problems: () => [...problems.values()].flat() };
}

/** Whether `value` is a valid `type` by the SDK's schema. */
function valid(type: SpecTypeName, value: unknown): boolean {
  return !validate(type, value).length;
}

/** The first thing wrong with `value` as a `type`, in one line (`inputSchema.properties: expected record, received string`), or undefined. */
function firstIssue(type: SpecTypeName, value: unknown): string | undefined {
  const issues = validate(type, value);
  return issues.length ? describeIssues(issues) : undefined;
}

/** A schema issue as the SDK's schemas (zod) report it. */
export interface Issue {
  message: string;
  path?: readonly (PropertyKey | { key: PropertyKey })[];
}

/**
 * Issues in one line: the first one's path and message, and how many more there are, e.g.
 * `content: expected array, received string (and 2 more)`.
 */
export function describeIssues(issues: readonly Issue[]): string {
  const first = issues[0];
  if (!first) return 'invalid';
  const path = (first.path ?? []).map((p) => (typeof p === 'object' ? String(p.key) : String(p))).join('.');
  const text = first.message.replace(/^Invalid input: /, '');
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return `${path ? `${path}: ` : ''}${text}${more}`;
}

/**
 * The issues of `value` as a `type` by the SDK's own schema. The schemas are synchronous; the standard
 * interface answers with a promise only when the synchronous check threw, which a value nested deeper
 * than the schema's recursion can take does (a stack overflow): that is an issue of its own.
 */
function validate(type: SpecTypeName, value: unknown): Issue[] {
  const result = specTypeSchemas[type]['~standard'].validate(value);
  if (result instanceof Promise) {
    result.catch(() => {});
    return [{ message: 'nested too deep for the MCP SDK to check' }];
  }
  return [...(result.issues ?? [])];
}
