#!/usr/bin/env node
// An HTTP endpoint that accepts every connection and request and never answers: no status line, no
// event, nothing, until the client gives up. For both Streamable HTTP (`/mcp`) and HTTP+SSE (`/sse`).
// Prints `listening on http://127.0.0.1:PORT` on stderr once it accepts connections.
import { createServer } from 'node:http';

const held = [];
const server = createServer((req, res) => {
  // Read the body so the client's POST completes its upload, then hold the response forever.
  req.resume();
  held.push(res);
});
server.listen(0, '127.0.0.1', () => process.stderr.write(`listening on http://127.0.0.1:${server.address().port}\n`));
