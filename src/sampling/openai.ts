/**
 * The built-in sampling provider (|mcp-sampling-openai|): one MCP `sampling/createMessage` (spec
 * 2025-11-25: client/sampling; 2026-07-28: the same request in an `input_required` round) sent to an
 * OpenAI-compatible chat-completions endpoint (`POST {url}/chat/completions`, not streamed), which covers
 * OpenAI itself, Ollama (`http://127.0.0.1:11434/v1`), llama.cpp's `llama-server`, vLLM and the like.
 *
 * Mapping, MCP → chat-completions: `systemPrompt` → a `system` message; text → text (a message of text
 * alone as a plain string), image → an `image_url` part (a `data:` URL), audio (wav, mp3) → an
 * `input_audio` part; `tool_use` blocks of an assistant message → its `tool_calls`; `tool_result` blocks
 * → one `tool` message each; `tools` → `function` tools, `toolChoice.mode` → `tool_choice`; `maxTokens`
 * → `max_tokens`, `temperature`, `stopSequences` → `stop`. Back: `message.content` → a text block,
 * `tool_calls` → `tool_use` blocks, `finish_reason` stop/length/tool_calls → endTurn/maxTokens/toolUse.
 *
 * The API key is read from the environment variable the config names, sent only in the `Authorization`
 * header, and never logged or put in an error message.
 */
import { ErrorCodes } from '../contract/errors.js';
import { HostError } from '../errors.js';
import type { Logger } from '../log.js';
import { redact } from '../redact.js';

/** Where and how to reach the endpoint (the `sampling` option's `openai` table, |mcp-sampling|). */
export interface OpenAiProvider {
  /** Base URL up to the version, e.g. `http://127.0.0.1:11434/v1`; `/chat/completions` is appended. */
  url: string;
  /** The model to ask (the request's `model` field). */
  model: string;
  /** Name of the environment variable holding the API key; unset or empty: no `Authorization` header. */
  api_key_env?: string;
  /** How long one completion may take, ms. */
  timeout_ms: number;
}

/** An MCP content block of a sampling message (text, image, audio, tool_use, tool_result). */
type Block = { type: string; [k: string]: unknown };
/** An MCP sampling message. */
interface Message {
  role: 'user' | 'assistant';
  content: Block | Block[];
}
/** The parts of `sampling/createMessage` params this provider uses. */
export interface SamplingParams {
  messages: Message[];
  systemPrompt?: string;
  maxTokens: number;
  temperature?: number;
  stopSequences?: string[];
  tools?: { name: string; description?: string; inputSchema: unknown }[];
  toolChoice?: { mode?: 'auto' | 'required' | 'none' };
}

/** What goes back to the server: the spec's `CreateMessageResult` (with tools: content may be a list). */
export interface SamplingResult {
  role: 'assistant';
  model: string;
  stopReason?: string;
  content: Block | Block[];
}

/** An OpenAI chat message. */
type ChatMessage = Record<string, unknown> & { role: string };

const blocks = (c: Block | Block[]): Block[] => (Array.isArray(c) ? c : [c]);

/** The audio formats chat-completions takes (`input_audio.format`), by MIME type. */
const AUDIO_FORMATS: Record<string, string> = { 'audio/wav': 'wav', 'audio/x-wav': 'wav', 'audio/wave': 'wav', 'audio/mpeg': 'mp3', 'audio/mp3': 'mp3' };

/** A text, image or audio block as a chat-completions content part. */
function part(b: Block, where: string): Record<string, unknown> {
  if (b.type === 'text') return { type: 'text', text: String(b.text ?? '') };
  if (b.type === 'image') return { type: 'image_url', image_url: { url: `data:${String(b.mimeType)};base64,${String(b.data)}` } };
  if (b.type === 'audio') {
    const format = AUDIO_FORMATS[String(b.mimeType).toLowerCase()];
    if (!format) throw new HostError(ErrorCodes.InvalidParams, `${where}: audio of type ${String(b.mimeType)} cannot be sent to a chat-completions endpoint (wav and mp3 can)`);
    return { type: 'input_audio', input_audio: { data: String(b.data), format } };
  }
  throw new HostError(ErrorCodes.InvalidParams, `${where}: content of type "${b.type}" cannot be sent to a chat-completions endpoint`);
}

