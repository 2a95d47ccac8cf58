/**
 * What network failures of remote (HTTP) servers mean: a readable cause instead of `fetch failed`, the
 * URL without its password, and whether a transport error means the server is gone.
 */
import { SdkError, SdkErrorCode, SdkHttpError } from '@modelcontextprotocol/client';
import { redact } from '../redact.js';

/** System and undici error codes, as a person would say them. */
const CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_CLOSED: 'connection closed',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no answer (headers timed out)',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate is for another host',
};

/** Messages of the SDK and of fetch that mean the connection itself failed (no HTTP answer). */
const LOST = /fetch failed|terminated|other side closed|socket hang up|SSE stream disconnected|Failed to reconnect|Maximum reconnection attempts|ECONN|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND/;

/**
 * `url` as it may be shown and logged: a password in it (`https://user:pass@host/`) becomes `***`
 * (the host's one redaction, redact.ts).
 *
 * @param url an absolute URL, or any text
 */
export function redactUrl(url: string | URL): string {
  return redact(String(url));
}

/**
 * The network cause of `err`, read through its `cause` chain: `connection refused (ECONNREFUSED)`, or
 * undefined when the failure was not one of the network (an HTTP status, a protocol error).
 */
export function networkCause(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && CODES[code]) return `${CODES[code]} (${code})`;
    const inText = /\b(E[A-Z]{3,}|UND_ERR_[A-Z_]+)\b/.exec(e.message)?.[1];
    if (inText && CODES[inText]) return `${CODES[inText]} (${inText})`;
  }
  if (isConnectionFailure(err)) return (err as Error).message.replace(/^SSE error: /, '');
  return undefined;
}

/**
 * Whether a transport error means the connection to an HTTP server failed or broke (the server is
 * gone, crashed mid-answer, or refuses connections), as opposed to an answer of the server (an HTTP
 * status, a malformed message), which says it is there.
 */
export function isConnectionFailure(err: unknown): boolean {
  // The legacy transport's event stream failed or was refused: its session is gone with it.
  if (err instanceof Error && err.name === 'SseError') return true;
  if (err instanceof SdkHttpError) return false;
  if (err instanceof SdkError && err.code !== SdkErrorCode.EraNegotiationFailed) return false;
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && CODES[code]) return true;
    if (LOST.test(e.message)) return true;
  }
  return false;
}

/**
 * An error for a failed connection to `url` that names the URL (password redacted) and the cause.
 * Any other failure passes unchanged, unless its message quotes the URL's password (fetch quotes the
 * whole URL when it refuses one with credentials): that is masked.
 */
export function describeHttpFailure(err: unknown, url: string | URL): unknown {
  const cause = networkCause(err);
  if (cause) return new Error(`cannot connect to ${redactUrl(url)}: ${cause}`, { cause: err });
  const password = new URL(String(url)).password;
  if (password && err instanceof Error && err.message.includes(password)) {
    return new Error(err.message.split(String(url)).join(redactUrl(url)).split(password).join('***'), { cause: err });
  }
  return err;
}
