/**
 * The orphan guard: kills the process groups of stdio servers when the host dies without stopping them.
 *
 * The host stops its servers itself (stdio-transport.ts) whenever it can: on `stop`, on a crash of the
 * server, on `:qa!`, and synchronously from its `exit` handler. None of that runs when the host is
 * killed (SIGKILL, the OOM killer, Neovim's own SIGKILL two seconds after `:qa!` when the host is slow
 * to exit); a server that ignores the end of its stdin, or children of a `sh -c` wrapper that never
 * read it, then run on forever.
 *
 * Why a watchdog process and not the Lua side: Lua could learn each group from the host and kill it
 * from the host job's `on_exit`, but only while Neovim itself runs; when Neovim and the host die
 * together (a killed terminal, `kill -9` of both, a crash during `:qa!`) nothing would be left to clean
 * up. The guard is one small POSIX `sh` per host (no second Node), in a session of its own so that
 * Neovim's signals to the host's process group never reach it, and outside the host's children
 * (double fork) so that it never counts as one of the host's servers. It holds one end of a socket pair
 * whose only writer is the host. The host writes `+PGID` when it spawns a server and `-PGID` once that
 * group is gone. End of input means the host is gone, however it ended: the kernel closes the pipe even
 * after SIGKILL. The guard then SIGTERMs every group still listed, waits one second, SIGKILLs them and
 * exits. A host that exits cleanly has released every group, so the guard just exits.
 *
 * Not on Windows (no process groups; the stdio transport's own kill is what there is).
 */
import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';

/**
 * The guard's script. Runs as `sh -c SCRIPT mcp.nvim-orphan-guard` with the host's end of the pipe on
 * fd 3 (not stdin: Node closes a child's stdin when the child exits, and this one exits at once). It
 * starts the loop in the background, reading fd 3 (an asynchronous list's stdin is /dev/null unless
 * redirected explicitly), and exits, so that the loop is reparented away from the host.
 */
const SCRIPT = `{
  g=' '
  while read -r l; do
    case $l in
      +[0-9]*) g="$g\${l#+} " ;;
      -[0-9]*) n=' '; for p in $g; do [ "$p" = "\${l#-}" ] || n="$n$p "; done; g=$n ;;
    esac
  done
  set -- $g
  [ $# -eq 0 ] && exit 0
  for p; do kill -TERM -$p 2>/dev/null; done
  sleep 1
  for p; do kill -KILL -$p 2>/dev/null; done
} <&3 3<&- >/dev/null 2>&1 &
exit 0`;

/** The name the guard shows in `ps` (its `$0`). */
export const GUARD_NAME = 'mcp.nvim-orphan-guard';

class OrphanGuard {
  private readonly groups = new Set<number>();
  private pipe?: Socket;

  /**
   * Lists process group `pgid` with the guard (spawning the guard on first use, or again if it died).
   * Never throws: without a guard the host's own cleanup is still there.
   */
  guard(pgid: number): void {
    if (process.platform === 'win32') return;
    this.groups.add(pgid);
    if (!this.alive()) this.spawn();
    else this.write(`+${pgid}\n`);
  }

  /** `pgid` is gone (killed and reaped by the host): the guard forgets it. */
  release(pgid: number): void {
    if (!this.groups.delete(pgid)) return;
    if (this.alive()) this.write(`-${pgid}\n`);
  }

  /** Process groups listed now (for tests and the log). */
  listed(): number[] {
    return [...this.groups];
  }

  private alive(): boolean {
    return this.pipe !== undefined && !this.pipe.destroyed && this.pipe.writable;
  }

  private spawn(): void {
    try {
      const proc = spawn('/bin/sh', ['-c', SCRIPT, GUARD_NAME], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'], detached: true });
      proc.on('error', () => (this.pipe = undefined));
      // The guard must never keep the host alive, nor its exit code matter.
      proc.unref();
      const pipe = proc.stdio[3] as Socket;
      pipe.on('error', () => (this.pipe = undefined));
      pipe.unref();
      this.pipe = pipe;
      // Everything listed so far: a guard that died and is spawned again learns the groups anew.
      this.write([...this.groups].map((g) => `+${g}\n`).join(''));
    } catch {
      this.pipe = undefined;
    }
  }

  private write(text: string): void {
    if (!text) return;
    try {
      this.pipe?.write(text);
    } catch {
      this.pipe = undefined;
    }
  }
}

/** The host's one guard. */
export const orphanGuard = new OrphanGuard();
