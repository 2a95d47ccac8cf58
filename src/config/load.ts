/**
 * Reads, validates and normalises the configuration: the JSON file plus the servers given to `setup()`.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, type RestartConfig, type ServerConfig } from './types.js';
import { describeErrors, validateFile, validateServer } from './schema.js';
import { inputsOf, type InputDef } from './inputs.js';
import { normalizeOAuth, type RawOAuth } from './oauth.js';
import { expand, type PlaceholderContext } from './placeholders.js';
import { redact } from '../redact.js';
import { Defaults, type ServerLogLevel } from '../contract/defaults.js';

/** Where `setup({ servers = ... })` definitions are said to come from in errors. */
export const SETUP_SOURCE = 'setup()';

export interface LoadOptions {
  /** Absolute path of the JSON file; a missing file means "no servers from the file". */
  path?: string;
  /** Definitions from `setup({ servers })`; each shallow-merges over the file's entry of that name. */
  setupServers?: Record<string, unknown>;
  /**
   * Project files the user trusts (`.mcp.json`, `.vscode/mcp.json`, `.cursor/mcp.json`), read by the
   * editor through its trust store (`vim.secure.read`): their servers are added, or replace the
   * definition of the same name, in the order given (a later project wins).
   */
  projects?: ProjectFile[];
  /**
   * Told of a project file that cannot be used (invalid JSON, a bad definition): that project's servers
   * are left out and the rest of the configuration loads, so one repository's broken file never holds
   * back the user's own servers.
   */
  onProjectError?: (err: ConfigError) => void;
  ctx: PlaceholderContext;
}

/** A trusted project config file as the editor read it. */
export interface ProjectFile {
  /** Absolute path of the file, e.g. `/src/app/.mcp.json`; the servers' `source`. */
  path: string;
  /** The project's root: `${workspaceFolder}` in its definitions, and the base of relative `roots`. */
  root: string;
  /** The file's content, exactly as the user trusted it. */
  text: string;
}

/**
 * Loads the whole configuration.
 *
 * @returns servers in file order, then `setup()`-only servers
 * @throws ConfigError naming the file and key path of the first problem (all problems in its message)
 */
export async function loadConfig(opts: LoadOptions): Promise<ServerConfig[]> {
  const raw = opts.path ? await readJsonFile(opts.path) : {};
  const file = opts.path ?? SETUP_SOURCE;
  const fileServers = fileEntries(raw, file);
  const inputDefs = fileInputs(raw);
  const inherit = fileInherit(raw);
  const merged = new Map<string, { def: Record<string, unknown>; source: string; key: string }>();
  for (const [name, entry] of fileServers) merged.set(name, entry);
  for (const [name, def] of Object.entries(opts.setupServers ?? {})) {
    const own = fromLua(def);
    if (!isObject(own)) throw new ConfigError(SETUP_SOURCE, `servers.${name}`, 'must be a table');
    const base = merged.get(name);
    merged.set(name, base ? { ...base, def: { ...base.def, ...own }, source: `${base.source} + ${SETUP_SOURCE}` } : { def: own, source: SETUP_SOURCE, key: `servers.${name}` });
  }
  const out = new Map<string, ServerConfig>();
  for (const [name, { def, source, key }] of merged) {
    const cfg = normalize(name, def, source, key, opts.ctx, inherit);
    out.set(name, { ...cfg, inputs: inputsOf(cfg, inputDefs) });
  }
  // A project's servers replace those of the same name as a whole: a project defines what runs for it.
  for (const project of opts.projects ?? []) {
    let servers: ServerConfig[];
    try {
      servers = projectServers(project, opts.ctx);
    } catch (err) {
      if (!(err instanceof ConfigError) || !opts.onProjectError) throw err;
      opts.onProjectError(err);
      continue;
    }
    for (const cfg of servers) {
      out.delete(cfg.name);
      out.set(cfg.name, cfg);
    }
  }
  return [...out.values()];
}

