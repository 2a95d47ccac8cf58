/**
 * The client that the official MCP conformance suite (`@modelcontextprotocol/conformance`, `conformance
 * client --command ...`) drives: a Node program on this host's own session layer. Each run is one
 * scenario against one mock server; the runner passes the server's URL as the last argument, the
 * scenario's name in `MCP_CONFORMANCE_SCENARIO`, and scenario data (tool calls to make, credentials) as
 * JSON in `MCP_CONFORMANCE_CONTEXT`.
 *
 * The URL becomes a server definition through the same loader as a user's config file (Streamable HTTP,
 * falling back to HTTP+SSE), and a {@link Session} connects to it exactly as the host's hub would: era
 * negotiation, capability caches, request validation and timeouts are all the host's. Then the client
 * does what the scenario needs of a host (list, call tools, read resources, get prompts) and stops the
 * session. It exits 0 when every step worked, 1 otherwise; the suite judges from what it saw on the wire.
 *
 * Logs go to stderr (the suite records them); stdout stays empty.
 */
import { homedir } from 'node:os';
import pino from 'pino';
import { MemoryAuthStore } from '../auth/memory-store.js';
import type { BrowserSession } from '../auth/types.js';
import { loadConfig } from '../config/load.js';
import { Defaults } from '../contract/defaults.js';
import { EraCache } from '../session/era-cache.js';
import { Session } from '../session/session.js';
import { planFor, type Context } from './plans.js';

/** The name the scenario's server has in the host's terms (it shows in logs and errors). */
const SERVER = 'conformance';

async function main(): Promise<number> {
  const url = process.argv.at(-1);
  const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
  if (!url || !/^https?:\/\//.test(url)) {
    process.stderr.write(`usage: conformance.js <server-url> (got ${JSON.stringify(url)}); MCP_CONFORMANCE_SCENARIO names the scenario\n`);
    return 2;
  }
  const context = parseContext(process.env.MCP_CONFORMANCE_CONTEXT);
  const log = pino({ level: process.env.MCP_CONFORMANCE_LOG ?? 'info', base: { scenario } }, pino.destination(2));
  const oauth = oauthFor(scenario, context);
  const [cfg] = await loadConfig({
    setupServers: { [SERVER]: { url, ...(oauth ? { oauth } : {}) } },
    ctx: { env: process.env, workspaceFolder: process.cwd(), userHome: homedir() },
  });
  const messages: string[] = [];
  const session = new Session(cfg!, {
    log,
    timeoutMs: Defaults.timeout_ms,
    // No state directory: nothing remembered, every scenario's server is negotiated afresh (auto mode).
    verdicts: new EraCache(undefined, log),
    onChange: () => {},
    onMessage: (level, text) => messages.push(`${level}: ${text}`),
    roots: () => [{ uri: `file://${process.cwd()}`, name: 'cwd' }],
    // The host's own OAuth flow (auth/flow.ts), with a memory store and, in place of a person in a
    // browser, a fetch of the authorization URL: the suite's authorization server redirects at once.
    auth: { store: new MemoryAuthStore(), openBrowser: async () => manualRedirect(log) },
    onResourceUpdated: () => {},
    // No person sits at this client, so it accepts only what the server itself proposes: when every
    // required field has a default, it accepts with no values of its own and the session (which
    // declares elicitation.form.applyDefaults, SEP-1034) fills in the schema's defaults, as it does for
    // a form the user left partly empty. Anything else is declined, which is an answer too (spec:
    // client/elicitation, "decline"); both let a 2026-07-28 input_required round complete (sep-2322).
    elicit: async (_s, params) => {
      const schema = params.mode === 'url' ? undefined : params.requestedSchema;
      const props = schema?.properties ?? {};
      if (schema && (schema.required ?? []).every((k) => props[k]?.default !== undefined)) {
        log.info({ message: params.message }, 'elicitation accepted with the defaults');
        return { action: 'accept', content: {} };
      }
      log.info({ message: params.message }, 'elicitation declined');
      return { action: 'decline' };
    },
  });
  let failures = 0;
  try {
    await session.start();
    const snap = session.snapshot();
    log.info({ tools: snap.tools.length, prompts: snap.prompts.length, resources: snap.resources.length }, 'connected');
    for (const step of planFor(scenario, context)) {
      try {
        const result = await step.run(session);
        log.info({ step: step.name, result }, 'step done');
      } catch (err) {
        failures++;
        log.error({ step: step.name, err: (err as Error).message }, 'step failed');
      }
    }
  } catch (err) {
    failures++;
    log.error({ err: (err as Error).message }, 'could not connect');
  } finally {
    await session.stop();
    for (const m of messages) log.info({ message: m }, 'host message');
  }
  return failures === 0 ? 0 : 1;
}

