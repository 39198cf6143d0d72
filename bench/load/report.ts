/**
 * The figures of one `npm run load`: a summary on stdout and the `load` section of BENCHMARKS.md
 * (through bench/report.ts), next to the seed's bars. Returns the exit code: 1 when an
 * acknowledged edit was lost or a project's documents diverged.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeBenchSection } from '../report';
import type { ClientStats } from '../lib/yclients';
import type { ApiCounters } from './api';
import type { JobCounts } from './jobs';
import type { LoadOptions } from './options';
import type { Verdict } from './verify';

export interface RssSample {
  atMs: number;
  mb: Record<string, number>;
  /** CPU seconds used so far by each service. */
  cpuS: Record<string, number>;
}

export interface LoadResult {
  options: LoadOptions;
  startedAt: Date;
  database: string;
  setupSeconds: number;
  connectSeconds: number;
  editSeconds: number;
  clients: number;
  stats: ClientStats;
  lateAcks: number;
  ackTimeoutMs: number;
  maxPendingAgeMs: number;
  availability: number;
  generator: { lagP50Ms: number; lagP99Ms: number; lagMaxMs: number; cpuPercent: number };
  api: ApiCounters;
  collabServer: { ackMeanMs: number; rowsPerInsert: number };
  /** The collab-server's open documents, connections and V8 heap in use, sampled with RSS. */
  collabGauges: GaugeSample[];
  jobs: JobCounts;
  rss: RssSample[];
  /** Set when the product's process tree ended during the run. */
  productDied: { atS: number; why: string } | null;
  productLog: string;
  verdict: Verdict;
}

/** The seed's bars (issue 7). */
export const BARS = { availability: 0.999, errorRate: 0.001, memoryGrowth: 0.05 } as const;

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
const pctText = (x: number, digits = 2) => (Number.isFinite(x) ? `${(x * 100).toFixed(digits)} %` : '—');

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export interface GaugeSample {
  atMs: number;
  mb: Record<string, number>;
}

export interface Growth {
  service: string;
  warmMb: number;
  endMb: number;
  growth: number;
  pass: boolean;
}

/**
 * RSS after warm-up vs at the end. Each side is the median of the samples in a window of a fifth
 * of the run (the first after warm-up; the last of the run). A Node service's RSS swings by a
 * third as V8 grows its heap between major collections (the collab-server's, every 30–60 s
 * under this load); a window must span several of those swings, or two runs of the same code
 * disagree by more than the 5 % bar (with 10 % windows: +1.0 % and +5.1 %).
 */
export function memoryGrowth(rss: GaugeSample[], warmupMs: number, runMs: number): Growth[] {
  const window = Math.max(runMs / 5, 1);
  const warm = rss.filter((s) => s.atMs >= warmupMs && s.atMs <= warmupMs + window);
  const end = rss.filter((s) => s.atMs >= runMs - window);
  const services = Object.keys(rss[0]?.mb ?? {});
  return services.map((service) => {
    const warmMb = median(warm.map((s) => s.mb[service]));
    const endMb = median(end.map((s) => s.mb[service]));
    const growth = (endMb - warmMb) / warmMb;
    return { service, warmMb, endMb, growth, pass: Number.isFinite(growth) && growth <= BARS.memoryGrowth };
  });
}

/** About `n` samples evenly spread over the run, first and last included. */
export function spread<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  const out: T[] = [];
  for (let k = 0; k < n; k += 1) out.push(items[Math.round((k * (items.length - 1)) / (n - 1))]);
  return out;
}

/** Each service's CPU use between the first and the last sample, in % of one core. */
export function cpuShares(rss: RssSample[]): [string, number][] {
  const first = rss[0];
  const last = rss.at(-1);
  if (!first || !last || last.atMs <= first.atMs) return [];
  return Object.keys(first.cpuS).map((k) => [k, ((last.cpuS[k] - first.cpuS[k]) / ((last.atMs - first.atMs) / 1000)) * 100]);
}

/** The code measured: the git commit, or the COMMIT file of an exported tree (`git archive`). */
function sourceCommit(): string {
  const root = path.resolve(import.meta.dirname, '../..');
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    const file = path.join(root, 'COMMIT');
    return existsSync(file) ? readFileSync(file, 'utf8').trim() : 'unknown';
  }
}

function commandLine(o: LoadOptions): string {
  const args = [`--duration ${o.duration / 1000}s`, `--clients ${o.clients}`, `--projects ${o.projects}`, `--rate ${o.rate}`, `--warmup ${o.warmup / 1000}s`, `--jobs-per-minute ${o.jobsPerMinute}`];
  if (o.url) args.push(`--url ${o.url}`);
  return `npm run load -- ${args.join(' ')}`;
}

