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
}

/**
 * The SDK's options for what is left of `deadline`: `timeout` what is left of the budget; with
 * `onProgress`, a progress token, `resetTimeoutOnProgress` (each notification gives the request that
 * `timeout` again) and `maxTotalTimeout` what is left of the deadline's maximum total time.
 *
 * @throws HostError RequestTimeout when nothing is left (the wait for the server used it all)
 */
export function sdkOptions(deadline: Deadline, opts: RequestOpts): RequestOptions {
  const timeout = deadline.remaining();
  if (timeout <= 0) throw deadline.error();
  if (!opts.onProgress) return { timeout, signal: opts.signal };
  return {
    timeout,
    signal: opts.signal,
    onprogress: opts.onProgress,
    resetTimeoutOnProgress: true,
    maxTotalTimeout: Math.max(timeout, deadline.totalRemaining()),
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
