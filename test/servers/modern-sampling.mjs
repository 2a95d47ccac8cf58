#!/usr/bin/env node
// A real MCP server on the SDK's v2 server package that speaks 2026-07-28 only (stdio) and asks its client
// to sample a model through an `input_required` round (spec 2026-07-28: basic/patterns/mrtr): the modern
// era's sampling, which no server on npm offers yet.
//
// Tool `summarize { text }`: answers input_required with a sampling/createMessage (system prompt, max
// tokens 60); on the retry, says what the client answered (the model and its text).
import { inputRequired, inputResponse, Server } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';

const text = (t) => ({ content: [{ type: 'text', text: t }] });

function build() {
  const server = new Server({ name: 'modern-sampling', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler('tools/list', () => ({
    tools: [
      {
        name: 'summarize',
        description: 'Asks the client to sample a model, then reports the answer',
        inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
      },
    ],
  }));
  server.setRequestHandler('tools/call', (req, ctx) => {
    if (req.params.name !== 'summarize') return { isError: true, ...text(`no tool ${req.params.name}`) };
    const input = String(req.params.arguments?.text ?? '');
    const view = inputResponse(ctx.mcpReq.inputResponses, 'summary');
    if (view.kind !== 'sampling') {
      return inputRequired({
        inputRequests: {
          summary: inputRequired.createMessage({
            messages: [{ role: 'user', content: { type: 'text', text: `Summarize: ${input}` } }],
            systemPrompt: 'You summarize in five words.',
            maxTokens: 60,
          }),
        },
      });
    }
    const r = view.result;
    const blocks = Array.isArray(r.content) ? r.content : [r.content];
    return text(`summary by ${r.model}: ${blocks.map((b) => b.text ?? `[${b.type}]`).join(' ')}`);
  });
  return server;
}

serveStdio(build, { legacy: 'reject' });
