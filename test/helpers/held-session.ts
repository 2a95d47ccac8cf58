/**
 * A stand-in for the one part of a Session that a server's question touches (bridge/server-ask.ts): its
 * name and `holdRequests`, which here counts holds and releases and names Lua request 7 as held.
 */
import type { Session } from '../../src/session/session.js';

/** A session named `srv` and the counts of its holds and releases. */
export function heldSession(): { session: Session; held: { holds: number; releases: number } } {
  const held = { holds: 0, releases: 0 };
  const session = {
    name: 'srv',
    holdRequests: () => {
      held.holds++;
      return { requests: [7], release: () => held.releases++ };
    },
  } as unknown as Session;
  return { session, held };
}
