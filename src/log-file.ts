/**
 * The log file under a size cap: when a write takes it past the cap, it is renamed to `<path>.1`
 * (replacing the previous one) and a fresh file is opened, so the log and its one predecessor never
 * hold more than twice the cap however much a server sends. Written through sonic-boom (pino's own
 * destination), whose `reopen` is made for rotation.
 */
import { chmodSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import pino from 'pino';

/** The log holds what only its user may read: server stderr, paths, tool names. */
const FILE_MODE = 0o600;
/** Mode of a log directory we create (an existing one is left as it is: it is Neovim's). */
const DIR_MODE = 0o700;

/**
 * A pino destination writing to `path`, rotated at `maxBytes`.
 *
 * @param path absolute path of the log file; its directory is created (mode 0700) when missing
 * @param maxBytes size at which the file is rotated, bytes; the rotated file is `<path>.1`
 * @throws Error when the directory cannot be created
 */
export class RotatingFile {
  private readonly boom: ReturnType<typeof pino.destination>;
  private size: number;

  constructor(
    private readonly path: string,
    private readonly maxBytes: number,
  ) {
    mkdirSync(dirname(path), { recursive: true, mode: DIR_MODE });
    this.size = sizeOf(path);
    // An existing file keeps the mode it was created with: tighten it (a log of an older version).
    if (this.size >= 0) tighten(path);
    this.size = Math.max(this.size, 0);
    // Synchronous: each line is on disk when `write` returns, so the rotation cuts exactly at the cap (an
    // asynchronous buffer written after the rename would land in either file). The rate limit keeps the
    // lines few; one small write costs microseconds.
    this.boom = pino.destination({ dest: path, sync: true, minLength: 0, mode: FILE_MODE });
  }

  /** Writes one log line (pino calls this); rotates first when the line would pass the cap. */
  write(chunk: string): boolean {
    const bytes = Buffer.byteLength(chunk);
    if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
    this.size += bytes;
    return this.boom.write(chunk);
  }

  /** Writes what is buffered before the process exits (pino's final flush). */
  flushSync(): void {
    try {
      this.boom.flushSync();
    } catch {
      // Not open yet or already closed: nothing buffered that could still be written.
    }
  }

  /** Closes the file. */
  end(): void {
    this.boom.end();
  }

  private rotate(): void {
    try {
      renameSync(this.path, `${this.path}.1`);
    } catch {
      // Someone removed the file under us: the reopen below starts a new one all the same.
    }
    this.size = 0;
    this.boom.reopen();
  }
}

/** Size of `path` in bytes, -1 when it does not exist. */
function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return -1;
  }
}

function tighten(path: string): void {
  try {
    chmodSync(path, FILE_MODE);
  } catch {
    // Not ours to change (another user's file): writing will tell.
  }
}
