/**
 * Placeholder expansion in server definitions, as VS Code and Cursor do it:
 * `${env:NAME}` (the host's environment, unset → empty string), `${workspaceFolder}` (Neovim's cwd),
 * `${userHome}`; `${input:id}` stays as it is, to be asked for when the server starts (inputs.ts).
 * Expanded values are secrets as far as logging goes: callers never log them.
 */
export interface PlaceholderContext {
  env: NodeJS.ProcessEnv;
  workspaceFolder: string;
  userHome: string;
}

const PATTERN = /\$\{([^}]+)\}/g;

/**
 * Expands every placeholder in `value`.
 *
 * @throws Error naming the placeholder when it is of a kind we do not know, so that a typo is
 *   reported instead of being passed to the server verbatim.
 */
export function expand(value: string, ctx: PlaceholderContext): string {
  return value.replace(PATTERN, (_match, inner: string) => {
    if (inner.startsWith('env:')) return ctx.env[inner.slice(4)] ?? '';
    if (inner === 'workspaceFolder') return ctx.workspaceFolder;
    if (inner === 'userHome') return ctx.userHome;
    if (/^input:[^}]+$/.test(inner)) return `\${${inner}}`;
    throw new Error(`unknown placeholder \${${inner}} (known: \${env:NAME}, \${workspaceFolder}, \${userHome}, \${input:ID})`);
  });
}
