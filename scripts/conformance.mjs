// `npm run conformance`: the official MCP conformance suite against dist/conformance.js, the client
// built on this host's session layer (src/conformance/client.ts). Two pinned suite versions, one per
// protocol revision the host speaks. Prints one line per scenario and a count; exits 1 on a failure
// that conformance/baseline.json does not list, on a baseline entry that passes now (take it out), or
// when a suite could not run. The suite's own output is kept in .cache/conformance/ for reading.
//
// The suite needs Node 22; npx fetches it as a package (node@22), so the machine needs only Node 20+.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The suites, pinned. 0.1.16 is the last release with the 2025-11-25 set; the 0.2.0 prereleases carry
 * the 2026-07-28 requirement set, frozen at that revision's release (scored scenarios, then the ones
 * run but not scored: extensions and later additions). `run` is how one scenario is run at that wire;
 * `--force` because extension scenarios are on no revision's timeline (the suite's own
 * `--requirements` run forces them the same way).
 */
export const SUITES = [
  { version: '0.1.16', revision: '2025-11-25', list: ['list', '--client', '--spec-version', '2025-11-25'], run: ['--spec-version', '2025-11-25'] },
  { version: '0.2.0-alpha.12', revision: '2026-07-28', list: ['list', '--requirements', '2026-07-28'], run: ['--spec-version', '2026-07-28', '--force'] },
];

/** Only these may be baselined: the features that later issues add (elicitation, sampling, OAuth). */
const BASELINE_ALLOWED = /^(auth\/|elicitation|sampling)/;

const client = join(root, 'dist', 'conformance.js');
const baselinePath = join(root, 'conformance', 'baseline.json');
const work = join(root, '.cache', 'conformance');

/**
 * @returns {Map<string, string>} scenario → why it is expected to fail
 * @throws Error when the file is malformed or lists a scenario that may not be baselined
 */
function readBaseline() {
  const raw = JSON.parse(readFileSync(baselinePath, 'utf8'));
  const entries = Object.entries(raw.client ?? {});
  for (const [scenario, reason] of entries) {
    if (typeof reason !== 'string' || !reason.trim()) throw new Error(`${baselinePath}: client.${scenario}: needs a reason (a non-empty string)`);
    if (!BASELINE_ALLOWED.test(scenario)) throw new Error(`${baselinePath}: client.${scenario}: only elicitation, sampling and authorization scenarios may be baselined`);
  }
  return new Map(entries);
}

/** Runs a command; resolves with its exit code and combined output. */
function run(cmd, args, opts = {}) {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, output }));
  });
}

/**
 * Fetches (once, into npx's cache) Node 22 and the suite, and returns their paths, so that each
 * scenario then starts without npx.
 * @throws Error when npx fails
 */
async function install(suite) {
  const { code, output } = await run('npx', ['-y', '-p', 'node@22', '-p', `@modelcontextprotocol/conformance@${suite.version}`, '-c', 'printf "@@%s\\n@@%s\\n" "$(command -v node)" "$(command -v conformance)"']);
  const [node, bin] = output.split('\n').filter((l) => l.startsWith('@@')).map((l) => l.slice(2));
  if (code !== 0 || !node || !bin) throw new Error(`npx could not fetch node@22 and the suite ${suite.version} (exit ${code}):\n${output}`);
  return { node, bin };
}

/**
 * The client scenarios the suite lists for its revision: `  - name [...]` under "Client scenarios",
 * and `    - name [client]` among those run but not scored.
 */
async function scenarios(suite, tools) {
  const { code, output } = await run(tools.node, [tools.bin, ...suite.list]);
  if (code !== 0) throw new Error(`conformance ${suite.list.join(' ')} failed (exit ${code}):\n${output}`);
  const scored = output.slice(output.indexOf('Client scenarios')).split(/\n\s*\n/)[0];
  const names = [...scored.matchAll(/^ {2}- (\S+)/gm), ...output.matchAll(/^ {4}- (\S+) \[client\]/gm)].map((m) => m[1]);
  return [...new Set(names)];
}

/**
 * Runs one scenario against the client and reads the checks it recorded.
 * The suite judges by its checks (as its own `--requirements` run does); how the client exited is
 * reported beside them (`exit`: its code when not 0, or `timeout`).
 * @returns {Promise<{ checks: { id: string, status: string, errorMessage?: string, description: string }[] | undefined, skipped: boolean, exit?: string, output: string }>}
 */
