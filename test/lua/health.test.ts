/**
 * `:checkhealth mcp`, read from the buffer it opens, as a user reads it: on a good setup (real
 * server-everything, a server whose command does not exist, a disabled one), with a config file that is not
 * JSON, with one that is JSON but not a valid config, without a config file, and without Node.js.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nvimBinaries, repoRoot, startNvim, type NvimInstance, type StartOptions } from '../helpers/nvim.js';
import { alive, everythingStdio, modernStdio } from '../helpers/mcp.js';

const MISSING = 'mcp-nvim-test-no-such-command';

/** Sections of the report: heading (without ` ~`) → its lines, with 0.11+'s status icons removed. */
type Report = Record<string, string[]>;

/**
 * Runs `:checkhealth mcp` and parses the buffer it opens. Errors reported while it runs (the host's config
 * error, pushed as a notification) would make `nvim_command` reject; a user just sees them, so pcall.
 */
async function checkhealth(nv: NvimInstance): Promise<Report> {
  await nv.lua('pcall(vim.cmd, "checkhealth mcp")');
  expect(await nv.lua('return vim.bo.filetype')).toBe('checkhealth');
  const lines = await nv.bufferLines();
  const report: Report = {};
  let section: string[] | undefined;
  for (const raw of lines) {
    const line = raw.replace(/^(\s*- )(?:✅|❌|⚠️|⚠) ?/u, '$1');
    const heading = /^(\S.*) ~$/.exec(line);
    if (heading) {
      section = report[heading[1]!] = [];
    } else if (section && line.trim() !== '') {
      section.push(line);
    }
  }
  expect(Object.keys(report).length, lines.join('\n')).toBeGreaterThan(0);
  return report;
}

const show = (r: Report) => JSON.stringify(r, null, 2);

