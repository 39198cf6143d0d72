/**
 * Operations of the human-in-the-loop API (phases, runs, jobs, pipeline) and assets, described
 * from the schemas their handlers validate with. Response bodies are described in words until
 * their owners export response schemas.
 */
import { z } from 'zod';
import { ASSET_ID_PATTERN } from '../assets/store';
import { QUALITY_LEVELS } from '../engine/types';
import { jobParams, phaseActionParams, phaseParams, pipelineBody, runBody } from '../phases/schemas';
import { phaseActionBody } from '../phases/service';
import { EXPORT_FORMATS } from '../phases/export';
import { projectIdParams } from '../projects/schemas';
import type { ApiOperation } from './types';

const notFound = { description: 'Not found, or not a member of this project' };
const forbidden = { description: 'Your role does not allow this action' };

export const phaseOperations: ApiOperation[] = [
  {
    method: 'get', path: '/api/projects/{id}/phases/{phase}', operationId: 'getPhase', summary: 'A phase: status, active branch, branches', tags: ['phases'], auth: true,
    params: phaseParams,
    responses: { 200: { description: '{status, activeBranchId, branches[{id, origin, createdAt, feedback, pinned, basedOn}]}' }, 404: notFound },
  },
  {
    method: 'post', path: '/api/projects/{id}/phases/{phase}/runs', operationId: 'runPhase', summary: 'Run the phase agent (a new branch)', tags: ['phases'], auth: true,
    description: 'Counts against the per-user generation limit (10/min): 429 with Retry-After beyond it.',
    params: phaseParams, body: runBody,
    responses: { 202: { description: '{jobId, branchId}' }, 403: forbidden, 404: notFound },
  },
  {
    method: 'post', path: '/api/projects/{id}/phases/{phase}/{action}', operationId: 'phaseAction', summary: 'adopt | pin | unpin | fork | delete | skip | reopen | approve', tags: ['phases'], auth: true,
    params: phaseActionParams, body: phaseActionBody,
    responses: { 200: { description: 'The phase after the action' }, 201: { description: 'fork: the new branch' }, 403: forbidden, 404: notFound, 409: { description: 'Not possible in the current state' } },
  },
  {
    method: 'post', path: '/api/projects/{id}/pipeline', operationId: 'runPipeline', summary: 'Run every remaining phase in order, adopting each result', tags: ['phases'], auth: true,
    description: 'Counts against the per-user generation limit (10/min).',
    params: projectIdParams, body: pipelineBody,
    responses: { 202: { description: 'The jobs started' }, 403: forbidden, 404: notFound },
  },
  {
    method: 'get', path: '/api/jobs/{jobId}', operationId: 'getJob', summary: 'State of a phase run', tags: ['jobs'], auth: true,
    params: jobParams,
    responses: { 200: { description: '{state, progress, branchId, phase, error?}' }, 404: notFound },
  },
  {
    method: 'delete', path: '/api/jobs/{jobId}', operationId: 'cancelJob', summary: 'Cancel a phase run', tags: ['jobs'], auth: true,
    params: jobParams,
    responses: { 202: { description: 'Cancellation requested' }, 404: notFound },
  },
  {
    method: 'get', path: '/api/projects/{id}/export', operationId: 'exportProject', summary: 'The adopted book as a file (pdf, cbz, zip, webtoon)', tags: ['export'], auth: true,
    params: projectIdParams, query: z.object({ format: z.enum(EXPORT_FORMATS) }),
    responses: { 200: { description: 'The file, as an attachment', contentType: 'application/octet-stream' }, 404: notFound, 409: { description: 'Nothing to export yet' } },
  },
  {
    method: 'get', path: '/api/assets/{assetId}', operationId: 'getAsset', summary: 'Asset bytes (content-addressed, immutable, ETag)', tags: ['assets'], auth: false,
    params: z.object({ assetId: z.string().regex(ASSET_ID_PATTERN) }),
    query: z.object({ quality: z.enum(QUALITY_LEVELS).optional() }),
    responses: { 200: { description: 'The image or file', contentType: 'application/octet-stream' }, 304: { description: 'Not modified' }, 404: notFound },
  },
];
