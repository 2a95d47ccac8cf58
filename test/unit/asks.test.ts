/**
 * The host side of asks (src/bridge/asks.ts) on its own: what goes to Lua, and how each ask ends. The
 * editor end is a recorder of `_batch` items here; test/lua/asks.test.ts drives the same asks through a
 * real Neovim.
 */
import { describe, expect, it } from 'vitest';
import { AskBroker } from '../../src/bridge/asks.js';
import { ErrorCodes } from '../../src/contract/errors.js';
import { silentLogger } from '../../src/log.js';

function broker() {
  const items: unknown[][] = [];
  return { items, asks: new AskBroker((item) => items.push(item), () => silentLogger) };
}

describe('AskBroker', () => {
  it('sends a q item and resolves with the answer', async () => {
    const { items, asks } = broker();
    const got = asks.ask('input', { id: 'token' }, { server: 'gh', title: 'gh: token' });
    expect(items).toEqual([['q', 1, 'input', { id: 'token' }, { title: 'gh: token', server: 'gh' }]]);
    asks.answer(1, null, { value: 's3cret' });
    await expect(got).resolves.toEqual({ value: 's3cret' });
    expect(asks.size).toBe(0);
  });

  it('an error from the editor rejects with its code and message', async () => {
    const { asks } = broker();
    const got = asks.ask('input', { id: 'x' }, { title: 'srv: x' });
    asks.answer(1, { code: ErrorCodes.InternalError, message: 'handler exploded' }, null);
    await expect(got).rejects.toMatchObject({ code: ErrorCodes.InternalError, message: 'srv: x: handler exploded' });
  });

  it('withdraws on abort, saying why, and refuses a late answer', async () => {
    const { items, asks } = broker();
    const ac = new AbortController();
    const got = asks.ask('input', { id: 'x' }, { title: 'srv: x', signal: ac.signal });
    ac.abort('the server was stopped');
    await expect(got).rejects.toMatchObject({ code: ErrorCodes.Cancelled, message: 'srv: x: the server was stopped' });
    expect(items[1]).toEqual(['w', 1, 'the server was stopped']);
    expect(() => asks.answer(1, null, { value: 'late' })).toThrow(/no pending ask 1/);
  });

  it('a cancelled request (abort without a text reason) withdraws as cancelled', async () => {
    const { items, asks } = broker();
    const ac = new AbortController();
    const got = asks.ask('input', { id: 'x' }, { title: 'srv: x', signal: ac.signal });
    ac.abort();
    await expect(got).rejects.toMatchObject({ code: ErrorCodes.Cancelled });
    expect(items[1]).toEqual(['w', 1, 'the request it belongs to was cancelled']);
  });

  it('withdraws after its timeout with RequestTimeout', async () => {
    const { items, asks } = broker();
    const got = asks.ask('input', { id: 'x' }, { title: 'srv: x', timeoutMs: 20 });
    await expect(got).rejects.toMatchObject({ code: ErrorCodes.RequestTimeout, message: 'srv: x: no answer within 20 ms' });
    expect(items[1]).toEqual(['w', 1, 'no answer within 20 ms']);
  });

  it('at host exit fails every ask without sending anything (Lua withdraws them itself)', async () => {
    const { items, asks } = broker();
    const a = asks.ask('input', { id: 'a' }, { server: 'one', title: 'one: a' });
    const b = asks.ask('input', { id: 'b' }, { server: 'two', title: 'two: b' });
    asks.rejectAll('the host is exiting');
    await expect(a).rejects.toMatchObject({ code: ErrorCodes.Cancelled, message: 'one: a: the host is exiting' });
    await expect(b).rejects.toMatchObject({ code: ErrorCodes.Cancelled, message: 'two: b: the host is exiting' });
    expect(asks.size).toBe(0);
    expect(items.map((i) => i[0])).toEqual(['q', 'q']);
  });

  it('does not ask when already aborted', async () => {
    const { items, asks } = broker();
    const ac = new AbortController();
    ac.abort();
    await expect(asks.ask('input', { id: 'x' }, { title: 'srv: x', signal: ac.signal })).rejects.toMatchObject({ code: ErrorCodes.Cancelled });
    expect(items).toEqual([]);
  });
});
