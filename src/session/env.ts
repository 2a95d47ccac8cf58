/**
 * The environment of a stdio server's process. The editor's environment holds what servers have no
 * business reading (cloud credentials, tokens, `$NVIM`): a server gets the minimal set the MCP SDK
 * defines (`getDefaultEnvironment`: HOME, LOGNAME, PATH, SHELL, TERM, USER; on Windows APPDATA,
 * USERPROFILE, SYSTEMROOT and the like), what its config opts in to (`env_inherit`), and its own `env`.
 */
import { getDefaultEnvironment } from '@modelcontextprotocol/client/stdio';

/**
 * Which further variables of the editor's environment a server inherits: `false` none, `true` all,
 * or these names.
 */
export type EnvInherit = boolean | string[];

/**
 * The environment to spawn a stdio server with, lowest precedence first: the SDK's minimal set, the
 * inherited variables, the config's `env`.
 *
 * @param configEnv the server's `env` (placeholders already expanded)
 * @param inherit the server's `env_inherit`, else the global one (config/load.ts resolves it)
 * @param from the environment to take variables from; the host's own by default
 * @returns a fresh object; variables absent from `from` are left out, never set to `undefined`
 */
export function childEnv(configEnv: Record<string, string>, inherit: EnvInherit = false, from: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = from === process.env ? getDefaultEnvironment() : minimalFrom(from);
  const names = inherit === true ? Object.keys(from) : inherit === false ? [] : inherit;
  for (const name of names) {
    const value = from[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...configEnv };
}

/** The SDK's minimal set read from another environment than the host's (unit tests). */
function minimalFrom(from: NodeJS.ProcessEnv): Record<string, string> {
  const saved = process.env;
  try {
    process.env = from;
    return getDefaultEnvironment();
  } finally {
    process.env = saved;
  }
}
