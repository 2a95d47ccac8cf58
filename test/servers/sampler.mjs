#!/usr/bin/env node
// A real MCP server (SDK v1, stdio, 2025-11-25) that asks its client to sample a model: with tools
// (`sampling.tools`, a tool loop of two requests), with model hints, and one request it withdraws itself.
// server-everything's `trigger-sampling-request` offers no tools, hints or cancellation.
//
// Tools:
// - `ask_model { prompt, hints? }`: one createMessage (system prompt, model hints, temperature, stop
//   sequences, max tokens 50); answers with what came back (or the error's code and message).
// - `weather_agent { city }`: createMessage offering the tool `get_weather` (tool choice auto); when the
//   answer calls it, a second createMessage carries the tool_use and its tool_result ("sunny, 21 °C");
//   answers with each round's answer.
// - `ask_then_cancel`: a createMessage it cancels (notifications/cancelled, reason "no longer needed")
//   when `cancel_pending` is called.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'sampler', version: '1.0.0' });
const text = (t) => ({ content: [{ type: 'text', text: t }] });
const failure = (err) => `sampling failed: code ${err.code}: ${err.message}`;
const pending = new Set();

server.registerTool(
  'ask_model',
  { description: 'Asks the client to sample a model once', inputSchema: { prompt: z.string(), hints: z.array(z.string()).optional() } },
  async ({ prompt, hints }) => {
    try {
      const r = await server.server.createMessage({
        messages: [{ role: 'user', content: { type: 'text', text: prompt } }],
        systemPrompt: 'You answer in one word.',
        maxTokens: 50,
        temperature: 0.2,
        stopSequences: ['END'],
        ...(hints ? { modelPreferences: { hints: hints.map((name) => ({ name })), intelligencePriority: 0.8 } } : {}),
      });
      return text(`answer: ${JSON.stringify(r)}`);
    } catch (err) {
      return text(failure(err));
    }
  },
);

const WEATHER = {
  name: 'get_weather',
  description: 'The weather in a city',
  inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

server.registerTool(
  'weather_agent',
  { description: 'Asks a model with a tool; runs the tool call it makes', inputSchema: { city: z.string() } },
  async ({ city }) => {
    const messages = [{ role: 'user', content: { type: 'text', text: `What is the weather in ${city}?` } }];
    try {
      const first = await server.server.createMessage({ messages, maxTokens: 100, tools: [WEATHER], toolChoice: { mode: 'auto' } });
      const blocks = Array.isArray(first.content) ? first.content : [first.content];
      const uses = blocks.filter((b) => b.type === 'tool_use');
      if (!uses.length) return text(`round 1: ${JSON.stringify(first)}`);
      messages.push({ role: 'assistant', content: blocks });
      messages.push({
        role: 'user',
        content: uses.map((u) => ({ type: 'tool_result', toolUseId: u.id, content: [{ type: 'text', text: `${u.input.city}: sunny, 21 °C` }] })),
      });
      const second = await server.server.createMessage({ messages, maxTokens: 100, tools: [WEATHER], toolChoice: { mode: 'auto' } });
      return text(`round 1: ${JSON.stringify(first)}\nround 2: ${JSON.stringify(second)}`);
    } catch (err) {
      return text(failure(err));
    }
  },
);

server.registerTool('ask_then_cancel', { description: 'Sends a sampling request and withdraws it on cancel_pending' }, async () => {
  const controller = new AbortController();
  const cancel = () => controller.abort('no longer needed');
  pending.add(cancel);
  try {
    const r = await server.server.createMessage(
      { messages: [{ role: 'user', content: { type: 'text', text: 'Never mind' } }], maxTokens: 10 },
      { signal: controller.signal },
    );
    return text(`answer: ${JSON.stringify(r)}`);
  } catch (err) {
    return text(`cancelled by the server: ${err.message}`);
  } finally {
    pending.delete(cancel);
  }
});

server.registerTool('cancel_pending', { description: 'Cancels the sampling requests ask_then_cancel waits on' }, async () => {
  const n = pending.size;
  for (const cancel of [...pending]) cancel();
  return text(`cancelled ${n}`);
});

await server.connect(new StdioServerTransport());
