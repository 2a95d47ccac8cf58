/**
 * Process groups, read from /proc: what a server left running. mcp.nvim spawns every stdio server as the
 * leader of its own process group, so "nothing left behind" means "no live process in that group".
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './nvim.js';

/** `sh wrapped.sh CMD ARGS...`: CMD behind a shell that leaves a `sleep` child running (see the file). */
export const WRAPPED = join(repoRoot, 'test', 'servers', 'wrapped.sh');
/** A server that ignores stdin EOF and has a child; `--ignore-term` also ignores SIGTERM. */
export const STUBBORN = join(repoRoot, 'test', 'servers', 'stubborn.mjs');
/** A server that crashes after connecting, or fails its start, on chosen spawns (see the file). */
export const FLAKY = join(repoRoot, 'test', 'servers', 'flaky.mjs');
/** An HTTP endpoint that accepts and never answers. */
export const SILENT_HTTP = join(repoRoot, 'test', 'servers', 'silent-http.mjs');

/** One process: pid, parent, process group, state (`Z` is a zombie) and command line. */
export interface Proc {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
  cmd: string;
}

/** Every process of the machine, from /proc. */
export function processes(): Proc[] {
  const out: Proc[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      out.push({ pid: Number(entry), state: f[0]!, ppid: Number(f[1]), pgid: Number(f[2]), cmd });
    } catch {
      // gone while reading
    }
  }
  return out;
}

/** The live (not zombie) processes of process groups `pgids`. */
export function groupMembers(...pgids: number[]): Proc[] {
  const wanted = new Set(pgids);
  return processes().filter((p) => wanted.has(p.pgid) && p.state !== 'Z');
}

/** The process group of `pid` (undefined when it is gone). */
export function pgidOf(pid: number): number | undefined {
  return processes().find((p) => p.pid === pid)?.pgid;
}

/** The process groups of the stdio servers a host runs: its children that lead a group of their own. */
export function serverGroups(hostPid: number): number[] {
  return processes()
    .filter((p) => p.ppid === hostPid && p.pgid === p.pid && p.state !== 'Z')
    .map((p) => p.pid);
}

/**
 * Waits until no live process is left in `pgids`, up to `ms` (a generous bound: the plugin's own limit
 * is 2 s); resolves with what is still running then (empty when all are gone).
 */
export async function leftBehind(pgids: number[], ms = 5000): Promise<Proc[]> {
  const until = Date.now() + ms;
  let left = groupMembers(...pgids);
  while (left.length && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    left = groupMembers(...pgids);
  }
  return left;
}
