/**
 * How deep a JSON value nests, measured without recursion: values from servers may nest to any depth
 * (`JSON.parse` has no limit), and a recursive walk would overflow the host's stack.
 */

/**
 * Whether `value` has containers nested deeper than `limit` (the outermost container is level 1).
 * Visits each container once; stops at the first one too deep.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [object, number][] = [];
  if (typeof value === 'object' && value !== null) stack.push([value, 1]);
  while (stack.length) {
    const [v, level] = stack.pop()!;
    if (level > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, level + 1]);
    }
  }
  return false;
}

