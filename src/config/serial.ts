/**
 * Runs an async job one at a time, so that a newer run can never be overtaken by an older one.
 */

/**
 * Wraps `run` so that runs never overlap. A call while a run is in progress gets a fresh run that starts
 * once the current one has settled; every call made meanwhile shares that one follow-up run. So each
 * caller's result comes from a run that started after its call: for the config, an edit seen while a
 * reload was already reading the file is read again instead of being lost, and an older read can never
 * be applied after a newer one.
 *
 * @param run the job; its rejection is passed on to the callers of that run
 * @returns a function starting (or joining) a run; resolves or rejects as that run does
 */
export function serialized<T>(run: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  let queued: Promise<T> | undefined;
  const start = (): Promise<T> => {
    const p = run();
    running = p;
    const done = (): void => {
      if (running === p) running = undefined;
    };
    p.then(done, done);
    return p;
  };
  return () => {
    if (queued) return queued;
    if (!running) return start();
    const settled = (): void => {};
    queued = running.then(settled, settled).then(() => {
      queued = undefined;
      return start();
    });
    return queued;
  };
}
