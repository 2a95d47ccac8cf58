/**
 * No edit of the config file may be lost: not one written the moment watching has started, not one
 * written by rename (as editors save), not one made while a reload is already reading the file.
 * These start no Neovim: the watcher and the reload serializer are plain Node.
 */
import { mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serialized } from '../../src/config/serial.js';
import { watchConfig } from '../../src/config/watch.js';

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

/** A config file in a fresh directory, and a queue of change callbacks to wait on. */
async function watched(initial?: string, create?: (path: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-watch-'));
  const path = join(dir, 'mcp.json');
  if (initial !== undefined) writeFileSync(path, initial);
  create?.(path);
  let wake: (() => void) | undefined;
  let changes = 0;
  stop = await watchConfig(path, () => {
    changes++;
    wake?.();
  });
  /** Resolves once the callback has run `n` times in all. */
  const changed = (n: number) =>
    new Promise<void>((resolve) => {
      wake = () => changes >= n && resolve();
      wake();
    });
  return { dir, path, changed };
}

describe('config watcher', () => {
  it('sees an edit written the moment watching has started', async () => {
    const { path, changed } = await watched('{}');
    writeFileSync(path, '{ "mcpServers": {} }');
    await changed(1);
  });

  it('sees edits saved by rename, one after another', async () => {
    const { dir, path, changed } = await watched('{}');
    for (const [n, text] of ['{ "a": 1 }', '{ "b": 2 }'].entries()) {
      writeFileSync(join(dir, 'mcp.json.tmp'), text);
      renameSync(join(dir, 'mcp.json.tmp'), path);
      await changed(n + 1);
    }
  });

  it('sees edits of the file a symlinked config points to (a dotfiles checkout)', async () => {
    const dots = mkdtempSync(join(tmpdir(), 'mcp-dots-'));
    const target = join(dots, 'mcp.json');
    writeFileSync(target, '{}');
    const { path, changed } = await watched(undefined, (p) => symlinkSync(target, p));
    expect(path).not.toBe(target);
    writeFileSync(target, '{ "a": 1 }');
    await changed(1);
  });

  it('sees a file created after watching started, and its removal', async () => {
    const { path, changed } = await watched();
    writeFileSync(path, '{}');
    await changed(1);
    rmSync(path);
    await changed(2);
  });
});

describe('serialized reloads', () => {
  /** A job whose runs finish when the test says so, recording what each run read. */
  function job() {
    let content = 'old';
    const finish: (() => void)[] = [];
    const reads: string[] = [];
    const run = serialized(async () => {
      const read = content;
      reads.push(read);
      await new Promise<void>((r) => finish.push(r));
      return read;
    });
    return { run, reads, finish, edit: (c: string) => (content = c) };
  }

  it('reads again after a reload in progress when asked during it, and never applies an older read last', async () => {
    const j = job();
    const first = j.run();
    j.edit('new'); // the edit lands while the first reload is reading
    const second = j.run();
    const third = j.run(); // joins the follow-up run instead of starting another
    expect(j.reads).toEqual(['old']); // no overlap: the second run waits for the first
    j.finish.shift()!();
    expect(await first).toBe('old');
    await new Promise((r) => setImmediate(r));
    expect(j.reads).toEqual(['old', 'new']);
    j.finish.shift()!();
    expect(await second).toBe('new');
    expect(await third).toBe('new');
  });

  it('passes a failed run on to its callers and runs again afterwards', async () => {
    let fail = true;
    const run = serialized(async () => {
      if (fail) throw new Error('broken config');
      return 'ok';
    });
    await expect(run()).rejects.toThrow('broken config');
    fail = false;
    expect(await run()).toBe('ok');
  });
});
