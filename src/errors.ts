/**
 * Errors that cross to Lua as `{ code, message, data? }` (see contract/).
 */
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCodes } from './contract/errors.js';
import type { RpcError } from './contract/snapshot.js';

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
}

/** Any thrown value → the wire shape; MCP errors keep the server's code and data. */
export function toRpcError(err: unknown): RpcError {
  if (err instanceof HostError || err instanceof McpError) {
    return err.data === undefined ? { code: err.code, message: err.message } : { code: err.code, message: err.message, data: err.data };
  }
  if (err instanceof Error && err.name === 'AbortError') return { code: ErrorCodes.Cancelled, message: 'request cancelled' };
  return { code: ErrorCodes.InternalError, message: err instanceof Error ? err.message : String(err) };
}

export { ErrorCodes };
