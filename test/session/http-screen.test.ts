/**
 * The SSE rewriting of http-screen.ts, event by event, however the stream is cut into chunks; a pure
 * stream transform, so no Neovim and no server (the whole screen against a real HTTP server is in
 * test/lua/hostile.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { sseEvents } from '../../src/session/http-screen.js';

/** Runs `chunks` through sseEvents with `rewrite`; resolves with what came out, and what it was given. */
async function run(chunks: string[], rewrite: (data: string) => string = (d) => d): Promise<{ out: string; seen: string[] }> {
  const seen: string[] = [];
  const input = new ReadableStream<string>({
    start(c) {
      chunks.forEach((x) => c.enqueue(x));
      c.close();
    },
  });
  let out = '';
  const reader = input.pipeThrough(sseEvents((d) => (seen.push(d), rewrite(d)))).getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) out += r.value;
  return { out, seen };
}

describe('sseEvents', () => {
  it('hands each message event its data, lines joined, and passes the stream unchanged when nothing is rewritten', async () => {
    const text = 'id: 1\nevent: message\ndata: {"a":\ndata: 1}\n\n: a comment\n\nevent: other\ndata: x\n\n';
    const { out, seen } = await run([text]);
    expect(seen).toEqual(['{"a":\n1}']);
    expect(out).toBe(text);
  });

  it('finds events across chunk boundaries, a \\r\\n cut between its \\r and its \\n included', async () => {
    const { seen } = await run(['data: one\r', '\n\r', '\ndata: t', 'wo\r\n', '\r\n']);
    expect(seen).toEqual(['one', 'two']);
  });

  it('replaces the data of a rewritten event and keeps its other fields', async () => {
    const { out } = await run(['id: 7\ndata: old\n\ndata: keep\n\n'], (d) => (d === 'old' ? 'new\nlines' : d));
    expect(out).toBe('id: 7\ndata: new\ndata: lines\n\ndata: keep\n\n');
  });

  it('passes on an event the stream cut off before its blank line, as it came', async () => {
    const { out, seen } = await run(['data: done\n\ndata: cut']);
    expect(seen).toEqual(['done']);
    expect(out).toBe('data: done\n\ndata: cut');
  });
});
