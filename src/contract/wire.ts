/**
 * The smaller shapes that cross the bridge besides the server snapshot (snapshot.ts): progress, the
 * host's facts, the roots report and an ask's meta. bridge/protocol.ts uses these types; the Lua side
 * gets its LuaCATS classes generated from the `LuaFields` tables below (scripts/gen-lua.mjs).
 */
import type { LuaFields, Root } from './snapshot.js';

/** A `progress` push: how far request `id` (a Lua request id) has come, from `notifications/progress`. */
export interface Progress {
  progress: number;
  total?: number;
  message?: string;
}

/** What the host says about itself in its reply to `init`. */
export interface HostInfo {
  version: string;
  pid: number;
  log_path: string;
  config_path?: string;
}

/** What one server is told about roots, after its own `roots` setting. */
export interface ServerRoots {
  name: string;
  /** The server's `roots` setting: the editor's roots, none (`false`), or a fixed list. */
  mode: 'editor' | 'none' | 'fixed';
  roots: Root[];
}

/** The reply to `roots`: the editor's roots and what each server is told. */
export interface RootsReport {
  roots: Root[];
  servers: ServerRoots[];
}

/** Who asks and how long the ask may wait; the fifth element of a `q` item. */
export interface AskMeta {
  /** One line saying who asks for what, e.g. `github: GitHub token`. */
  title: string;
  /** The server on whose behalf the editor is asked. */
  server?: string;
  /** The host withdraws the ask after this long, ms (none: until answered or withdrawn otherwise). */
  timeout_ms?: number;
  /**
   * The Lua request whose reply waits on this ask (a tool call waiting for approval): Lua suspends that
   * request's guard until the ask is answered (a person takes as long as they take).
   */
  request?: number;
  /**
   * The Lua requests whose clocks stand still while this ask is open (a server's elicitation holds its
   * calls in flight, issue 11): Lua holds their guards too, and resumes them with the held time added.
   */
  holds?: number[];
}

export const rootFields: LuaFields<Root> = {
  uri: { lua: 'string', doc: 'a `file://` URI', optional: false },
  name: { lua: 'string', doc: 'display name', optional: true },
};

export const progressFields: LuaFields<Progress> = {
  progress: { lua: 'number', doc: 'progress so far (grows with every report)', optional: false },
  total: { lua: 'number', doc: 'the total, when the server knows it', optional: true },
  message: { lua: 'string', doc: 'what the server is doing', optional: true },
};

export const hostInfoFields: LuaFields<HostInfo> = {
  version: { lua: 'string', doc: 'host version', optional: false },
  pid: { lua: 'integer', doc: 'host process id', optional: false },
  log_path: { lua: 'string', doc: "absolute path of the host's log file", optional: false },
  config_path: { lua: 'string', doc: 'the config file the host reads', optional: true },
};

export const serverRootsFields: LuaFields<ServerRoots> = {
  name: { lua: 'string', doc: 'server name', optional: false },
  mode: { lua: '"editor"|"none"|"fixed"', doc: "its `roots` setting: the editor's roots, none, or a fixed list", optional: false },
  roots: { lua: 'mcp.Root[]', doc: 'what it is told', optional: false },
};

export const rootsReportFields: LuaFields<RootsReport> = {
  roots: { lua: 'mcp.Root[]', doc: "the editor's roots", optional: false },
  servers: { lua: 'mcp.ServerRoots[]', doc: 'what each server is told', optional: false },
};

export const askMetaFields: LuaFields<AskMeta> = {
  title: { lua: 'string', doc: 'one line saying who asks for what', optional: false },
  server: { lua: 'string', doc: 'the server on whose behalf the editor is asked', optional: true },
  timeout_ms: { lua: 'integer', doc: 'the host withdraws the ask after this long, ms', optional: true },
  request: { lua: 'integer', doc: "the Lua request whose reply waits on this ask (its guard is suspended until it is answered)", optional: true },
  holds: { lua: 'integer[]', doc: 'the Lua requests whose clocks stand still while the ask is open (their guards are held too)', optional: true },
};
