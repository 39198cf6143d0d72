/**
 * The web API's side of the queue: start a phase run, read a job, cancel it.
 */
import { randomUUID } from 'node:crypto';
import { FlowProducer, Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Phase } from '../schema/phases';
import { createRedis } from '../lib/redis/client';
import { logRedisOutages } from '../lib/redis/unavailable';
import { producerRedisOptions } from './connection';
import { CANCEL_CHANNEL, PANEL_QUEUE, PHASE_QUEUE, QUEUE_STREAMS, RETENTION, branchIdForJob, cancelledKey, panelJobSchema, phaseRunJobSchema, type PhaseRunJob } from './jobs';

const globalForQueue = globalThis as unknown as { __komaPhaseQueue?: Queue; __komaFlow?: FlowProducer; __komaProducerRedis?: Redis };

/**
 * The producers' one connection. Ours, not BullMQ's: BullMQ closes a connection it owns with a
 * polite QUIT, which fails while Redis is down and leaves that client reconnecting, with no one
 * listening, for the rest of the process. This one is simply disconnected (`closeQueues`).
 */
function producerRedis(): Redis {
  if (!globalForQueue.__komaProducerRedis) {
    const client = createRedis(undefined, producerRedisOptions);
    logRedisOutages(client, 'job-producers');
    globalForQueue.__komaProducerRedis = client;
  }
  return globalForQueue.__komaProducerRedis;
}

export function flowProducer(): FlowProducer {
  if (!globalForQueue.__komaFlow) {
    const flow = new FlowProducer({ connection: producerRedis() });
    logRedisOutages(flow, 'flow-producer');
    globalForQueue.__komaFlow = flow;
  }
  return globalForQueue.__komaFlow;
}

export function phaseQueue(): Queue {
  if (!globalForQueue.__komaPhaseQueue) {
    const queue = new Queue(PHASE_QUEUE, { connection: producerRedis(), streams: QUEUE_STREAMS });
    logRedisOutages(queue, 'phase-queue');
    globalForQueue.__komaPhaseQueue = queue;
  }
  return globalForQueue.__komaPhaseQueue;
}

/** Close the process-wide queue and flow producer (the next use opens them on the current REDIS_URL). */
export async function closeQueues(): Promise<void> {
  const { __komaPhaseQueue: queue, __komaFlow: flow, __komaProducerRedis: client } = globalForQueue;
  globalForQueue.__komaPhaseQueue = undefined;
  globalForQueue.__komaFlow = undefined;
  globalForQueue.__komaProducerRedis = undefined;
  await Promise.all([queue?.close().catch(() => undefined), flow?.close().catch(() => undefined)]);
  client?.disconnect();
}

export interface EnqueueRunInput {
  projectId: string;
  phase: Phase;
  feedback?: string | null;
  fromBranchId?: string | null;
  seed?: number;
  requestedBy: { id: string; name: string };
  pipeline?: boolean;
  panelId?: string | null;
  /**
   * Phase 5 over a whole name: the panels to draw. Given, the run becomes a BullMQ flow — one
   * child job per panel (drawn in parallel by any worker), then the run itself, which collects
   * the pictures into one branch.
   */
  panelIds?: string[];
  /** A fixed job id (see `pipelineNextJobId`); a job already queued under it is not added again. */
  jobId?: string;
}

export const JOB_ATTEMPTS = 3;

