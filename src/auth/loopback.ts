/**
 * The loopback listener that catches the authorization server's redirect (RFC 8252 §7.3, "Loopback
 * Interface Redirection"; spec: basic/authorization, "redirect URIs ... MUST be either localhost or
 * HTTPS"): an HTTP server bound to 127.0.0.1 only, on a port the system picks, alive only during one
 * flow. It answers `GET /callback` whose `state` is the one the flow waits for with a small page telling
 * the person to return to Neovim; any other request to it gets 400 (or 404 for another path) and the wait
 * goes on, so a stray or forged request (a page of another site hitting 127.0.0.1, a tab left from an
 * earlier flow) can neither end nor spoil the flow.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ErrorCodes } from '../contract/errors.js';
import { HostError } from '../errors.js';
import type { Logger } from '../log.js';

/** The path of the redirect URI. */
export const CALLBACK_PATH = '/callback';
/** The only address listened on (not `localhost`: that may resolve to ::1 or to another interface). */
export const LOOPBACK_HOST = '127.0.0.1';

/** One flow's listener. */
export interface Loopback {
  /** `http://127.0.0.1:PORT/callback`. */
  readonly redirectUrl: string;
  /** The port the system picked. */
  readonly port: number;
  /**
   * Waits for the redirect whose `state` query parameter equals `state`, and returns its URL as the
   * browser sent it (with `code`, `state`, maybe `iss`, or `error`). Requests with another state are
   * refused (400) and the wait goes on.
   *
   * @throws HostError Cancelled when `signal` aborts or the listener closes first
   */
  wait(state: string, signal?: AbortSignal): Promise<URL>;
  /** Stops listening and drops open connections; idempotent. */
  close(): void;
  /** Settles when the listener has stopped. */
  readonly closed: Promise<void>;
}

/**
 * Starts a listener on 127.0.0.1 and a random port.
 *
 * @param server the MCP server whose flow it serves (for the log and the page)
 * @param log the host's logger (the query of a redirect, which holds the code, is never logged)
 * @throws Error when no port can be had on 127.0.0.1
 */
export async function listenLoopback(server: string, log: () => Logger): Promise<Loopback> {
  const sockets = new Set<Socket>();
  let waiter: { state: string; resolve: (u: URL) => void; reject: (e: HostError) => void } | undefined;
  let done = false;

  const http: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${LOOPBACK_HOST}`);
    if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH) {
      log().info({ server, method: req.method, path: url.pathname }, 'loopback: not the callback; 404');
      return page(res, 404, 'Not found', 'This address only takes the authorization redirect for Neovim.');
    }
    const state = url.searchParams.get('state');
    if (!waiter || done || state !== waiter.state) {
      log().warn({ server, waiting: !!waiter && !done }, 'loopback: a redirect whose state does not match the flow; refused');
      return page(res, 400, 'Not this authorization', 'This redirect does not belong to the authorization Neovim is waiting for (its state does not match). Nothing was done; you may close this tab.');
    }
    const error = url.searchParams.get('error');
    done = true;
    if (error) {
      page(res, 200, 'Authorization refused', `The authorization server answered "${error}". Return to Neovim to see what happened.`);
    } else {
      page(res, 200, 'Authorized', `${server} is authorized. You can close this tab and return to Neovim.`);
    }
    log().info({ server, error: error ?? undefined }, 'loopback: redirect received');
    // The redirect's URL as the browser sent it, with this listener's origin.
    const received = new URL(`${url.pathname}${url.search}`, `http://${LOOPBACK_HOST}:${port}`);
    const w = waiter;
    waiter = undefined;
    w.resolve(received);
  });
  http.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', (err) => reject(new Error(`cannot listen on ${LOOPBACK_HOST} for the authorization redirect: ${err.message}`)));
    http.listen({ host: LOOPBACK_HOST, port: 0, exclusive: true }, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  const redirectUrl = `http://${LOOPBACK_HOST}:${port}${CALLBACK_PATH}`;
  log().info({ server, port }, 'loopback: listening for the authorization redirect');

  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let closing = false;
  const close = () => {
    if (closing) return;
    closing = true;
    done = true;
    waiter?.reject(new HostError(ErrorCodes.Cancelled, `${server}: the authorization flow ended before the browser returned`));
    waiter = undefined;
    http.close(() => {
      log().info({ server, port }, 'loopback: closed');
      resolveClosed();
    });
    // The page was answered with `Connection: close`; a keep-alive socket of another request goes too.
    for (const s of sockets) s.destroy();
  };

  return {
    redirectUrl,
    port,
    closed,
    close,
    wait(state, signal) {
      if (closing) return Promise.reject(new HostError(ErrorCodes.Cancelled, `${server}: the authorization listener is closed`));
      if (waiter) return Promise.reject(new HostError(ErrorCodes.InternalError, `${server}: the authorization listener already waits for a redirect`));
      if (signal?.aborted) return Promise.reject(cancelled(server, signal));
      return new Promise<URL>((resolve, reject) => {
        const onAbort = () => {
          if (waiter?.resolve !== settle) return;
          waiter = undefined;
          reject(cancelled(server, signal));
        };
        const settle = (u: URL) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(u);
        };
        waiter = {
          state,
          resolve: settle,
          reject: (e) => {
            signal?.removeEventListener('abort', onAbort);
            reject(e);
          },
        };
        done = false;
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}

/** The HostError for a wait whose signal aborted: its reason when that is one. */
function cancelled(server: string, signal?: AbortSignal): HostError {
  const reason = signal?.reason;
  if (reason instanceof HostError) return reason;
  return new HostError(ErrorCodes.Cancelled, `${server}: ${typeof reason === 'string' ? reason : 'the authorization was cancelled'}`);
}

/** Answers with a small HTML page and closes the connection (nothing else is expected from this browser). */
function page(res: ServerResponse<IncomingMessage>, status: number, title: string, text: string): void {
  const body = `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)} · mcp.nvim</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em}</style></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>
`;
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    Connection: 'close',
  });
  res.end(body);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
