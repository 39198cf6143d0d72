/**
 * What a job carries. Every job is validated when it is enqueued and again when a worker
 * picks it up (Redis is outside our process: never trust what comes back blindly).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { phaseSchema } from '../schema/phases';

export const PHASE_QUEUE = 'koma-phase-runs';
export const PANEL_QUEUE = 'koma-scene-panels';
/** Pub/sub channel on which the web API asks workers to abort a running job. */
export const CANCEL_CHANNEL = 'koma:cancel';
export const cancelledKey = (jobId: string) => `koma:cancelled:${jobId}`;

/**
 * How much finished work Redis keeps: little, and bounded by count as well as age, so Redis's
 * memory levels off on a busy server instead of growing with the day's traffic (a finished phase
 * job is ~2.8 KB in Redis; `npm run load` measures the rest).
 * - A finished phase run stays readable (`GET /api/jobs/:id`) for 5 minutes: a client polls it
 *   only until it ends, and the outcome itself lives in the document (the branch's state and job).
 * - A panel job's picture is handed to its parent job when it completes (BullMQ keeps children's
 *   results with the parent), so a completed panel job is removed at once.
 * - Failed jobs stay a week for diagnosis.
 * - Each queue's event stream is trimmed to ~200 entries: nothing in Koma reads past events (the
 *   pipeline bench's QueueEvents reads them as they come), and BullMQ's default of 10,000 costs
 *   megabytes per queue.
 */
export const RETENTION = {
  phaseCompleted: { age: 300, count: 1_000 },
  panelCompleted: true,
  failed: { age: 7 * 24 * 3600, count: 5_000 },
} as const;
export const QUEUE_STREAMS = { events: { maxLen: 200 } };

const uuid = z.string().uuid();

export const requesterSchema = z.object({ id: z.string().min(1), name: z.string().max(200) });

export const phaseRunJobSchema = z.object({
  projectId: uuid,
  phase: phaseSchema,
  /** Derived from the job id, so a retried job writes the same branch (exactly one branch). */
  branchId: z.string().min(1).max(100),
  feedback: z.string().max(5_000).nullable(),
  fromBranchId: z.string().max(100).nullable(),
  seed: z.number().int().nonnegative(),
  requestedBy: requesterSchema,
  /** Fast path: adopt the result and enqueue the next phase, until `untilPhase`. */
  pipeline: z.boolean().default(false),
  /** Phase 5 only: regenerate this one panel (a new branch copying the active one). */
  panelId: z.string().max(100).nullable().default(null),
});
export type PhaseRunJob = z.infer<typeof phaseRunJobSchema>;

/** One panel of a phase-5 run: a child of the run's job in a BullMQ flow. */
export const panelJobSchema = z.object({
  projectId: uuid,
  panelId: z.string().min(1).max(100),
  parentJobId: z.string().min(1).max(100),
  seed: z.number().int().nonnegative(),
  feedback: z.string().max(5_000).nullable(),
  total: z.number().int().positive(),
});
export type PanelJob = z.infer<typeof panelJobSchema>;

export const panelsDoneKey = (parentJobId: string) => `koma:panels-done:${parentJobId}`;

/**
 * The job that continues a pipeline after `previousJobId`. Derived, not random: a worker that
 * dies after enqueueing the next phase but before its own job is marked complete re-runs that
 * job, and the second enqueue must land on the same id (BullMQ ignores a duplicate id) instead
 * of starting the next phase twice. Shaped like every run id: `run-` + a UUID (v5 layout).
 */
export function pipelineNextJobId(previousJobId: string): string {
  const hex = createHash('sha256').update(`koma:pipeline-next:${previousJobId}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `run-${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function branchIdForJob(jobId: string): string {
  return `b-${jobId}`;
}