export async function enqueuePhaseRun(queue: Queue, input: EnqueueRunInput, flow?: FlowProducer): Promise<{ jobId: string; branchId: string }> {
  const jobId = input.jobId ?? `run-${randomUUID()}`;
  const data: PhaseRunJob = phaseRunJobSchema.parse({
    projectId: input.projectId,
    phase: input.phase,
    branchId: branchIdForJob(jobId),
    feedback: input.feedback ?? null,
    fromBranchId: input.fromBranchId ?? null,
    seed: input.seed ?? Math.floor(Math.random() * 2 ** 31),
    requestedBy: input.requestedBy,
    pipeline: input.pipeline ?? false,
    panelId: input.panelId ?? null,
  });
  const opts = {
    jobId,
    attempts: JOB_ATTEMPTS,
    backoff: { type: 'exponential' as const, delay: 1_000 },
    removeOnComplete: RETENTION.phaseCompleted,
    removeOnFail: RETENTION.failed,
  };
  if (input.phase === 'scenes' && !data.panelId && input.panelIds && input.panelIds.length > 0) {
    const total = input.panelIds.length;
    await (flow ?? flowProducer()).add({
      name: input.phase,
      queueName: queue.name,
      data,
      opts,
      children: input.panelIds.map((panelId, index) => ({
        name: 'panel',
        queueName: PANEL_QUEUE,
        data: panelJobSchema.parse({ projectId: data.projectId, panelId, parentJobId: jobId, seed: data.seed, feedback: data.feedback, total }),
        opts: {
          jobId: `${jobId}-panel-${index}`,
          attempts: JOB_ATTEMPTS,
          backoff: { type: 'exponential' as const, delay: 1_000 },
          // One panel that cannot be drawn fails the run (which then says why), never a hang.
          failParentOnFailure: true,
          removeOnComplete: RETENTION.panelCompleted,
          removeOnFail: RETENTION.failed,
        },
      })),
    });
    return { jobId, branchId: data.branchId };
  }
  await queue.add(input.phase, data, opts);
  return { jobId, branchId: data.branchId };
}

export type JobView = {
  id: string;
  projectId: string;
  phase: Phase;
  state: 'waiting' | 'active' | 'completed' | 'failed' | 'delayed' | 'cancelled' | 'unknown';
  progress: number;
  branchId: string;
  error?: string;
};

const cancelMarkerSchema = phaseRunJobSchema.pick({ projectId: true, phase: true, branchId: true });

export async function getJobView(queue: Queue, jobId: string, redis?: Redis): Promise<JobView | null> {
  const marker = redis ? await redis.get(cancelledKey(jobId)) : null;
  const job: Job | undefined = await queue.getJob(jobId);
  if (!job) {
    // A cancelled run that never started is removed from the queue; its marker remembers it.
    const parsed = marker ? cancelMarkerSchema.safeParse(JSON.parse(marker)) : null;
    return parsed?.success ? { id: jobId, ...parsed.data, state: 'cancelled', progress: 0, error: 'cancelled' } : null;
  }
  const data = phaseRunJobSchema.safeParse(job.data);
  if (!data.success) return null;
  const raw = await job.getState();
  const cancelled = job.failedReason?.startsWith('cancelled') || (raw === 'failed' && marker !== null);
  const state: JobView['state'] =
    cancelled ? 'cancelled'
    : raw === 'waiting' || raw === 'prioritized' || raw === 'waiting-children' ? 'waiting'
    : raw === 'active' || raw === 'completed' || raw === 'failed' || raw === 'delayed' ? raw
    : 'unknown';
  const progress = typeof job.progress === 'number' ? job.progress : 0;
  return {
    id: jobId,
    projectId: data.data.projectId,
    phase: data.data.phase,
    state,
    progress: state === 'completed' ? 1 : progress,
    branchId: data.data.branchId,
    ...(cancelled ? { error: 'cancelled' } : job.failedReason ? { error: job.failedReason } : {}),
  };
}

/**
 * Cancel a run: a waiting job is removed; a running one is aborted by its worker (told over
 * pub/sub) and a marker key stops any retry from starting again.
 */
export async function cancelJob(queue: Queue, redis: Redis, jobId: string): Promise<'removed' | 'signalled' | 'finished' | 'unknown'> {
  const job = await queue.getJob(jobId);
  if (!job) return 'unknown';
  const state = await job.getState();
  if (state === 'completed' || state === 'failed') return 'finished';
  const data = phaseRunJobSchema.safeParse(job.data);
  const marker = data.success ? { projectId: data.data.projectId, phase: data.data.phase, branchId: data.data.branchId } : {};
  await redis.set(cancelledKey(jobId), JSON.stringify(marker), 'EX', 24 * 3600);
  if (state === 'waiting' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children') {
    try {
      await job.remove();
      return 'removed';
    } catch {
      // It became active between getState and remove: the worker will see the marker.
    }
  }
  await redis.publish(CANCEL_CHANNEL, jobId);
  return 'signalled';
}
