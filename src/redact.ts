/**
 * The one redaction of secrets in text that leaves the host: errors sent to Lua, pushed messages, the
 * log. A server URL may carry a user and password (`https://user:pass@host/mcp`); the config turns them
 * into an `Authorization` header (config/load.ts), and this is the second line of defence for any text
 * that still quotes such a URL (an SDK or fetch error, a server's own message). OAuth (issue 12) adds
 * secrets that travel in query strings and form bodies (`code`, `access_token`, `refresh_token`,
 * `client_secret`, `code_verifier`, ...) and in `Bearer` credentials: their values are masked too.
 */

/** `scheme://userinfo@`: the secret part of the userinfo goes; the rest stays so the URL reads as one. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@'"<>]+)@/gi;

/** What stands in for a secret. */
export const MASK = '***';

/**
 * `text` with the secret of every URL in it masked: the password of `https://user:pass@host/x` →
 * `https://user:***@host/x`; a userinfo without a password goes whole, as tokens are often passed as
 * the user (`https://TOKEN@host` → `https://***@host`); `?code=abc&state=x` → `?code=***&state=x`;
 * `Bearer abc` → `Bearer ***`. Each pass runs only when its marker (`://`, `=`, `bearer`) is in the text
 * (cheap enough for every log line).
 *
 * @param text any text; non-strings are returned unchanged
 */
export function redact<T>(text: T): T {
  if (typeof text !== 'string') return text;
  let out: string = text;
  if (out.includes('://')) {
    out = out.replace(URL_USERINFO, (_m, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      return colon >= 0 ? `${scheme}${userinfo.slice(0, colon)}:${MASK}@` : `${scheme}${MASK}@`;
    });
  }
  if (out.includes('=')) out = out.replace(OAUTH_PARAM, (_m, name: string) => `${name}=${MASK}`);
  if (/bearer/i.test(out)) out = out.replace(BEARER, (_m, word: string) => `${word} ${MASK}`);
  return out as T;
}

/**
 * `name=value` of the OAuth parameters that are secrets (RFC 6749 §4.1.2, §4.1.3, §5.1, §2.3.1; RFC 7636
 * `code_verifier`; RFC 7523 `client_assertion`), in a query string, a form body or a line of text: the
 * value goes, up to the next `&`, space, quote or `#`.
 */
const OAUTH_PARAM =
  /\b(code|access_token|refresh_token|id_token|client_secret|code_verifier|client_assertion|subject_token|assertion)=[^&\s"'#<>]+/g;

/**
 * `Bearer <token>` (RFC 6750 §2.1), as in an `Authorization` header quoted in an error; 16 characters at
 * least, so that prose ("a Bearer token is required") stays readable.
 */
const BEARER = /\b(Bearer)\s+[A-Za-z0-9\-._~+/]{16,}=*/gi;
