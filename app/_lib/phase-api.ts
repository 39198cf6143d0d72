/** The human-in-the-loop calls of the HTTP API (issue 5), one function each. */
import { z } from 'zod';
import type { Phase } from '../../schema/phases';
import { api, apiRaw } from './api';
import { runResponse } from './api-types';

const base = (projectId: string, phase: Phase) => `/api/projects/${projectId}/phases/${phase}`;
const ok = z.unknown();

export const phaseApi = {
  run: (projectId: string, phase: Phase, body: { feedback?: string; fromBranchId?: string; panelId?: string }) =>
    api(`${base(projectId, phase)}/runs`, runResponse, { body }),
  adopt: (projectId: string, phase: Phase, branchId: string) => api(`${base(projectId, phase)}/adopt`, ok, { body: { branchId } }),
  pin: (projectId: string, phase: Phase, branchId: string, pinned: boolean) =>
    api(`${base(projectId, phase)}/${pinned ? 'pin' : 'unpin'}`, ok, { body: { branchId } }),
  fork: (projectId: string, phase: Phase, branchId: string) => api(`${base(projectId, phase)}/fork`, ok, { body: { branchId } }),
  skip: (projectId: string, phase: Phase) => api(`${base(projectId, phase)}/skip`, ok, { body: {} }),
  reopen: (projectId: string, phase: Phase) => api(`${base(projectId, phase)}/reopen`, ok, { body: {} }),
  approve: (projectId: string, phase: Phase, branchId: string | null) =>
    api(`${base(projectId, phase)}/approve`, ok, { body: branchId ? { branchId } : {} }),
  deleteBranch: (projectId: string, phase: Phase, branchId: string) => api(`${base(projectId, phase)}/delete`, ok, { body: { branchId } }),
  cancelJob: (jobId: string) => apiRaw(`/api/jobs/${encodeURIComponent(jobId)}`, { method: 'DELETE' }),
  pipeline: (projectId: string, fromPhase?: Phase) => api(`/api/projects/${projectId}/pipeline`, ok, { body: fromPhase ? { fromPhase } : {} }),
};
