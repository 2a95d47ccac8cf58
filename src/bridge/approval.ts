/**
 * Approval of a tool call a model made (|mcp-approval|): the `approval` ask, raised by the host for a
 * `call_tool` request with `approval = true`. Lua decides whether to ask (its policy: `auto_approve`,
 * `approve()`, the session and always lists); the host asks, so that cancelling the request (its
 * AbortSignal) withdraws the question like any other ask.
 */
import { ErrorCodes, HostError } from '../errors.js';
import type { Session } from '../session/session.js';
import type { AskBroker } from './asks.js';

interface ToolDef {
  name: string;
  title?: string;
  description?: string;
  annotations?: Record<string, unknown>;
}

/**
 * Asks the person at the editor whether `server/tool` may run with `args`.
 *
 * @param request the Lua request id of the call (Lua suspends its guard while the person decides)
 * @param signal the call's: aborted (`cancel`), the ask is withdrawn
 * @returns the arguments to call the tool with: the person's edit of them, else `args`
 * @throws HostError UnknownItem when the server lists no such tool (nothing is asked); Denied (with
 *   `data.reason` when the person gave one); Cancelled when withdrawn or dismissed
 */
export async function approve(
  asks: AskBroker,
  session: Session,
  tool: string,
  args: Record<string, unknown>,
  request: number,
  signal: AbortSignal,
): Promise<Record<string, unknown>> {
  const def = (session.snapshot().tools as ToolDef[]).find((t) => t.name === tool);
  if (!def) throw new HostError(ErrorCodes.UnknownItem, `${session.name}: no tool named "${tool}"`);
  const what = `${session.name}/${tool}`;
  const answer = await asks.ask(
    'approval',
    {
      server: session.name,
      tool,
      ...(def.title ? { title: def.title } : {}),
      ...(def.description ? { description: def.description } : {}),
      ...(def.annotations ? { annotations: def.annotations } : {}),
      arguments: args,
    },
    { server: session.name, title: `${what}: run this tool?`, signal, request },
  );
  if (answer?.action === 'allow') {
    const edited = answer.arguments;
    if (edited === undefined || edited === null) return args;
    if (typeof edited !== 'object' || Array.isArray(edited)) {
      // Lua's `{}` crosses as an empty list: no arguments.
      if (Array.isArray(edited) && edited.length === 0) return {};
      throw new HostError(ErrorCodes.InvalidParams, `${what}: the edited arguments are not an object`);
    }
    return edited;
  }
  if (answer?.action === 'deny') {
    const reason = typeof answer.reason === 'string' && answer.reason !== '' ? answer.reason : undefined;
    throw new HostError(ErrorCodes.Denied, `${what}: denied by the user${reason ? `: ${reason}` : ''}`, reason ? { reason } : undefined);
  }
  throw new HostError(ErrorCodes.InvalidParams, `${what}: the editor's approval answer has no action "allow" or "deny"`);
}
