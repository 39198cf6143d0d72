/**
 * The web API's side of the queue: start a phase run, read a job, cancel it.
 */
import { randomUUID } from 'node:crypto';
import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Phase } from '../schema/phases';
import { bullConnection } from './connection';
import { CANCEL_CHANNEL, PHASE_QUEUE, branchIdForJob, cancelledKey, phaseRunJobSchema, type PhaseRunJob } from './jobs';

const globalForQueue = globalThis as unknown as { __komaPhaseQueue?: Queue };

export function phaseQueue(): Queue {
  globalForQueue.__komaPhaseQueue ??= new Queue(PHASE_QUEUE, { connection: bullConnection() });
  return globalForQueue.__komaPhaseQueue;
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
}

export const JOB_ATTEMPTS = 3;

export async function enqueuePhaseRun(queue: Queue, input: EnqueueRunInput): Promise<{ jobId: string; branchId: string }> {
  const jobId = `run-${randomUUID()}`;
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
  await queue.add(input.phase, data, {
    jobId,
    attempts: JOB_ATTEMPTS,
    backoff: { type: 'exponential', delay: 1_000 },
    removeOnComplete: { age: 24 * 3600, count: 1_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  });
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

export async function getJobView(queue: Queue, jobId: string): Promise<JobView | null> {
  const job: Job | undefined = await queue.getJob(jobId);
  if (!job) return null;
  const data = phaseRunJobSchema.safeParse(job.data);
  if (!data.success) return null;
  const raw = await job.getState();
  const cancelled = job.failedReason?.startsWith('cancelled');
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
    ...(job.failedReason ? { error: job.failedReason } : {}),
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
  await redis.set(cancelledKey(jobId), '1', 'EX', 24 * 3600);
  if (state === 'waiting' || state === 'delayed' || state === 'prioritized') {
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
