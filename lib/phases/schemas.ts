import { z } from 'zod';
import { phaseSchema } from '../../schema/phases';
import { projectIdParams } from '../projects/schemas';
import { PHASE_ACTIONS } from './service';

export const phaseParams = projectIdParams.extend({ phase: phaseSchema });
export const phaseActionParams = phaseParams.extend({ action: z.enum(PHASE_ACTIONS) });
export const jobParams = z.object({ jobId: z.string().regex(/^run-[0-9a-f-]{36}$/, 'must be a job id (run-<uuid>)') });

export const runBody = z
  .object({
    feedback: z.string().trim().max(5_000).optional(),
    fromBranchId: z.string().min(1).max(100).optional(),
    /** Phase 5 only: regenerate this one panel. */
    panelId: z.string().min(1).max(100).optional(),
    seed: z.number().int().nonnegative().max(2 ** 31).optional(),
  })
  .strict();

export const pipelineBody = z.object({ fromPhase: phaseSchema.optional(), seed: z.number().int().nonnegative().max(2 ** 31).optional() }).strict();
