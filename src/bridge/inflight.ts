/**
 * The editor's requests to servers that are in flight, by Lua request id: what `cancel` aborts and what
 * `:Mcp cancel` and the hub list (the `requests` request, protocol.ts). Each entry says which server,
 * which method and which tool, prompt, URI or task, since when, and whether it waits for the person
 * (an approval) or runs as a task.
 */
import type { InflightRequest } from './protocol.js';

/** What one entry knows besides its controller. */
export interface InflightWhat {
  server: string;
  method: string;
  name?: string;
}

interface Entry extends InflightWhat {
  controller: AbortController;
  started: number;
  waiting?: 'approval';
  task?: InflightRequest['task'];
}

export class Inflight {
  private readonly entries = new Map<number, Entry>();

  /**
   * Registers request `id` and returns the controller whose signal the request runs under.
   * An id registered twice (Lua never reuses one) replaces the first.
   */
  add(id: number, what: InflightWhat): AbortController {
    const controller = new AbortController();
    this.entries.set(id, { ...what, controller, started: Date.now() });
    return controller;
  }

  /** Request `id` ended. */
  delete(id: number): void {
    this.entries.delete(id);
  }

  /** The controller of request `id`, to abort it. */
  get(id: number): AbortController | undefined {
    return this.entries.get(id)?.controller;
  }

  /** Request `id` waits for the person's approval (`true`) or no longer does. */
  setWaiting(id: number, approval: boolean): void {
    const e = this.entries.get(id);
    if (!e) return;
    if (approval) e.waiting = 'approval';
    else delete e.waiting;
  }

  /** Request `id` runs as task `task` (its latest status). */
  setTask(id: number, task: { taskId: string; status: string; statusMessage?: string }): void {
    const e = this.entries.get(id);
    if (e) e.task = { taskId: task.taskId, status: task.status, ...(task.statusMessage ? { statusMessage: task.statusMessage } : {}) };
  }

  /** Every request in flight, oldest first. */
  list(): InflightRequest[] {
    const now = Date.now();
    return [...this.entries].map(([id, e]) => ({
      id,
      server: e.server,
      method: e.method,
      ...(e.name !== undefined ? { name: e.name } : {}),
      age_ms: now - e.started,
      ...(e.waiting ? { waiting: e.waiting } : {}),
      ...(e.task ? { task: e.task } : {}),
    }));
  }
}
