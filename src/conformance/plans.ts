/**
 * What the conformance client does once connected, per scenario of `@modelcontextprotocol/conformance`:
 * the steps a user of the host would take (call a tool, read a resource, get a prompt), each through the
 * {@link Session} API the bridge uses. A scenario not named here gets the default plan, which exercises
 * everything the server offers.
 */
import type { Session } from '../session/session.js';

/** `MCP_CONFORMANCE_CONTEXT` as far as the client uses it. */
export interface Context {
  /** Tool calls the scenario wants made, in order (e.g. http-custom-headers). */
  toolCalls?: { name: string; arguments?: Record<string, unknown> }[];
  /** Authorization scenarios: credentials a pre-registered client has (read by client.ts's `oauthFor`). */
  [key: string]: unknown;
}

/** One thing to do; its result is logged, its error counted. */
export interface Step {
  name: string;
  run: (s: Session) => Promise<unknown>;
}

const call = (tool: string, args: Record<string, unknown> = {}): Step => ({
  name: `tools/call ${tool}`,
  run: async (s) => {
    const result = await s.callTool(tool, args);
    if (result.isError) throw new Error(`${tool} answered with isError: ${JSON.stringify(result.content)}`);
    return result;
  },
});

/** The steps for `scenario`. */
export function planFor(scenario: string, context: Context): Step[] {
  if (context.toolCalls?.length) return context.toolCalls.map((c) => call(c.name, c.arguments ?? {}));
  switch (scenario) {
    // The mock server offers `add_numbers` and checks it is called with two numbers.
    case 'tools_call':
      return [call('add_numbers', { a: 2, b: 3 })];
    // The client must hand a tool's inputSchema back unchanged: it is echoed from the session's cache,
    // which is what the host shows the editor and a model.
    case 'json-schema-2020-12-preservation':
      return [
        {
          name: 'echo json_schema_2020_12_tool inputSchema',
          run: async (s) => {
            const tools = s.snapshot().tools as { name: string; inputSchema: unknown }[];
            const focal = tools.find((t) => t.name === 'json_schema_2020_12_tool');
            if (!focal) throw new Error('json_schema_2020_12_tool is not in the tool list');
            return call('json_schema_echo', { schema: focal.inputSchema }).run(s);
          },
        },
      ];
    // The tool's inputSchema $refs a URL the scenario watches (SEP-2106: never dereference a network
    // $ref). Calling it runs the session's argument check on that schema; the mock server has no
    // tools/call, so "Method not found" is the answer to expect, and any fetch of the URL fails the check.
    case 'json-schema-ref-no-deref':
      return [
        {
          name: 'tools/call lookup_user (arguments checked against a schema with a network $ref)',
          run: async (s) => {
            const answer = await s.callTool('lookup_user', { id: 'user-1' }).then(
              () => 'a result',
              (err: Error) => err.message,
            );
            if (!/method not found/i.test(answer)) throw new Error(`expected "Method not found" from the mock server, got ${answer}`);
            return answer;
          },
        },
      ];
    // Multi-round-trip requests (SEP-2322): the session must echo requestState, use a new id per retry
    // and keep rounds apart. The last tool answers without `resultType`, which the final 2026-07-28
    // text requires of a server on that revision (only results of earlier revisions may omit it), so
    // the SDK's refusal is right (conformance issue #475); the scenario only checks that we do not retry.
    case 'sep-2322-client-request-state':
      return [
        call('test_mrtr_echo_state'),
        call('test_mrtr_no_state'),
        call('test_mrtr_unrelated'),
        {
          name: 'tools/call test_mrtr_no_result_type (refused: no resultType on 2026-07-28)',
          run: async (s) => {
            const answer = await s.callTool('test_mrtr_no_result_type', {}).then(
              () => undefined,
              (err: Error) => err.message,
            );
            if (!answer?.includes('resultType')) throw new Error(`expected a refusal naming the missing resultType, got ${answer ?? 'a result'}`);
            return answer;
          },
        },
      ];
    default:
      return everything;
  }
}

/**
 * Arguments a person filling in the tool's form would give at least: each required property gets its
 * default, its first enum value, or a plain value of its type. Optional properties stay out.
 */
export function requiredArguments(schema: unknown): Record<string, unknown> {
  const s = (schema ?? {}) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  const args: Record<string, unknown> = {};
  for (const name of s.required ?? []) {
    const p = s.properties?.[name] ?? {};
    const type = Array.isArray(p.type) ? p.type[0] : p.type;
    args[name] =
      'default' in p ? p.default
      : Array.isArray(p.enum) ? p.enum[0]
      : type === 'integer' || type === 'number' ? 1
      : type === 'boolean' ? true
      : type === 'array' ? []
      : type === 'object' ? requiredArguments(p)
      : 'conformance';
  }
  return args;
}

/** Every tool, resource and prompt the server listed: tools called and prompts got with their required arguments. */
const everything: Step[] = [
  {
    name: 'call every tool, read every resource, get every prompt',
    run: async (s) => {
      // The snapshot's lists are the MCP objects the session cached (typed loosely for the bridge).
      const snap = s.snapshot();
      const tools = snap.tools as { name: string; inputSchema?: unknown }[];
      const resources = snap.resources as { uri: string }[];
      const prompts = snap.prompts as { name: string; arguments?: { name: string; required?: boolean }[] }[];
      const errors: string[] = [];
      const attempt = async (what: string, p: Promise<unknown>) => {
        await p.catch((err: Error) => errors.push(`${what}: ${err.message}`));
      };
      for (const t of tools) await attempt(`tools/call ${t.name}`, call(t.name, requiredArguments(t.inputSchema)).run(s));
      for (const r of resources) await attempt(`resources/read ${r.uri}`, s.readResource(r.uri));
      for (const p of prompts) {
        const args = Object.fromEntries((p.arguments ?? []).filter((a) => a.required).map((a) => [a.name, 'conformance']));
        await attempt(`prompts/get ${p.name}`, s.getPrompt(p.name, args));
      }
      if (errors.length) throw new Error(errors.join('; '));
      return { tools: tools.length, resources: resources.length, prompts: prompts.length };
    },
  },
];
