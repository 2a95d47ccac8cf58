/**
 * The one redaction of secrets in text that leaves the host: errors sent to Lua, pushed messages, the
 * log. A server URL may carry a user and password (`https://user:pass@host/mcp`); the config turns them
 * into an `Authorization` header (config/load.ts), and this is the second line of defence for any text
 * that still quotes such a URL (an SDK or fetch error, a server's own message).
 */

/** `scheme://userinfo@`: the secret part of the userinfo goes; the rest stays so the URL reads as one. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@'"<>]+)@/gi;

/** What stands in for a secret. */
export const MASK = '***';

/**
 * `text` with the secret of every URL in it masked: the password of `https://user:pass@host/x` →
 * `https://user:***@host/x`; a userinfo without a password goes whole, as tokens are often passed as
 * the user (`https://TOKEN@host` → `https://***@host`). Text without `://` is returned as is (cheap
 * enough for every log line).
 *
 * @param text any text; non-strings are returned unchanged
 */
export function redact<T>(text: T): T {
  if (typeof text !== 'string' || !text.includes('://')) return text;
  return text.replace(URL_USERINFO, (_m, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return colon >= 0 ? `${scheme}${userinfo.slice(0, colon)}:${MASK}@` : `${scheme}${MASK}@`;
  }) as T;
}
