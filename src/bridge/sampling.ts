/**
 * Servers that ask for a model's completion (spec 2025-11-25: client/sampling; 2026-07-28: the same
 * `sampling/createMessage` embedded in an `input_required` round of a call). Each request becomes a
 * `sampling` ask (protocol.ts, `AskKinds`): the editor shows the request for approval (editable), sends it
 * to the configured provider, shows the model's answer for approval (editable), and answers with the
 * `CreateMessageResult`. The person declining either window is the spec's error: code -1,
 * "User rejected sampling request".
 *
 * When the server cancels its request (`notifications/cancelled`), the SDK aborts the handler's signal:
 * the ask is withdrawn (its window closes, a provider call in flight is stopped) and nothing is answered.
 */
import type { CreateMessageRequest } from '@modelcontextprotocol/client';
import { ErrorCodes } from '../contract/errors.js';
import { HostError } from '../errors.js';
import type { Session } from '../session/session.js';
import type { AskBroker } from './asks.js';
import type { AskKinds } from './protocol.js';
import { whileServerAsks } from './server-ask.js';

/** The spec's message for a declined sampling request (client/sampling, error handling). */
export const USER_REJECTED_MESSAGE = 'User rejected sampling request';

/**
 * The hub's `sample` dependency: answers one `sampling/createMessage` of server `s` by asking the editor.
 *
 * @param asks the bridge's broker
 * @returns `(session, params, signal) => CreateMessageResult`; `signal` is the SDK handler's (aborted when
 *   the server cancels, the connection closes, or the call whose round asked ends)
 * @throws HostError UserRejected (-1, "User rejected sampling request") when the person declined, or the
 *   ask was withdrawn for another cause than `signal` (the host is exiting); Cancelled when `signal`
 *   aborted (the SDK sends no answer then); the provider's error (code and message) when it failed;
 *   InvalidParams for an editor answer that is no result
 */
export function sampleVia(asks: AskBroker) {
  return async (s: Session, params: CreateMessageRequest['params'], signal: AbortSignal): Promise<AskKinds['sampling']['result']> => {
    const title = `${s.name}: sample a model${params.tools?.length ? ' (with tools)' : ''}`;
    // The server's calls wait on the person (and the model) from now on: their clocks stand still.
    return whileServerAsks(s, signal, async ({ signal: withdrawn, holds }) => {
      try {
        const answer = await asks.ask('sampling', { server: s.name, request: params }, { server: s.name, title, signal: withdrawn, holds });
        if (!answer || typeof answer !== 'object' || answer.role !== 'assistant' || typeof answer.model !== 'string' || answer.content === undefined) {
          throw new HostError(ErrorCodes.InvalidParams, `${title}: the editor's answer is not a CreateMessageResult (role "assistant", model, content)`);
        }
        return answer;
      } catch (err) {
        if (signal.aborted) throw err;
        if (err instanceof HostError && (err.code === ErrorCodes.UserRejected || err.code === ErrorCodes.Cancelled)) {
          throw new HostError(ErrorCodes.UserRejected, USER_REJECTED_MESSAGE);
        }
        throw err;
      }
    });
  };
}

