/**
 * Servers that ask the user (spec 2025-11-25: client/elicitation, form and URL mode; 2026-07-28: the same
 * `elicitation/create` embedded in an `input_required` round of a call). A form-mode elicitation becomes
 * an `elicitation` ask (protocol.ts, `AskKinds`): the editor shows the server's message and a form for
 * its `requestedSchema`, and the person's accept, decline or cancel goes back as the `ElicitResult`. A
 * URL-mode one becomes an `elicitation_url` ask: the editor shows the URL and its domain, with warnings
 * (url-check.ts), and opens it only when the person says so; accept means they opened it. While either
 * is open, the calls to that server in flight are held: they do not time out (Session.holdRequests).
 *
 * When the server cancels its request (`notifications/cancelled`), the SDK aborts the handler's signal:
 * the ask is withdrawn (its form closes, the user is told why) and nothing is answered, as the spec wants
 * of a cancelled request (basic/utilities/cancellation; the SDK drops whatever a cancelled handler
 * returns).
 */
import type { ElicitRequest, ElicitResult } from '@modelcontextprotocol/client';
import { ErrorCodes } from '../contract/errors.js';
import { HostError } from '../errors.js';
import type { Session } from '../session/session.js';
import type { AskBroker } from './asks.js';
import type { AskKinds } from './protocol.js';
import { whileServerAsks } from './server-ask.js';
import { urlFacts } from './url-check.js';

/** Longest message shown in an ask's one-line title, characters (the form shows all of it). */
const TITLE_CHARS = 60;

/**
 * The hub's `elicit` dependency: answers one elicitation of server `s` by asking the editor.
 *
 * @param asks the bridge's broker
 * @returns `(session, params, signal) => ElicitResult`; `signal` is the SDK handler's (aborted when the
 *   server cancels, the connection closes, or the call whose round asked ends)
 * @throws HostError the ask's error when the editor failed to show it; Cancelled when `signal` aborted
 *   (the SDK sends no answer then); InvalidParams for a URL that does not parse or an editor answer that
 *   is no `ElicitResult`
 */
export function elicitVia(asks: AskBroker) {
  return async (s: Session, params: ElicitRequest['params'], signal: AbortSignal): Promise<ElicitResult> => {
    const title = `${s.name}: ${headline(params.message)}`;
    // The calls to this server wait on the person from now on: their clocks stand still.
    return whileServerAsks(s, signal, async ({ signal: withdrawn, holds }) => {
      const opts = { server: s.name, title, signal: withdrawn, holds };
      try {
        if (params.mode === 'url') {
          const facts = urlOrRefuse(params.url, title);
          const id = 'elicitationId' in params && typeof params.elicitationId === 'string' ? params.elicitationId : undefined;
          const answer = await asks.ask('elicitation_url', { message: params.message, ...facts, ...(id ? { elicitation_id: id } : {}) }, opts);
          return { action: toAction(answer?.action, title) };
        }
        const answer = await asks.ask('elicitation', { message: params.message, requestedSchema: params.requestedSchema }, opts);
        return toResult(answer, title);
      } catch (err) {
        if (signal.aborted) throw err;
        // Withdrawn for another cause (the host is exiting): the user made no choice, which is `cancel`.
        if (err instanceof HostError && err.code === ErrorCodes.Cancelled) return { action: 'cancel' };
        throw err;
      }
    });
  };
}

/**
 * The facts of a URL a server wants opened.
 *
 * @throws HostError InvalidParams naming the server when the URL does not parse (nothing is shown)
 */
export function urlOrRefuse(url: string, title: string) {
  try {
    return urlFacts(url);
  } catch (err) {
    throw new HostError(ErrorCodes.InvalidParams, `${title}: ${(err as Error).message}`);
  }
}

/**
 * An answer's action, checked.
 *
 * @throws HostError InvalidParams when it is not accept, decline or cancel
 */
function toAction(action: unknown, title: string): 'accept' | 'decline' | 'cancel' {
  if (action === 'accept' || action === 'decline' || action === 'cancel') return action;
  throw new HostError(ErrorCodes.InvalidParams, `${title}: the editor's answer has no action accept, decline or cancel (got ${JSON.stringify(action)})`);
}

/** The first line of a server's message, short enough for a title, without trailing `:` or `.`. */
function headline(message: string): string {
  const line = (message.split('\n').find((l) => l.trim()) ?? '').trim().replace(/[\s:.]+$/, '');
  if (!line) return 'asks for input';
  return line.length > TITLE_CHARS ? `${line.slice(0, TITLE_CHARS - 1)}…` : line;
}

/**
 * The editor's answer as the spec's result: only `accept` carries content (Lua's empty table arrives
 * as a list).
 *
 * @throws HostError InvalidParams when the answer has no valid action or its content is no object
 */
function toResult(answer: AskKinds['elicitation']['result'] | undefined, title: string): ElicitResult {
  const action = toAction(answer?.action, title);
  if (action !== 'accept') return { action };
  const content: unknown = answer?.content ?? {};
  if (Array.isArray(content) && content.length === 0) return { action, content: {} };
  if (typeof content !== 'object' || content === null || Array.isArray(content)) {
    throw new HostError(ErrorCodes.InvalidParams, `${title}: the editor's answer has content that is not an object`);
  }
  return { action, content: content as ElicitResult['content'] };
}
