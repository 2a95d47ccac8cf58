/**
 * A server's `oauth` option as written (schema.ts checks its shape) → {@link OAuthConfig}: placeholders
 * expanded, `private_key_file` read, and the combinations that cannot work refused with the key that is
 * wrong (spec: basic/authorization; the client-credentials and enterprise-managed extensions).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, type OAuthConfig, type OAuthGrant, type TokenEndpointAuthMethod } from './types.js';

/** The `oauth` table as the schema lets it through. */
export interface RawOAuth {
  grant?: OAuthGrant;
  client_id?: string;
  client_secret?: string;
  token_endpoint_auth_method?: TokenEndpointAuthMethod;
  private_key?: string;
  private_key_file?: string;
  signing_algorithm?: string;
  client_metadata_url?: string;
  issuer?: string;
  scopes?: string[];
  client_name?: string;
  assertion?: string;
  idp?: OAuthConfig['idp'];
}

/**
 * @param raw the server's `oauth` value (`false`, or a table the schema accepted)
 * @param x expands placeholders in one string; `at` is its key under `oauth` for errors
 * @param file the config file, for errors; `key` the server's key path (`mcpServers.x`)
 * @param base the directory a relative `private_key_file` is read from (Neovim's cwd)
 * @throws ConfigError naming `<key>.oauth.<field>` when the key file cannot be read, or a grant lacks what it needs
 */
export function normalizeOAuth(raw: RawOAuth | false, x: (value: string, at: string) => string, file: string, key: string, base: string): OAuthConfig | false {
  if (raw === false) return false;
  const fail = (at: string, problem: string) => new ConfigError(file, `${key}.oauth${at ? `.${at}` : ''}`, problem);
  const str = (name: keyof RawOAuth) => {
    const v = raw[name];
    return typeof v === 'string' ? x(v, `oauth.${name}`) : undefined;
  };
  const out: OAuthConfig = { grant: raw.grant ?? 'authorization_code' };
  for (const name of ['client_id', 'client_secret', 'token_endpoint_auth_method', 'private_key', 'signing_algorithm', 'client_metadata_url', 'issuer', 'client_name', 'assertion'] as const) {
    const v = str(name);
    if (v !== undefined && v !== '') (out as unknown as Record<string, string>)[name] = v;
  }
  if (raw.scopes?.length) out.scopes = raw.scopes.map((s, i) => x(s, `oauth.scopes[${i}]`));
  if (raw.private_key_file) {
    const path = x(raw.private_key_file, 'oauth.private_key_file');
    try {
      out.private_key = readFileSync(isAbsolute(path) ? path : resolve(base, path), 'utf8');
    } catch (err) {
      throw fail('private_key_file', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  if (raw.idp) {
    const idp = raw.idp;
    out.idp = {
      client_id: x(idp.client_id, 'oauth.idp.client_id'),
      id_token: x(idp.id_token, 'oauth.idp.id_token'),
      ...(idp.issuer ? { issuer: x(idp.issuer, 'oauth.idp.issuer') } : {}),
      ...(idp.token_endpoint ? { token_endpoint: x(idp.token_endpoint, 'oauth.idp.token_endpoint') } : {}),
      ...(idp.client_secret ? { client_secret: x(idp.client_secret, 'oauth.idp.client_secret') } : {}),
    };
  }
  if (out.client_metadata_url !== undefined && !isHttpsPath(out.client_metadata_url)) {
    throw fail('client_metadata_url', 'must be an https URL with a path (a client ID metadata document, SEP-991)');
  }
  if (out.token_endpoint_auth_method === 'private_key_jwt' && !out.private_key) throw fail('private_key', 'is required with token_endpoint_auth_method = "private_key_jwt" (or set private_key_file)');
  if ((out.token_endpoint_auth_method === 'client_secret_basic' || out.token_endpoint_auth_method === 'client_secret_post') && !out.client_secret) {
    throw fail('client_secret', `is required with token_endpoint_auth_method = "${out.token_endpoint_auth_method}"`);
  }
  if (out.grant !== 'authorization_code' && !out.client_id) throw fail('client_id', `is required with grant = "${out.grant}" (a client registered with the authorization server)`);
  if (out.grant === 'client_credentials' && !out.client_secret && !out.private_key) throw fail('client_secret', 'grant = "client_credentials" needs client_secret or private_key');
  if (out.grant === 'jwt_bearer' && !out.assertion) throw fail('assertion', 'is required with grant = "jwt_bearer" (the workload JWT)');
  if (out.grant === 'enterprise_managed' && !out.idp) throw fail('idp', 'is required with grant = "enterprise_managed"');
  if (out.idp && !out.idp.issuer && !out.idp.token_endpoint) throw fail('idp', 'needs issuer or token_endpoint');
  if (out.private_key && !out.token_endpoint_auth_method) out.token_endpoint_auth_method = 'private_key_jwt';
  return out;
}

/** An https URL with a path other than `/` (a client ID metadata document's URL, SEP-991). */
function isHttpsPath(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' && url.pathname !== '/';
  } catch {
    return false;
  }
}
