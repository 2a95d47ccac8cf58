/**
 * The host side of sampling on its own: the `sampling` ask and the spec's error for a declined request
 * (src/bridge/sampling.ts), and the mapping of the built-in provider between MCP sampling and
 * chat-completions (src/sampling/openai.ts). test/lua/sampling.test.ts drives the same paths with real
 * servers, a real Neovim and a local endpoint.
 */
import { describe, expect, it } from 'vitest';
import { AskBroker } from '../../src/bridge/asks.js';
import { sampleVia } from '../../src/bridge/sampling.js';
import { ErrorCodes } from '../../src/contract/errors.js';
import { HostError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { fromChatResponse, toChatRequest, type SamplingParams } from '../../src/sampling/openai.js';
import { heldSession } from '../helpers/held-session.js';

/** The calls held while the ask is open (a sampling request holds its server's calls, as an elicitation does). */
const { session, held } = heldSession();
const params = { messages: [{ role: 'user' as const, content: { type: 'text' as const, text: 'Hi' } }], maxTokens: 10 };

function setup() {
  const items: unknown[][] = [];
  const asks = new AskBroker((item) => items.push(item), () => silentLogger);
  return { items, asks, sample: sampleVia(asks) };
}

describe('sampleVia', () => {
  it('asks the editor with the server and the request, and returns its CreateMessageResult', async () => {
    const { items, asks, sample } = setup();
    const got = sample(session, params, new AbortController().signal);
    expect(items).toEqual([['q', 1, 'sampling', { server: 'srv', request: params }, { title: 'srv: sample a model', server: 'srv', holds: [7] }]]);
    const before = { ...held };
    const result = { role: 'assistant', model: 'm', content: { type: 'text', text: 'Hello' } };
    asks.answer(1, null, result);
    await expect(got).resolves.toEqual(result);
    expect(held.releases).toBe(before.releases + 1);
  });

  it('a declined request is the spec\'s error: -1 "User rejected sampling request"', async () => {
    const { asks, sample } = setup();
    const got = sample(session, params, new AbortController().signal);
    asks.answer(1, { code: ErrorCodes.UserRejected, message: 'User rejected sampling request' }, undefined);
    const err = (await got.catch((e: unknown) => e)) as HostError;
    expect(err).toBeInstanceOf(HostError);
    expect([err.code, err.message]).toEqual([-1, 'User rejected sampling request']);
  });

  it('a server that cancels withdraws the ask; an answer that is no result is refused', async () => {
    const { items, asks, sample } = setup();
    const ac = new AbortController();
    const got = sample(session, params, ac.signal);
    ac.abort('changed my mind');
    await expect(got).rejects.toMatchObject({ code: ErrorCodes.Cancelled });
    expect(items[1]).toEqual(['w', 1, 'the request it belongs to was cancelled: changed my mind']);
    const bad = sample(session, params, new AbortController().signal);
    asks.answer(2, null, { action: 'accept' });
    await expect(bad).rejects.toMatchObject({ code: ErrorCodes.InvalidParams });
  });
});

describe('chat-completions mapping', () => {
  const p: SamplingParams = {
    systemPrompt: 'Be brief.',
    maxTokens: 64,
    temperature: 0.3,
    stopSequences: ['END'],
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is on this image, and in this sound?' },
          { type: 'image', mimeType: 'image/png', data: 'AAAA' },
          { type: 'audio', mimeType: 'audio/wav', data: 'BBBB' },
        ],
      },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'look', input: { at: 'image' } }] },
      { role: 'user', content: [{ type: 'tool_result', toolUseId: 't1', content: [{ type: 'text', text: 'a cat' }] }] },
    ],
    tools: [{ name: 'look', description: 'Looks closer', inputSchema: { type: 'object', properties: { at: { type: 'string' } } } }],
    toolChoice: { mode: 'required' },
  };

  it('maps messages, content, tools and the request values', () => {
    expect(toChatRequest(p, 'm')).toEqual({
      model: 'm',
      stream: false,
      max_tokens: 64,
      temperature: 0.3,
      stop: ['END'],
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is on this image, and in this sound?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
            { type: 'input_audio', input_audio: { data: 'BBBB', format: 'wav' } },
          ],
        },
        { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'look', arguments: '{"at":"image"}' } }] },
        { role: 'tool', tool_call_id: 't1', content: 'a cat' },
      ],
      tools: [{ type: 'function', function: { name: 'look', description: 'Looks closer', parameters: { type: 'object', properties: { at: { type: 'string' } } } } }],
      tool_choice: 'required',
    });
  });

  it('refuses audio chat-completions cannot carry, naming the message', () => {
    const ogg: SamplingParams = { maxTokens: 5, messages: [{ role: 'user', content: { type: 'audio', mimeType: 'audio/ogg', data: 'x' } }] };
    expect(() => toChatRequest(ogg, 'm')).toThrow(/sampling message 1: audio of type audio\/ogg/);
  });

  it('maps the answer: text, tool calls, stop reasons', () => {
    const text = { model: 'real-model', choices: [{ message: { content: 'Hi' }, finish_reason: 'length' }] };
    expect(fromChatResponse(text, 'm', false)).toEqual({ role: 'assistant', model: 'real-model', stopReason: 'maxTokens', content: { type: 'text', text: 'Hi' } });
    const calls = {
      choices: [{ message: { content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'look', arguments: '{"at":"x"}' } }] }, finish_reason: 'tool_calls' }],
    };
    expect(fromChatResponse(calls, 'm', true)).toEqual({
      role: 'assistant',
      model: 'm',
      stopReason: 'toolUse',
      content: [{ type: 'tool_use', id: 'c', name: 'look', input: { at: 'x' } }],
    });
    expect(() => fromChatResponse({ choices: [] }, 'm', false)).toThrow(/without a choice/);
  });
});
