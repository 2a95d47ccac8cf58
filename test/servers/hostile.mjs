#!/usr/bin/env node
// A misbehaving 2025-11-25 MCP server over stdio, for the hardening tests (issue 13, defects 1 and 6).
// It speaks raw JSON-RPC, one message per line, instead of using the SDK's server package: the SDK's
// server validates and serializes what it sends (recursively), so it refuses to send exactly the
// things this server exists to send: results nested thousands of levels deep, a tool whose
// `inputSchema.properties` is a string, an image whose `data` is not base64, and a response carrying
// both `result` and `error`. Deep values are written as text, never built as objects, so that the
// server itself has no depth limit.
//
// Tools:
//   echo {text}         a well-behaved tool: returns its text
//   deep {depth}        structuredContent nested `depth` objects deep: {"level":{"level":...{"bottom":depth}}}
//   deep_schema         a tool whose inputSchema nests $HOSTILE_SCHEMA_DEPTH (default 40) object levels
//   deeper_schema       listed with an inputSchema nesting 5000 object levels: deeper than the SDK's
//                       schemas can check (their recursion overflows the stack)
//   bad_schema          listed with `inputSchema.properties` a string (invalid)
//   bad_image           text, an image with invalid base64, an image that is valid, more text
//   both                answered with a response carrying both `result` and `error`
//   bad_result          answered with a result whose `content` is not a list
import { createInterface } from 'node:readline';

const schemaDepth = Number(process.env.HOSTILE_SCHEMA_DEPTH ?? 40);
// A 1x1 transparent PNG.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

/** `{"type":"object","properties":{"nested":...}}` `depth` object levels deep, as text. */
function deepSchema(depth) {
  const open = '{"type":"object","properties":{"nested":';
  return `${open.repeat(depth - 1)}{"type":"string"}${'}}'.repeat(depth - 1)}`;
}

/** `{"level":...{"bottom":depth}}`: `depth` objects, as text. */
function deepValue(depth) {
  return `${'{"level":'.repeat(depth - 1)}{"bottom":${depth}}${'}'.repeat(depth - 1)}`;
}

const tools = [
  `{"name":"echo","description":"Returns its text","inputSchema":{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}}`,
  `{"name":"deep","description":"Returns structuredContent nested depth levels","inputSchema":{"type":"object","properties":{"depth":{"type":"integer"}},"required":["depth"]}}`,
  `{"name":"deep_schema","description":"Its inputSchema nests ${schemaDepth} levels","inputSchema":${deepSchema(schemaDepth)}}`,
  `{"name":"deeper_schema","description":"Its inputSchema nests 5000 levels","inputSchema":${deepSchema(5000)}}`,
  `{"name":"bad_schema","description":"Its inputSchema is invalid","inputSchema":{"type":"object","properties":"oops"}}`,
  `{"name":"bad_image","description":"Returns an image with invalid base64 among good content","inputSchema":{"type":"object"}}`,
  `{"name":"both","description":"Answers with both result and error","inputSchema":{"type":"object"}}`,
  `{"name":"bad_result","description":"Answers with an invalid result","inputSchema":{"type":"object"}}`,
];

function send(text) {
  process.stdout.write(`${text}\n`);
}

function reply(id, resultText) {
  send(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${resultText}}`);
}

function fail(id, code, message) {
  send(JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } }));
}

function text(t) {
  return JSON.stringify({ type: 'text', text: t });
}

function call(id, name, args) {
  switch (name) {
    case 'echo':
      return reply(id, `{"content":[${text(String(args.text))}]}`);
    case 'deep': {
      const depth = Math.max(1, Number(args.depth) || 1);
      return reply(id, `{"content":[${text(`nested ${depth} levels`)}],"structuredContent":${deepValue(depth)}}`);
    }
    case 'deep_schema':
      return reply(id, `{"content":[${text('deep schema called')}]}`);
    case 'bad_image':
      return reply(
        id,
        `{"content":[${text('before the images')},{"type":"image","mimeType":"image/png","data":"this is not base64!"},{"type":"image","mimeType":"image/png","data":"${PNG}"},${text('after the images')}]}`,
      );
    case 'both':
      return send(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":{"content":[${text('ok?')}]},"error":{"code":-32603,"message":"and also failed"}}`);
    case 'bad_result':
      return reply(id, '{"content":"not a list"}');
    default:
      return fail(id, -32602, `unknown tool ${name}`);
  }
}

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (!line.trim()) return;
  const msg = JSON.parse(line);
  if (msg.id === undefined || !msg.method) return; // notifications and responses
  switch (msg.method) {
    case 'initialize':
      return reply(
        msg.id,
        JSON.stringify({ protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'hostile', version: '1.0.0' } }),
      );
    case 'tools/list':
      return reply(msg.id, `{"tools":[${tools.join(',')}]}`);
    case 'tools/call':
      return call(msg.id, msg.params?.name, msg.params?.arguments ?? {});
    case 'ping':
      return reply(msg.id, '{}');
    default:
      // server/discover included: a 2025-11-25 server does not know it.
      return fail(msg.id, -32601, `method not found: ${msg.method}`);
  }
});
rl.on('close', () => process.exit(0));
