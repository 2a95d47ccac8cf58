/**
 * Screens the bodies an HTTP server answers with, before the MCP SDK's HTTP transports parse them.
 *
 * Those transports parse each message with the SDK's schema themselves. A response the schema refuses,
 * e.g. one carrying both `result` and `error` (JSON-RPC 2.0 §5 forbids it), is then lost: in a JSON body
 * the POST fails with the schema library's multi-line dump; as an event of an SSE stream it is dropped and
 * its request waits for its timeout. The transports take a `fetch`, so the screen sits there: it
 * remembers the method of each request POSTed, and a response to one of them that is not a valid
 * JSON-RPC message is replaced, in the body, by an error response to that request saying in one line what
 * was wrong, the same one as over stdio (incoming.ts): `server "x" answered tools/call with both
 * "result" and "error", which JSON-RPC forbids (its error: ...)`.
 *
 * Anything else passes unchanged: bodies of other types, responses that are not 2xx, valid messages, and
 * messages that answer nothing asked (spec 2025-11-25 and 2026-07-28: basic/transports, Streamable HTTP).
 */
import { parseJSONRPCMessage } from '@modelcontextprotocol/client';
import type { Logger } from '../log.js';
import { answerFor, MAX_PENDING } from './incoming.js';

type Fetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * The screen of one server's connection (see above): wraps each `fetch` its transport uses (the POSTs',
 * and the legacy SSE transport's GET stream), all sharing what was asked, so that a response arriving on
 * another request's stream is matched too.
 *
 * @param server the server's name, for error messages
 * @param log each replaced response is logged at warn
 * @returns a function making a screened `fetch` from `base` (default the global one)
 */
export function screenedFetch(server: string, log: Logger): (base?: Fetch) => Fetch {
  /** Method of each request POSTed and not answered yet, by id. */
  const pending = new Map<string | number, string>();

  /** What to pass on for one message of a body: itself, or the error response standing for it. */
  function screen(raw: unknown): unknown {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || 'method' in raw) return raw;
    const id = (raw as { id?: unknown }).id;
    if ((typeof id !== 'string' && typeof id !== 'number') || !pending.has(id)) return raw;
    const method = pending.get(id)!;
    pending.delete(id);
    try {
      parseJSONRPCMessage(raw);
      return raw;
    } catch {
      const answer = answerFor(server, method, id, raw);
      log.warn({ method, id }, answer.error.message);
      return answer;
    }
  }

  /** A JSON body (one message or a batch) screened, or undefined when it is not JSON. */
  function screenValue(text: string): { value: unknown; changed: boolean } | undefined {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      return undefined;
    }
    const messages = Array.isArray(data) ? data : [data];
    const screened = messages.map(screen);
    const changed = screened.some((m, i) => m !== messages[i]);
    return { value: changed ? (Array.isArray(data) ? screened : screened[0]) : data, changed };
  }

  /** The data of an SSE event screened: itself when nothing was replaced or it is not JSON. */
  function screenText(text: string): string {
    const screened = screenValue(text);
    return screened?.changed ? JSON.stringify(screened.value) : text;
  }

  return (base = fetch) => async (input, init) => {
    if (init?.method === 'POST' && typeof init.body === 'string') remember(init.body);
    const response = await base(input, init);
    if (!response.ok || response.status === 202 || !response.body) return response;
    const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type === 'application/json') {
      const text = await response.text();
      const screened = screenValue(text);
      if (!screened) return rebuilt(response, text);
      // The transport reads a JSON body with `json()`: it gets the value parsed here instead of parsing
      // the text a second time (a 20 MB result takes ~300 ms to parse).
      const answer = rebuilt(response, screened.changed ? JSON.stringify(screened.value) : text);
      Object.defineProperty(answer, 'json', { value: () => Promise.resolve(screened.value) });
      return answer;
    }
    if (type === 'text/event-stream') {
      const body = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(sseEvents(screenText)).pipeThrough(new TextEncoderStream());
      return rebuilt(response, body);
    }
    return response;
  };

  /** Notes the method of each request in a POSTed body; a cancellation forgets its request. */
  function remember(body: string): void {
    let data: unknown;
    try {
      data = JSON.parse(body);
    } catch {
      return;
    }
    for (const m of Array.isArray(data) ? data : [data]) {
      const msg = m as { id?: unknown; method?: unknown; params?: { requestId?: unknown } } | null;
      if (typeof msg?.method !== 'string') continue;
      if (typeof msg.id === 'string' || typeof msg.id === 'number') {
        if (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value!);
        pending.set(msg.id, msg.method);
      } else if (msg.method === 'notifications/cancelled') {
        pending.delete(msg.params?.requestId as string | number);
      }
    }
  }
}

/** A response like `response` with another body (its length no longer said: it may have changed). */
function rebuilt(response: Response, body: string | ReadableStream<Uint8Array>): Response {
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

/**
 * Rewrites the data of each `message` event of an SSE stream with `rewrite`, event by event as each
 * completes (a blank line ends an event), so that the stream is not held up. Other fields (`id`,
 * `retry`, comments) pass as they are; an event whose data is not rewritten passes byte for byte but for
 * line endings, which become `\n` (the SSE format takes `\r\n`, `\r` and `\n` alike).
 */
export function sseEvents(rewrite: (data: string) => string): TransformStream<string, string> {
  let buffer = '';
  let event: string[] = [];

  const emit = (controller: TransformStreamDefaultController<string>): void => {
    const lines = event;
    event = [];
    if (!lines.length) return void controller.enqueue('\n');
    const field = (line: string): [string, string] => {
      const colon = line.indexOf(':');
      if (colon < 0) return [line, ''];
      const value = line.slice(colon + 1);
      return [line.slice(0, colon), value.startsWith(' ') ? value.slice(1) : value];
    };
    const fields = lines.map(field);
    const type = fields.filter(([name]) => name === 'event').pop()?.[1] ?? 'message';
    const data = fields.filter(([name]) => name === 'data').map(([, value]) => value);
    let out = lines;
    if (type === 'message' && data.length) {
      const joined = data.join('\n');
      const replaced = rewrite(joined);
      if (replaced !== joined) out = [...lines.filter((l) => field(l)[0] !== 'data'), ...replaced.split('\n').map((l) => `data: ${l}`)];
    }
    controller.enqueue(`${out.join('\n')}\n\n`);
  };

  const lines = (controller: TransformStreamDefaultController<string>, final: boolean): void => {
    const re = /\r\n|\r|\n/g;
    let start = 0;
    for (let m = re.exec(buffer); m; m = re.exec(buffer)) {
      // A `\r` at the end of what has arrived may be the first half of `\r\n`: wait for the next chunk.
      if (!final && m[0] === '\r' && m.index === buffer.length - 1) break;
      const line = buffer.slice(start, m.index);
      start = re.lastIndex;
      if (line === '') emit(controller);
      else event.push(line);
    }
    buffer = buffer.slice(start);
  };

  return new TransformStream<string, string>({
    transform(chunk, controller) {
      buffer += chunk;
      lines(controller, false);
    },
    flush(controller) {
      lines(controller, true);
      // An event the stream cut off before its blank line is passed on as it came; SSE drops it.
      const rest = [...event, ...(buffer ? [buffer] : [])];
      if (rest.length) controller.enqueue(rest.join('\n'));
    },
  });
}
