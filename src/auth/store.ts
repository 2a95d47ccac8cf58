/**
 * The editor's {@link AuthStore}: one JSON file per server under `stdpath("data")/mcp/auth/` (the
 * directory Lua names in `init`'s `auth_dir`), so that tokens outlive the host and are shared by every
 * Neovim of the user (spec: basic/authorization, "Token Handling"; issue 12: "tokens under
 * `stdpath("data")`, one file per server, created with mode 0600").
 *
 * - The directory is made with mode 0700 and each file is created with mode 0600: other users of the
 *   machine can read neither the tokens nor which servers have them.
 * - A write never leaves a half-written file: the record goes to a temporary file in the same
 *   directory (mode 0600 from its creation, never widened), which is then renamed over the old one.
 * - `update` and `remove` read, modify and write under a lock file (`<file>.lock`, created with
 *   O_CREAT|O_EXCL): two Neovims authorizing the same server at once each merge into what the other
 *   wrote, and the file is always one whole record. A lock left by a process that died (its pid is gone)
 *   or older than {@link STALE_LOCK_MS} is taken over.
 * - Nothing of a record reaches the log: only server names, file paths and error codes (a JSON parse
 *   error quotes the text it failed on, so not even its message is logged).
 */
import { randomBytes, createHash } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import type { AuthRecord, AuthStore } from './types.js';

/** A lock this old, ms, is taken to be left over (its holder writes one small file, in milliseconds). */
export const STALE_LOCK_MS = 10_000;
/** How long `update`/`remove` wait for another process's lock before giving up, ms. */
export const LOCK_WAIT_MS = 15_000;
/** The first and the longest pause between two tries of a held lock, ms. */
const RETRY_MIN_MS = 5;
const RETRY_MAX_MS = 100;
/** Longest file name (bytes) made from a server name before it is shortened with a hash. */
const MAX_NAME_BYTES = 150;

/** What a lock file holds: who holds it (a stale-lock takeover checks `pid`) and a nonce of its own. */
interface LockInfo {
  pid: number;
  nonce: string;
}

/**
 * Token records in files of mode 0600, one per server, under `dir`.
 *
 * @example new FileAuthStore('/home/me/.local/share/nvim/mcp/auth', log)
 */
export class FileAuthStore implements AuthStore {
  /** Per file: the tail of the in-process queue of locked operations (one at a time per process). */
  private readonly queues = new Map<string, Promise<unknown>>();

  /**
   * @param dir absolute path of the directory (created with mode 0700 on the first write)
   * @param log the host's logger (record contents are never passed to it)
   */
  constructor(
    readonly dir: string,
    private readonly log: () => Logger,
  ) {}

  /**
   * The file of `server`'s record: the name percent-encoded (a server name may hold `/`, spaces or
   * quotes), a long one cut and made unique with a hash of the whole name.
   */
  fileOf(server: string): string {
    let base = encodeURIComponent(server).replace(/^\./, '%2E');
    if (Buffer.byteLength(base) > MAX_NAME_BYTES) {
      base = `${base.slice(0, 100)}-${createHash('sha256').update(server).digest('hex').slice(0, 16)}`;
    }
    return join(this.dir, `${base}.json`);
  }

  /**
   * `server`'s record, or undefined when there is none. A file that cannot be read or is not a record
   * is logged (path and error code only) and treated as none: the next flow writes a good one.
   */
  async read(server: string): Promise<AuthRecord | undefined> {
    const file = this.fileOf(server);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if (errCode(err) !== 'ENOENT') this.log().warn({ server, file, errno: errCode(err) }, 'auth record not readable; treated as none');
      return undefined;
    }
    const record = parseRecord(text);
    if (!record) this.log().warn({ server, file }, 'auth record is not a JSON object with a string serverUrl; treated as none');
    return record;
  }

  /**
   * Merges `patch` into `server`'s record and writes it atomically, under the lock. A key of `patch`
   * whose value is `undefined` is removed from the record (e.g. `{ tokens: undefined }` after a refresh
   * token was refused).
   *
   * @throws Error naming the file when the directory or the file cannot be written, or the lock is held
   *   by a live process for longer than {@link LOCK_WAIT_MS}
   */
  async update(server: string, patch: Partial<AuthRecord>): Promise<void> {
    const file = this.fileOf(server);
    await this.locked(file, async () => {
      const current = (await this.read(server)) ?? ({} as Partial<AuthRecord>);
      const next: Record<string, unknown> = { ...current, ...patch };
      for (const k of Object.keys(next)) if (next[k] === undefined) delete next[k];
      await writeAtomic(file, `${JSON.stringify(next, null, 2)}\n`);
      this.log().info({ server, file, keys: Object.keys(patch) }, 'auth record written');
    });
  }

  /**
   * Deletes `server`'s record (`:Mcp logout`); nothing happens when there is none.
   *
   * @throws Error naming the file when it cannot be deleted or the lock cannot be had
   */
  async remove(server: string): Promise<void> {
    await this.forget(server);
  }

  /**
   * {@link remove}, saying whether there was a record (under the lock, so the answer is not stale).
   *
   * @returns whether there was a file to delete
   * @throws as {@link remove}
   */
  async forget(server: string): Promise<boolean> {
    const file = this.fileOf(server);
    return this.locked(file, async () => {
      try {
        await unlink(file);
        this.log().info({ server, file }, 'auth record removed');
        return true;
      } catch (err) {
        if (errCode(err) !== 'ENOENT') throw new Error(`${file}: cannot remove: ${(err as Error).message}`);
        return false;
      }
    });
  }

  /** Runs `fn` holding `file`'s lock, after every earlier locked operation of this process on it. */
  private async locked<T>(file: string, fn: () => Promise<T>): Promise<T> {
    const before = this.queues.get(file) ?? Promise.resolve();
    const run = before.catch(() => {}).then(async () => {
      await this.ensureDir();
      const release = await acquireLock(`${file}.lock`, this.log);
      try {
        return await fn();
      } finally {
        await release();
      }
    });
    this.queues.set(file, run);
    try {
      return await run;
    } finally {
      if (this.queues.get(file) === run) this.queues.delete(file);
    }
  }

  /** Makes the directory (mode 0700), and narrows it to 0700 if it was made wider by someone else. */
  private async ensureDir(): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const st = await stat(this.dir);
      if ((st.mode & 0o077) !== 0) await chmod(this.dir, 0o700);
    } catch (err) {
      throw new Error(`${this.dir}: cannot make the auth directory: ${(err as Error).message}`);
    }
  }
}