/** A tool result's content as the text of a `tool` message (structured content as JSON when there is no text). */
function toolResultText(b: Block): string {
  const parts = Array.isArray(b.content) ? (b.content as Block[]) : [];
  const text = parts.map((p) => (p.type === 'text' ? String(p.text ?? '') : `[${p.type}${p.mimeType ? ` ${String(p.mimeType)}` : ''}]`)).join('\n');
  if (text) return text;
  return b.structuredContent !== undefined ? JSON.stringify(b.structuredContent) : '';
}

/**
 * The chat-completions messages of an MCP sampling request.
 *
 * @throws HostError InvalidParams for content chat-completions cannot carry (e.g. audio other than wav or mp3)
 */
export function toChatMessages(p: SamplingParams): ChatMessage[] {
  const out: ChatMessage[] = [];
  if (p.systemPrompt) out.push({ role: 'system', content: p.systemPrompt });
  p.messages.forEach((m, i) => {
    const where = `sampling message ${i + 1}`;
    const all = blocks(m.content);
    const uses = all.filter((b) => b.type === 'tool_use');
    const results = all.filter((b) => b.type === 'tool_result');
    const rest = all.filter((b) => b.type !== 'tool_use' && b.type !== 'tool_result');
    // Tool results answer the previous assistant message's calls: one `tool` message each, first.
    for (const r of results) out.push({ role: 'tool', tool_call_id: String(r.toolUseId), content: toolResultText(r) });
    if (rest.length === 0 && uses.length === 0) return;
    const msg: ChatMessage = { role: m.role };
    if (rest.length) msg.content = rest.every((b) => b.type === 'text') ? rest.map((b) => String(b.text ?? '')).join('\n') : rest.map((b) => part(b, where));
    else msg.content = null;
    if (uses.length) {
      msg.tool_calls = uses.map((u) => ({ id: String(u.id), type: 'function', function: { name: String(u.name), arguments: JSON.stringify(u.input ?? {}) } }));
    }
    out.push(msg);
  });
  return out;
}

/** The JSON body of the chat-completions request for `p`, asking `model`. */
export function toChatRequest(p: SamplingParams, model: string): Record<string, unknown> {
  const body: Record<string, unknown> = { model, messages: toChatMessages(p), max_tokens: p.maxTokens, stream: false };
  if (p.temperature !== undefined) body.temperature = p.temperature;
  if (p.stopSequences?.length) body.stop = p.stopSequences;
  if (p.tools?.length) {
    body.tools = p.tools.map((t) => ({
      type: 'function',
      function: { name: t.name, ...(t.description ? { description: t.description } : {}), parameters: t.inputSchema ?? { type: 'object' } },
    }));
    if (p.toolChoice?.mode) body.tool_choice = p.toolChoice.mode;
  }
  return body;
}

/** chat-completions `finish_reason` → MCP `stopReason` (others pass as they are). */
const STOP_REASONS: Record<string, string> = { stop: 'endTurn', length: 'maxTokens', tool_calls: 'toolUse', function_call: 'toolUse' };

/**
 * The MCP result of a chat-completions answer.
 *
 * @param withTools the request offered tools: tool calls become `tool_use` blocks and content may be a list
 * @throws HostError InternalError when the answer has no choice or a tool call's arguments are not JSON
 */
