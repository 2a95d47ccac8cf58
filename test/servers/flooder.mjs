#!/usr/bin/env node
// A real MCP server (SDK, stdio) that misbehaves on request, for the flood and privacy tests (issue 13):
//   storm {count}  sends `count` notifications/tools/list_changed at once; the tool list it then serves
//                  has `after_storm` (so the final list shows whether the last refresh landed)
//   junk {count}   writes `count` lines of junk (not JSON-RPC) to stdout, then answers normally
//   env            answers with the names and values of its environment (JSON text)
//   image          answers with a small PNG image
// Usage: node flooder.mjs
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const obj = (properties = {}) => ({ type: 'object', properties });
const tools = [
  { name: 'storm', description: 'Sends count tools/list_changed notifications', inputSchema: obj({ count: { type: 'integer' } }) },
  { name: 'junk', description: 'Writes count junk lines to stdout', inputSchema: obj({ count: { type: 'integer' } }) },
  { name: 'env', description: 'Its environment as JSON', inputSchema: obj() },
  { name: 'image', description: 'A 1x1 PNG', inputSchema: obj() },
];
// A 1x1 transparent PNG.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

const server = new Server({ name: 'flooder', version: '1.0.0' }, { capabilities: { tools: { listChanged: true } } });
server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }));
server.setRequestHandler(CallToolRequestSchema, async (req) => {
  const count = Number(req.params.arguments?.count ?? 0);
  switch (req.params.name) {
    case 'storm': {
      if (!tools.some((t) => t.name === 'after_storm')) tools.push({ name: 'after_storm', description: 'listed after the storm', inputSchema: obj() });
      // All at once, as a broken server would: one write of every line, nothing awaits the client between
      // them. (The SDK's send per notification would wait for 'drain' with one listener each: quadratic.)
      const line = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' }) + '\n';
      await new Promise((resolve) => process.stdout.write(line.repeat(count), resolve));
      return { content: [{ type: 'text', text: `sent ${count}` }] };
    }
    case 'junk': {
      const line = 'this is not JSON-RPC, just junk on stdout\n';
      await new Promise((resolve) => process.stdout.write(line.repeat(count), resolve));
      return { content: [{ type: 'text', text: `wrote ${count} lines` }] };
    }
    case 'env':
      return { content: [{ type: 'text', text: JSON.stringify(process.env) }] };
    case 'image':
      return { content: [{ type: 'image', data: PNG, mimeType: 'image/png' }] };
    default:
      return { content: [{ type: 'text', text: `no tool ${req.params.name}` }], isError: true };
  }
});
await server.connect(new StdioServerTransport());