export function writeLoadReport(r: LoadResult): number {
  const { stats, verdict, jobs } = r;
  const closes = [...stats.closes.values()].reduce((a, b) => a + b, 0);
  const errors = closes + stats.authFailures + r.lateAcks + verdict.unacknowledged;
  const errorRate = stats.edits ? errors / stats.edits : Number.NaN;
  const lost = verdict.lostInClients.length + verdict.lostInDatabase.length;
  // Unsettled, the client-side checks see deliveries still in flight: not a verdict either way.
  const ok = lost === 0 && verdict.diverged.length === 0 && !r.productDied && verdict.settled;
  const growth = memoryGrowth(r.rss, r.options.warmup, r.editSeconds * 1000);
  const cpus = os.cpus();
  const load = os.loadavg();
  const closeList = [...stats.closes.entries()].map(([k, v]) => `${k} × ${v}`).join(', ') || 'none';
  const refused = [...jobs.refused.entries()].map(([k, v]) => `${v} × ${k}`).join('; ');
  const services = Object.keys(r.rss[0]?.mb ?? {});

  const rows: string[][] = [
    ['clients (sockets) / projects', `${r.clients} / ${r.verdict.projects} (${r.clients / r.verdict.projects} each: owner + editors)`, '1000 concurrent users'],
    ['edits sent / acknowledged (offered rate)', `${stats.edits} / ${stats.acks} (${fmt(stats.edits / r.editSeconds, 0)} edits/s)`, '—'],
    ['propagation to the other clients of the project, p50 / p99 / max (ms)', `${fmt(stats.propagation.percentile(50))} / ${fmt(stats.propagation.percentile(99))} / ${fmt(stats.propagation.max, 0)} (${stats.propagation.count} samples)`, '—'],
    ['durable ack (committed in PostgreSQL), p50 / p99 / max (ms)', `${fmt(stats.ack.percentile(50))} / ${fmt(stats.ack.percentile(99))} / ${fmt(stats.ack.max, 0)}`, '—'],
    ['availability (client-seconds connected, authenticated and synced)', pctText(r.availability, 3), `≥ ${pctText(BARS.availability, 1)} — ${r.availability >= BARS.availability ? 'met' : 'MISSED'}`],
    [`errors: abnormal closes ${closes} · auth failures ${stats.authFailures} · acks later than ${r.ackTimeoutMs / 1000} s ${r.lateAcks} · never acknowledged ${verdict.unacknowledged}`, `${errors} = ${pctText(errorRate, 3)} of edits`, `< ${pctText(BARS.errorRate, 1)} — ${errorRate < BARS.errorRate ? 'met' : 'MISSED'}`],
    ['reconnects (provider re-opened its socket)', String(stats.reconnects), '—'],
    ['collab-server\'s own view: receive → durable → ack, mean (ms) · rows per group-commit INSERT', `${fmt(r.collabServer.ackMeanMs)} · ${fmt(r.collabServer.rowsPerInsert, 1)}`, '—'],
    ...(services.length ? [['CPU used while editing, % of one core (each service\'s processes)', cpuShares(r.rss).map(([k, v]) => `${k} ${fmt(v, 0)}`).join(' · '), '—']] : []),
    ['oldest unacknowledged edit seen during the run (ms)', fmt(r.maxPendingAgeMs, 0), '—'],
    [
      `agent work: ${r.options.jobsPerMinute}/min through the API (alternately: a pipeline on a new project, opened by one watcher and closed when done; a concept re-run on an edited project)`,
      `pipelines ${jobs.pipelines.done} done, ${jobs.pipelines.failed} failed, ${jobs.pipelines.running} unfinished (median ${fmt(median(jobs.pipelineSeconds), 0)} s) · runs ${jobs.runs.done} done, ${jobs.runs.failed} failed, ${jobs.runs.running} unfinished${refused ? ` · refused: ${refused}` : ''}`,
      '—',
    ],
    ['documents identical across each project\'s clients', verdict.diverged.length === 0 ? `yes (${verdict.projects} projects)` : `NO: ${verdict.diverged.length} diverged`, 'all'],
    ['acknowledged edits missing (clients / durable log)', `${verdict.lostInClients.length} / ${verdict.databaseChecked ? verdict.lostInDatabase.length : 'not checked'}${verdict.databaseChecked ? ` (stored document ≠ clients' in ${verdict.databaseDiffers} projects)` : ''}`, '0'],
    ['load generator: event-loop lag p50 / p99 / max (ms) · CPU', `${fmt(r.generator.lagP50Ms)} / ${fmt(r.generator.lagP99Ms)} / ${fmt(r.generator.lagMaxMs, 0)} · ${fmt(r.generator.cpuPercent, 0)} % of a core`, '—'],
    ['setup through the API: time · requests · 429s waited out', `${fmt(r.setupSeconds, 0)} s (+ ${fmt(r.connectSeconds, 0)} s to connect) · ${r.api.requests} · ${r.api.rateLimited}`, '—'],
    ...(r.collabGauges.length
      ? [[
          "collab-server's contents, same windows: documents open · connections · V8 heap in use (MB)",
          memoryGrowth(r.collabGauges, r.options.warmup, r.editSeconds * 1000).map((g) => `${fmt(g.warmMb, 0)} → ${fmt(g.endMb, 0)}`).join(' · '),
          '—',
        ]]
      : []),
    ...growth.map((g) => [`RSS ${g.service}: after warm-up → end (MB), growth`, `${fmt(g.warmMb, 0)} → ${fmt(g.endMb, 0)}, ${g.growth >= 0 ? '+' : ''}${pctText(g.growth, 1)}`, `≤ +5 % — ${g.pass ? 'PASS' : 'FAIL'}`]),
  ];

  const rssRows = spread(r.rss, 10).map((s) => `| ${fmt(s.atMs / 1000, 0)} | ${services.map((k) => fmt(s.mb[k], 0)).join(' | ')} |`);
  const section = [
    '## Load (`npm run load`)',
    '',
    `Command: \`${commandLine(r.options)}\` · date: ${r.startedAt.toISOString().replace(/\.\d+Z$/, 'Z')} · machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, Node ${process.version} · code: ${sourceCommit()} · database: ${r.database} · editing ${fmt(r.editSeconds, 0)} s · load average at the end: ${load.map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min; ${cpus.length} cores, shared with other work).`,
    'The product runs as `npm start` starts it (web, collab-server, one worker, private redis-server) in its own process tree; the clients are real HocuspocusProvider instances over `ws`, one socket each, in this second process on the same cores — the generator\'s own event-loop lag is reported so a saturated generator is visible. Each edit overwrites the client\'s key in a top-level map of its project\'s work document: the visible content stays the same size, but Yjs keeps a small deleted item per overwrite, so part of a memory growth can be document history rather than a leak. Setup (users, projects, members, collab tokens) goes through the HTTP API with the per-IP rate limit raised for the run (a thousand users share one loopback address).',
    ...(r.productDied ? [`**The product stopped during the run** at ${fmt(r.productDied.atS, 0)} s (${r.productDied.why}); its output is in \`${r.productLog}\`. Figures below stop there; the durable log was not checked.`] : []),
    ...(!verdict.settled && !r.productDied
      ? [`**Not verified**: ${verdict.unacknowledged} edits were still unacknowledged when the checks ran (the product had not caught up 2 min after the last edit), so the client-side figures below count deliveries still in flight; only the durable-log column compares like with like (acks taken before reading the log).`]
      : []),
    `Verdict: ${
      ok
        ? 'every acknowledged edit present on every client' + (verdict.databaseChecked ? ' and in the durable log' : '') + '; no divergence.'
        : verdict.settled || r.productDied
          ? `FAILED — ${lost} acknowledged edits missing, ${verdict.diverged.length} projects diverged.`
          : `NOT VERIFIED (did not settle) — durable log: ${verdict.databaseChecked ? `${verdict.lostInDatabase.length} acknowledged edits missing` : 'not checked'}.`
    }`,
    '',
    '| what | measured | seed\'s bar |',
    '|---|---|---|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    `Closes seen by the clients: ${closeList}.`,
    '',
    ...(services.length
      ? [
          `RSS over time (MB, each service's process subtree; \`start\` is the orchestrator${r.database === 'embedded PGlite' ? ' hosting the embedded PGlite' : ''}). Warm-up ends at ${fmt(r.options.warmup / 1000, 0)} s; growth compares the median of the samples in the fifth of the run after it with the median of the last fifth.`,
          '',
          `| s | ${services.join(' | ')} |`,
          `|---|${services.map(() => '---').join('|')}|`,
          ...rssRows,
        ]
      : ['RSS: not sampled (attached to a product whose processes are not on this machine\'s view).']),
  ];
  if (r.options.write) writeBenchSection('load', section);
  else process.stdout.write(`${section.join('\n')}\n`);
  for (const line of [...verdict.lostInClients, ...verdict.lostInDatabase].slice(0, 20)) process.stdout.write(`lost: ${line}\n`);
  for (const doc of verdict.diverged.slice(0, 20)) process.stdout.write(`diverged: ${doc}\n`);
  return ok ? 0 : 1;
}
