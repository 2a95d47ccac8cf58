/**
 * The "chat call latency" case (issue 10): what a model's tool call through the chat API
 * (`require("mcp.chat").run`: the function name resolved, the JSON arguments decoded, the approval policy
 * evaluated, the result formatted for the model) adds over a plain `call_tool` of the same tool. Both are
 * measured in the same Neovim, interleaved (chat, call, chat, call, ...), so that both see the same load;
 * the timings are taken in Neovim by `B.seq_chat` (bench/lua/bench.lua).
 *
 * server-everything's `echo` over stdio, with `auto_approve` for that server: no human is asked, but the
 * policy (|mcp-approval|) is still evaluated on every call, as it is for any model call.
 */
import { everything, startBench } from './env.js';
import type { Reps, Row } from './cases.js';
import { summarize } from './stats.js';

const echoArgs = { message: 'hello from the bench' };

export async function chatLatency(r: Reps): Promise<Row[]> {
  const total = r.quick ? 100 : 1000;
  const blocks = 4;
  const b = await startBench({ everything: { ...everything(), auto_approve: true } });
  try {
    await b.run('first_call', ['everything', 'echo', echoArgs], 30_000);
    // Warm-up: JIT, caches, the policy's modules loaded.
    await b.run('seq_chat', ['everything', 'echo', echoArgs, 100], 60_000);
    const chat: number[] = [];
    const call: number[] = [];
    for (let i = 0; i < blocks; i++) {
      const res = await b.run<{ chat: number[]; call: number[] }>('seq_chat', ['everything', 'echo', echoArgs, total / blocks], 120_000);
      chat.push(...res.chat);
      call.push(...res.call);
    }
    const o = summarize(chat);
    const fl = summarize(call);
    const slackMs = 0.3;
    return [
      {
        id: 'chat-call',
        case: 'chat call latency, stdio',
        measure: `require("mcp.chat").run of server-everything's echo (auto_approve: policy evaluated, nobody asked) to its callback, ${total} sequential, interleaved with as many call_tool("everything", "echo")`,
        unit: 'ms',
        ours: o,
        floor: fl,
        ratio: o.median / fl.median,
        target: `median <= call_tool + ${slackMs} ms`,
        pass: o.median <= fl.median + slackMs,
        details: { added_median_ms: o.median - fl.median, added_p99_ms: o.p99 - fl.p99, samples_each: total },
      },
    ];
  } finally {
    await b.quit();
  }
}