describe.each(nvimBinaries())(':checkhealth mcp on Neovim $version', ({ bin, full }) => {
  let nv: NvimInstance | undefined;
  const start = async (opts: StartOptions) => {
    nv = await startNvim(bin, opts);
    return nv;
  };
  afterEach(async () => {
    await nv?.quit();
    nv = undefined;
  });

  it('reports Neovim, Node.js, the build, the config file, the host and each server', async () => {
    const nv = await start({
      config: {
        mcpServers: {
          everything: everythingStdio(),
          broken: { command: MISSING },
          off: { command: 'node', args: ['-e', '0'], disabled: true },
          modern: modernStdio(),
        },
      },
    });
    const r = await checkhealth(nv);
    const req = r['mcp.nvim: requirements']!;
    expect(req, show(r)).toContain(`- OK Neovim ${full}`);

    const nodeVersion = execFileSync('node', ['--version'], { encoding: 'utf8' }).trim();
    const nodeLine = req.find((l) => l.startsWith('- OK Node.js '));
    expect(nodeLine, show(r)).toBeDefined();
    expect(nodeLine).toContain(nodeVersion);
    expect(Number(/v(\d+)\./.exec(nodeLine!)![1])).toBeGreaterThanOrEqual(20);

    expect(req).toContain(`- OK host built: ${join(repoRoot, 'dist', 'host.js')}`);

    const configPath = join(nv.dirs.config, 'mcp.json');
    expect(r['mcp.nvim: configuration'], show(r)).toContain(`- OK config file: ${configPath}`);

    // The host answers: the pid it reports is the live host's.
    const info = await nv.lua<{ pid: number; log_path: string }>('return require("mcp.host").info()');
    const hostLine = r['mcp.nvim: host']!.find((l) => l.startsWith('- OK host '));
    expect(hostLine, show(r)).toMatch(/running/);
    expect(hostLine).toContain(`(pid ${info.pid})`);
    expect(alive(info.pid)).toBe(true);
    expect(hostLine).toContain(join(nv.dirs.log, 'mcp.log'));

    const servers = r['mcp.nvim: servers']!;
    const counts = await nv.lua<number[]>(
      'local m = require("mcp") return { #m.tools("everything"), #m.prompts("everything"), #m.resources("everything") }',
    );
    const info2 = await nv.lua<{ name: string; version: string }>('return require("mcp").server("everything").server_info');
    expect(servers, show(r)).toContain(
      `- OK everything: connected (${info2.name} ${info2.version}, stdio, MCP 2025-11-25, ${counts[0]} tools, ${counts[1]} prompts, ${counts[2]} resources)`,
    );
    // A server of the 2026-07-28 revision says so.
    expect(servers.find((l) => l.includes('modern:')), show(r)).toMatch(/^- OK modern: connected \(\S+ \S+, stdio, MCP 2026-07-28, \d+ tools, \d+ prompts, \d+ resources\)$/);
    const broken = servers.find((l) => l.includes('broken:'));
    expect(broken, show(r)).toMatch(new RegExp(`^- ERROR broken: failed .*not found.*${MISSING}`));
    const off = servers.find((l) => l.includes('off:'));
    expect(off, show(r)).toMatch(/^- (OK )?off: disabled/);
    expect(off).not.toMatch(/ERROR|WARNING/);

    // Nothing else is reported as an error.
    const errors = Object.values(r).flat().filter((l) => /^- ERROR/.test(l));
    expect(errors).toEqual([broken]);
  });

  it('reports a config file that is not JSON as an error, with its path and the parse error', async () => {
    const nv = await start({ config: '{ "mcpServers": { "everything": ' });
    const configPath = join(nv.dirs.config, 'mcp.json');
    const r = await checkhealth(nv);
    const cfg = r['mcp.nvim: configuration']!;
    const i = cfg.findIndex((l) => l.startsWith('- ERROR') && l.includes(configPath));
    expect(i, show(r)).toBeGreaterThanOrEqual(0);
    expect(cfg[i]).toMatch(/JSON/);
    // The parser's own words follow, as advice.
    expect(cfg.slice(i + 1).join('\n')).toMatch(/character \d+|position \d+|unexpected|expected/i);
    expect(cfg.some((l) => l.startsWith('- OK config file'))).toBe(false);
  });

  it('reports a JSON config that fails validation as an error naming the file and the key path', async () => {
    const nv = await start({ config: { mcpServers: { everything: { command: 'node', args: 'not-a-list' } } } });
    const configPath = join(nv.dirs.config, 'mcp.json');
    const r = await checkhealth(nv);
    const all = Object.values(r).flat();
    // The error reaches the user, with file and key path...
    expect(all.some((l) => /^- ERROR/.test(l) && l.includes(configPath) && l.includes('mcpServers.everything.args')), show(r)).toBe(true);
    // ...and the file is not called fine: "config file found and valid" is what the configuration section is for.
    expect(r['mcp.nvim: configuration']!.some((l) => l.startsWith('- OK config file')), show(r)).toBe(false);
    expect(r['mcp.nvim: configuration']!.some((l) => /^- ERROR/.test(l) && l.includes('mcpServers.everything.args')), show(r)).toBe(true);
  });

  it('says when there is no config file', async () => {
    const nv = await start({});
    const r = await checkhealth(nv);
    const cfg = r['mcp.nvim: configuration']!;
    expect(cfg.some((l) => /not found/.test(l) && l.includes(join(nv.dirs.config, 'mcp.json'))), show(r)).toBe(true);
    expect(cfg.some((l) => /^- ERROR/.test(l))).toBe(false);
  });

  it('reports a missing Node.js as an error that says what to do, and does not start the host', async () => {
    const nv = await start({ config: { mcpServers: { everything: everythingStdio() } } });
    await nv.lua('require("mcp").setup({ node = "/nonexistent/node" })');
    const r = await checkhealth(nv);
    const req = r['mcp.nvim: requirements']!;
    const i = req.findIndex((l) => /^- ERROR Node\.js not found/.test(l));
    expect(i, show(r)).toBeGreaterThanOrEqual(0);
    expect(req[i]).toContain('/nonexistent/node');
    expect(req.slice(i + 1).join('\n')).toMatch(/node/);
    expect(await nv.lua('return require("mcp.host").running()')).toBe(false);
  });
});
