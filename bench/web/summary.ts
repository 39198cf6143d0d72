/**
 * The pure half of `npm run bench:web`: read the figures we report out of a Lighthouse result,
 * take the median of several runs, and lay them out next to the seed's bars.
 *
 * Lighthouse results are large and loosely typed across versions, so only the few fields we
 * use are read, through a zod schema: a result missing one is an error that names it, never a
 * silent zero in BENCHMARKS.md.
 */
import { z } from 'zod';
import { median } from '../../lib/engine/layout/stats';

/** Metric → Lighthouse audit id. Times are milliseconds; CLS is unitless. */
export const METRICS = {
  fcp: 'first-contentful-paint',
  lcp: 'largest-contentful-paint',
  cls: 'cumulative-layout-shift',
  tti: 'interactive',
  tbt: 'total-blocking-time',
  si: 'speed-index',
} as const;
export type MetricKey = keyof typeof METRICS;

/** The seed's bars (strictly below each is a pass); TBT and Speed Index are reported without a bar. */
export const BARS: Partial<Record<MetricKey, number>> = { fcp: 1500, lcp: 2500, cls: 0.1, tti: 3000 };

export interface RunFigures extends Record<MetricKey, number> {
  /** Lighthouse's performance score, 0–100. */
  score: number;
  /**
   * JavaScript transferred during the load, kB. Unlike the timings it does not depend on how
   * busy the machine is, so a before → after change in it is a change in the page.
   */
  jsKB?: number;
}

const audit = z.object({ numericValue: z.number().finite().nonnegative() });
const lhrSchema = z.object({
  lighthouseVersion: z.string(),
  finalDisplayedUrl: z.string(),
  runtimeError: z.object({ code: z.string(), message: z.string() }).optional(),
  runWarnings: z.array(z.string()).default([]),
  environment: z.object({ hostUserAgent: z.string(), benchmarkIndex: z.number().optional() }),
  configSettings: z.object({
    formFactor: z.enum(['mobile', 'desktop']),
    throttlingMethod: z.enum(['devtools', 'simulate', 'provided']),
    throttling: z.object({ rttMs: z.number(), throughputKbps: z.number(), cpuSlowdownMultiplier: z.number() }),
  }),
  categories: z.object({ performance: z.object({ score: z.number().min(0).max(1).nullable() }) }),
  audits: z
    .object(Object.fromEntries(Object.values(METRICS).map((id) => [id, audit])) as Record<(typeof METRICS)[MetricKey], typeof audit>)
    .extend({
      'network-requests': z
        .object({ details: z.object({ items: z.array(z.object({ resourceType: z.string().optional(), transferSize: z.number().nonnegative().optional() })) }) })
        .optional(),
    }),
});
export type LighthouseSummaryInput = z.input<typeof lhrSchema>;

export interface ParsedRun {
  figures: RunFigures;
  lighthouseVersion: string;
  userAgent: string;
  finalUrl: string;
  formFactor: 'mobile' | 'desktop';
  throttling: string;
  /** Lighthouse's own CPU speed measure of this machine during the run (higher is faster). */
  benchmarkIndex: number | null;
  warnings: string[];
}

/** One Lighthouse result → the figures we report; throws naming what is missing or why the run failed. */
export function parseRun(lhr: unknown): ParsedRun {
  const parsed = lhrSchema.safeParse(lhr);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).slice(0, 5).join('; ');
    throw new Error(`not a usable Lighthouse result (${where})`);
  }
  const r = parsed.data;
  if (r.runtimeError) throw new Error(`Lighthouse failed on ${r.finalDisplayedUrl}: ${r.runtimeError.code} ${r.runtimeError.message}`);
  // A null score means Lighthouse could not compute a metric: the run is not usable.
  if (r.categories.performance.score === null) throw new Error(`Lighthouse gave no performance score for ${r.finalDisplayedUrl}`);
  const figures = { score: Math.round(r.categories.performance.score * 100) } as RunFigures;
  for (const [key, id] of Object.entries(METRICS) as Array<[MetricKey, (typeof METRICS)[MetricKey]]>) figures[key] = r.audits[id].numericValue;
  const requests = r.audits['network-requests']?.details.items;
  if (requests) figures.jsKB = requests.filter((q) => q.resourceType === 'Script').reduce((sum, q) => sum + (q.transferSize ?? 0), 0) / 1024;
  const t = r.configSettings.throttling;
  const throttling =
    r.configSettings.throttlingMethod === 'simulate'
      ? `simulated (${t.rttMs} ms RTT, ${Math.round(t.throughputKbps)} kb/s, CPU ×${t.cpuSlowdownMultiplier})`
      : r.configSettings.throttlingMethod;
  return {
    figures,
    lighthouseVersion: r.lighthouseVersion,
    userAgent: r.environment.hostUserAgent,
    finalUrl: r.finalDisplayedUrl,
    formFactor: r.configSettings.formFactor,
    throttling,
    benchmarkIndex: r.environment.benchmarkIndex ?? null,
    warnings: r.runWarnings,
  };
}