/**
 * The servers of one trusted project file, `${workspaceFolder}` being the project's root.
 *
 * @throws ConfigError naming the project file and the key path
 */
function projectServers(project: ProjectFile, ctx: PlaceholderContext): ServerConfig[] {
  const raw = parseJson(project.text, project.path);
  const inherit = fileInherit(raw);
  const inputs = fileInputs(raw);
  const here = { ...ctx, workspaceFolder: project.root };
  return fileEntries(raw, project.path).map(([name, { def, key }]) => {
    const cfg = normalize(name, def, project.path, key, here, inherit);
    return { ...cfg, project: project.path, inputs: inputsOf(cfg, inputs) };
  });
}

/** The file's top-level `env_inherit` (already checked by the schema), the default of its stdio servers. */
function fileInherit(raw: unknown): boolean | string[] {
  return (raw as { env_inherit?: boolean | string[] }).env_inherit ?? Defaults.env_inherit;
}

/** The file's `inputs` (VS Code's format), already checked by the schema; `type` defaults to promptString. */
function fileInputs(raw: unknown): InputDef[] {
  const list = (raw as { inputs?: Partial<InputDef>[] }).inputs ?? [];
  return list.map((d) => ({ ...d, type: d.type ?? 'promptString' }) as InputDef);
}

async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(path, '', `cannot read: ${(err as Error).message}`);
  }
  return parseJson(text, path);
}

/** The JSON in `text` (of the file at `path`, for errors); blank text is an empty config. */
function parseJson(text: string, path: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(path, '', `invalid JSON: ${locateJsonError(text, (err as Error).message)}`);
  }
}

/** Turns V8's "... at position 42" into "... (line 3, column 7)". */
function locateJsonError(text: string, message: string): string {
  const m = /position (\d+)/.exec(message);
  if (!m) return message;
  const before = text.slice(0, Number(m[1]));
  const line = before.split('\n').length;
  const column = Number(m[1]) - before.lastIndexOf('\n');
  return `${message.replace(/ in JSON at position \d+.*$/, '')} (line ${line}, column ${column})`;
}

function fileEntries(raw: unknown, file: string): [string, { def: Record<string, unknown>; source: string; key: string }][] {
  if (!validateFile(raw)) {
    const first = describeErrors(validateFile.errors);
    throw new ConfigError(file, first[0]!.path, first.map((e) => (e.path === first[0]!.path ? e.problem : `${e.path}: ${e.problem}`)).join('; '));
  }
  const obj = raw as { mcpServers?: Record<string, Record<string, unknown>>; servers?: Record<string, Record<string, unknown>> };
  const out: [string, { def: Record<string, unknown>; source: string; key: string }][] = [];
  for (const section of ['mcpServers', 'servers'] as const) {
    for (const [name, def] of Object.entries(obj[section] ?? {})) out.push([name, { def, source: file, key: `${section}.${name}` }]);
  }
  return out;
}

