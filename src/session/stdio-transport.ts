/**
 * An MCP stdio transport (spec: basic/transports#stdio) that owns its server's whole process group.
 *
 * The SDK's `StdioClientTransport` spawns the server in our own process group, so stopping a server
 * launched through `npx`, `uvx` or a shell script leaves its grandchildren running. This transport
 * spawns the server as the leader of a new process group (and session: `detached`) and signals the
 * group, so nothing the server started outlives it:
 * - the leader exits or crashes: the group gets SIGTERM, then SIGKILL after {@link GRACE_MS}, and only
 *   then does the transport report `onclose` (a child holding the pipes open can no longer hide a crash);
 * - `close()` (a stop, also of a start in progress): stdin is closed, then SIGTERM, then SIGKILL;
 * - the host exits: `killNow()` SIGKILLs the group synchronously;
 * - the host is killed: the orphan guard (orphan-guard.ts), which lists every live group, kills them.
 * Framing is the SDK's own (`deserializeMessage`, `serializeMessage`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { deserializeMessage, serializeMessage, type JSONRPCMessage, type Transport } from '@modelcontextprotocol/client';
import { MalformedMessageError } from './incoming.js';
import { orphanGuard } from './orphan-guard.js';

export interface StdioParams {
  command: string;
  args: string[];
  /** The whole environment of the process (env.ts computes it: the host's own is not passed on). */
  env: Record<string, string>;
  cwd?: string;
  /** Each line the server writes to stderr. */
  onStderr?: (line: string) => void;
}

/** How the process ended: exit code or signal name. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The server could not be spawned at all (no such command, no permission): nothing ran. */
export class SpawnError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SpawnError';
  }
}

/** ms to wait after closing stdin before SIGTERM, and after SIGTERM before SIGKILL. */
const GRACE_MS = 500;
/** How often a group is checked for members while it is given its grace, ms. */
const POLL_MS = 25;

export class ProcessGroupStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  /** Set once the process has exited. */
  exit?: ExitInfo;
  private child?: ChildProcess;
  private readonly lines = new LineReader(MAX_MESSAGE_BYTES);
  /** The group's id (the leader's pid) while anything of it may be running. */
  private pgid?: number;
  /** Settles once the group has been signalled to its end (see {@link reap}). */
  private reaping?: Promise<void>;
  /** Settles once the process and its pipes are closed and `onclose` was called. */
  private closed?: Promise<void>;

  constructor(private readonly params: StdioParams) {}

  /** The server's pid (also its process group id), once started. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * The server's stderr stream, once started. Besides being useful, its presence next to `pid` is how
   * the SDK recognises a stdio transport when it probes the era in place: on stdio, a server that does
   * not answer `server/discover` in time is a legacy server, not an outage.
   */
  get stderr(): NodeJS.ReadableStream | null {
    return this.child?.stderr ?? null;
  }

  /**
   * Spawns the server.
   *
   * @throws SpawnError `working directory not found: DIR` when `cwd` does not exist, `command not found:
   *   NAME` when the command does not exist (ENOENT), or the spawn error
   */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const { command, args, env, cwd } = this.params;
      const child = spawn(command, args, {
        env,
        cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
        windowsHide: true,
      });
      this.child = child;
      if (child.pid !== undefined) {
        this.pgid = child.pid;
        orphanGuard.guard(child.pid);
      }
      this.closed = new Promise((done) =>
        child.on('close', (code, signal) => {
          this.exit ??= { code, signal };
          this.child = undefined;
          this.onclose?.();
          done();
        }),
      );
      child.on('error', (err: NodeJS.ErrnoException) => {
        const error = new SpawnError(spawnFailure(err, command, cwd), { cause: err });
        reject(error);
        this.onerror?.(error);
      });
      child.on('spawn', () => resolve());
      // The leader is gone: so is the server, whatever it left running. End the rest of the group, and
      // close the pipes should something outside it (a process that left the group) still hold them.
      child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        void this.reap().then(() => {
          if (this.child !== child) return;
          setTimeout(() => {
            if (this.child === child) for (const stream of [child.stdin, child.stdout, child.stderr]) stream?.destroy();
          }, GRACE_MS).unref();
        });
      });
      child.stdin!.on('error', (err) => this.onerror?.(err));
      // Many concurrent requests may each wait for 'drain' at once: that is expected, not a leak.
      child.stdin!.setMaxListeners(0);
      child.stdout!.on('data', (chunk: Buffer) =>
        this.lines.push(chunk, (line, tooLong) => {
          if (tooLong) return this.onerror?.(new Error(`message from server longer than ${MAX_MESSAGE_BYTES} bytes: dropped`));
          let message: JSONRPCMessage;
          try {
            message = deserializeMessage(line);
          } catch (err) {
            // A malformed line: report it and go on with the next one.
            return this.onerror?.(new MalformedMessageError(`malformed message from server: ${(err as Error).message}`, line));
          }
          this.onmessage?.(message);
        }),
      );
      let partial = '';
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (text: string) => {
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) this.params.onStderr?.(line);
      });
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.child?.stdin;
      if (!stdin || stdin.destroyed) return reject(new Error('server process is not running'));
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', resolve);
    });
  }

  /**
   * Closes stdin and gives the server {@link GRACE_MS} to exit, then SIGTERMs and finally SIGKILLs the
   * process group; resolves once the process has exited and its group been ended (at most about
   * 3 × {@link GRACE_MS}). Never throws.
   */
  async close(): Promise<void> {
    const child = this.child;
    if (child && !this.exit) {
      child.stdin?.end();
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await Promise.race([exited, sleep(GRACE_MS)]);
    }
    // The leader exited (its `exit` handler started the reaping) or ignored its stdin: end the group.
    await this.reap();
    if (this.closed) await Promise.race([this.closed, sleep(2 * GRACE_MS)]);
  }

  /** Synchronous last resort when the host itself is exiting: SIGKILL the group now. */
  killNow(): void {
    if (this.pgid === undefined) return;
    signalGroup(this.pgid, 'SIGKILL');
    orphanGuard.release(this.pgid);
    this.pgid = undefined;
  }

  /**
   * Ends the process group: SIGTERM, up to {@link GRACE_MS} for it to empty, then SIGKILL; then the
   * orphan guard forgets it. Once per transport; later calls wait for the first.
   */
  private reap(): Promise<void> {
    this.reaping ??= (async () => {
      const pgid = this.pgid;
      if (pgid === undefined) return;
      if (signalGroup(pgid, 'SIGTERM')) {
        const until = Date.now() + GRACE_MS;
        while (groupExists(pgid) && Date.now() < until) await sleep(POLL_MS);
        // Members still listed may be zombies waiting for their parent: SIGKILL is harmless to them.
        if (groupExists(pgid)) signalGroup(pgid, 'SIGKILL');
      }
      orphanGuard.release(pgid);
      if (this.pgid === pgid) this.pgid = undefined;
    })();
    return this.reaping;
  }
}

