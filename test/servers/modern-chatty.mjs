#!/usr/bin/env node
// A real MCP server on the SDK's v2 server package that speaks 2026-07-28 only (stdio) and logs: the
// modern era has no `logging/setLevel` (SEP-2577), so a client's level rides in each request's `_meta`
// (`io.modelcontextprotocol/logLevel`) and the server still sends `notifications/message` within the
// request (its SDK still wants the deprecated `logging` capability declared for that). No server on npm
// does this yet.
//
// Tool `log_all { tag }`: sends one `notifications/message` (logger "modern") at each of the spec's
// eight levels at or above the `_meta` level of the call (all eight without one), `data` "{tag} {level}",
// then answers with the level it saw.
import { Server } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';

const LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];
const LOG_LEVEL_META_KEY = 'io.modelcontextprotocol/logLevel';
const text = (t) => ({ content: [{ type: 'text', text: t }] });

function build() {
  const server = new Server({ name: 'modern-chatty', version: '1.0.0' }, { capabilities: { tools: {}, logging: {} } });
  server.setRequestHandler('tools/list', () => ({
    tools: [{ name: 'log_all', description: 'Logs one message per level', inputSchema: { type: 'object', properties: { tag: { type: 'string' } }, required: ['tag'] } }],
  }));
  server.setRequestHandler('tools/call', async (req, ctx) => {
    if (req.params.name !== 'log_all') return { isError: true, ...text(`no tool ${req.params.name}`) };
    const tag = String(req.params.arguments?.tag ?? '?');
    // The server SDK gathers the request's envelope keys (`_meta` of 2026-07-28) in `envelope`.
    const level = ctx.mcpReq.envelope?.[LOG_LEVEL_META_KEY];
    const from = Math.max(0, LEVELS.indexOf(level));
    for (const lv of LEVELS.slice(from)) {
      await ctx.mcpReq.notify({ method: 'notifications/message', params: { level: lv, logger: 'modern', data: `${tag} ${lv}` } });
    }
    return text(`level seen: ${level ?? 'none'}`);
  });
  return server;
}

serveStdio(build, { legacy: 'reject' });
