/**
 * `npm run load`: the running product under 1000 concurrent users (issue 7).
 *
 * From this second process, on loopback: N real HocuspocusProvider clients (one socket each, like
 * browser tabs) over P projects set up through the HTTP API, each making one small edit a second
 * (jittered) while agent runs are started through the API at a steady rate. It measures
 * propagation and durable-ack latency, errors, reconnects, availability, the services' RSS over
 * time (growth after warm-up, bar 5 %), and its own event-loop lag (so a saturated generator is
 * visible, not hidden in the figures). At the end every client's document must equal its
 * project's other clients' and hold every acknowledged edit, as must the durable log.
 *
 * Flags: bench/load/options.ts. Pieces: setup (API), jobs (agent runs), rss (/proc), verify,
 * report. Exit code 1 when an acknowledged edit was lost or documents diverged.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { onShutdown } from '../lib/process';
import { Api, tokenSource } from './load/api';
import { collabWindow, readCollabCounters, readCollabGauges } from './load/collab-metrics';
import { JobDriver } from './load/jobs';
import { parseLoadOptions, type LoadOptions } from './load/options';
import { attachProduct, startProductUnderLoad, type ProductUnderLoad } from './load/product';
import { writeLoadReport, type LoadResult, type RssSample, type GaugeSample } from './load/report';
import { sampleServices } from './load/rss';
import { loadStories, setUp, type LoadProject } from './load/setup';
import { checkClients, checkDatabase, settle, type ProjectClients } from './load/verify';
import { Histogram, newClientStats, ProbeClient } from './lib/yclients';

const log = (line: string) => process.stdout.write(`load: ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** An edit not acknowledged within this long counts as an error (a user would see "saving…"). */
const ACK_TIMEOUT_MS = 10_000;
/** After the last edit, how long everything may take to be acknowledged and to converge. */
const SETTLE_MS = 120_000;

async function connectAll(projects: LoadProject[], product: ProductUnderLoad, api: Api, stats = newClientStats()): Promise<ProjectClients[]> {
  const out: ProjectClients[] = [];
  for (const project of projects) {
    const url = product.collabUrl ?? project.collabUrl;
    const clients = project.members.map((member, i) => {
      const token = tokenSource(member.collabToken, async () => (await api.collabToken(member.user.accessToken, project.id)).token);
      return new ProbeClient({ url, docName: project.docName, key: `c${i}`, token, stats });
    });
    out.push({ docName: project.docName, clients });
    // Open in waves of a few projects so start-up is not a thundering herd of 1000 handshakes.
    if (out.length % 5 === 0) await waitSynced(out.slice(-5), 300_000);
  }
  await waitSynced(out, 300_000);
  return out;
}

