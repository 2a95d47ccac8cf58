/**
 * A fake LLM: a local OpenAI-compatible chat-completions endpoint that plays a scripted model.
 *
 * Why a fake: no LLM runs on the machines that run these tests (no model, no network, no API key), and a
 * real model would not answer the same way twice. The model is the one peer of a chat plugin that cannot
 * run here, so it is the one thing faked; CodeCompanion, plenary, curl, Neovim, mcp.nvim and the MCP
 * servers are all real. The fake speaks the wire format CodeCompanion's `openai_compatible` adapter
 * (v19.22.0, `lua/codecompanion/adapters/http/openai_compatible.lua`, handlers from `openai.lua`) uses:
 *
 * - `POST {url}/v1/chat/completions` with a JSON body `{ model, messages, tools?, stream, stream_options }`.
 *   The adapter streams by default (`opts.stream = true` → `stream: true`,
 *   `stream_options.include_usage`): the answer is Server-Sent Events, one `data: {chat.completion.chunk}`
 *   per event, each with a `choices[0].delta`, then `data: [DONE]`. With `stream: false` the answer is one
 *   `chat.completion` JSON object whose `choices[0].message` carries `content` or `tool_calls`.
 * - `GET {url}/v1/models` (`models_endpoint`), which the adapter calls synchronously when its model has no
 *   default; answered with the one model this fake plays.
 *
 * Each chat request takes the next scripted {@link Turn}; every request body is recorded so that a test can
 * assert what reached the model: the user's words, the tool schemas offered, the tool results returned.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One tool call the model makes (OpenAI `tool_calls[]` entry). */
export interface ScriptedToolCall {
  /** The function's name, as offered in the request's `tools[].function.name`. */
  name: string;
  /** The arguments; sent as the JSON string the OpenAI format carries (a string is sent unchanged). */
  arguments: unknown;
  /** The call's id; default `call_<request number>_<index>`. */
  id?: string;
}

/**
 * What the model answers to one chat request:
 * - `{ text }`: an assistant message;
 * - `{ toolCalls, text? }`: tool calls (with optional text before them), finish reason `tool_calls`;
 * - `{ status, error }`: an HTTP error answer (e.g. 500), as a provider reports a failure;
 * - `{ stall: true }`: never answers, only sends keep-alives (SSE comments) every 100 ms; the request stays
 *   open until the client closes it (a stopped chat), which {@link RecordedRequest.closedByClient} records.
 */
export type Turn =
  | { text: string }
  | { toolCalls: ScriptedToolCall[]; text?: string }
  | { status: number; error: string }
  | { stall: true };

/** An OpenAI chat message as the client sent it (only the fields tests commonly read are typed). */
export interface ChatMessage {
  role: string;
  /** A string, or content parts (`[{ type: 'text', text }, { type: 'image_url', image_url: { url } }]`). */
  content?: unknown;
  tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
  [key: string]: unknown;
}

/** A tool offered to the model (`tools[]` of the request). */
export interface OfferedTool {
  type: string;
  function: { name: string; description?: string; parameters?: unknown; [key: string]: unknown };
}

/** One chat-completions request the fake received. */
export interface RecordedRequest {
  /** 1-based, in arrival order. */
  n: number;
  /** The parsed JSON body. */
  body: { model?: string; stream?: boolean; messages: ChatMessage[]; tools?: OfferedTool[]; [key: string]: unknown };
  /** Request headers (lower-case names). */
  headers: Record<string, string | string[] | undefined>;
  /** The turn that answered it (`undefined` if none was left: answered with HTTP 500). */
  turn?: Turn;
  /** Whether the client closed the connection before the answer ended (set for stalled turns). */
  closedByClient: boolean;
}

/** A running fake LLM. `await close()` it when done. */
export interface FakeLlm {
  /** Base URL, `http://127.0.0.1:<port>`: the adapter's `env.url`. */
  url: string;
  /** The model id it plays (listed by `GET /v1/models`). */
  model: string;
  /** Every chat-completions request so far, in order. */
  requests: RecordedRequest[];
  /** Appends turns to the script; each chat request consumes the next one. */
  script(...turns: Turn[]): void;
  /** How many scripted turns are still unused. */
  pending(): number;
  /**
   * Resolves once `count` chat requests have arrived (with all of them), or rejects after `timeoutMs`
   * (default 15000 ms) with what did arrive.
   */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Requests that arrived with no turn left to answer them (a test that scripted too few turns). */
  unscripted(): RecordedRequest[];
  /** Stops listening and ends open connections (stalled turns included). */
  close(): Promise<void>;
}

