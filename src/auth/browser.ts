/**
 * The browser step of an authorization-code flow, done for an editor (issue 12, "The browser step in an
 * editor"; spec: basic/authorization, "Authorization Code Grant"): the editor's {@link OpenBrowser}.
 *
 * A flow opens a {@link BrowserSession}: a loopback listener on 127.0.0.1 (loopback.ts) whose address is
 * the redirect URI. `authorize` then asks the person (the `oauth` ask, protocol.ts `AskKinds`): the
 * window shows the server, the authorization URL and its host. Agreed, Lua opens the URL with
 * `vim.ui.open` and the browser's redirect comes to the listener. Over SSH or without a UI the person
 * pastes the URL the browser was redirected to instead; its `state` is checked as the listener checks
 * it, and a wrong paste asks again saying why. If the browser reaches the listener while the window is
 * still open (the person copied the URL and opened it by hand), the ask is withdrawn and the flow goes
 * on. Declined: Cancelled.
 */
import { Defaults } from '../contract/defaults.js';
import { ErrorCodes } from '../contract/errors.js';
import { HostError } from '../errors.js';
import type { Logger } from '../log.js';
import type { AskBroker } from '../bridge/asks.js';
import { listenLoopback, type Loopback } from './loopback.js';
import type { BrowserSession, OpenBrowser } from './types.js';
import { urlFacts } from '../bridge/url-check.js';


/** What {@link editorBrowser} needs. */
export interface EditorBrowserDeps {
  /** The bridge's ask broker. */
  asks: AskBroker;
  /** The host's logger. */
  log: () => Logger;
  /**
   * Whether the browser the person uses may be on another machine, so the paste is offered first
   * (default: `$SSH_CONNECTION` is set, i.e. Neovim and this host run over SSH).
   */
  remote?: boolean;
  /** How long to wait for the browser once opened, ms (default the contract's `oauth_browser_ms`). */
  waitMs?: number;
  /**
   * The Lua request that waits on `server`'s authorization (`:Mcp auth`), if any: the consent ask names
   * it (`AskMeta.request`), so Lua holds that request's guard while the person decides.
   */
  requestOf?: (server: string) => number | undefined;
}

/**
 * The editor's `OpenBrowser`. A second flow for the same server ends the first one's browser step
 * (its `authorize` rejects with Cancelled): only the newest window and listener are live.
 */
export function editorBrowser(deps: EditorBrowserDeps): OpenBrowser {
  const live = new Map<string, BrowserSession>();
  const remote = deps.remote ?? Boolean(process.env.SSH_CONNECTION);
  const waitMs = deps.waitMs ?? Defaults.oauth_browser_ms;
  return async (server) => {
    live.get(server)?.close();
    const lb = await listenLoopback(server, deps.log);
    const ended = new AbortController();
    const session: BrowserSession = {
      redirectUrl: lb.redirectUrl,
      authorize: (url, state, signal) => authorize({ server, lb, url, state, signal, ended: ended.signal, remote, waitMs, deps }),
      close: () => {
        if (live.get(server) === session) live.delete(server);
        ended.abort(`the authorization of ${server} ended`);
        lb.close();
      },
    };
    live.set(server, session);
    return session;
  };
}

interface Flow {
  server: string;
  lb: Loopback;
  url: URL;
  state: string;
  /** The flow's: aborted when the flow is cancelled. */
  signal: AbortSignal;
  /** Aborted when the browser session is closed. */
  ended: AbortSignal;
  remote: boolean;
  waitMs: number;
  deps: EditorBrowserDeps;
}

/** The browser step of one flow (see the module's comment). */
async function authorize(f: Flow): Promise<URL> {
  const { server, lb } = f;
  const stop = AbortSignal.any([f.signal, f.ended]);
  if (stop.aborted) throw cancelledBy(server, stop);
  // The listener waits from the start: the browser may come back before the window is answered.
  const fromListener = lb.wait(f.state, stop);
  fromListener.catch(() => {});
  return consent(f, fromListener, stop);
}

