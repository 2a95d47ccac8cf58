/**
 * `${input:id}` placeholders (src/config/inputs.ts): found, asked once, substituted, forgotten on failure
 * or on request, and a shared ask kept up while any start still waits for it.
 */
import { describe, expect, it } from 'vitest';
import { inputIds, inputsOf, InputValues, substituteInputs, type AskInput } from '../../src/config/inputs.js';
import { ErrorCodes } from '../../src/contract/errors.js';
import type { ServerConfig } from '../../src/config/types.js';

const stdio = (over: Partial<ServerConfig> = {}): ServerConfig =>
  ({ name: 's', transport: 'stdio', command: 'x', args: ['--token', '${input:tok}'], env: { K: 'a${input:k}b' }, disabled: false, roots: true, source: 'f', inputs: [], ...over }) as ServerConfig;

describe('inputs', () => {
  it('finds ids in order and takes definitions from the file, else a plain prompt', () => {
    expect(inputIds('${input:a}-${input:b}')).toEqual(['a', 'b']);
    const defs = inputsOf(stdio(), [{ type: 'promptString', id: 'k', description: 'Key', password: true }]);
    expect(defs).toEqual([
      { type: 'promptString', id: 'tok', description: 'tok' },
      { type: 'promptString', id: 'k', description: 'Key', password: true },
    ]);
  });

  it('substitutes in args, env, url and headers', () => {
    const values = new Map([['tok', 'T'], ['k', 'K']]);
    expect(substituteInputs(stdio(), values)).toMatchObject({ args: ['--token', 'T'], env: { K: 'aKb' } });
    const http = { name: 'h', transport: 'http', url: 'http://h/${input:k}', headers: { A: 'Bearer ${input:tok}' }, disabled: false, roots: true, source: 'f', inputs: [] } as ServerConfig;
    expect(substituteInputs(http, values)).toMatchObject({ url: 'http://h/K', headers: { A: 'Bearer T' } });
  });

  it('asks once for an input two servers share, and again after a failed ask', async () => {
    const values = new InputValues();
    const cfg = stdio({ inputs: [{ type: 'promptString', id: 'tok' }], env: {} });
    let asked = 0;
    let fail = true;
    const ask = async () => {
      asked++;
      if (fail) throw new Error('declined');
      return 'T';
    };
    await expect(values.resolve(cfg, ask)).rejects.toThrow('declined');
    fail = false;
    const [a, b] = await Promise.all([values.resolve(cfg, ask), values.resolve({ ...cfg, name: 't' }, ask)]);
    expect((a as { args: string[] }).args).toEqual(['--token', 'T']);
    expect((b as { args: string[] }).args).toEqual(['--token', 'T']);
    expect(asked).toBe(2);
  });

  /** An ask the test answers by hand, recording each ask and whether it was withdrawn (and why). */
  function manualAsks() {
    const asks: { id: string; withdrawn?: string; answer: (v: string) => void }[] = [];
    const ask: AskInput = (def, signal) =>
      new Promise<string>((resolve, reject) => {
        const entry: (typeof asks)[number] = { id: def.id, answer: resolve };
        asks.push(entry);
        signal.addEventListener('abort', () => {
          entry.withdrawn = String(signal.reason);
          reject(new Error(`withdrawn: ${String(signal.reason)}`));
        });
      });
    return { asks, ask };
  }
  const tokenCfg = (name: string) => stdio({ name, inputs: [{ type: 'promptString', id: 'tok' }], env: {} });

  it('a shared ask stays up when one of the servers waiting for it stops, and serves the other', async () => {
    const values = new InputValues();
    const { asks, ask } = manualAsks();
    const stopA = new AbortController();
    const a = values.resolve(tokenCfg('A'), ask, { signal: stopA.signal });
    const b = values.resolve(tokenCfg('B'), ask, { signal: new AbortController().signal });
    expect(asks).toHaveLength(1);
    stopA.abort('the server was stopped');
    await expect(a).rejects.toMatchObject({ code: ErrorCodes.Cancelled, message: 'A: tok: the server was stopped' });
    expect(asks[0]!.withdrawn).toBeUndefined();
    asks[0]!.answer('T');
    expect(((await b) as { args: string[] }).args).toEqual(['--token', 'T']);
  });

  it('withdraws the shared ask with the reason of the last server to give up', async () => {
    const values = new InputValues();
    const { asks, ask } = manualAsks();
    const [stopA, stopB] = [new AbortController(), new AbortController()];
    const a = values.resolve(tokenCfg('A'), ask, { signal: stopA.signal });
    const b = values.resolve(tokenCfg('B'), ask, { signal: stopB.signal });
    stopA.abort('the server was stopped');
    stopB.abort('the server left the configuration');
    await expect(a).rejects.toThrow('A: tok: the server was stopped');
    await expect(b).rejects.toThrow('B: tok: the server left the configuration');
    expect(asks.map((x) => x.withdrawn)).toEqual(['the server left the configuration']);
    // Nothing is remembered: the next start asks again.
    const c = values.resolve(tokenCfg('C'), ask);
    expect(asks).toHaveLength(2);
    asks[1]!.answer('U');
    await expect(c).resolves.toMatchObject({ args: ['--token', 'U'] });
  });

  it('each start waits until its own deadline; the ask is withdrawn at the last one', async () => {
    const values = new InputValues();
    const { asks, ask } = manualAsks();
    const soon = { ms: 1500, remaining: () => 0 };
    const a = values.resolve(tokenCfg('A'), ask, { deadline: soon });
    const b = values.resolve(tokenCfg('B'), ask, { deadline: { ms: 60_000, remaining: () => 60_000 } });
    await expect(a).rejects.toMatchObject({ code: ErrorCodes.RequestTimeout, message: 'A: tok: no answer within 1500 ms' });
    expect(asks[0]!.withdrawn).toBeUndefined();
    asks[0]!.answer('T');
    await expect(b).resolves.toMatchObject({ args: ['--token', 'T'] });
  });

  it('a start joining an ask withdrawn a moment ago asks again instead of failing', async () => {
    const values = new InputValues();
    const { asks, ask } = manualAsks();
    const stopA = new AbortController();
    const a = values.resolve(tokenCfg('A'), ask, { signal: stopA.signal });
    stopA.abort('the server was stopped');
    // B comes before the withdrawn ask has settled.
    const b = values.resolve(tokenCfg('B'), ask);
    await expect(a).rejects.toThrow('the server was stopped');
    expect(asks).toHaveLength(2);
    asks[1]!.answer('T');
    await expect(b).resolves.toMatchObject({ args: ['--token', 'T'] });
  });

  it('forgets a server\'s values on request (restart), so that a wrong token can be retyped', async () => {
    const values = new InputValues();
    const { asks, ask } = manualAsks();
    const first = values.resolve(tokenCfg('A'), ask);
    asks[0]!.answer('wrong');
    await first;
    await expect(values.resolve(tokenCfg('A'), ask)).resolves.toMatchObject({ args: ['--token', 'wrong'] });
    expect(asks).toHaveLength(1);
    values.forget(tokenCfg('A'));
    const again = values.resolve(tokenCfg('A'), ask);
    expect(asks).toHaveLength(2);
    asks[1]!.answer('right');
    await expect(again).resolves.toMatchObject({ args: ['--token', 'right'] });
  });
});
