/**
 * An MCP stdio transport (spec: basic/transports#stdio) that owns its server's whole process group.
 *
 * The SDK's `StdioClientTransport` spawns the server in our own process group, so stopping a server
 * launched through `npx`, `uvx` or a shell script leaves its grandchildren running. This transport
 * spawns the server as the leader of a new process group and signals the group: a stopped server leaves
 * nothing behind. Framing is the SDK's own (`ReadBuffer`, `serializeMessage`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { deserializeMessage, serializeMessage, type JSONRPCMessage, type Transport } from '@modelcontextprotocol/client';
import { MalformedMessageError } from './incoming.js';

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

export class ProcessGroupStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  /** Set once the process has exited. */
  exit?: ExitInfo;
  private child?: ChildProcess;
  private readonly lines = new LineReader(MAX_MESSAGE_BYTES);
  private closing = false;

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
   * @throws SpawnError `command not found: NAME` when the command does not exist (ENOENT), or the spawn error
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
      child.on('error', (err: NodeJS.ErrnoException) => {
        const error = new SpawnError(err.code === 'ENOENT' ? `command not found: ${command}${cwd ? ` (cwd ${cwd})` : ''}` : err.message, { cause: err });
        reject(error);
        this.onerror?.(error);
      });
      child.on('spawn', () => resolve());
      child.on('close', (code, signal) => {
        this.exit = { code, signal };
        this.child = undefined;
        this.onclose?.();
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

  /** Closes stdin, then SIGTERMs and finally SIGKILLs the process group; resolves when it has exited. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child || this.closing) return;
    this.closing = true;
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const wait = (ms: number) => Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
    child.stdin?.end();
    if (!(await wait(GRACE_MS))) {
      killGroup(child, 'SIGTERM');
      if (!(await wait(GRACE_MS))) {
        killGroup(child, 'SIGKILL');
        await wait(GRACE_MS);
      }
    } else {
      // The leader exited; make sure nothing it started outlives it.
      killGroup(child, 'SIGKILL');
    }
  }

  /** Synchronous last resort when the host itself is exiting: SIGKILL the group now. */
  killNow(): void {
    if (this.child) killGroup(this.child, 'SIGKILL');
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
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