/**
 * The suite's authorization server redirects at once: the browser step is a `redirect: "manual"` fetch
 * of the authorization URL, whose `Location` is the redirect a browser would have followed. The state
 * is checked as the editor's listener checks it.
 */
function manualRedirect(log: pino.Logger): BrowserSession {
  return {
    redirectUrl: 'http://127.0.0.1:3000/callback',
    async authorize(authorizationUrl, state, signal) {
      const res = await fetch(authorizationUrl, { redirect: 'manual', signal });
      const location = res.headers.get('location');
      await res.body?.cancel();
      if (!location) throw new Error(`the authorization endpoint answered ${res.status} without a redirect`);
      const redirect = new URL(location, authorizationUrl);
      if (redirect.searchParams.get('state') !== state) throw new Error('the redirect carried another state; refused');
      log.info({ status: res.status }, 'authorization redirect received');
      return redirect;
    },
    close() {},
  };
}

/**
 * A server's `oauth` config from what the scenario hands a client (`MCP_CONFORMANCE_CONTEXT`): the
 * pre-registered client and its secret or key, a workload JWT, an enterprise IdP, as a user would
 * write them in their config. Without credentials, a client ID metadata document URL: the one the
 * suite expects a client to publish (auth/basic-cimd), used where the server supports them.
 */
export function oauthFor(scenario: string, c: Context): Record<string, unknown> | undefined {
  if (!scenario.startsWith('auth/')) return undefined;
  const str = (k: string) => (typeof c[k] === 'string' ? (c[k] as string) : undefined);
  const clientId = str('client_id');
  if (!clientId) return { client_metadata_url: 'https://conformance-test.local/client-metadata.json' };
  const base: Record<string, unknown> = { client_id: clientId };
  if (str('client_secret')) base.client_secret = str('client_secret');
  if (str('issuer')) base.issuer = str('issuer');
  if (str('private_key_pem')) Object.assign(base, { private_key: str('private_key_pem'), token_endpoint_auth_method: 'private_key_jwt', signing_algorithm: str('signing_algorithm') ?? 'ES256' });
  if (str('idp_id_token')) {
    return { ...base, grant: 'enterprise_managed', idp: { client_id: str('idp_client_id'), id_token: str('idp_id_token'), issuer: str('idp_issuer'), token_endpoint: str('idp_token_endpoint') } };
  }
  if (str('valid_jwt')) return { ...base, grant: 'jwt_bearer', assertion: str('valid_jwt') };
  if (scenario.startsWith('auth/client-credentials')) return { ...base, grant: 'client_credentials' };
  return base;
}

/** `MCP_CONFORMANCE_CONTEXT`: a JSON object, or nothing. */
function parseContext(raw: string | undefined): Context {
  if (!raw) return {};
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null ? (value as Context) : {};
  } catch (err) {
    process.stderr.write(`MCP_CONFORMANCE_CONTEXT is not JSON (${(err as Error).message}); ignored\n`);
    return {};
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`conformance client: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
