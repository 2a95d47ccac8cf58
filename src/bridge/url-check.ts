/**
 * What the person should know about a URL a server asks them to open (spec 2025-11-25:
 * client/elicitation, URL mode, "Safe URL Handling": show the full URL and its domain, warn about what
 * may mislead). The URL is only parsed here (WHATWG URL, Node's own IDNA): nothing fetches it.
 */
import { domainToUnicode } from 'node:url';

/** A URL as the URL window shows it (`AskKinds.elicitation_url`). */
export interface UrlFacts {
  /** The URL exactly as the server sent it. */
  url: string;
  /** Its host as a person reads it (Unicode), e.g. `bücher.example`; empty when the URL has none. */
  domain: string;
  /** The host in ASCII (punycode, `xn--` labels), e.g. `xn--bcher-kva.example`. */
  ascii: string;
  /** The scheme without `:`, e.g. `https`. */
  scheme: string;
  /** Each a sentence: not HTTPS, an internationalised (IDN/punycode) domain, credentials in the URL. */
  warnings: string[];
}

/**
 * Parses a URL a server wants opened.
 *
 * @param url as the server sent it
 * @returns the facts to show
 * @throws Error `not a valid URL: ...` when it does not parse (such a URL is never offered)
 */
export function urlFacts(url: string): UrlFacts {
  // What the window shows must be exactly what is opened: no character a line would hide or drop, and
  // no bidirectional control that would show its parts in another order.
  if (/[\s\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(url)) {
    throw new Error(`not a valid URL (it holds spaces, control or bidirectional characters): ${JSON.stringify(url)}`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`not a valid URL: ${JSON.stringify(url)}`);
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  const ascii = parsed.hostname;
  const domain = ascii ? domainToUnicode(ascii) || ascii : '';
  const warnings: string[] = [];
  if (scheme !== 'https') warnings.push(`not HTTPS (${scheme}): what you send there can be read or changed on the way`);
  const idn = ascii.split('.').some((label) => label.toLowerCase().startsWith('xn--')) || /[^\x00-\x7f]/.test(domain);
  if (idn) {
    warnings.push(`internationalised domain: ${domain} is ${ascii} (punycode); letters from other scripts can imitate a familiar name`);
  }
  if (parsed.username || parsed.password) warnings.push('the URL carries a user name or password before the domain');
  return { url, domain, ascii, scheme, warnings };
}