export function fromChatResponse(json: unknown, model: string, withTools: boolean): SamplingResult {
  const body = json as { model?: string; choices?: { message?: { content?: unknown; tool_calls?: unknown[] }; finish_reason?: string }[] };
  const choice = body?.choices?.[0];
  if (!choice?.message) throw new HostError(ErrorCodes.InternalError, 'sampling: the endpoint answered without a choice');
  const content: Block[] = [];
  const text = choice.message.content;
  if (typeof text === 'string' && text !== '') content.push({ type: 'text', text });
  else if (Array.isArray(text)) {
    const joined = (text as { type?: string; text?: string }[]).filter((p) => p.type === 'text').map((p) => p.text ?? '').join('');
    if (joined) content.push({ type: 'text', text: joined });
  }
  if (withTools) {
    for (const raw of choice.message.tool_calls ?? []) {
      const call = raw as { id?: string; function?: { name?: string; arguments?: string } };
      let input: unknown = {};
      try {
        input = call.function?.arguments ? JSON.parse(call.function.arguments) : {};
      } catch {
        throw new HostError(ErrorCodes.InternalError, `sampling: the model called ${String(call.function?.name)} with arguments that are not JSON`);
      }
      content.push({ type: 'tool_use', id: String(call.id ?? `call_${content.length}`), name: String(call.function?.name ?? ''), input: input ?? {} });
    }
  }
  if (!content.length) content.push({ type: 'text', text: '' });
  const finish = choice.finish_reason;
  const stopReason = finish ? (STOP_REASONS[finish] ?? finish) : undefined;
  return {
    role: 'assistant',
    model: typeof body.model === 'string' && body.model ? body.model : model,
    ...(stopReason ? { stopReason } : {}),
    content: content.length === 1 && !(withTools && content[0]!.type === 'tool_use') ? content[0]! : content,
  };
}

/**
 * Asks the endpoint for one completion of `p`.
 *
 * @param model the model to ask: chosen from the request's hints by the editor, else `provider.model`
 * @param signal aborted when the sampling request is withdrawn (server cancelled, editor declined)
 * @throws HostError RequestTimeout after `provider.timeout_ms`; Cancelled when `signal` aborts;
 *   InternalError for an HTTP error (its status and the endpoint's message) or an unreachable endpoint;
 *   InvalidParams for content chat-completions cannot carry
 */
export async function complete(provider: OpenAiProvider, p: SamplingParams, model: string, signal: AbortSignal, log: Logger): Promise<SamplingResult> {
  const url = `${provider.url.replace(/\/+$/, '')}/chat/completions`;
  const where = `sampling via ${redact(url)}`;
  const body = toChatRequest(p, model);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  const key = provider.api_key_env ? process.env[provider.api_key_env] : undefined;
  if (key) headers.authorization = `Bearer ${key}`;
  const timeout = AbortSignal.timeout(provider.timeout_ms);
  log.info({ url: redact(url), model, messages: p.messages.length, tools: p.tools?.length ?? 0, key: key ? 'set' : 'none' }, 'sampling: asking the endpoint');
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.any([signal, timeout]) });
  } catch (err) {
    if (timeout.aborted) throw new HostError(ErrorCodes.RequestTimeout, `${where}: no answer within ${provider.timeout_ms} ms`);
    if (signal.aborted) throw new HostError(ErrorCodes.Cancelled, `${where}: cancelled`);
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    throw new HostError(ErrorCodes.InternalError, `${where}: ${(err as Error).message}${cause ? ` (${cause})` : ''}`);
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) {
    let message = text.slice(0, 300);
    try {
      const e = JSON.parse(text) as { error?: { message?: string } | string };
      message = typeof e.error === 'string' ? e.error : (e.error?.message ?? message);
    } catch {
      // not JSON: the start of the body says it
    }
    throw new HostError(ErrorCodes.InternalError, `${where}: HTTP ${res.status}${message ? `: ${message}` : ''}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HostError(ErrorCodes.InternalError, `${where}: the answer is not JSON: ${text.slice(0, 200)}`);
  }
  const result = fromChatResponse(json, model, Boolean(p.tools?.length));
  log.info({ model: result.model, stopReason: result.stopReason }, 'sampling: the endpoint answered');
  return result;
}