/** Asks until the person opens the browser (then waits for the listener), pastes a good URL, or declines. */
async function consent(f: Flow, fromListener: Promise<URL>, stop: AbortSignal): Promise<URL> {
  const { server, lb, deps } = f;
  const title = `${server}: authorize at ${f.url.host}`;
  let problem: string | undefined;
  for (;;) {
    const withdraw = new AbortController();
    const onStop = () => withdraw.abort(typeof stop.reason === 'string' ? stop.reason : 'the authorization was cancelled');
    stop.addEventListener('abort', onStop, { once: true });
    const request = deps.requestOf?.(server);
    const asked = deps.asks.ask(
      'oauth',
      { server, url: f.url.href, host: f.url.host, redirect_uri: lb.redirectUrl, paste: f.remote, ...warningsOf(f.url.href), ...(problem ? { problem } : {}) },
      { server, title, signal: withdraw.signal, ...(request ? { request } : {}) },
    );
    let outcome: { listener: URL } | { answer: Awaited<typeof asked> };
    try {
      outcome = await Promise.race([asked.then((answer) => ({ answer })), fromListener.then((u) => ({ listener: u }))]);
    } finally {
      stop.removeEventListener('abort', onStop);
    }
    if ('listener' in outcome) {
      // The person opened the URL by hand and the browser came back: the window has nothing left to ask.
      asked.catch(() => {});
      withdraw.abort('the browser came back with the authorization');
      return outcome.listener;
    }
    const answer = outcome.answer;
    if (answer?.action === 'open') {
      deps.log().info({ server }, 'oauth: the editor opened the browser; waiting for the redirect');
      return await withTimeout(fromListener, f.waitMs, server);
    }
    if (answer?.action === 'paste') {
      const checked = checkPasted(typeof answer.url === 'string' ? answer.url : '', f.state, lb.redirectUrl);
      if (checked instanceof URL) return checked;
      deps.log().warn({ server }, `oauth: pasted URL refused: ${checked}`);
      problem = checked;
      continue;
    }
    throw new HostError(ErrorCodes.InvalidParams, `${title}: the editor's answer has no action "open" or "paste"`);
  }
}

/**
 * The URL the person pasted as the redirect, or why it is not one. A URL whose `state` is not the flow's
 * is refused like the listener refuses it. The query is put on the listener's own address, so that
 * what goes on reads as the redirect the listener would have caught.
 *
 * @param text what was pasted: the whole URL, or just its query (`?code=...&state=...`)
 * @returns the redirect URL, or a sentence saying what is wrong with the paste
 */
export function checkPasted(text: string, state: string, redirectUrl: string): URL | string {
  const t = text.trim();
  if (!t) return 'nothing was pasted';
  let u: URL;
  try {
    u = t.startsWith('?') ? new URL(t, redirectUrl) : new URL(t);
  } catch {
    return `that is not a URL: paste the whole address the browser was sent to (it starts with ${redirectUrl})`;
  }
  const got = u.searchParams.get('state');
  if (got === null) return `that URL has no "state": paste the address the browser was sent to (it starts with ${redirectUrl})`;
  if (got !== state) return 'that URL belongs to another authorization (its "state" does not match): paste the address of this one';
  if (!u.searchParams.has('code') && !u.searchParams.has('error')) return 'that URL has no "code" (nor an "error"): paste the whole address';
  return new URL(u.search, redirectUrl);
}

/** `p`, or RequestTimeout after `ms`. */
async function withTimeout(p: Promise<URL>, ms: number, server: string): Promise<URL> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new HostError(
            ErrorCodes.RequestTimeout,
            `${server}: the browser did not come back within ${Math.round(ms / 1000)} s (over SSH, run :Mcp auth ${server} again and paste the address it was sent to)`,
          ),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The Cancelled error for an aborted `signal`. */
function cancelledBy(server: string, signal: AbortSignal): HostError {
  const reason = signal.reason;
  if (reason instanceof HostError) return reason;
  return new HostError(ErrorCodes.Cancelled, `${server}: ${typeof reason === 'string' ? reason : 'the authorization was cancelled'}`);
}

/**
 * What the person should be warned of about the authorization URL before opening it: the same checks as
 * a server's URL elicitation (url-check.ts: not HTTPS, an internationalised domain, credentials in the
 * URL), since the authorization server's address comes from the MCP server's metadata. A URL that the
 * checks refuse (spaces, control or bidirectional characters) is named so, and still only opened on
 * the person's word.
 */
function warningsOf(href: string): { warnings?: string[] } {
  let warnings: string[];
  try {
    warnings = urlFacts(href).warnings;
  } catch (err) {
    warnings = [(err as Error).message];
  }
  return warnings.length ? { warnings } : {};
}
