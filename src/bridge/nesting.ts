/**
 * Values nested deeper than Neovim's msgpack-RPC decoder takes, carried across as JSON text.
 *
 * Measured on Neovim 0.10.4 and 0.12.4 (`nvim_exec_lua` notifications over an RPC channel): a message
 * whose arrays and maps nest 31 deep is handled; at 32 Neovim closes the channel, which kills the host
 * (its stdin ends). A `_batch` call wraps each item in four levels (message, params, `[chan, items]`,
 * `items`), so an item may nest at most 27 levels (the item's own list counted). A deeper item crosses
 * as JSON text, which Lua decodes with `vim.json.decode` (lua-cjson, which refuses more than 1000 nested
 * levels on both versions): cut into segments of at most {@link SEGMENT_NESTING} levels each, which Lua
 * decodes one by one and puts back together at the recorded places, so that any depth the MCP SDK
 * accepts (it parses with `JSON.parse`, which has no limit) arrives intact. Every walk here is
 * iterative or bounded by the segment size: no depth overflows the host's stack.
 */

/** Deepest nesting of containers (arrays, maps) in one message that Neovim's decoder accepts. */
export const MSGPACK_MAX_NESTING = 31;
/** Levels the `_batch` notification puts around each item: the message, its params, `[chan, items]`, `items`. */
const BATCH_WRAPPING = 4;
/** Deepest item (its own list counted) that crosses as msgpack. */
export const ITEM_MAX_NESTING = MSGPACK_MAX_NESTING - BATCH_WRAPPING;
/** Deepest nesting of one JSON segment: half of lua-cjson's 1000, for a margin. */
export const SEGMENT_NESTING = 500;

/** A path from a segment's root to where the next segment goes: map keys as strings, list positions 1-based (Lua's). */
export type SegmentPath = (string | number)[];
/**
 * One piece of a deep value: `[parent, path, json]`. The first segment (parent 0, empty path) is the
 * root; each other one replaces the `null` at `path` inside segment number `parent` (1-based), which
 * comes before it.
 */
export type Segment = [number, SegmentPath, string];

/**
 * Cuts `value` into JSON segments of at most `limit` nested levels each (see {@link Segment}), in an
 * order where each segment's parent comes first.
 *
 * @throws RangeError only if the host runs out of memory
 */
export function toSegments(value: unknown, limit = SEGMENT_NESTING): Segment[] {
  const out: Segment[] = [];
  const todo: { parent: number; path: SegmentPath; value: unknown }[] = [{ parent: 0, path: [], value }];
  for (let i = 0; i < todo.length; i++) {
    const { parent, path, value: part } = todo[i]!;
    const index = i + 1;
    const copy = cutAt(part, limit, [], (rest, deeper) => todo.push({ parent: index, path: rest, value: deeper }));
    out.push([parent, path, json(copy)]);
  }
  return out;
}

/**
 * A copy of `value` down to `levelsLeft` levels; each container below that is replaced by `null` and
 * handed to `defer` with its path from `value`. Recursion is bounded by `levelsLeft`.
 */
function cutAt(value: unknown, levelsLeft: number, path: SegmentPath, defer: (path: SegmentPath, value: object) => void): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (levelsLeft === 0) {
    defer([...path], value);
    return null;
  }
  // `path` is shared and restored after each child: copied only for the (few) deferred containers.
  const child = (key: string | number, item: unknown): unknown => {
    path.push(key);
    const copy = cutAt(item, levelsLeft - 1, path, defer);
    path.pop();
    return copy;
  };
  if (Array.isArray(value)) return value.map((item, i) => child(i + 1, item));
  // No prototype: a key named `__proto__` (JSON.parse makes it an own key) stays a key.
  const copy = Object.create(null) as Record<string, unknown>;
  for (const [k, item] of Object.entries(value)) copy[k] = child(k, item);
  return copy;
}

/**
 * JSON that lua-cjson decodes: `JSON.stringify` escapes a lone UTF-16 surrogate as `\udXXX`, which
 * cjson refuses; it becomes U+FFFD (what a UTF-8 decoder makes of it anyway).
 */
function json(value: unknown): string {
  return JSON.stringify(value).replace(/(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/g, '$1\\ufffd');
}
