/**
 * The plugin's version, defined once: `version` in package.json. The bundle (scripts/build.mjs) gets it
 * through esbuild's `define` as `__MCP_VERSION__`; unbundled (tsc, vitest) it is read from package.json.
 */
import { readFileSync } from 'node:fs';

/** Replaced by the bundler with package.json's `version` (a string literal); undeclared elsewhere. */
declare const __MCP_VERSION__: string | undefined;

/** The plugin's version, e.g. `0.1.0`: `init`'s answer and the `clientInfo` servers see. */
export const VERSION: string = typeof __MCP_VERSION__ === 'string' ? __MCP_VERSION__ : fromPackageJson();

function fromPackageJson(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
