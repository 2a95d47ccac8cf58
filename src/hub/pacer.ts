/**
 * Paces the snapshots of each session to the editor. A server may send `list_changed` notifications by
 * the thousand (one was seen sending 100,000): each refresh would push the server's whole snapshot and
 * fire `McpServerChanged` in the editor, stalling it. A change of status or error is reported at once
 * (the editor's state machine and the user need it); a change of the lists alone at most once per
 * interval, the last one always (a report held back goes when the interval ends, with the state of
 * that moment).
 */
import type { Session } from '../session/session.js';

/** What was last reported of one session, and the report waiting for the interval's end. */
interface Paced {
  at: number;
  status: string;
  error: string | undefined;
  timer?: NodeJS.Timeout;
}

export class PushPacer {
  private readonly paced = new WeakMap<Session, Paced>();

  /**
   * @param send reports a session's snapshot (the hub's `onChange`)
   * @param intervalMs shortest time between two list-only reports of one session, ms
   * @param now clock, ms (tests)
   */
  constructor(
    private readonly send: (s: Session) => void,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Something in `s`'s snapshot changed: report it now or at the end of the interval. */
  readonly report = (s: Session): void => {
    const last = this.paced.get(s);
    if (!last || last.status !== s.status || last.error !== s.error) return this.sendNow(s, last);
    if (last.timer) return;
    const wait = last.at + this.intervalMs - this.now();
    if (wait <= 0) return this.sendNow(s, last);
    last.timer = setTimeout(() => this.sendNow(s, this.paced.get(s)), wait);
  };

  private sendNow(s: Session, last: Paced | undefined): void {
    clearTimeout(last?.timer);
    this.paced.set(s, { at: this.now(), status: s.status, error: s.error });
    this.send(s);
  }
}
