/**
 * `npm run chaos`: fault scenarios against the product in its production shape (private
 * PostgreSQL cluster, private Redis, the web app, two collab-servers, two workers — all real
 * processes), each ending with a comparison of every client's document with what it was told
 * was saved. Our promise: nothing acknowledged is ever lost.
 *
 *   npm run chaos                          all scenarios (a few minutes)
 *   npm run chaos -- --scenario pg-outage  one (collab-kill | worker-kill | redis-restart | pg-outage)
 *
 * Prints PASS/FAIL per scenario with its figures, writes the `chaos` section of BENCHMARKS.md
 * (a full run only), and exits 1 if any scenario fails. CHAOS_KEEP_LOGS=1 keeps the services'
 * logs (their folder is printed); CHAOS_KILL_PHASE (default final) picks the job worker-kill
 * interrupts; CHAOS_PG_OUTAGE_MS (default 10000) how long pg-outage keeps PostgreSQL down.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { writeBenchSection } from './report';
import { Api } from './chaos/api';
import { collabKill } from './chaos/collab-kill';
import { MissingPostgresError } from './chaos/pg-cluster';
import { pgOutage } from './chaos/pg-outage';
import { redisRestart } from './chaos/redis-restart';
import { chaosSettings, type Scenario, type ScenarioResult } from './chaos/scenario';
import { startTopology } from './chaos/topology';
import { storyText } from './chaos/workload';
import { workerKill } from './chaos/worker-kill';
import { MissingBinaryError } from '../lib/redis/embedded';

const SCENARIOS: Record<string, Scenario> = {
  'collab-kill': collabKill,
  'worker-kill': workerKill,
  'redis-restart': redisRestart,
  'pg-outage': pgOutage,
};
const names = Object.keys(SCENARIOS) as [string, ...string[]];

const argsSchema = z.object({ scenario: z.enum(names).optional() }).strict();

function parse(): z.infer<typeof argsSchema> {
  try {
    const { values } = parseArgs({ options: { scenario: { type: 'string' } }, strict: true });
    const parsed = argsSchema.safeParse(values);
    if (!parsed.success) throw new Error(`--scenario must be one of ${names.join(', ')}`);
    chaosSettings();
    return parsed.data;
  } catch (error) {
    process.stderr.write(`chaos: ${(error as Error).message}\nusage: npm run chaos [-- --scenario ${names.join('|')}]\n`);
    process.exit(2);
  }
}

function report(results: ScenarioResult[], started: number): string[] {
  const cpus = os.cpus();
  const lines = [
    '## Chaos (`npm run chaos`)',
    '',
    `Command: \`npm run chaos\` · date: ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} · machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, Node ${process.version} · whole run ${Math.round((Date.now() - started) / 1000)} s · load average at the end: ${os.loadavg()[0].toFixed(1)} (2 cores, shared).`,
    'Topology: a private PostgreSQL cluster (initdb/pg_ctl, fsync on), a private redis-server (append-only file), the web app (`next start`), two collab-servers joined through Redis, two workers (offline provider, 4 s job lock) — every one a separate process. Clients are real HocuspocusProviders given both collab URLs. "Acknowledged" = the provider\'s unsyncedChanges fell to 0 after the edit (the server acks only once an update is committed). Each scenario ends by reading every document from PostgreSQL (snapshot + log) and comparing it with every client.',
    '',
    ...results.flatMap((r) => [
      `### ${r.pass ? 'PASS' : 'FAIL'} — ${r.title} (\`--scenario ${r.name}\`)`,
      '',
      '| figure | value |',
      '|---|---|',
      ...r.figures.map(([k, v]) => `| ${k} | ${v} |`),
      ...(r.failures.length ? ['', ...r.failures.map((f) => `- FAIL: ${f}`)] : []),
      '',
    ]),
  ];
  return lines;
}

async function warmUp(api: Api): Promise<void> {
  const owner = await api.signUp('warmup');
  const projectId = await api.createProject(owner, 'warm-up', await storyText());
  await api.collabToken(owner, projectId);
  const run = await api.runPhase(owner, projectId, 'concept');
  await api.waitForJob(owner, run.jobId, 120_000);
  const rest = await api.pipeline(owner, projectId);
  if (rest.jobId) await api.waitForJob(owner, rest.jobId, 120_000);
}

async function main(): Promise<void> {
  const args = parse();
  const chosen = args.scenario ? [args.scenario] : names;
  const started = Date.now();
  const log = (line: string) => process.stdout.write(`chaos: ${line}\n`);
  log('starting the topology (private PostgreSQL and Redis, web, 2 collab-servers, 2 workers)…');
  const topology = await startTopology(log);
  log(`up in ${Math.round((Date.now() - started) / 1000)} s; service logs in ${topology.logDir}`);
  const api = new Api(topology.baseUrl);
  const results: ScenarioResult[] = [];
  let stopping = false;
  const interrupt = () => {
    if (stopping) process.exit(130);
    stopping = true;
    void topology.stop().finally(() => process.exit(130));
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  try {
    // Touch every route we use once, so the first request of a scenario does not pay for
    // `next start` loading that route's code.
    await warmUp(api);
    for (const name of chosen) {
      log(`— ${name}`);
      const t = Date.now();
      const result = await SCENARIOS[name]({ topology, api, log: (line) => log(`  ${line}`) }).catch(
        (error: Error): ScenarioResult => ({ name, title: name, pass: false, figures: [], failures: [`the scenario crashed: ${error.stack ?? error.message}`] }),
      );
      results.push(result);
      log(`${result.pass ? 'PASS' : 'FAIL'} ${name} (${Math.round((Date.now() - t) / 1000)} s)`);
      for (const [k, v] of result.figures) log(`    ${k}: ${v}`);
      for (const f of result.failures) log(`    FAIL: ${f}`);
    }
  } finally {
    await topology.stop();
  }
  const lines = report(results, started);
  // Only a full run replaces the section: one scenario alone would hide the others' figures.
  if (!args.scenario) writeBenchSection('chaos', lines);
  const failed = results.filter((r) => !r.pass);
  log(failed.length ? `${failed.length} of ${results.length} scenarios FAILED: ${failed.map((r) => r.name).join(', ')}` : `all ${results.length} scenarios passed`);
  process.exit(failed.length ? 1 : 0);
}

main().catch((error: unknown) => {
  if (error instanceof MissingPostgresError || error instanceof MissingBinaryError) {
    process.stderr.write(`chaos: ${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
