/**
 * What every question a server puts to the person shares (elicitation.ts, sampling.ts): the ask is
 * withdrawn when the server's request goes away, with a reason a person can read, and the server's calls
 * in flight are held meanwhile (their clocks stand still: the server waits on the person, not the other
 * way round; Session.holdRequests, AskMeta.holds).
 */
import { SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import type { Session } from '../session/session.js';

/** What the ask is made with: the signal that withdraws it and the Lua requests it holds. */
export interface ServerAskOptions {
  signal: AbortSignal;
  holds: number[];
}

/**
 * Runs `ask` while server `s`'s request (`signal`, the SDK handler's) is pending: `ask`'s own signal aborts
 * with a readable reason when `signal` does, and `s`'s requests in flight are held until `ask` settles.
 *
 * @param signal aborted by the SDK when the server cancels (`notifications/cancelled`), the connection
 *   closes, or (2026-07-28) the call whose `input_required` round asked ends
 * @returns what `ask` returns; its error as it threw it
 */
export async function whileServerAsks<T>(s: Session, signal: AbortSignal, ask: (opts: ServerAskOptions) => Promise<T>): Promise<T> {
  const withdraw = new AbortController();
  const onAbort = () => withdraw.abort(withdrawReason(signal.reason));
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  const held = s.holdRequests();
  try {
    return await ask({ signal: withdraw.signal, holds: held.requests });
  } finally {
    held.release();
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Why the ask is withdrawn, from the SDK's abort reason; undefined lets the broker say its own "the request
 * it belongs to was cancelled". The broker shows a string reason as is.
 */
export function withdrawReason(reason: unknown): string | undefined {
  if (typeof reason === 'string') return reason.trim() ? `the request it belongs to was cancelled: ${reason.trim()}` : undefined;
  if (reason instanceof SdkError && reason.code === SdkErrorCode.ConnectionClosed) return 'the connection to the server closed';
  if (reason instanceof Error && reason.name !== 'AbortError') return `the request it belongs to ended: ${reason.message}`;
  return undefined;
}
