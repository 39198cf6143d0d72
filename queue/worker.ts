/**
 * The worker: takes phase-run jobs from BullMQ and runs them (queue/run-phase.ts).
 * Cancels arrive over Redis pub/sub (any web instance may ask; only the worker holding the job
 * can abort it); a marker key stops retries of a cancelled job from starting again.
 */
import http from 'node:http';
import { FlowProducer, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { Counter, Histogram } from 'prom-client';
import { createRedis } from '../lib/redis/client';
import { logRedisOutages, type ErrorEmitter } from '../lib/redis/unavailable';
import { metricsAuthorized, metricsRegistry } from '../lib/metrics';
import type { Db } from '../lib/db/client';
import { AgentError, type AgentProvider } from '../agents';
import { DocError } from '../lib/doc/project-doc';
import { bullConnection } from './connection';
import { enqueuePhaseRun } from './enqueue';
import { CANCEL_CHANNEL, PANEL_QUEUE, PHASE_QUEUE, QUEUE_STREAMS, cancelledKey, panelJobSchema, phaseRunJobSchema, pipelineNextJobId } from './jobs';
import { drawPanel, type DrawnPanel } from './draw-panel';
import { RunCancelled, runPhase } from './run-phase';

export interface WorkerOptions {
  sql: Db;
  redisUrl: string;
  secret: string;
  collabUrl: string;
  provider: AgentProvider;
  log: Logger;
  concurrency: number;
  /** How long a job's lock lives without renewal: a killed worker's job is retried after it. */
  lockDurationMs?: number;
  healthPort?: number;
  /** Bearer token required on /metrics (unset → open). */
  metricsToken?: string;
}

export interface RunningWorker {
  worker: Worker;
  close(): Promise<void>;
  healthPort: number | null;
}

const registry = metricsRegistry();
const jobsTotal = new Counter({ name: 'koma_worker_jobs_total', help: 'Phase runs by phase and outcome', labelNames: ['phase', 'outcome'], registers: [registry] });
const jobSeconds = new Histogram({
  name: 'koma_worker_job_seconds',
  help: 'Phase run duration',
  labelNames: ['phase'],
  buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
  registers: [registry],
});

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const redis = createRedis(options.redisUrl);
  const subscriber = createRedis(options.redisUrl);
  const connection = bullConnection(options.redisUrl);
  const queue = new Queue(PHASE_QUEUE, { connection, streams: QUEUE_STREAMS });
  // Only a Queue writes a queue's settings (its event-stream bound) into Redis; the panel queue
  // otherwise has just a worker and a flow producer, and would keep BullMQ's default.
  const panelQueue = new Queue(PANEL_QUEUE, { connection, streams: QUEUE_STREAMS });
  const flow = new FlowProducer({ connection });
  // Listeners on every connection: without them an outage prints each reconnect on stderr.
  const connections: [string, ErrorEmitter][] = [['worker-redis', redis], ['cancel-subscriber', subscriber], ['phase-queue', queue], ['panel-queue', panelQueue], ['flow-producer', flow]];
  for (const [name, emitter] of connections) {
    logRedisOutages(emitter, name, options.log);
  }

  const worker = new Worker(
    PHASE_QUEUE,
    async (job: Job, _token?: string, signal?: AbortSignal) => {
      const parsed = phaseRunJobSchema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`invalid job data: ${parsed.error.message}`);
      if (!job.id) throw new UnrecoverableError('job without id');
      if (await redis.get(cancelledKey(job.id))) throw new UnrecoverableError('cancelled');
      const controller = new AbortController();
      signal?.addEventListener('abort', () => controller.abort(), { once: true });
      const end = jobSeconds.startTimer({ phase: parsed.data.phase });
      try {
        // A phase-5 flow: the pictures were drawn by the child jobs.
        const children = parsed.data.phase === 'scenes' && !parsed.data.panelId ? Object.values(await job.getChildrenValues()) : [];
        const jobId = job.id;
        const result = await runPhase(jobId, parsed.data, {
          drawnPanels: children as DrawnPanel[],
          sql: options.sql,
          secret: options.secret,
          collabUrl: options.collabUrl,
          provider: options.provider,
          log: options.log,
          signal: controller.signal,
          reportProgress: (fraction) => void job.updateProgress(Math.round(fraction * 100) / 100).catch(() => {}),
          enqueueNext: async (next, previous, panelIds) => {
            await enqueuePhaseRun(
              queue,
              { projectId: previous.projectId, phase: next, seed: previous.seed, requestedBy: previous.requestedBy, pipeline: true, panelIds, jobId: pipelineNextJobId(jobId) },
              flow,
            );
          },
        });
        jobsTotal.inc({ phase: parsed.data.phase, outcome: 'ok' });
        return result;
      } catch (error) {
        const cancelled = error instanceof RunCancelled || controller.signal.aborted;
        jobsTotal.inc({ phase: parsed.data.phase, outcome: cancelled ? 'cancelled' : 'error' });
        // A cancel or a bad input is final; anything else is retried with backoff.
        if (cancelled) throw new UnrecoverableError('cancelled');
        // Retrying cannot fix a bad input, an output that fails its schema, a safety block or a
        // document that says no; transient provider errors (429/5xx, timeouts) are retried.
        const final =
          (error instanceof AgentError && ['invalid-output', 'invalid-input', 'blocked', 'cancelled'].includes(error.code)) ||
          (error instanceof DocError && error.code !== 'conflict');
        if (final) throw new UnrecoverableError((error as Error).message);
        throw error;
      } finally {
        end();
      }
    },
    {
      connection,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: Math.max(1_000, Math.floor((options.lockDurationMs ?? 30_000) / 2)),
      maxStalledCount: 2,
    },
  );
  // Phase-5 panels: one child job each, drawn by whichever worker is free.
  const panelsByRun = new Map<string, Set<string>>();
  const panelWorker = new Worker(
    PANEL_QUEUE,
    async (job: Job, _token?: string, signal?: AbortSignal) => {
      const parsed = panelJobSchema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`invalid panel job: ${parsed.error.message}`);
      const controller = new AbortController();
      signal?.addEventListener('abort', () => controller.abort(), { once: true });
      if (await redis.get(cancelledKey(parsed.data.parentJobId))) controller.abort();
      const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const run = parsed.data.parentJobId;
      if (!panelsByRun.has(run)) panelsByRun.set(run, new Set());
      panelsByRun.get(run)!.add(job.id!);
      try {
        return await drawPanel(parsed.data, { sql: options.sql, redis, secret: options.secret, collabUrl: options.collabUrl, provider: options.provider, log: options.log, signal: controller.signal }, finalAttempt);
      } catch (error) {
        if (controller.signal.aborted) throw new UnrecoverableError('cancelled');
        if (error instanceof AgentError && ['invalid-output', 'invalid-input', 'blocked'].includes(error.code)) throw new UnrecoverableError(error.message);
        throw error;
      } finally {
        panelsByRun.get(run)?.delete(job.id!);
        if (panelsByRun.get(run)?.size === 0) panelsByRun.delete(run);
      }
    },
    { connection, concurrency: options.concurrency, lockDuration: options.lockDurationMs ?? 30_000, stalledInterval: Math.max(1_000, Math.floor((options.lockDurationMs ?? 30_000) / 2)), maxStalledCount: 2 },
  );
  panelWorker.on('error', (error) => options.log.error({ err: error }, 'panel worker error'));
  worker.on('failed', (job, error) => options.log.warn({ jobId: job?.id, err: error.message }, 'job failed'));
  worker.on('error', (error) => options.log.error({ err: error }, 'worker error'));

  await subscriber.subscribe(CANCEL_CHANNEL);
  subscriber.on('message', (_channel: string, jobId: string) => {
    if (typeof jobId !== 'string' || jobId.length >= 200) return;
    worker.cancelJob(jobId, 'cancelled');
    // A phase-5 run's panels being drawn here.
    for (const panelJobId of panelsByRun.get(jobId) ?? []) panelWorker.cancelJob(panelJobId, 'cancelled');
  });

  let server: http.Server | null = null;
  let healthPort: number | null = null;
  if (options.healthPort !== undefined) {
    server = http.createServer((req, res) => {
      if (req.url === '/health') {
        const ok = worker.isRunning() && redis.status === 'ready';
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: ok ? 'ok' : 'unavailable', redis: redis.status === 'ready' ? 'ok' : redis.status }));
        return;
      }
      if (req.url === '/metrics') {
        if (!metricsAuthorized(req.headers.authorization, options.metricsToken)) {
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'unauthorized', message: 'metrics need Authorization: Bearer <METRICS_TOKEN>' } }));
          return;
        }
        void registry.metrics().then((text) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(text);
        });
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server!.listen(options.healthPort, '0.0.0.0', resolve));
    const address = server.address();
    healthPort = typeof address === 'object' && address ? address.port : null;
  }

  return {
    worker,
    healthPort,
    async close() {
      await worker.close();
      await panelWorker.close();
      await flow.close();
      await queue.close();
      await panelQueue.close();
      await subscriber.quit().catch(() => subscriber.disconnect());
      await redis.quit().catch(() => redis.disconnect());
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}
