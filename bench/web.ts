/**
 * `npm run bench:web` → BENCHMARKS.md (section bench:web).
 *
 * Lighthouse 13 (Node API) with Debian's Chromium on the product started as `npm start` starts
 * it (production build), signed in, with real content made through the API (the whole
 * pipeline run): the sign-in page, the dashboard, and the studio on its final phase and on the
 * name (storyboard) canvas. Mobile (Lighthouse's default config) and desktop (its desktop
 * config), both with simulated throttling as Lighthouse defines it; the median of
 * BENCH_WEB_RUNS runs (default 3) per page. The seed's bars: FCP < 1.5 s, LCP < 2.5 s,
 * CLS < 0.1, TTI < 3 s.
 *
 * The web app is built from the current code and served from a private copy of the build
 * (bench/lib/private-build.ts), so another run rebuilding the shared `.next` cannot break a measurement.
 *
 * BENCH_WEB_BEFORE=<file.json> shows an earlier run's medians as "before → after"; each run
 * writes its own medians to test-results/bench-web/latest.json for that purpose.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import lighthouse, { desktopConfig, type Config, type Flags } from 'lighthouse';
import { z } from 'zod';
import { median } from '../lib/engine/layout/stats';
import { startProduct } from '../tests/support/product';
import { writeBenchSection } from './report';
import { launchBenchBrowser } from './web/browser';
import { preparePrivateBuild } from './lib/private-build';
import { seedContent } from './web/seed';
import { countMisses, markdownTable, medianFigures, METRICS, parseRun, type PageRow, type RunFigures } from './web/summary';

const env = z
  .object({
    BENCH_WEB_RUNS: z.coerce.number().int().min(1).max(15).default(3),
    BENCH_WEB_BEFORE: z.string().min(1).optional(),
    BENCH_WEB_FORM_FACTORS: z.string().regex(/^(mobile|desktop)(,(mobile|desktop))?$/).default('mobile,desktop'),
  })
  .parse(process.env);

const figuresSchema = z.object({ score: z.number(), jsKB: z.number().optional(), ...Object.fromEntries(Object.keys(METRICS).map((k) => [k, z.number()])) }) as unknown as z.ZodType<RunFigures>;
const savedSchema = z.array(z.object({ page: z.string(), formFactor: z.enum(['mobile', 'desktop']), figures: figuresSchema }));

const root = path.resolve(import.meta.dirname, '..');
const outDir = path.join(root, 'test-results', 'bench-web');

function readBefore(file: string | undefined): z.infer<typeof savedSchema> {
  if (!file) return [];
  return savedSchema.parse(JSON.parse(readFileSync(path.resolve(file), 'utf8')));
}

/**
 * One Lighthouse run, tried once more if it fails: on an overloaded machine Chromium can miss
 * Lighthouse's DevTools protocol deadline (PROTOCOL_TIMEOUT), which says nothing about the page.
 */
async function measure(url: string, flags: Flags, config: Config | undefined): Promise<ReturnType<typeof parseRun> & { lhr: unknown }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await lighthouse(url, flags, config);
      if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
      return { ...parseRun(result.lhr), lhr: result.lhr };
    } catch (error) {
      if (attempt === 2) throw error;
      process.stdout.write(`  (run failed, trying again: ${error instanceof Error ? error.message : String(error)})\n`);
    }
  }
}

// Lighthouse can reject a protocol timer after the run it belonged to has already failed; that
// late rejection must not end the process with the product still running.
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`bench:web: ignored a late rejection from Lighthouse: ${reason instanceof Error ? reason.message : String(reason)}\n`);
});