function normalize(name: string, def: Record<string, unknown>, source: string, key: string, ctx: PlaceholderContext, inherit: boolean | string[]): ServerConfig {
  const file = source.split(' + ')[0]!;
  if (!validateServer(def)) {
    const errs = describeErrors(validateServer.errors, key);
    throw new ConfigError(file, errs[0]!.path, errs.map((e) => (e.path === errs[0]!.path ? e.problem : `${e.path}: ${e.problem}`)).join('; '));
  }
  const d = def as {
    type?: string; command?: string; args?: string[]; env?: Record<string, string>; env_inherit?: boolean | string[]; cwd?: string;
    url?: string; headers?: Record<string, string>; disabled?: boolean; timeout_ms?: number; restart?: RestartConfig; roots?: boolean | string[];
    chat?: { enabled?: boolean; disabled?: string[] }; auto_approve?: boolean | string[]; log_level?: ServerLogLevel; max_total_ms?: number;
    oauth?: RawOAuth | false;
  };
  const x = (value: string, at: string): string => {
    try {
      return expand(value, ctx);
    } catch (err) {
      throw new ConfigError(file, `${key}.${at}`, (err as Error).message);
    }
  };
  const roots = Array.isArray(d.roots) ? d.roots.map((r, i) => resolve(ctx.workspaceFolder, x(r, `roots[${i}]`))) : (d.roots ?? true);
  const common = {
    name,
    disabled: d.disabled ?? false,
    roots,
    source,
    inputs: [],
    ...(d.timeout_ms ? { timeout_ms: d.timeout_ms } : {}),
    ...(d.restart ? { restart: { ...d.restart } } : {}),
    ...(d.chat ? { chat: { enabled: d.chat.enabled ?? true, disabled: d.chat.disabled ?? [] } } : {}),
    ...(d.auto_approve !== undefined ? { auto_approve: d.auto_approve } : {}),
    ...(d.log_level ? { log_level: d.log_level } : {}),
    ...(d.max_total_ms ? { max_total_ms: d.max_total_ms } : {}),
  };
  const type = d.type === 'streamableHttp' || d.type === 'streamable-http' ? 'http' : d.type;
  if (d.command !== undefined && (type === undefined || type === 'stdio')) {
    return {
      ...common,
      transport: 'stdio',
      command: x(d.command, 'command'),
      args: (d.args ?? []).map((a, i) => x(a, `args[${i}]`)),
      env: mapValues(d.env ?? {}, (v, k) => x(v, `env.${k}`)),
      env_inherit: d.env_inherit ?? inherit,
      ...(d.cwd ? { cwd: x(d.cwd, 'cwd') } : {}),
    };
  }
  if (d.url !== undefined && type !== 'stdio') {
    const url = x(d.url, 'url');
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError(file, `${key}.url`, `not a valid URL: ${JSON.stringify(redact(d.url))}`);
    }
    const headers = mapValues(d.headers ?? {}, (v, k) => x(v, `headers.${k}`));
    const oauth = d.oauth === undefined ? {} : { oauth: normalizeOAuth(d.oauth, (v, at) => x(v, at), file, key, ctx.workspaceFolder) };
    return { ...common, transport: type === 'sse' ? 'sse' : 'http', ...withoutCredentials(url, parsed, headers), ...oauth };
  }
  if (type === 'stdio' || (type === undefined && d.url === undefined)) throw new ConfigError(file, `${key}.command`, 'is required for a stdio server');
  throw new ConfigError(file, `${key}.url`, `is required for a server of type "${type}"`);
}

/**
 * A URL's user and password (`https://user:pass@host/mcp`) as an `Authorization: Basic` header (unless
 * the config sets one), and the URL without them: fetch refuses URLs with credentials, and a URL
 * travels into errors, the log and the hub where a password must not.
 */
function withoutCredentials(text: string, url: URL, headers: Record<string, string>): { url: string; headers: Record<string, string> } {
  if (!url.username && !url.password) return { url: text, headers };
  const basic = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
  url.username = '';
  url.password = '';
  const has = Object.keys(headers).some((k) => k.toLowerCase() === 'authorization');
  return { url: url.href, headers: has ? headers : { ...headers, Authorization: `Basic ${basic}` } };
}

function mapValues(obj: Record<string, string>, fn: (v: string, k: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fn(v, k)]));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Lua's `{}` crosses msgpack as an empty array; where a map is meant (`env`, `headers`, `oauth`, a server), read it
 * as an empty object.
 */
function fromLua(def: unknown): unknown {
  if (Array.isArray(def) && def.length === 0) return {};
  if (!isObject(def)) return def;
  const out: Record<string, unknown> = { ...def };
  for (const k of ['env', 'headers', 'oauth']) if (Array.isArray(out[k]) && (out[k] as unknown[]).length === 0) out[k] = {};
  return out;
}
