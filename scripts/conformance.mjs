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

/** The suites, pinned. 0.1.16 is the last release with the 2025-11-25 set; 0.2.0 prereleases carry
 * the frozen 2026-07-28 requirement set (`--requirements`). */
export const SUITES = [
  { version: '0.1.16', revision: '2025-11-25', select: ['--suite', 'all', '--spec-version', '2025-11-25'] },
  { version: '0.2.0-alpha.12', revision: '2026-07-28', select: ['--requirements', '2026-07-28'] },
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

/** Runs one suite; resolves with its combined output once it exits. */
function runSuite(suite, outDir) {
  const args = ['-y', '-p', 'node@22', '-p', `@modelcontextprotocol/conformance@${suite.version}`, 'conformance', 'client', '--command', `node ${client}`, ...suite.select, '-o', outDir];
  return new Promise((done, fail) => {
    const child = spawn('npx', args, { cwd: outDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, output }));
  });
}

/**
 * The suite's summary lines: `✓ name: 3 passed, 0 failed[, 1 warnings]`, `✗ ...`, `- name: skipped`.
 * @returns {Map<string, { passed: number, failed: number, warnings: number, skipped: boolean }>}
 */
function parseSummary(output) {
  const results = new Map();
  const at = output.indexOf('=== SUITE SUMMARY ===');
  if (at < 0) return results;
  for (const line of output.slice(at).split('\n')) {
    const m = /^[✓✗] (\S+): (\d+) passed, (\d+) failed(?:, (\d+) warnings)?/.exec(line);
    if (m) results.set(m[1], { passed: +m[2], failed: +m[3], warnings: +(m[4] ?? 0), skipped: false });
    const s = /^- (\S+): skipped/.exec(line);
    if (s) results.set(s[1], { passed: 0, failed: 0, warnings: 0, skipped: true });
  }
  return results;
}

/** The first failing checks of a scenario, from the checks.json the suite wrote under `outDir`. */
function failureDetail(outDir, scenario) {
  const stamp = /-\d{4}-\d{2}-\d{2}T[\d-]+Z$/;
  const found = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (!statSync(path).isDirectory()) continue;
      if (existsSync(join(path, 'checks.json')) && relative(outDir, path).replace(stamp, '') === scenario) found.push(path);
      else walk(path);
    }
  };
  walk(outDir);
  if (!found.length) return 'no checks recorded';
  const checks = JSON.parse(readFileSync(join(found[0], 'checks.json'), 'utf8'));
  return checks
    .filter((c) => c.status === 'FAILURE')
    .slice(0, 3)
    .map((c) => `${c.id}: ${c.errorMessage ?? c.description}`)
    .join(' | ');
}

async function main() {
  if (!existsSync(client)) {
    console.error(`conformance: ${relative(root, client)} is missing; run \`npm run build\` first`);
    return 1;
  }
  const baseline = readBaseline();
  const verbose = process.argv.includes('--verbose');
  const count = { pass: 0, baselined: 0, fail: 0 };
  let problems = 0;
  const seen = new Set();
  mkdirSync(work, { recursive: true });
  for (const suite of SUITES) {
    const outDir = join(work, suite.version);
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
    const { code, output } = await runSuite(suite, outDir);
    writeFileSync(join(work, `${suite.version}.log`), output);
    const results = parseSummary(output);
    if (!results.size) {
      console.log(`${suite.version.padEnd(16)} (suite did not run, exit ${code}; see ${relative(root, join(work, `${suite.version}.log`))})`);
      problems++;
      continue;
    }
    for (const [scenario, r] of results) {
      seen.add(scenario);
      const why = baseline.get(scenario);
      const ok = !r.skipped && r.failed === 0;
      const checks = r.skipped ? 'skipped by the suite' : `${r.passed} passed, ${r.failed} failed${r.warnings ? `, ${r.warnings} warnings` : ''}`;
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
      console.log(`${suite.version.padEnd(16)} ${scenario.padEnd(42)} ${verdict} (${checks})${verdict === 'baselined' && verbose ? ` — ${why}` : ''}`);
      if (verdict === 'FAIL') console.log(`${''.padEnd(16)}   ${failureDetail(outDir, scenario)}`);
    }
  }
  for (const scenario of baseline.keys()) {
    if (!seen.has(scenario)) {
      console.log(`baseline lists ${scenario}, which no suite ran: take it out of conformance/baseline.json`);
      problems++;
    }
  }
  console.log(`\nconformance: ${count.pass} passed, ${count.baselined} baselined, ${count.fail} failed (suites ${SUITES.map((s) => `${s.version} for ${s.revision}`).join(', ')})`);
  return count.fail || problems ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`conformance: ${err.message}`);
    process.exit(1);
  },
);
