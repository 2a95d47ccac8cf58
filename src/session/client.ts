/**
 * The SDK `Client` of one connection attempt: what the host declares (spec: basic/lifecycle, client
 * capabilities) and the handlers for what servers send. Handlers are registered by method name, the
 * v2 SDK's way; the same `roots/list` handler answers a 2025-11-25 server's request and a 2026-07-28
 * server's `input_required` round (spec 2026-07-28: basic/patterns/mrtr), so roots work in both eras.
 */
import { Client, type ElicitRequest, type ElicitResult, type VersionNegotiationOptions } from '@modelcontextprotocol/client';
import type { CreateMessageRequest, CreateMessageResult, CreateMessageResultWithTools } from '@modelcontextprotocol/client';
import type { Root } from '../contract/snapshot.js';
import { VERSION } from '../version.js';

/** How the host names itself to servers (`clientInfo`, and `_meta` in 2026-07-28 requests). */
export const CLIENT_INFO = { name: 'mcp.nvim', version: VERSION };

/**
 * Upper bound on pages per list, so that a server that always returns a new cursor cannot loop us
 * forever (the SDK's own default is 64, too low for big catalogues).
 */
const MAX_PAGES = 1000;

/** The three lists that have a `list_changed` notification. */
export type ListKind = 'tools' | 'prompts' | 'resources';

/** What a client reports back to its session. */
export interface ClientHooks {
  /** The roots this server sees (spec: client/roots); answered from the host's own copy, no editor round trip. */
  roots: () => Root[];
  /** `notifications/{tools,prompts,resources}/list_changed`. */
  onListChanged: (kind: ListKind) => void;
  /** `notifications/resources/updated`. */
  onResourceUpdated: (uri: string) => void;
  /** `notifications/message` (spec: server/utilities/logging). */
  onLog: (params: { level: string; logger?: string; data: unknown }) => void;
  /**
   * Answers `elicitation/create` (spec: client/elicitation, form and URL mode), whether a 2025-11-25 server
   * sends it or a 2026-07-28 server asks for it in an `input_required` round. Without it the client
   * declares no elicitation capability.
   */
  elicit?: Elicit;
  /**
   * Answers `sampling/createMessage` (spec: client/sampling), from a 2025-11-25 server's request or a
   * 2026-07-28 server's `input_required` round. Without it the client declares no sampling capability.
   */
  sample?: Sample;
  /** The sampling provider can use tools: declare `sampling.tools` (only with {@link sample}). */
  samplingTools?: boolean;
  /** `notifications/elicitation/complete` (URL mode, 2025-11-25): the out-of-band flow `elicitationId` is done. */
  onElicitationComplete?: (elicitationId: string) => void;
}

/**
 * Answers one elicitation (form or URL mode): `params` as the server sent them; `signal` aborts when the server
 * cancels or the request times out.
 */
export type Elicit = (params: ElicitRequest['params'], signal: AbortSignal) => Promise<ElicitResult>;

/**
 * Answers one sampling request: `params` as the server sent them; `signal` aborts when the server cancels
 * or the request times out.
 */
export type Sample = (params: CreateMessageRequest['params'], signal: AbortSignal) => Promise<CreateMessageResult | CreateMessageResultWithTools>;

/**
 * A fresh client for one connection attempt.
 *
 * Declares only what works: `roots` (with `listChanged`, sent to 2025-11-25 servers); elicitation, form
 * (`applyDefaults`) and URL mode, only when `hooks.elicit` answers it; sampling (with `tools` when the
 * provider can use them) only when `hooks.sample` answers it.
 *
 * @param negotiation `{ mode: 'auto' }` to probe with `server/discover` and fall back to `initialize`,
 *   `{ mode: { pin: '2026-07-28' } }` for a server known to be modern, `{ mode: 'legacy' }` for SSE
 */
export function makeClient(negotiation: VersionNegotiationOptions, hooks: ClientHooks): Client {
  const client = new Client(CLIENT_INFO, {
    capabilities: { roots: { listChanged: true }, ...(hooks.elicit ? { elicitation: { form: { applyDefaults: true }, url: {} } } : {}) },
    versionNegotiation: negotiation,
    listMaxPages: MAX_PAGES,
  });
  client.setRequestHandler('roots/list', () => ({ roots: hooks.roots() }));
  const elicit = hooks.elicit;
  if (elicit) client.setRequestHandler('elicitation/create', (req, ctx) => elicit(req.params, ctx.mcpReq.signal));
  const sample = hooks.sample;
  if (sample) {
    // Declared before the handler is set (the SDK refuses a handler for an undeclared capability).
    client.registerCapabilities({ sampling: hooks.samplingTools ? { tools: {} } : {} });
    client.setRequestHandler('sampling/createMessage', (req, ctx) => sample(req.params, ctx.mcpReq.signal));
  }
  const complete = hooks.onElicitationComplete;
  if (elicit && complete) client.setNotificationHandler('notifications/elicitation/complete', (n) => complete(n.params.elicitationId));
  client.setNotificationHandler('notifications/resources/updated', (n) => hooks.onResourceUpdated(n.params.uri));
  client.setNotificationHandler('notifications/message', (n) => hooks.onLog(n.params as { level: string; logger?: string; data: unknown }));
  client.setNotificationHandler('notifications/tools/list_changed', () => hooks.onListChanged('tools'));
  client.setNotificationHandler('notifications/prompts/list_changed', () => hooks.onListChanged('prompts'));
  client.setNotificationHandler('notifications/resources/list_changed', () => hooks.onListChanged('resources'));
  return client;
}
