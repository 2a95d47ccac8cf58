/**
 * A tool call that fails with -32042, URL elicitation required (spec 2025-11-25: client/elicitation,
 * "URL Elicitation Required Error"; the SDK's `UrlElicitationRequiredError`): the server needs the person
 * to finish something in the browser first. Each URL of the error is offered as an `elicitation_url` ask
 * (the same window as a URL-mode request: full URL, highlighted domain, warnings, opened only on
 * consent); once all are opened, the `url_retry` ask offers to call the tool again, ticking off the
 * server's `notifications/elicitation/complete` as they come. Declined or cancelled, the call fails with
 * the server's error, saying so.
 */
import { ErrorCodes } from '../contract/errors.js';
import { HostError } from '../errors.js';
import type { Session } from '../session/session.js';
import type { AskBroker } from './asks.js';
import { urlOrRefuse } from './elicit.js';

/** How many -32042 rounds one call may go through before the error stands: a server that keeps asking must not loop. */
const MAX_ROUNDS = 5;

/** `notifications/elicitation/complete` ids seen per server, kept until a retry offer consumes them. */
export class Completions {
  private readonly done = new Map<string, Set<string>>();

  /** Server `server` said flow `id` is complete. */
  add(server: string, id: string): void {
    const set = this.done.get(server) ?? new Set<string>();
    set.add(id);
    // A server that completes flows nobody waits for must not grow this without end.
    if (set.size > 256) set.delete(set.values().next().value as string);
    this.done.set(server, set);
  }

  /** Of `ids`, those server `server` has not completed yet. */
  pending(server: string, ids: string[]): string[] {
    const set = this.done.get(server);
    return ids.filter((id) => !set?.has(id));
  }

  /** Forgets `ids` of `server` (their call moved on). */
  forget(server: string, ids: string[]): void {
    const set = this.done.get(server);
    for (const id of ids) set?.delete(id);
  }
}

interface UrlElicitation {
  url: string;
  message: string;
  elicitationId?: string;
}

/** The URL elicitations of a -32042 error, else undefined. */
function urlElicitations(err: unknown): UrlElicitation[] | undefined {
  const e = err as { code?: unknown; data?: { elicitations?: unknown } } | null;
  if (!e || e.code !== ErrorCodes.UrlElicitationRequired || !Array.isArray(e.data?.elicitations)) return undefined;
  const list = (e.data.elicitations as Record<string, unknown>[]).filter((x) => x && typeof x.url === 'string');
  return list.length
    ? list.map((x) => ({ url: String(x.url), message: typeof x.message === 'string' ? x.message : '', ...(typeof x.elicitationId === 'string' ? { elicitationId: x.elicitationId } : {}) }))
    : undefined;
}

/**
 * Runs `call`; when it fails with -32042, offers the URLs, then the retry, and runs it again.
 *
 * @param request the Lua request id of the call (its guard waits while the person decides)
 * @param signal the call's: aborted, every ask is withdrawn
 * @returns what `call` returns on the last try
 * @throws the server's -32042 error (as HostError, naming server and tool, saying the person declined)
 *   when a URL is declined or cancelled, or the retry is not wanted; whatever `call` throws otherwise
 */
export async function withUrlRetry<T>(
  asks: AskBroker,
  completions: Completions,
  s: Session,
  tool: string,
  request: number,
  signal: AbortSignal,
  call: () => Promise<T>,
): Promise<T> {
  for (let round = 1; ; round++) {
    let els: UrlElicitation[] | undefined;
    try {
      return await call();
    } catch (err) {
      els = urlElicitations(err);
      if (!els || round > MAX_ROUNDS) throw err;
      const what = `${s.name}/${tool}`;
      const fail = (why: string) =>
        new HostError(ErrorCodes.UrlElicitationRequired, `${what}: ${bare((err as Error).message)} (${why})`, (err as { data?: unknown }).data);
      for (const e of els) {
        const title = `${what}: needs a URL opened`;
        const facts = urlOrRefuse(e.url, title);
        const answer = await asks
          .ask('elicitation_url', { message: e.message, ...facts, ...(e.elicitationId ? { elicitation_id: e.elicitationId } : {}), required_by: what }, { server: s.name, title, signal, request })
          .catch((x: unknown) => {
            if (signal.aborted) throw x;
            return { action: 'cancel' as const };
          });
        if (answer?.action !== 'accept') throw fail(answer?.action === 'decline' ? 'you declined to open it' : 'you did not open it');
      }
      const ids = els.flatMap((e) => (e.elicitationId ? [e.elicitationId] : []));
      const message = bare((err as Error).message);
      const again = await asks
        .ask('url_retry', { server: s.name, tool, message, waiting: completions.pending(s.name, ids) }, { server: s.name, title: `${what}: call again?`, signal, request })
        .catch((x: unknown) => {
          if (signal.aborted) throw x;
          return { action: 'cancel' as const };
        });
      completions.forget(s.name, ids);
      if (again?.action !== 'retry') throw fail('not called again');
    }
  }
}

/** A server's error message without the SDK's `MCP error -32042: ` prefix. */
function bare(message: string): string {
  return message.replace(/^MCP error -?\d+:\s*/, '');
}
