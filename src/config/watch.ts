/**
 * Watches the config file with chokidar and calls back, debounced, when it is written, created or removed.
 */
import { watch, type FSWatcher } from 'chokidar';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Starts watching and resolves once chokidar is ready, i.e. once an edit can no longer slip by unseen:
 * chokidar sets up its fs watches asynchronously and reports nothing written before it is ready, so a
 * caller that reads the file must do so only after this resolves (see Bridge's `init`).
 *
 * Editors that write by rename (write a temporary file, rename it over the config) are seen as a change:
 * chokidar's `atomic` handling (on by default) turns the unlink + add into one event, and the watch
 * follows the new file.
 *
 * @param path absolute path of the config file (it may not exist yet)
 * @param onChange called at most once per `debounceMs` (ms) burst of events
 * @returns a function that stops watching
 * @throws Error when chokidar cannot watch the path
 */
export async function watchConfig(path: string, onChange: () => void, debounceMs = 100): Promise<() => Promise<void>> {
  let timer: NodeJS.Timeout | undefined;
  const file = resolve(path);
  const dir = dirname(file);
  // The directory, not the file: for a path that does not exist yet chokidar says `ready` before it has
  // set up the watch on the parent that would see the file appear, so a file created just then would be
  // missed. A directory that exists is watched before `ready`. Only the config file itself is looked at
  // (`depth: 0` and `ignored` keep chokidar from reading anything else in the directory).
  const watcher: FSWatcher = watch(existsSync(dir) ? dir : file, {
    ignoreInitial: true,
    depth: 0,
    ignored: (p: string) => p !== dir && p !== file,
    // Editors write by rename; wait until the new file is complete.
    awaitWriteFinish: { stabilityThreshold: 50, pollInterval: 20 },
  });
  watcher.on('all', (_event, p) => {
    if (p !== file) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      watcher.once('ready', resolve);
      watcher.once('error', reject);
    });
  } catch (err) {
    await watcher.close();
    throw err;
  }
  return async () => {
    clearTimeout(timer);
    await watcher.close();
  };
}
