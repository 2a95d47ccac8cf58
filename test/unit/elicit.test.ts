/**
 * The host side of elicitation (src/bridge/elicit.ts) on its own: the ask it sends, the ElicitResult it
 * makes of the editor's answer, and why it says an ask was withdrawn for each way the SDK aborts a
 * handler. The editor end is a recorder of `_batch` items; test/lua/elicitation.test.ts drives the same
 * path with real servers and a real Neovim.
 */
import { describe, expect, it } from 'vitest';
import { SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import { AskBroker } from '../../src/bridge/asks.js';
import { elicitVia } from '../../src/bridge/elicit.js';
import { ErrorCodes } from '../../src/contract/errors.js';
import { silentLogger } from '../../src/log.js';
import { heldSession } from '../helpers/held-session.js';

/** The calls held while an ask is open: the stub counts holds and releases. */
const { session, held } = heldSession();
const params = {
  message: 'Which colour?\nPick one.',
  requestedSchema: { type: 'object' as const, properties: { colour: { type: 'string' as const } }, required: ['colour'] },
};

function setup() {
  const items: unknown[][] = [];
  const asks = new AskBroker((item) => items.push(item), () => silentLogger);
  return { items, asks, elicit: elicitVia(asks) };
}

describe('elicitVia', () => {
  it("asks the editor with the server's message and schema, titled by the server and the message's first line", async () => {
    const { items, asks, elicit } = setup();
    const got = elicit(session, params, new AbortController().signal);
    expect(items).toEqual([['q', 1, 'elicitation', params, { title: 'srv: Which colour?', server: 'srv', holds: [7] }]]);
    asks.answer(1, null, { action: 'accept', content: { colour: 'red' } });
    await expect(got).resolves.toEqual({ action: 'accept', content: { colour: 'red' } });
  });

  it("makes the spec's result of the answer: an empty Lua table is no content, decline and cancel carry none", async () => {
    const { asks, elicit } = setup();
    const a = elicit(session, params, new AbortController().signal);
    asks.answer(1, null, { action: 'accept', content: [] });
    await expect(a).resolves.toEqual({ action: 'accept', content: {} });
    const d = elicit(session, params, new AbortController().signal);
    asks.answer(2, null, { action: 'decline', content: { colour: 'x' } });
    await expect(d).resolves.toEqual({ action: 'decline' });
    const bad = elicit(session, params, new AbortController().signal);
    asks.answer(3, null, { action: 'maybe' });
    await expect(bad).rejects.toMatchObject({ code: ErrorCodes.InvalidParams, message: expect.stringContaining('no action accept, decline or cancel') });
  });

  it("is withdrawn when the server cancels its request, with the server's reason, and answers nothing", async () => {
    const { items, elicit } = setup();
    const ac = new AbortController();
    const got = elicit(session, params, ac.signal);
    ac.abort('superseded'); // what the SDK does on notifications/cancelled { reason: "superseded" }
    await expect(got).rejects.toMatchObject({ code: ErrorCodes.Cancelled });
    expect(items[1]).toEqual(['w', 1, 'the request it belongs to was cancelled: superseded']);
  });

  it('says the request was cancelled when the server gave no reason, and that the connection closed when it did', async () => {
    const { items, elicit } = setup();
    const plain = new AbortController();
    const a = elicit(session, params, plain.signal);
    plain.abort();
    await expect(a).rejects.toMatchObject({ code: ErrorCodes.Cancelled });
    expect(items[1]).toEqual(['w', 1, 'the request it belongs to was cancelled']);
    const closed = new AbortController();
    const b = elicit(session, params, closed.signal);
    closed.abort(new SdkError(SdkErrorCode.ConnectionClosed, 'Connection closed'));
    await expect(b).rejects.toMatchObject({ code: ErrorCodes.Cancelled });
    expect(items[3]).toEqual(['w', 2, 'the connection to the server closed']);
  });

  it('answers cancel when the ask is withdrawn for another cause (the host exits)', async () => {
    const { asks, elicit } = setup();
    const got = elicit(session, params, new AbortController().signal);
    asks.rejectAll('the host is exiting');
    await expect(got).resolves.toEqual({ action: 'cancel' });
  });

  it('asks URL mode with what to know about the URL, holding the calls until the answer', async () => {
    const { items, asks, elicit } = setup();
    const before = { ...held };
    const url = { mode: 'url' as const, message: 'Sign in', url: 'http://xn--bcher-kva.example/a', elicitationId: 'e1' };
    const got = elicit(session, url, new AbortController().signal);
    expect(items).toEqual([
      [
        'q',
        1,
        'elicitation_url',
        {
          message: 'Sign in',
          url: 'http://xn--bcher-kva.example/a',
          domain: 'bücher.example',
          ascii: 'xn--bcher-kva.example',
          scheme: 'http',
          warnings: [
            'not HTTPS (http): what you send there can be read or changed on the way',
            'internationalised domain: bücher.example is xn--bcher-kva.example (punycode); letters from other scripts can imitate a familiar name',
          ],
          elicitation_id: 'e1',
        },
        { title: 'srv: Sign in', server: 'srv', holds: [7] },
      ],
    ]);
    expect(held.holds - before.holds).toBe(1);
    expect(held.releases - before.releases).toBe(0);
    asks.answer(1, null, { action: 'accept' });
    await expect(got).resolves.toEqual({ action: 'accept' });
    expect(held.releases - before.releases).toBe(1);
  });

  it('refuses a URL that does not parse or holds spaces, showing nothing', async () => {
    const { items, elicit } = setup();
    for (const bad of ['not a url', 'https://example.com/a b', 'https://example.com/\u202etxt.exe']) {
      const url = { mode: 'url' as const, message: 'Sign in', url: bad, elicitationId: 'e1' };
      await expect(elicit(session, url, new AbortController().signal)).rejects.toMatchObject({ code: ErrorCodes.InvalidParams });
    }
    expect(items).toEqual([]);
  });
});