/** The record in `text`, or undefined when it is no JSON object or its `serverUrl` is not a string. */
function parseRecord(text: string): AuthRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const serverUrl = (value as { serverUrl?: unknown }).serverUrl;
  if (typeof serverUrl !== 'string') return undefined;
  return value as AuthRecord;
}

/**
 * Writes `text` to `file` so that a reader sees the old or the new content, never a part: a temporary
 * file beside it (created 0600 with O_EXCL, flushed to disk), then `rename` over `file`.
 */
async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw new Error(`${file}: cannot write: ${(err as Error).message}`);
  }
}

/**
 * Takes the lock file `lock` (O_CREAT|O_EXCL, holding this process's pid and a nonce), waiting while a
 * live process holds it and taking over a stale one.
 *
 * @returns a function that releases the lock (removes the file only while it is still ours)
 * @throws Error naming the lock file and its holder after {@link LOCK_WAIT_MS}
 */
export async function acquireLock(lock: string, log: () => Logger): Promise<() => Promise<void>> {
  const mine: LockInfo = { pid: process.pid, nonce: randomBytes(8).toString('hex') };
  const body = JSON.stringify(mine);
  const start = Date.now();
  let pause = RETRY_MIN_MS;
  for (;;) {
    try {
      const fh = await open(lock, 'wx', 0o600);
      try {
        await fh.writeFile(body, 'utf8');
      } finally {
        await fh.close();
      }
      return async () => {
        // Only our own lock: had it been taken over as stale, the file is another's now.
        const now = await readFile(lock, 'utf8').catch(() => undefined);
        if (now === body) await unlink(lock).catch(() => {});
      };
    } catch (err) {
      if (errCode(err) !== 'EEXIST') throw new Error(`${lock}: cannot create the lock: ${(err as Error).message}`);
    }
    const holder = await lockHolder(lock);
    if (holder && (await takeOverIfStale(lock, holder, log))) continue;
    if (Date.now() - start > LOCK_WAIT_MS) {
      throw new Error(`${lock}: locked by process ${holder?.info?.pid ?? 'unknown'} for more than ${LOCK_WAIT_MS} ms`);
    }
    await new Promise((r) => setTimeout(r, pause));
    pause = Math.min(RETRY_MAX_MS, pause * 2);
  }
}

/** What the lock file says now and how old it is; undefined when it is gone. */
async function lockHolder(lock: string): Promise<{ text: string; info?: LockInfo; ageMs: number } | undefined> {
  try {
    const [text, st] = await Promise.all([readFile(lock, 'utf8'), stat(lock)]);
    let info: LockInfo | undefined;
    try {
      const v = JSON.parse(text) as Partial<LockInfo>;
      if (typeof v.pid === 'number' && typeof v.nonce === 'string') info = { pid: v.pid, nonce: v.nonce };
    } catch {
      // Half-written by a holder that is writing it right now (or died doing so): judged by its age.
    }
    return { text, info, ageMs: Date.now() - st.mtimeMs };
  } catch {
    return undefined;
  }
}

/**
 * Removes the lock `holder` describes when it is stale: its process is gone, or it is older than
 * {@link STALE_LOCK_MS}. The lock is moved aside first (`rename` is atomic), and only if what was moved
 * is still the stale lock it is deleted; a fresh lock moved by mistake (another process took the stale
 * one over in between) is linked back (`link` never replaces a file).
 *
 * @returns whether the lock was stale (the caller tries again at once)
 */
async function takeOverIfStale(lock: string, holder: { text: string; info?: LockInfo; ageMs: number }, log: () => Logger): Promise<boolean> {
  const dead = holder.info ? !processAlive(holder.info.pid) : false;
  if (!dead && holder.ageMs < STALE_LOCK_MS) return false;
  const aside = `${lock}.${process.pid}.${randomBytes(6).toString('hex')}.stale`;
  try {
    await rename(lock, aside);
  } catch {
    return true; // gone already: someone else released or took it over
  }
  const moved = await readFile(aside, 'utf8').catch(() => undefined);
  if (moved !== holder.text) await link(aside, lock).catch(() => {});
  else log().warn({ lock, pid: holder.info?.pid, ageMs: Math.round(holder.ageMs) }, 'stale auth lock taken over');
  await unlink(aside).catch(() => {});
  return true;
}

/** Is process `pid` alive (on this machine)? A process of another user counts as alive (EPERM). */
function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errCode(err) === 'EPERM';
  }
}

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}
