import { describe, expect, it } from 'vitest';
import { jobParams } from '../lib/phases/schemas';
import { branchIdForJob, pipelineNextJobId } from './jobs';

describe('pipelineNextJobId', () => {
  it('is the same for the same previous job, so a re-run enqueues nothing new', () => {
    const previous = 'run-0b6f1a52-3c1e-4c1f-9a7e-6d2b9c0e4f11';
    expect(pipelineNextJobId(previous)).toBe(pipelineNextJobId(previous));
    expect(branchIdForJob(pipelineNextJobId(previous))).toBe(branchIdForJob(pipelineNextJobId(previous)));
  });

  it('differs between jobs and along a pipeline', () => {
    const a = 'run-0b6f1a52-3c1e-4c1f-9a7e-6d2b9c0e4f11';
    const b = 'run-0b6f1a52-3c1e-4c1f-9a7e-6d2b9c0e4f12';
    const ids = new Set([a, pipelineNextJobId(a), pipelineNextJobId(b), pipelineNextJobId(pipelineNextJobId(a))]);
    expect(ids.size).toBe(4);
  });

  it('is a run id the API accepts (run-<uuid>)', () => {
    let id = 'run-0b6f1a52-3c1e-4c1f-9a7e-6d2b9c0e4f11';
    for (let i = 0; i < 7; i++) {
      id = pipelineNextJobId(id);
      expect(id).toMatch(/^run-[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(jobParams.safeParse({ jobId: id }).success).toBe(true);
    }
  });
});
