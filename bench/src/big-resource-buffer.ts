/**
 * The "big resource buffer" case (issue 13, defects 7 and 10, for live `mcp://` buffers): how long the
 * editor stalls while a live resource buffer fills with a 50 MB text, on `:edit mcp://odd/odd://big/N`
 * and on a reload (`:edit` again). The server is the tests' own `test/servers/oddnames.mjs`, whose
 * template `odd://big/{lines}` reads as `lines` numbered lines of 80 characters. Measured in Neovim by
 * bench/lua/big-resource-buffer.lua (a 1 ms vim.uv timer; its longest gap is the stall). The same buffer
 * filled in one go (every line set at once, as before the fill was sliced) is measured too, for
 * comparison (`at_once_*` in the details). No floor: the SDK has no buffer to fill.
 *
 * The target is the result window's: the buffer's own work stalls the editor at most 50 ms.
 */
import { join } from 'node:path';
import { repoRoot, startBench, type ServerDef } from './env.js';
import type { Reps, Row } from './cases.js';
import { sleep, summarize } from './stats.js';

const ODDNAMES = join(repoRoot, 'test', 'servers', 'oddnames.mjs');
const LUA = join(repoRoot, 'bench', 'lua', 'big-resource-buffer.lua');

interface Outcome {
  gap_ms: number;
  fill_gap_ms: number;
  sync_ms: number;
  filled_ms: number;
  lines: number;
}

export async function bigResourceBuffer(r: Reps): Promise<Row[]> {
  const n = r.quick ? 1 : 3;
  const lines = 625_000; // 625,000 lines of 80 characters and a newline: 50.6 MB
  const uri = `odd://big/${lines}`;
  const def: ServerDef = { command: 'node', args: [ODDNAMES] };
  const b = await startBench({ odd: def });
  const runs: Record<'load' | 'reload' | 'load_at_once' | 'reload_at_once', Outcome[]> = { load: [], reload: [], load_at_once: [], reload_at_once: [] };
  try {
    await b.nv.lua('dofile(select(1, ...))(B)', LUA);
    await b.run('first_call', ['odd', 'with space', {}], 30_000);
    for (let i = 0; i < n + 1; i++) {
      for (const atOnce of [false, true]) {
        const load = await b.run<Outcome>('resource_buffer', ['odd', uri, false, atOnce], 120_000);
        const reload = await b.run<Outcome>('resource_buffer', ['odd', uri, true, atOnce], 120_000);
        if (i > 0) {
          runs[atOnce ? 'load_at_once' : 'load'].push(load);
          runs[atOnce ? 'reload_at_once' : 'reload'].push(reload);
        }
        await b.nv.lua('vim.cmd("silent! %bwipeout!")');
        await sleep(300);
      }
    }
  } finally {
    await b.quit();
  }
  const pick = (list: Outcome[], k: keyof Outcome) => summarize(list.map((x) => Number(x[k])).filter((v) => Number.isFinite(v)));
  const bytes = lines * 81;
  const row = (id: string, what: string, ours: Outcome[], atOnce: Outcome[]): Row => {
    const o = pick(ours, 'fill_gap_ms');
    const f = pick(atOnce, 'fill_gap_ms');
    return {
      id,
      case: `big resource buffer: ${what}`,
      measure: `longest editor stall (1 ms vim.uv timer) from the read's callback until a ${(bytes / 1e6).toFixed(1)} MB text resource (${lines} lines) fills its live mcp:// buffer (${what})`,
      unit: 'ms',
      ours: o,
      target: '<= 50 ms',
      pass: o.p99 <= 50,
      details: {
        at_once_fill_gap_ms: f,
        filled_ms: pick(ours, 'filled_ms'),
        sync_ms: pick(ours, 'sync_ms'),
        gap_from_edit_ms: pick(ours, 'gap_ms'),
        at_once_filled_ms: pick(atOnce, 'filled_ms'),
        at_once_gap_from_edit_ms: pick(atOnce, 'gap_ms'),
        lines: ours[0]?.lines,
        bytes,
      },
    };
  };
  return [row('big-resource-buffer', ':edit', runs.load, runs.load_at_once), row('big-resource-buffer-reload', 'reload (:edit again)', runs.reload, runs.reload_at_once)];
}
