/**
 * The capability caches of one server: tools, prompts, resources and resource templates, always
 * complete (spec: server/utilities/pagination: the SDK follows every page, callers never see a
 * `nextCursor`) and kept fresh through `list_changed` notifications (in 2026-07-28 they arrive on the
 * `subscriptions/listen` stream, see subscriptions.ts).
 */
import type { Client, Prompt, Resource, ResourceTemplateType as ResourceTemplate, ServerCapabilities, Tool } from '@modelcontextprotocol/client';
import type { ListKind } from './client.js';
import type { Deadline } from './deadline.js';

/**
 * The four lists of one connection as Lua sees them in the snapshot. Empty while not connected;
 * {@link refresh} reloads one list from the server, {@link clear} forgets everything when the connection
 * goes (a load still running on the old connection then neither lands nor is joined by the new one).
 */
export class ListCache {
  tools: Tool[] = [];
  prompts: Prompt[] = [];
  resources: Resource[] = [];
  templates: ResourceTemplate[] = [];
  private refreshing = new Map<ListKind, Promise<void>>();
  private refreshAgain = new Set<ListKind>();

  /**
   * Reloads one list (resources come with their templates). A refresh asked for while one runs causes
   * exactly one more after it, never a pile of concurrent ones: 100,000 `list_changed` in a row are one
   * load in flight and at most one pending. Every caller gets the same promise; callers that report the
   * result (the session's `onChange`) are paced by the hub (hub/pacer.ts).
   *
   * @param client the connection to load from
   * @param caps the server's capabilities: a list it does not offer is empty, without a request
   * @param deadline the deadline of each load (called once per load: a start passes its own, a list
   *   change a fresh one); every page of the load counts against it
   * @param current false once the connection this load belongs to was replaced: its result is dropped
   * @throws ProtocolError from the server; SdkError (REQUEST_TIMEOUT when the deadline passed)
   */
  refresh(kind: ListKind, client: Client, caps: ServerCapabilities | undefined, deadline: () => Deadline, current: () => boolean): Promise<void> {
    const running = this.refreshing.get(kind);
    if (running) {
      this.refreshAgain.add(kind);
      return running;
    }
    let run: Promise<void> | undefined = undefined;
    run = (async () => {
      try {
        for (;;) {
          this.refreshAgain.delete(kind);
          try {
            await this.load(kind, client, caps, deadline(), current);
          } catch (err) {
            // A change announced meanwhile asks for a load of its own, with a fresh deadline: a server
            // that flooded us answers the first load late, the next one in time.
            if (this.refreshAgain.has(kind) && current()) continue;
            throw err;
          }
          if (!(this.refreshAgain.has(kind) && current())) break;
        }
      } finally {
        // clear() may have let a newer connection start its own run meanwhile: leave that one alone.
        if (this.refreshing.get(kind) === run) this.refreshing.delete(kind);
      }
    })();
    this.refreshing.set(kind, run);
    return run;
  }

  /**
   * Empties every list (the connection is gone) and forgets the loads in flight, so that the next
   * connection's first refresh runs on its own client instead of joining one on the old client.
   */
  clear(): void {
    this.tools = [];
    this.prompts = [];
    this.resources = [];
    this.templates = [];
    this.refreshing.clear();
    this.refreshAgain.clear();
  }

  private async load(kind: ListKind, client: Client, caps: ServerCapabilities | undefined, deadline: Deadline, current: () => boolean): Promise<void> {
    if (!current()) return;
    // 'refresh': always ask the server (this runs because something changed), and store the result in
    // the SDK's cache, which callTool's output-schema validation reads. Each page gets what is left of
    // the deadline, and the signal ends the walk over the pages when it passes.
    const opts = { timeout: deadline.budget(), signal: deadline.signal, cacheMode: 'refresh' as const };
    if (kind === 'tools') {
      const tools = caps?.tools ? (await client.listTools(undefined, opts)).tools : [];
      if (current()) this.tools = tools;
    } else if (kind === 'prompts') {
      const prompts = caps?.prompts ? (await client.listPrompts(undefined, opts)).prompts : [];
      if (current()) this.prompts = prompts;
    } else {
      const [resources, templates] = caps?.resources
        ? await Promise.all([
            client.listResources(undefined, opts).then((r) => r.resources),
            // Templates are optional: a server without the method still has its resources listed.
            client.listResourceTemplates(undefined, opts).then((r) => r.resourceTemplates, () => [] as ResourceTemplate[]),
          ])
        : [[], []];
      if (current()) {
        this.resources = resources;
        this.templates = templates;
      }
    }
  }
}
