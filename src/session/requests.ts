/**
 * Running one request on a server under the host's timeout policy (deadline.ts): wait for a starting
 * server within the deadline, hand the SDK what is left of it, and turn the SDK's failures into errors
 * that say what and where.
 */
import { SdkError, SdkErrorCode, type RequestOptions } from '@modelcontextprotocol/client';
import { ErrorCodes } from '../contract/errors.js';
import { HostError } from '../errors.js';
import type { Deadline } from './deadline.js';

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
 * server, method and budget; a closed connection says which request it cut off. Anything else (a
 * ProtocolError from the server, a cancellation) passes unchanged.
 */
export function explain(err: unknown, deadline: Deadline): unknown {
  if (!(err instanceof SdkError)) return err;
  if (err.code === SdkErrorCode.RequestTimeout) return deadline.error();
  if (err.code === SdkErrorCode.ConnectionClosed || err.code === SdkErrorCode.NotConnected) {
    return new HostError(ErrorCodes.NotConnected, `${deadline.what}: connection closed before the answer`);
  }
  return err;
}