/** Options of {@link startFakeLlm}. */
export interface FakeLlmOptions {
  /** The model id. Default `fake-model`. */
  model?: string;
  /** Turns to start with (more can be added with {@link FakeLlm.script}). */
  turns?: Turn[];
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (data += c));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, obj: unknown): void {
  const text = JSON.stringify(obj);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Splits a string into up to `parts` pieces, so that streamed answers arrive in several deltas as real ones do. */
function pieces(s: string, parts = 3): string[] {
  if (s.length <= 1) return [s];
  const size = Math.ceil(s.length / parts);
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

function argumentsText(a: unknown): string {
  return typeof a === 'string' ? a : JSON.stringify(a ?? {});
}

/**
 * Starts the fake on 127.0.0.1 on a free port chosen by the system.
 *
 * @param opts - see {@link FakeLlmOptions}.
 * @returns the running fake; its {@link FakeLlm.url} goes into the adapter's `env.url`.
 */
export async function startFakeLlm(opts: FakeLlmOptions = {}): Promise<FakeLlm> {
  const model = opts.model ?? 'fake-model';
  const turns: Turn[] = [...(opts.turns ?? [])];
  const requests: RecordedRequest[] = [];
  const waiters = new Set<() => void>();
  const open = new Set<ServerResponse>();
  let created = 1_700_000_000;

  const chunk = (id: string, delta: Record<string, unknown>, finish: string | null = null): string =>
    `data: ${JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    })}\n\n`;

  const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };

  /** Answers a chat request with a text or tool-call turn, streamed or as one JSON object. */
  const answer = (res: ServerResponse, rec: RecordedRequest, turn: { text?: string; toolCalls?: ScriptedToolCall[] }): void => {
    const id = `chatcmpl-fake-${rec.n}`;
    created++;
    const calls = (turn.toolCalls ?? []).map((c, i) => ({
      id: c.id ?? `call_${rec.n}_${i}`,
      type: 'function',
      function: { name: c.name, arguments: argumentsText(c.arguments) },
    }));
    const finish = calls.length > 0 ? 'tool_calls' : 'stop';
    if (rec.body.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      res.write(chunk(id, { role: 'assistant', content: '' }));
      if (turn.text) for (const p of pieces(turn.text)) res.write(chunk(id, { content: p }));
      calls.forEach((c, index) => {
        // First the call's id and name, then its arguments in pieces, as OpenAI streams them.
        res.write(chunk(id, { tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.function.name, arguments: '' } }] }));
        for (const p of pieces(c.function.arguments)) res.write(chunk(id, { tool_calls: [{ index, function: { arguments: p } }] }));
      });
      res.write(chunk(id, {}, finish));
      // stream_options.include_usage: a last chunk with no choices and the usage.
      res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`);
      res.end('data: [DONE]\n\n');
    } else {
      sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: turn.text ?? null, ...(calls.length ? { tool_calls: calls } : {}) },
            finish_reason: finish,
          },
        ],
        usage,
      });
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
    if (req.method === 'GET' && path.endsWith('/models')) {
      sendJson(res, 200, { object: 'list', data: [{ id: model, object: 'model', created, owned_by: 'fake-llm' }] });
      return;
    }
    if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
      sendJson(res, 404, { error: { message: `fake LLM: no route ${req.method} ${req.url}`, type: 'not_found' } });
      return;
    }
    const raw = await readBody(req);
    let body: RecordedRequest['body'];
    try {
      body = JSON.parse(raw) as RecordedRequest['body'];
    } catch (e) {
      sendJson(res, 400, { error: { message: `fake LLM: body is not JSON (${(e as Error).message}): ${raw.slice(0, 200)}` } });
      return;
    }
    const rec: RecordedRequest = { n: requests.length + 1, body, headers: req.headers, closedByClient: false };
    const turn = turns.shift();
    rec.turn = turn;
    requests.push(rec);
    for (const w of waiters) w();
    res.on('close', () => {
      open.delete(res);
      if (!res.writableFinished) rec.closedByClient = true;
    });
    open.add(res);
    if (!turn) {
      sendJson(res, 500, { error: { message: `fake LLM: no scripted turn left for request ${rec.n}`, type: 'server_error' } });
    } else if ('stall' in turn) {
      res.writeHead(200, { 'content-type': body.stream ? 'text/event-stream' : 'application/json' });
      // Keep-alives as providers send while a model thinks (an SSE comment; blanks before a JSON body).
      // They matter: plenary's Job:shutdown() closes curl's pipes but does not kill it, so a stopped
      // request's curl only exits when it next writes, and the connection only closes then.
      const beat = setInterval(() => res.write(body.stream ? ': still thinking\n\n' : ' '), 100);
      res.on('close', () => clearInterval(beat));
    } else if ('status' in turn) {
      sendJson(res, turn.status, { error: { message: turn.error, type: 'server_error' } });
    } else {
      answer(res, rec, turn);
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: `fake LLM: ${String(e)}` } });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    model,
    requests,
    script: (...more) => void turns.push(...more),
    pending: () => turns.length,
    unscripted: () => requests.filter((r) => r.turn === undefined),
    waitForRequests: (count, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = (): boolean => {
          if (requests.length < count) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(requests.slice(0, count));
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `fake LLM: waited ${timeoutMs} ms for ${count} chat requests, got ${requests.length}:\n` +
                JSON.stringify(requests.map((r) => r.body.messages.at(-1)), null, 1),
            ),
          );
        }, timeoutMs);
        if (!check()) waiters.add(check);
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of open) r.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
