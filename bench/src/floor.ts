/**
 * The floor: the official SDK's `Client` (the v2 client package, the one the host is built on), called
 * directly from this Node process against the same kind of server, in the same run. Nothing of mcp.nvim
 * is involved. It connects in the SDK's default `legacy` mode: the best case for the 2025-11-25 servers
 * the bench uses, as if the era were known in advance (the host's cached verdict).
 */
import { Client, StreamableHTTPClientTransport, type VersionNegotiationOptions } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { ServerDef } from './env.js';

export interface Floor {
  client: Client;
  close(): Promise<void>;
}

/** Connects (spawn or HTTP, then the handshake of `negotiation`: by default `initialize`). */
export async function connectFloor(def: ServerDef, negotiation: VersionNegotiationOptions = { mode: 'legacy' }): Promise<Floor> {
  const client = new Client(
    { name: 'bench-floor', version: '1.0.0' },
    // The host's own declaration (src/session/client.ts): servers offer both the same tools.
    { capabilities: { roots: { listChanged: true }, elicitation: { form: { applyDefaults: true } } }, versionNegotiation: negotiation },
  );
  const transport =
    'url' in def
      ? new StreamableHTTPClientTransport(new URL(def.url))
      : new StdioClientTransport({ command: def.command, args: def.args, stderr: 'ignore' });
  await client.connect(transport);
  return {
    client,
    async close() {
      if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession().catch(() => {});
      await client.close().catch(() => {});
    },
  };
}

/** Every page of tools, prompts, resources and resource templates, as a host must load them. */
export async function listAll(client: Client): Promise<{ tools: number; prompts: number; resources: number }> {
  const caps = client.getServerCapabilities() ?? {};
  const pages = async <T>(get: (cursor?: string) => Promise<{ items: T[]; next?: string }>): Promise<T[]> => {
    const out: T[] = [];
    let cursor: string | undefined;
    do {
      const r = await get(cursor);
      out.push(...r.items);
      cursor = r.next;
    } while (cursor);
    return out;
  };
  const c = (cursor?: string) => (cursor ? { cursor } : {});
  const [tools, prompts, resources] = await Promise.all([
    caps.tools ? pages(async (k) => client.listTools(c(k)).then((r) => ({ items: r.tools, next: r.nextCursor }))) : [],
    caps.prompts ? pages(async (k) => client.listPrompts(c(k)).then((r) => ({ items: r.prompts, next: r.nextCursor }))) : [],
    caps.resources ? pages(async (k) => client.listResources(c(k)).then((r) => ({ items: r.resources, next: r.nextCursor }))) : [],
    caps.resources
      ? pages(async (k) => client.listResourceTemplates(c(k)).then((r) => ({ items: r.resourceTemplates, next: r.nextCursor }))).catch(() => [])
      : [],
  ]);
  return { tools: tools.length, prompts: prompts.length, resources: resources.length };
}
