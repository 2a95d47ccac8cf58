/**
 * The host's task rules on their own (src/session/tasks.ts): which calls run as tasks, and what `:Mcp tasks`
 * lists of a server's tasks. test/lua/tasks.test.ts runs real tasks of server-everything through a real
 * Neovim.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../src/contract/errors.js';
import { TaskBook, taskMode, type Task } from '../../src/session/tasks.js';

const what = 'server "s": tools/call "t"';

function task(taskId: string, status: Task['status'], createdAt: string): Task {
  return { taskId, status, createdAt, lastUpdatedAt: createdAt, ttl: 60_000, pollInterval: 500 };
}

describe('taskMode', () => {
  it('runs a required tool as a task, an optional one only when asked, others never', () => {
    expect(taskMode({ taskSupport: 'required' }, false, 'legacy', true, what)).toBe(true);
    expect(taskMode({ taskSupport: 'optional' }, false, 'legacy', true, what)).toBe(false);
    expect(taskMode({ taskSupport: 'optional' }, true, 'legacy', true, what)).toBe(true);
    expect(taskMode({ taskSupport: 'forbidden' }, false, 'legacy', true, what)).toBe(false);
    expect(taskMode(undefined, false, 'legacy', false, what)).toBe(false);
  });

  it('refuses a task asked of a tool that does not run as one, naming the call and the setting', () => {
    expect(() => taskMode({ taskSupport: 'forbidden' }, true, 'legacy', true, what)).toThrow(
      expect.objectContaining({ code: ErrorCodes.InvalidParams, message: `${what}: the tool does not run as a task (execution.taskSupport: forbidden)` }),
    );
    expect(() => taskMode(undefined, true, 'legacy', true, what)).toThrow(/execution\.taskSupport: not set/);
  });

  it('refuses a task where it cannot be created: a server that does not declare tasks for tools/call, the 2026-07-28 era', () => {
    expect(() => taskMode({ taskSupport: 'required' }, false, 'legacy', false, what)).toThrow(/does not declare tasks\.requests\.tools\.call/);
    expect(() => taskMode({ taskSupport: 'required' }, false, 'modern', true, what)).toThrow(/2026-07-28 .* does not serve/);
  });
});

describe('TaskBook', () => {
  it("lists this host's tasks with their tool, merged with a server's list (its status wins), oldest first", () => {
    const book = new TaskBook();
    book.record('research', task('a', 'working', '2026-01-01T00:00:02Z'));
    book.record('build', task('b', 'working', '2026-01-01T00:00:01Z'));
    const listed = [task('a', 'completed', '2026-01-01T00:00:02Z'), task('c', 'failed', '2026-01-01T00:00:00Z')];
    expect(book.entries('s', listed).map((t) => [t.taskId, t.status, t.tool ?? null, t.ours])).toEqual([
      ['c', 'failed', null, false],
      ['b', 'working', 'build', true],
      ['a', 'completed', 'research', true],
    ]);
    // The server's answer is remembered.
    expect(book.entries('s').find((t) => t.taskId === 'a')!.status).toBe('completed');
  });

  it('forgets the oldest ended tasks first when it holds too many', () => {
    const book = new TaskBook();
    book.record('t', task('running', 'working', '2026-01-01T00:00:00Z'));
    for (let i = 0; i < 250; i++) book.record('t', task(`done-${i}`, 'completed', '2026-01-01T00:00:01Z'));
    const ids = book.entries('s').map((t) => t.taskId);
    expect(ids).toHaveLength(200);
    expect(ids).toContain('running');
    expect(ids).toContain('done-249');
    expect(ids).not.toContain('done-0');
  });
});
