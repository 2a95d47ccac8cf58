/**
 * Builds a transport for a server definition and connects an SDK `Client` over it
 * (spec: basic/transports). Streamable HTTP falls back to the legacy HTTP+SSE transport when the server
 * answers the first POST with 400, 404 or 405, as the spec's backwards-compatibility section says.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import type { ServerConfig } from '../config/types.js';
import { ProcessGroupStdioTransport } from './stdio-transport.js';

/** Statuses of a first POST that mean "this is an old HTTP+SSE server". */
const SSE_FALLBACK_STATUSES = [400, 404, 405];

export interface Connected {
  client: Client;
  transport: Transport;
  /** The transport actually in use (an `http` server may have fallen back to `sse`). */
  kind: 'stdio' | 'http' | 'sse';
}

/**
 * Connects (spawn or HTTP, then `initialize`) with a fresh client from `makeClient`.
 *
 * @param timeoutMs how long `initialize` may take, ms
 * @param onStderr each stderr line of a stdio server
 * @throws Error from spawning, HTTP, or initialize (McpError with code RequestTimeout on timeout)
 */
/**
 * Orders incoming messages so that a notification is handled before whatever follows it. The SDK handles
 * a response at once but a notification a turn later, so a final `notifications/progress` read together
 * with its response found its handler gone and was dropped (typescript-sdk#2580). After a notification
 * (or a server request), the messages that follow are handed over one per macrotask until the backlog is
 * empty; a response with nothing before it (the common case) is delivered at once, without a detour.
 */
function notificationsFirst(transport: Transport): void {
  const deliver = transport.onmessage;
  if (!deliver) return;
  const backlog: [JSONRPCMessage, MessageExtraInfo | undefined][] = [];
  let deferring = false;
  const pump = (): void => {
    const next = backlog.shift();
    if (!next) {
      deferring = false;
      return;
    }
    deliver.call(transport, next[0], next[1]);
    setImmediate(pump);
  };
  transport.onmessage = (message, extra) => {
    if (deferring) {
      backlog.push([message, extra]);
      return;
    }
    deliver.call(transport, message, extra);
    if ('method' in message) {
      deferring = true;
      setImmediate(pump);
    }
  };
}

export async function connect(
  cfg: ServerConfig,
  makeClient: () => Client,
  timeoutMs: number,
  onStderr: (line: string) => void,
): Promise<Connected> {
  const options = { timeout: timeoutMs };
  if (cfg.transport === 'stdio') {
    const transport = new ProcessGroupStdioTransport({ command: cfg.command, args: cfg.args, env: cfg.env, cwd: cfg.cwd, onStderr });
    const client = makeClient();
    try {
      await client.connect(transport, options);
    } catch (err) {
      await transport.close();
      throw describeExit(err, transport);
    }
    notificationsFirst(transport);
    return { client, transport, kind: 'stdio' };
  }
  const url = new URL(cfg.url);
  const requestInit = { headers: cfg.headers };
  if (cfg.transport === 'http') {
    const transport = new StreamableHTTPClientTransport(url, { requestInit });
    const client = makeClient();
    try {
      await client.connect(transport, options);
      notificationsFirst(transport);
      return { client, transport, kind: 'http' };
    } catch (err) {
      await transport.close().catch(() => {});
      if (!(err instanceof StreamableHTTPError && SSE_FALLBACK_STATUSES.includes(err.code ?? 0))) throw err;
    }
  }
  const transport = new SSEClientTransport(url, { requestInit, eventSourceInit: { fetch: withHeaders(cfg.headers) } });
  const client = makeClient();
  await client.connect(transport, options);
  notificationsFirst(transport);
  return { client, transport, kind: 'sse' };
}

/** The SSE stream's GET carries the configured headers too (auth tokens). */
function withHeaders(headers: Record<string, string>) {
  return (input: string | URL, init?: RequestInit) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } });
}

/** "Connection closed" says little; say how the process ended instead. */
function describeExit(err: unknown, transport: ProcessGroupStdioTransport): unknown {
  const exit = transport.exit;
  if (!exit || !(err instanceof Error) || /command not found/.test(err.message)) return err;
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  return new Error(`server process ${how} during initialize (${err.message})`);
}
