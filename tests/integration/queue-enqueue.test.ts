/**
 * Enqueueing against a real Redis: a pipeline's next phase enqueued twice under its derived id
 * (a worker died between enqueueing it and completing its own job, and the job re-ran) is one job.
 */
import { randomUUID } from 'node:crypto';
import { FlowProducer, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bullConnection } from '../../queue/connection';
import { enqueuePhaseRun } from '../../queue/enqueue';
import { PANEL_QUEUE, PHASE_QUEUE, QUEUE_STREAMS, pipelineNextJobId } from '../../queue/jobs';
import type { EmbeddedRedis } from '../../lib/redis/embedded';
import { startTestRedis } from '../support/services';

let redis: EmbeddedRedis;
let queue: Queue;
let panels: Queue;
let flow: FlowProducer;

beforeAll(async () => {
  redis = await startTestRedis();
  queue = new Queue(PHASE_QUEUE, { connection: bullConnection(redis.url) });
  panels = new Queue(PANEL_QUEUE, { connection: bullConnection(redis.url) });
  flow = new FlowProducer({ connection: bullConnection(redis.url) });
});

afterAll(async () => {
  await flow?.close();
  await panels?.close();
  await queue?.close();
  await redis?.stop();
});

const requestedBy = { id: 'agent:test', name: 'Test' };

describe('enqueuePhaseRun with a pipeline-derived id', () => {
  it('adds the next phase once however often the previous job re-runs', async () => {
    const nextId = pipelineNextJobId(`run-${randomUUID()}`);
    const input = { projectId: randomUUID(), phase: 'plot' as const, seed: 7, requestedBy, pipeline: true, jobId: nextId };
    const first = await enqueuePhaseRun(queue, input, flow);
    const second = await enqueuePhaseRun(queue, input, flow);
    expect(second).toEqual(first);
    expect(first.jobId).toBe(nextId);
    const waiting = await queue.getJobs(['waiting', 'prioritized', 'delayed']);
    expect(waiting.filter((job) => job.id === nextId)).toHaveLength(1);
    expect(waiting.filter((job) => job.data.projectId === input.projectId)).toHaveLength(1);
  });

  it('adds a phase-5 flow (run + one job per panel) once', async () => {
    const nextId = pipelineNextJobId(`run-${randomUUID()}`);
    const projectId = randomUUID();
    const input = { projectId, phase: 'scenes' as const, seed: 7, requestedBy, pipeline: true, panelIds: ['p1', 'p2', 'p3'], jobId: nextId };
    await enqueuePhaseRun(queue, input, flow);
    await enqueuePhaseRun(queue, input, flow);
    const children = (await panels.getJobs(['waiting', 'prioritized', 'delayed'])).filter((job) => job.data.projectId === projectId);
    expect(children.map((job) => job.id).sort()).toEqual([0, 1, 2].map((i) => `${nextId}-panel-${i}`));
    const parents = (await queue.getJobs(['waiting-children', 'waiting'])).filter((job) => job.data.projectId === projectId);
    expect(parents).toHaveLength(1);
  });

  it('without an id, every call is a new run', async () => {
    const projectId = randomUUID();
    const input = { projectId, phase: 'plot' as const, seed: 7, requestedBy };
    const a = await enqueuePhaseRun(queue, input, flow);
    const b = await enqueuePhaseRun(queue, input, flow);
    expect(a.jobId).not.toBe(b.jobId);
  });
});

describe('what Redis keeps', () => {
  it('trims a queue event stream to about QUEUE_STREAMS.events.maxLen entries', async () => {
    const bounded = new Queue(`koma-stream-bound-${randomUUID()}`, { connection: bullConnection(redis.url), streams: QUEUE_STREAMS });
    try {
      await bounded.getVersion(); // resolves once the queue's settings are written to Redis
      await bounded.addBulk(Array.from({ length: 1500 }, (_, i) => ({ name: 'x', data: { i }, opts: { removeOnComplete: true } })));
      const client = new Redis(redis.url);
      const length = await client.xlen(`bull:${bounded.name}:events`).finally(() => client.quit());
      // 1500 jobs write ≥ 1500 'added'/'waiting' events; trimming is approximate (XADD MAXLEN ~).
      expect(length).toBeGreaterThan(QUEUE_STREAMS.events.maxLen / 2);
      expect(length).toBeLessThan(QUEUE_STREAMS.events.maxLen * 1.2);
    } finally {
      await bounded.obliterate({ force: true });
      await bounded.close();
    }
  });
});