/** Sends `signal` to process group `pgid`; false when the group is gone already (ESRCH). */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

function groupExists(pgid: number): boolean {
  return signalGroup(pgid, 0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** What a failed spawn says: a missing working directory is named as such, not as a missing command. */
function spawnFailure(err: NodeJS.ErrnoException, command: string, cwd: string | undefined): string {
  if (err.code !== 'ENOENT') return err.message;
  if (cwd !== undefined) {
    try {
      if (!statSync(cwd).isDirectory()) return `working directory is not a directory: ${cwd} (cwd of ${command})`;
    } catch {
      return `working directory not found: ${cwd} (cwd of ${command})`;
    }
  }
  return `command not found: ${command}`;
}

/** Longest message accepted from a server (the SDK's ReadBuffer stops at 10 MiB). */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

/**
 * Splits a byte stream into lines. Chunks of an unfinished line are kept in a list and joined once, when
 * its newline arrives: the SDK's ReadBuffer concatenates the whole buffer on every chunk, which is
 * quadratic (a 10 MB message in 64 KB reads: 100-400 ms of copying).
 */
class LineReader {
  private chunks: Buffer[] = [];
  private size = 0;
  private skipping = false;

  constructor(private readonly max: number) {}

  push(chunk: Buffer, onLine: (line: string, tooLong: boolean) => void): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) break;
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (this.skipping) {
        this.skipping = false;
        onLine('', true);
        continue;
      }
      const line = this.chunks.length ? Buffer.concat([...this.chunks, piece], this.size + piece.length) : piece;
      this.chunks = [];
      this.size = 0;
      const end = line.length > 0 && line[line.length - 1] === 13 ? line.length - 1 : line.length;
      if (end > 0) onLine(line.toString('utf8', 0, end), false);
    }
    if (start < chunk.length && !this.skipping) {
      const rest = chunk.subarray(start);
      this.size += rest.length;
      if (this.size > this.max) {
        // Drop the rest of this line (up to its newline) instead of growing without bound.
        this.chunks = [];
        this.size = 0;
        this.skipping = true;
      } else {
        // A copy: the stream may reuse its buffer.
        this.chunks.push(Buffer.from(rest));
      }
    }
  }
}
