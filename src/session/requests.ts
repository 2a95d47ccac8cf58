/**
 * Running one request on a server under the host's timeout policy (deadline.ts): wait for a starting
 * server within the deadline, hand the SDK what is left of it, and turn the SDK's failures into errors
 * that say what and where.
 */
import { SdkError, SdkErrorCode, type RequestOptions } from '@modelcontextprotocol/client';
import { ErrorCodes } from '../contract/errors.js';
import { HostError } from '../errors.js';
import type { Deadline } from './deadline.js';
import { describeIssues, type Issue } from './incoming.js';

/** What a caller may pass with a request. */
export interface RequestOpts {
  /** This request's own budget, ms; see {@link requestTimeoutMs}. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Asks for progress (spec: basic/utilities/progress): the request carries a progress token, and each
   * notification pushes the deadline back, up to the deadline's maximum total time.
   */
  onProgress?: (p: { progress: number; total?: number; message?: string }) => void;
  /** Names the request to whoever holds its clock (the bridge: the Lua request id); see `Session.holdRequests`. */
  tag?: number;
}

/**
 * Longest timeout the SDK gets, ms (setTimeout's maximum): the host keeps a request's time itself, so
 * that the clock can stand still while a server's question waits on the person ({@link Deadline.hold}).
 */
const SDK_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * The SDK's options for what is left of `deadline`. The deadline's own signal ends the request when
 * its time runs out (the SDK then sends `notifications/cancelled`, and {@link explain} names the
 * budget); the SDK's timer is set out of the way, because a held deadline must not expire underneath.
 * With `onProgress`, a progress token, and each notification restarts the deadline's budget, never past
 * its maximum total time ({@link Deadline.touch}); that holds for every leg of a 2026-07-28
 * `input_required` flow alike.
 *
 * @throws HostError RequestTimeout when nothing is left (the wait for the server used it all)
 */
export function sdkOptions(deadline: Deadline, opts: RequestOpts): RequestOptions {
  if (deadline.remaining() <= 0) throw deadline.error();
  const signal = deadline.follow(opts.signal);
  const onProgress = opts.onProgress;
  if (!onProgress) return { timeout: SDK_TIMEOUT_MS, signal };
  return {
    timeout: SDK_TIMEOUT_MS,
    signal,
    onprogress: (p) => {
      deadline.touch();
      onProgress(p);
    },
  };
}

/**
 * Rewrites an SDK failure of the request `deadline` names: a timeout becomes RequestTimeout naming
 * server, method and budget; a closed connection says which request it cut off; a result the SDK's
 * schemas refuse says, in one line instead of the schema library's dump, what is wrong (InternalError,
 * `data.sdk_code` the SDK's code); a result of `resultType: "task"` (the 2026-07-28 tasks extension,
 * which the SDK does not consume) says so (InternalError). Anything else (a ProtocolError from the server,
 * a cancellation) passes unchanged.
 */
export function explain(err: unknown, deadline: Deadline): unknown {
  // The deadline's own signal ended it (the SDK wraps the reason in its own error).
  const expired = deadline.expired;
  if (expired) return expired;
  if (!(err instanceof SdkError)) return err;
  if (err.code === SdkErrorCode.RequestTimeout) return deadline.error();
  if (err.code === SdkErrorCode.ConnectionClosed || err.code === SdkErrorCode.NotConnected) {
    return new HostError(ErrorCodes.NotConnected, `${deadline.what}: connection closed before the answer`);
  }
  if (err.code === SdkErrorCode.UnsupportedResultType && (err.data as { resultType?: unknown } | undefined)?.resultType === 'task') {
    // Spec 2026-07-28, tasks extension (SEP-2663): the SDK's codec refuses the result and drops the task.
    return new HostError(
      ErrorCodes.InternalError,
      `${deadline.what}: the server answered with a task (the 2026-07-28 tasks extension), which this client's MCP SDK cannot take yet`,
      { sdk_code: err.code, resultType: 'task' },
    );
  }
  if (err.code === SdkErrorCode.InvalidResult) {
    return new HostError(ErrorCodes.InternalError, `${deadline.what}: invalid result from the server: ${invalidResult(err.message)}`, { sdk_code: err.code });
  }
  return err;
}

/**
 * A result refused during a start (a whole list malformed, e.g. `tools` not an array) in one line naming
 * the server, the method and what is wrong: `server "x": start: tools/list: invalid result from the
 * server: tools: expected array, received string` (InternalError, `data.sdk_code` the SDK's code).
 * Anything but such a refusal passes unchanged.
 *
 * @param deadline the start's deadline, whose `what` names the server and the start
 */
export function explainStartResult(err: unknown, deadline: Deadline): unknown {
  if (!(err instanceof SdkError) || err.code !== SdkErrorCode.InvalidResult) return err;
  const method = /^Invalid result for ([^:\s]+):/.exec(err.message)?.[1];
  const where = method ? `${deadline.what}: ${method}` : deadline.what;
  return new HostError(ErrorCodes.InternalError, `${where}: invalid result from the server: ${invalidResult(err.message)}`, { sdk_code: err.code });
}

/**
 * What is wrong with a result, from the SDK's `Invalid result for METHOD: DETAIL`, where DETAIL is the
 * schema library's issues as (multi-line) JSON, or a sentence.
 */
function invalidResult(message: string): string {
  const detail = message.replace(/^Invalid result for [^:]*: /, '');
  try {
    const issues = JSON.parse(detail) as unknown;
    if (Array.isArray(issues) && issues.every((i) => typeof (i as Issue | null)?.message === 'string')) return describeIssues(issues as Issue[]);
  } catch {
    // a sentence, not JSON
  }
  return detail.replace(/\s+/g, ' ');
}