async function main(): Promise<void> {
  const before = readBefore(env.BENCH_WEB_BEFORE);
  const formFactors = env.BENCH_WEB_FORM_FACTORS.split(',') as Array<'mobile' | 'desktop'>;
  mkdirSync(outDir, { recursive: true });

  process.stdout.write('bench:web: building the web app (next build) and copying the build aside…\n');
  const build = await preparePrivateBuild('bench-web');
  process.stdout.write(`bench:web: starting the product as npm start does, serving build ${build.buildId}…\n`);
  const product = await startProduct({
    env: { RATE_LIMIT_PER_IP_PER_MIN: '100000', GENERATIONS_PER_USER_PER_MIN: '1000', KOMA_NEXT_DIST_DIR: build.distDir },
    timeoutMs: 600_000,
  });
  const browser = await launchBenchBrowser().catch(async (error: unknown) => {
    await product.stop();
    throw error;
  });
  // Ctrl-C must not leave the product (its own process group of services) or Chromium running.
  const stopAll = () => void Promise.allSettled([browser.close(), product.stop()]).then(() => process.exit(130));
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);
  try {
    process.stdout.write('bench:web: making content through the API (register, projects, the whole pipeline)…\n');
    const seeded = await seedContent(product.baseUrl);
    const base = product.baseUrl;
    const pages: Array<{ page: string; url: string; signedIn: boolean }> = [
      { page: 'sign-in', url: `${base}/login`, signedIn: false },
      { page: 'dashboard', url: `${base}/projects`, signedIn: true },
      { page: 'studio · final', url: `${base}/projects/${seeded.finishedProjectId}#final`, signedIn: true },
      { page: 'studio · name canvas', url: `${base}/projects/${seeded.finishedProjectId}#name`, signedIn: true },
    ];

    const rows: PageRow[] = [];
    const throttlingUsed = new Map<string, string>();
    const warnings = new Map<string, string[]>();
    const benchmarkIndex: number[] = [];
    let lighthouseVersion = '';
    for (const formFactor of formFactors) {
      for (const target of pages) {
        await browser.setSession(base, target.signedIn ? seeded.session : null);
        await browser.warm(target.url);
        const runs: RunFigures[] = [];
        for (let i = 0; i < env.BENCH_WEB_RUNS; i++) {
          const flags: Flags = { port: browser.port, output: 'json', logLevel: 'error', onlyCategories: ['performance'] };
          // Mobile is Lighthouse's default config; desktop is its own preset (viewport, throttling, UA).
          const config: Config | undefined = formFactor === 'desktop' ? desktopConfig : undefined;
          const run = await measure(target.url, flags, config);
          runs.push(run.figures);
          lighthouseVersion = run.lighthouseVersion;
          throttlingUsed.set(formFactor, run.throttling);
          if (run.benchmarkIndex !== null) benchmarkIndex.push(run.benchmarkIndex);
          for (const w of run.warnings) {
            const where = `${target.page} (${formFactor})`;
            const pagesWithIt = warnings.get(w) ?? [];
            if (!pagesWithIt.includes(where)) pagesWithIt.push(where);
            warnings.set(w, pagesWithIt);
          }
          process.stdout.write(
            `  ${target.page} ${formFactor} run ${i + 1}: FCP ${Math.round(run.figures.fcp)} ms, LCP ${Math.round(run.figures.lcp)} ms, CLS ${run.figures.cls.toFixed(3)}, TTI ${Math.round(run.figures.tti)} ms, TBT ${Math.round(run.figures.tbt)} ms, score ${run.figures.score}\n`,
          );
          if (i === 0) writeFileSync(path.join(outDir, `${target.page.replace(/[^a-z]+/g, '-')}-${formFactor}.json`), JSON.stringify(run.lhr));
        }
        const figures = medianFigures(runs);
        rows.push({ page: target.page, formFactor, figures, before: before.find((b) => b.page === target.page && b.formFactor === formFactor)?.figures });
      }
    }
    writeFileSync(path.join(outDir, 'latest.json'), JSON.stringify(rows.map(({ page, formFactor, figures }) => ({ page, formFactor, figures })), null, 2));

    const { checked, missed } = countMisses(rows);
    const load = os.loadavg().map((l) => l.toFixed(2)).join(' / ');
    writeBenchSection('web', [
      '## Web pages (Lighthouse)',
      '',
      `Command: \`npm run bench:web\` · ${new Date().toISOString()} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB · load average (1/5/15 min) at the end ${load} · Lighthouse's CPU benchmark index, median ${Math.round(median(benchmarkIndex) ?? 0)} (range ${Math.round(Math.min(...benchmarkIndex))}–${Math.round(Math.max(...benchmarkIndex))}; simulated throttling scales the CPU time it observed, so a loaded machine inflates TBT and TTI).`,
      `Lighthouse ${lighthouseVersion} (Node API, performance category) on ${browser.version} (\`/usr/bin/chromium\`, headless), the product as \`npm start\` starts it (production build), signed in, after the whole pipeline ran on the project. Median of ${env.BENCH_WEB_RUNS} cold-cache runs per page (each metric's own median), after one unmeasured visit; Lighthouse clears the HTTP cache, service workers and Cache Storage before each run, while localStorage (the session) and IndexedDB (the studio's offline copy of the document) stay, as for a returning visitor.`,
      ...formFactors.map((f) => `Throttling, ${f}: ${throttlingUsed.get(f)} — Lighthouse's ${f === 'mobile' ? 'default (Moto G Power class device, slow 4G)' : 'desktop preset'}.`),
      '',
      ...markdownTable(rows),
      '',
      `Cells: median${before.length ? ' as before → after' : ''}, then bar / ours (above 1× beats the bar) and PASS/MISS. Bars: the seed's FCP < 1.5 s, LCP < 2.5 s, CLS < 0.1, TTI < 3 s; TBT, Speed Index and the score are reported without a bar.`,
      missed.length === 0 ? `All ${checked} bars beaten.` : `${checked - missed.length} of ${checked} bars beaten; missed: ${missed.join('; ')}.`,
      ...(warnings.size ? ['', 'Lighthouse warnings:', ...[...warnings].map(([w, where]) => `- ${where.join(', ')}: ${w}`)] : []),
    ]);
  } finally {
    await browser.close();
    await product.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:web failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
