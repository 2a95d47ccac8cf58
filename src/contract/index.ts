/**
 * Everything the Lua side gets generated from (scripts/gen-lua.mjs → lua/mcp/core/contract.lua):
 * error codes, defaults, log levels, the server snapshot and the server definition's schema.
 */
export { ErrorCodeTable, ErrorCodes } from './errors.js';
export { Defaults, DefaultsTable, LogLevels, ServerLogLevels } from './defaults.js';
export { rpcErrorFields, serverInfoFields, serverSnapshotFields, serverStatuses } from './snapshot.js';
export { askMetaFields, hostInfoFields, progressFields, rootFields, rootsReportFields, serverRootsFields } from './wire.js';
export { serverSchema } from '../config/schema.js';
