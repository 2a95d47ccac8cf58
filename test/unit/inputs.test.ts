/** `${input:id}` placeholders (src/config/inputs.ts): found, asked once, substituted, forgotten on failure. */
import { describe, expect, it } from 'vitest';
import { inputIds, inputsOf, InputValues, substituteInputs } from '../../src/config/inputs.js';
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
});
