/**
 * Errors that cross to Lua as `{ code, message, data? }` (see contract/).
 */
import { ProtocolError, SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import { ErrorCodes } from './contract/errors.js';
import type { RpcError } from './contract/snapshot.js';
import { redact } from './redact.js';

/** An error the host raises on purpose, with a code from {@link ErrorCodes}. */
export class HostError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'HostError';
  }

  /**
   * The message alone. The SDK sends `String(signal.reason)` as the `reason` of
   * `notifications/cancelled`, and a server should read "cancelled: the chat request was stopped",
   * not "HostError: ...".
   */
  override toString(): string {
    return this.message;
  }
}

/**
 * Any thrown value → the wire shape. Errors from the server (the SDK's `ProtocolError`) keep the
 * server's code and data; the SDK's own failures (`SdkError`, with string codes) map to the host's
 * codes: a timeout is RequestTimeout, a lost connection NotConnected, the rest InternalError carrying
 * the SDK code in `data.sdk_code`.
 */
export function toRpcError(err: unknown): RpcError {
  const e = rpcError(err);
  // The boundary to the editor: a URL's password in a message (a fetch error quoting it) goes no further.
  return { ...e, message: redact(e.message) };
}

function rpcError(err: unknown): RpcError {
  if (err instanceof HostError || err instanceof ProtocolError) return wire(err.code, err.message, err.data);
  if (err instanceof SdkError) {
    if (err.code === SdkErrorCode.RequestTimeout) return wire(ErrorCodes.RequestTimeout, err.message, undefined);
    if (err.code === SdkErrorCode.ConnectionClosed || err.code === SdkErrorCode.NotConnected) return wire(ErrorCodes.NotConnected, err.message, undefined);
    return wire(ErrorCodes.InternalError, err.message, { sdk_code: err.code });
  }
  if (err instanceof Error && err.name === 'AbortError') return { code: ErrorCodes.Cancelled, message: 'request cancelled' };
  return { code: ErrorCodes.InternalError, message: err instanceof Error ? err.message : String(err) };
}

function wire(code: number, message: string, data: unknown): RpcError {
  return data === undefined ? { code, message } : { code, message, data };
}

export { ErrorCodes };
