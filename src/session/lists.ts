/**
 * Complete lists (spec: server/utilities/pagination): every page followed, so that callers never see
 * a `nextCursor`.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';

/** Upper bound on pages per list, so that a server that always returns a cursor cannot loop us forever. */
const MAX_PAGES = 1000;

async function all<T>(fetchPage: (cursor?: string) => Promise<{ items: T[]; nextCursor?: string }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await fetchPage(cursor);
    items.push(...res.items);
    if (!res.nextCursor || res.nextCursor === cursor) return items;
    cursor = res.nextCursor;
  }
  throw new Error(`server returned more than ${MAX_PAGES} pages`);
}

const p = (cursor?: string) => (cursor ? { cursor } : {});

export const listAllTools = (c: Client, timeout: number) =>
  all<Tool>(async (cursor) => {
    const r = await c.listTools(p(cursor), { timeout });
    return { items: r.tools, nextCursor: r.nextCursor };
  });

export const listAllPrompts = (c: Client, timeout: number) =>
  all<Prompt>(async (cursor) => {
    const r = await c.listPrompts(p(cursor), { timeout });
    return { items: r.prompts, nextCursor: r.nextCursor };
  });

export const listAllResources = (c: Client, timeout: number) =>
  all<Resource>(async (cursor) => {
    const r = await c.listResources(p(cursor), { timeout });
    return { items: r.resources, nextCursor: r.nextCursor };
  });

export const listAllResourceTemplates = (c: Client, timeout: number) =>
  all<ResourceTemplate>(async (cursor) => {
    const r = await c.listResourceTemplates(p(cursor), { timeout });
    return { items: r.resourceTemplates, nextCursor: r.nextCursor };
  });