async function waitSynced(projects: ProjectClients[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = projects.flatMap((p) => p.clients);
    const ready = all.filter((c) => c.synced).length;
    if (ready === all.length) return;
    if (Date.now() > deadline) throw new Error(`only ${ready}/${all.length} clients synced after ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

/** The product's own output, kept for diagnosis (a service that died says why there). */
const productLog = path.join(os.tmpdir(), `koma-load-${new Date().toISOString().replace(/[:.]/g, '-')}.product.log`);
function saveProductLog(product: ProductUnderLoad): void {
  const text = product.output();
  if (!text) return;
  writeFileSync(productLog, text);
  log(`the product's output: ${productLog}`);
}

async function main(options: LoadOptions): Promise<number> {
  const startedAt = new Date();
  const product = options.url ? attachProduct({ url: options.url, collabUrl: options.collabUrl, databaseUrl: options.databaseUrl }) : await startProductUnderLoad(log);
  // Ctrl-C: stop the product and drop its database rather than leave them behind.
  onShutdown(() => product.stop(), 30_000);
  const api = new Api(product.baseUrl);
  const stats = newClientStats();
  let projectClients: ProjectClients[] = [];
  try {
    const setupStart = performance.now();
    log(`setup: ${options.clients} users, ${options.projects} projects (${options.clients / options.projects} members each) through ${product.baseUrl}`);
    const projects = await setUp(api, { clients: options.clients, projects: options.projects, concurrency: options.setupConcurrency, stories: options.stories }, log);
    const setupSeconds = (performance.now() - setupStart) / 1000;
    const connectStart = performance.now();
    projectClients = await connectAll(projects, product, api, stats);
    const connectSeconds = (performance.now() - connectStart) / 1000;
    const clients = projectClients.flatMap((p) => p.clients);
    log(`${clients.length} clients connected and synced (setup ${setupSeconds.toFixed(0)} s, connect ${connectSeconds.toFixed(0)} s); editing for ${options.duration / 1000} s`);

    const docOf = new Map(projects.map((p, i) => [p.id, projectClients[i].clients[0].client.doc]));
    const jobs = new JobDriver(api, projects, (p) => docOf.get(p.id)!, options.jobsPerMinute, loadStories(options.stories), (tokenUrl) => product.collabUrl ?? tokenUrl);

    // Measured from here on; setup traffic is not part of the figures.
    stats.propagation = new Histogram();
    stats.ack = new Histogram();
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const collabUrl = product.collabUrl ?? projects[0].collabUrl;
    const collabBefore = await readCollabCounters(collabUrl);
    const cpuStart = process.cpuUsage();
    const t0 = performance.now();
    const elapsed = () => performance.now() - t0;
    const rss: RssSample[] = [];
    let availableSamples = 0;
    let availabilityTotal = 0;
    let maxPendingAge = 0;

    const collabGauges: GaugeSample[] = [];
    const sampleRss = () => {
      const atMs = elapsed();
      void readCollabGauges(collabUrl).then((mb) => {
        if (mb) collabGauges.push({ atMs, mb });
      });
      if (!product.services.size) return;
      const sample = sampleServices(product.services);
      rss.push({ atMs, mb: sample.rssMb, cpuS: sample.cpuS });
    };
    sampleRss();
    const rssEvery = Math.max(2_000, Math.min(10_000, options.duration / 60));
    const rssTimer = setInterval(sampleRss, rssEvery);
    const secondTimer = setInterval(() => {
      const now = performance.timeOrigin + performance.now();
      for (const c of clients) {
        availabilityTotal += 1;
        if (c.synced) availableSamples += 1;
        maxPendingAge = Math.max(maxPendingAge, c.oldestPendingMs(now));
      }
      jobs.poll();
    }, 1_000);
    const progressTimer = setInterval(() => {
      const r = rss.at(-1)?.mb ?? {};
      const g = collabGauges.at(-1)?.mb;
      log(
        `${(elapsed() / 1000).toFixed(0)} s: ${stats.edits} edits, ${stats.acks} acked, ack p50/p99 ${stats.ack.percentile(50).toFixed(1)}/${stats.ack.percentile(99).toFixed(1)} ms, propagation p50/p99 ${stats.propagation.percentile(50).toFixed(1)}/${stats.propagation.percentile(99).toFixed(1)} ms, reconnects ${stats.reconnects}, generator lag p99 ${(lag.percentile(99) / 1e6).toFixed(0)} ms, RSS ${Object.entries(r).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(' ')} MB${g ? `, collab ${g.documents} docs ${g.connections} connections heap ${g.heapUsedMb.toFixed(0)} MB` : ''}`,
      );
    }, 15_000);

    // Each client edits every 1/rate s, jittered ±25 %, starting at a random point of its first interval.
    const interval = 1000 / options.rate;
    let editing = true;
    const timers: NodeJS.Timeout[] = clients.map((c, i) => {
      const tick = () => {
        if (!editing) return;
        c.edit();
        timers[i] = setTimeout(tick, interval * (0.75 + Math.random() * 0.5));
      };
      return setTimeout(tick, Math.random() * interval);
    });
    jobs.start();
    // Edit for the whole duration, unless the product's process tree ends under us.
    let productDied: { atS: number; why: string } | null = null;
    await new Promise<void>((resolve) => {
      const watch = setInterval(() => {
        const why = product.exited();
        if (!why) return;
        productDied = { atS: elapsed() / 1000, why };
        log(`the product stopped during the run: ${why}; ending the run early`);
        clearTimeout(end);
        clearInterval(watch);
        resolve();
      }, 500);
      const end = setTimeout(() => {
        clearInterval(watch);
        resolve();
      }, options.duration);
    });
    editing = false;
    timers.forEach((t) => clearTimeout(t));
    jobs.stop();
    sampleRss();
    clearInterval(rssTimer);
    clearInterval(secondTimer);
    clearInterval(progressTimer);
    lag.disable();
    const cpu = process.cpuUsage(cpuStart);
    const collabAfter = await readCollabCounters(collabUrl);
    const editSeconds = elapsed() / 1000;

    log('edits stopped; waiting for every acknowledgement and for the projects to converge…');
    const settled = productDied ? false : await settle(projectClients, SETTLE_MS);
    const clientCheck = checkClients(projectClients);
    const dbCheck = product.sql && !productDied ? await checkDatabase(product.sql, projectClients) : { lostInDatabase: [], databaseDiffers: 0 };
    const jobCounts = jobs.counts();

    const result: LoadResult = {
      options,
      startedAt,
      database: product.database,
      setupSeconds,
      connectSeconds,
      editSeconds,
      clients: clients.length,
      stats,
      lateAcks: stats.ack.countAbove(ACK_TIMEOUT_MS),
      ackTimeoutMs: ACK_TIMEOUT_MS,
      maxPendingAgeMs: maxPendingAge,
      availability: availabilityTotal ? availableSamples / availabilityTotal : Number.NaN,
      generator: {
        lagP50Ms: lag.percentile(50) / 1e6,
        lagP99Ms: lag.percentile(99) / 1e6,
        lagMaxMs: lag.max / 1e6,
        cpuPercent: ((cpu.user + cpu.system) / 1000 / (editSeconds * 1000)) * 100,
      },
      api: api.counters,
      collabServer: collabWindow(collabBefore, collabAfter),
      collabGauges,
      jobs: jobCounts,
      rss,
      productDied,
      productLog,
      verdict: {
        projects: projectClients.length,
        settled,
        ...clientCheck,
        ...dbCheck,
        databaseChecked: Boolean(product.sql) && !productDied,
      },
    };
    return writeLoadReport(result);
  } finally {
    for (const p of projectClients) for (const c of p.clients) c.destroy();
    saveProductLog(product);
    log('stopping the product…');
    await product.stop();
  }
}

let options: LoadOptions;
try {
  options = parseLoadOptions(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`load: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
main(options)
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