async function runScenario(suite, tools, scenario, outDir) {
  const dir = join(outDir, scenario.replaceAll('/', '_'));
  mkdirSync(dir, { recursive: true });
  const { output } = await run(tools.node, [tools.bin, 'client', '--command', `node ${client}`, '--scenario', scenario, ...suite.run, '-o', dir], { cwd: dir });
  writeFileSync(join(dir, 'output.txt'), output);
  const found = findChecks(dir);
  const exit = /Client exited with code (\d+)/.exec(output)?.[1] ?? (/Client timed out/.test(output) ? 'timeout' : undefined);
  return { checks: found && JSON.parse(readFileSync(found, 'utf8')), skipped: /^SKIPPED:/m.test(output), exit, output };
}

/** The checks.json the suite wrote somewhere under `dir`. */
function findChecks(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'checks.json') return path;
    if (statSync(path).isDirectory()) {
      const found = findChecks(path);
      if (found) return found;
    }
  }
  return undefined;
}

/** Runs `jobs` at a time, in order of the list; resolves with their results in that order. */
async function pool(items, jobs, work) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
  return results;
}

async function main() {
  if (!existsSync(client)) {
    console.error(`conformance: ${relative(root, client)} is missing; run \`npm run build\` first`);
    return 1;
  }
  const baseline = readBaseline();
  const verbose = process.argv.includes('--verbose');
  // A few scenarios at a time, not all at once as the suite's own --suite mode does: on a 2-core CI
  // machine forty clients starting together take longer to connect than the suite's 30 s allow, and
  // sse-retry measures the client's reconnection delay to within 200 ms.
  const jobsArg = process.argv.indexOf('--jobs');
  const jobs = jobsArg > 0 ? Math.max(1, Number(process.argv[jobsArg + 1]) || 1) : 2;
  // `--only REGEX`: the scenarios whose names match, for working on a few (the baseline's own check is skipped).
  const onlyArg = process.argv.indexOf('--only');
  const only = onlyArg > 0 ? new RegExp(process.argv[onlyArg + 1] ?? '') : undefined;
  const count = { pass: 0, baselined: 0, fail: 0 };
  const seen = new Set();
  let problems = 0;
  for (const suite of SUITES) {
    const outDir = join(work, suite.version);
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
    const tools = await install(suite);
    const names = (await scenarios(suite, tools)).filter((n) => !only || only.test(n));
    if (!names.length && !only) {
      console.log(`${suite.version.padEnd(16)} (the suite listed no client scenarios for ${suite.revision})`);
      problems++;
      continue;
    }
    const results = await pool(names, jobs, (scenario) => runScenario(suite, tools, scenario, outDir));
    names.forEach((scenario, i) => {
      seen.add(scenario);
      const { checks, skipped, exit } = results[i];
      const n = (status) => (checks ?? []).filter((c) => c.status === status).length;
      const failures = (checks ?? []).filter((c) => c.status === 'FAILURE');
      const ok = !skipped && checks !== undefined && failures.length === 0;
      const summary = skipped ? 'skipped by the suite' : checks === undefined ? 'no checks recorded' : `${n('SUCCESS')} passed, ${failures.length} failed${n('WARNING') ? `, ${n('WARNING')} warnings` : ''}${exit ? `; client exit ${exit}` : ''}`;
      const why = baseline.get(scenario);
      let verdict;
      if (ok && !why) {
        verdict = 'pass';
        count.pass++;
      } else if (!ok && why) {
        verdict = 'baselined';
        count.baselined++;
      } else if (ok && why) {
        verdict = 'FAIL (passes now: take it out of conformance/baseline.json)';
        count.fail++;
      } else {
        verdict = 'FAIL';
        count.fail++;
      }
      console.log(`${suite.version.padEnd(16)} ${scenario.padEnd(42)} ${verdict} (${summary})${verdict === 'baselined' && verbose ? ` — ${why}` : ''}`);
      if (verdict === 'FAIL') {
        const detail = failures.slice(0, 3).map((c) => `${c.id}: ${c.errorMessage ?? c.description}`);
        console.log(`${''.padEnd(19)}${detail.join(' | ') || 'see the output'} (${relative(root, join(outDir, scenario.replaceAll('/', '_')))})`);
      }
    });
  }
  for (const scenario of baseline.keys()) {
    if (!only && !seen.has(scenario)) {
      console.log(`baseline lists ${scenario}, which no suite ran: take it out of conformance/baseline.json`);
      problems++;
    }
  }
  console.log(`\nconformance: ${count.pass} passed, ${count.baselined} baselined, ${count.fail} failed (${SUITES.map((s) => `${s.version} for ${s.revision}`).join(', ')})`);
  return count.fail || problems ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`conformance: ${err.message}`);
    process.exit(1);
  },
);
