/**
 * Watches the config file with chokidar and calls back, debounced, when it is written, created or removed.
 */
import { watch, type FSWatcher } from 'chokidar';

/**
 * @param path absolute path of the config file (it may not exist yet)
 * @param onChange called at most once per `debounceMs` (ms) burst of events
 * @returns a function that stops watching
 */
export function watchConfig(path: string, onChange: () => void, debounceMs = 100): () => Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const watcher: FSWatcher = watch(path, {
    ignoreInitial: true,
    // Editors write by rename; wait until the new file is complete.
    awaitWriteFinish: { stabilityThreshold: 50, pollInterval: 20 },
  });
  watcher.on('all', () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  });
  return async () => {
    clearTimeout(timer);
    await watcher.close();
  };
}
