/**
 * The coalescing of list refreshes (src/session/lists.ts) against a stand-in for the SDK client, which
 * only has to answer `tools/list` (a real server cannot be made to fail its first list on cue): a flood
 * of refreshes is one load in flight and one pending, and a load that fails while a newer change is
 * pending runs again instead of leaving the list stale.
 */
import type { Client, Tool } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { Deadline } from '../../src/session/deadline.js';
import { ListCache } from '../../src/session/lists.js';

/** A client whose `listTools` answers from `answers`, one per call, each when the test releases it. */
function client(answers: (Tool[] | Error)[]) {
  const waiting: (() => void)[] = [];
  let calls = 0;
  const c = {
    listTools: () => {
      const answer = answers[calls++]!;
      return new Promise((resolve, reject) => waiting.push(() => (answer instanceof Error ? reject(answer) : resolve({ tools: answer }))));
    },
  } as unknown as Client;
  return { c, calls: () => calls, release: () => waiting.shift()?.() };
}

const tool = (name: string): Tool => ({ name, inputSchema: { type: 'object' } });
const caps = { tools: {} };
const deadline = () => new Deadline(1000, 'test');
const tick = () => new Promise((r) => setImmediate(r));

describe('ListCache.refresh', () => {
  it('turns 10,000 refreshes into one load in flight and one after it, and keeps the last list', async () => {
    const lists = new ListCache();
    const { c, calls, release } = client([[tool('a')], [tool('b')]]);
    const runs = Array.from({ length: 10_000 }, () => lists.refresh('tools', c, caps, deadline, () => true));
    expect(calls()).toBe(1);
    release();
    await tick();
    expect(calls()).toBe(2);
    release();
    await Promise.all(runs);
    expect(lists.tools.map((t) => t.name)).toEqual(['b']);
  });

  it('runs again when a load fails while a newer change is pending', async () => {
    const lists = new ListCache();
    const { c, calls, release } = client([new Error('timed out'), [tool('fresh')]]);
    const first = lists.refresh('tools', c, caps, deadline, () => true);
    void lists.refresh('tools', c, caps, deadline, () => true);
    release();
    await tick();
    expect(calls()).toBe(2);
    release();
    await first;
    expect(lists.tools.map((t) => t.name)).toEqual(['fresh']);
  });

  it('fails when the last load fails', async () => {
    const lists = new ListCache();
    const { c, release } = client([new Error('refused')]);
    const run = lists.refresh('tools', c, caps, deadline, () => true);
    release();
    await expect(run).rejects.toThrow('refused');
  });
});