/** The median of each figure over runs (each metric on its own: a page's median run is not one run). */
export function medianFigures(runs: readonly RunFigures[]): RunFigures {
  if (runs.length === 0) throw new Error('no runs to summarise');
  const out = {} as RunFigures;
  for (const key of [...Object.keys(METRICS), 'score'] as Array<MetricKey | 'score'>) out[key] = median(runs.map((r) => r[key]))!;
  const js = runs.map((r) => r.jsKB).filter((v): v is number => v !== undefined);
  if (js.length === runs.length) out.jsKB = median(js)!;
  return out;
}

export function formatMetric(key: MetricKey, value: number): string {
  return key === 'cls' ? value.toFixed(3) : `${(value / 1000).toFixed(2)} s`;
}

/** "bar / ours" (how many times under the bar; ∞ when ours is 0) and PASS when strictly under it. */
export function verdict(key: MetricKey, value: number): { ratio: string; pass: boolean } | null {
  const bar = BARS[key];
  if (bar === undefined) return null;
  const ratio = value === 0 ? '∞' : `${(bar / value).toFixed(2)}×`;
  return { ratio, pass: value < bar };
}

export interface PageRow {
  page: string;
  formFactor: 'mobile' | 'desktop';
  figures: RunFigures;
  /** The same page's figures from an earlier measurement, shown as "before → after". */
  before?: RunFigures;
}

function cell(key: MetricKey, row: PageRow): string {
  const now = formatMetric(key, row.figures[key]);
  const shown = row.before ? `${formatMetric(key, row.before[key])} → ${now}` : now;
  const v = verdict(key, row.figures[key]);
  return v ? `${shown} (${v.ratio} ${v.pass ? 'PASS' : 'MISS'})` : shown;
}

/** The markdown table: one row per page and form factor, the bars in the header. */
export function markdownTable(rows: readonly PageRow[]): string[] {
  const head = (key: MetricKey, label: string) => {
    const bar = BARS[key];
    return bar === undefined ? label : `${label} (bar < ${formatMetric(key, bar)})`;
  };
  const lines = [
    `| page | form factor | ${head('fcp', 'FCP')} | ${head('lcp', 'LCP')} | ${head('cls', 'CLS')} | ${head('tti', 'TTI')} | TBT | Speed Index | score | JS (kB transferred) |`,
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const score = row.before ? `${row.before.score} → ${row.figures.score}` : String(row.figures.score);
    const kb = (v: number | undefined) => (v === undefined ? '–' : Math.round(v).toString());
    const js = row.before?.jsKB !== undefined ? `${kb(row.before.jsKB)} → ${kb(row.figures.jsKB)}` : kb(row.figures.jsKB);
    lines.push(`| ${row.page} | ${row.formFactor} | ${cell('fcp', row)} | ${cell('lcp', row)} | ${cell('cls', row)} | ${cell('tti', row)} | ${cell('tbt', row)} | ${cell('si', row)} | ${score} | ${js} |`);
  }
  return lines;
}

/** How many bars are missed across rows: the bench's one-line verdict. */
export function countMisses(rows: readonly PageRow[]): { checked: number; missed: string[] } {
  const missed: string[] = [];
  let checked = 0;
  for (const row of rows) {
    for (const key of Object.keys(BARS) as MetricKey[]) {
      const v = verdict(key, row.figures[key]);
      if (!v) continue;
      checked++;
      if (!v.pass) missed.push(`${row.page} ${row.formFactor} ${key.toUpperCase()} ${formatMetric(key, row.figures[key])}`);
    }
  }
  return { checked, missed };
}
