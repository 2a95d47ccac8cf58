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
  /** Asks for progress (spec: basic/utilities/progress); each notification also pushes the deadline back. */
  onProgress?: (p: { progress: number; total?: number; message?: string }) => void;
}

/**
 * The SDK's options for what is left of `deadline`.
 *
 * @throws HostError RequestTimeout when nothing is left (the wait for the server used it all)
 */
export function sdkOptions(deadline: Deadline, opts: RequestOpts): RequestOptions {
  const timeout = deadline.remaining();
  if (timeout <= 0) throw deadline.error();
  return {
    timeout,
    signal: opts.signal,
    onprogress: opts.onProgress,
    resetTimeoutOnProgress: opts.onProgress !== undefined,
  };
}

/**
 * Rewrites an SDK failure of the request `deadline` names: a timeout becomes RequestTimeout naming
 * server, method and budget; a closed connection says which request it cut off; a result the SDK's
 * schemas refuse says, in one line instead of the schema library's dump, what is wrong (InternalError,
 * `data.sdk_code` the SDK's code). Anything else (a ProtocolError from the server, a cancellation)
 * passes unchanged.
 */
export function explain(err: unknown, deadline: Deadline): unknown {
  if (!(err instanceof SdkError)) return err;
  if (err.code === SdkErrorCode.RequestTimeout) return deadline.error();
  if (err.code === SdkErrorCode.ConnectionClosed || err.code === SdkErrorCode.NotConnected) {
    return new HostError(ErrorCodes.NotConnected, `${deadline.what}: connection closed before the answer`);
  }
  if (err.code === SdkErrorCode.InvalidResult) {
    return new HostError(ErrorCodes.InternalError, `${deadline.what}: invalid result from the server: ${invalidResult(err.message)}`, { sdk_code: err.code });
  }
  return err;
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
