/**
 * Human-in-the-loop actions on a project's phases, for the HTTP API. Reads and writes go
 * through the collab-server as a collaborator (a `service` identity acting for a user whose
 * role was checked here), so they reach every open editor live and are durable when the
 * collab-server acknowledges them — the same path a person's edit takes.
 */
import type * as Y from 'yjs';
import { z } from 'zod';
import { jwtSecret } from '../auth/secret';
import { signCollabToken } from '../auth/tokens';
import { collabInternalUrl, loadConfig } from '../config';
import type { Db } from '../db/client';
import {
  DocError,
  adoptBranch,
  approvePhase,
  deleteBranch,
  forkBranch,
  getPhaseState,
  listBranches,
  pinBranch,
  reopenPhase,
  skipPhase,
  staleReasons,
  workDocName,
  type BranchInfo,
  type PhaseState,
  type StaleReason,
} from '../doc/project-doc';
import { openRemoteDoc, RemoteDocError } from '../doc/remote';
import { badRequest, conflict, notFound, unavailable } from '../http/errors';
import type { AuthUser } from '../http/auth';
import { CAN, requireProjectRole } from '../projects/access';
import { PHASES, type Phase } from '../../schema/phases';

export const PHASE_ACTIONS = ['adopt', 'pin', 'unpin', 'fork', 'delete', 'skip', 'reopen', 'approve'] as const;
export type PhaseAction = (typeof PHASE_ACTIONS)[number];

export const phaseActionBody = z.object({ branchId: z.string().min(1).max(100).optional() }).strict();

export interface PhaseView {
  phase: Phase;
  status: PhaseState['status'];
  statusReason: string | null;
  activeBranchId: string | null;
  run: PhaseState['run'];
  approval: PhaseState['approval'];
  stale: StaleReason[];
  branches: Array<Pick<BranchInfo, 'id' | 'origin' | 'createdAt' | 'feedback' | 'pinned' | 'basedOn' | 'state' | 'model' | 'costJpy' | 'jobId' | 'active'>>;
}

/** Open the project's work doc as the web service acting for `user`, run `fn`, wait for durability. */
export async function withProjectDoc<T>(projectId: string, user: AuthUser, fn: (doc: Y.Doc) => T): Promise<T> {
  const token = await signCollabToken({ sub: `service:web:${user.id}`, projectId, role: 'service', name: user.name }, jwtSecret());
  const config = loadConfig();
  const remote = openRemoteDoc({ url: collabInternalUrl(config), token, docName: workDocName(projectId), syncTimeoutMs: config.COLLAB_API_SYNC_TIMEOUT_MS });
  let changing = false;
  try {
    await remote.synced;
    changing = true;
    const result = fn(remote.doc);
    await remote.flush();
    return result;
  } catch (error) {
    // The collab-server is restarting or overloaded: a 503 the client can retry, not a 500. Once
    // changes were sent, whether they were stored is unknown, and the message says so.
    if (error instanceof RemoteDocError && (error.code === 'timeout' || error.code === 'closed')) {
      throw unavailable(
        changing
          ? 'the collaboration service did not confirm the change in time; it may still be applied, so reload before trying again'
          : 'the collaboration service did not answer in time; nothing was changed, try again shortly',
      );
    }
    if (error instanceof DocError) {
      if (error.code === 'not-found') throw notFound(error.message);
      if (error.code === 'conflict') throw conflict('phase_conflict', error.message);
      throw badRequest('phase_invalid', error.message);
    }
    throw error;
  } finally {
    remote.close();
  }
}

export function phaseView(doc: Y.Doc, phase: Phase): PhaseView {
  const state = getPhaseState(doc, phase);
  return {
    phase,
    status: state.status,
    statusReason: state.statusReason,
    activeBranchId: state.activeBranchId,
    run: state.run,
    approval: state.approval,
    stale: staleReasons(doc, phase),
    branches: listBranches(doc, phase).map((b) => ({
      id: b.id,
      origin: b.origin,
      createdAt: b.createdAt,
      feedback: b.feedback,
      pinned: b.pinned,
      basedOn: b.basedOn,
      state: b.state,
      model: b.model,
      costJpy: b.costJpy,
      jobId: b.jobId,
      active: b.active,
    })),
  };
}

export async function getPhase(sql: Db, user: AuthUser, projectId: string, phase: Phase): Promise<PhaseView> {
  await requireProjectRole(sql, projectId, user.id, CAN.read);
  return withProjectDoc(projectId, user, (doc) => phaseView(doc, phase));
}

function needBranch(branchId: string | undefined, action: string): string {
  if (!branchId) throw badRequest('branch_required', `${action} needs {"branchId": "..."}`);
  return branchId;
}

export async function actOnPhase(
  sql: Db,
  user: AuthUser,
  projectId: string,
  phase: Phase,
  action: PhaseAction,
  body: z.infer<typeof phaseActionBody>,
): Promise<PhaseView & { branchId?: string }> {
  await requireProjectRole(sql, projectId, user.id, action === 'approve' ? CAN.approve : CAN.edit);
  const origin = { origin: `user:${user.id}` };
  return withProjectDoc(projectId, user, (doc) => {
    let branchId: string | undefined;
    switch (action) {
      case 'adopt':
        adoptBranch(doc, phase, needBranch(body.branchId, action), origin);
        break;
      case 'pin':
      case 'unpin':
        pinBranch(doc, phase, needBranch(body.branchId, action), action === 'pin', origin);
        break;
      case 'fork':
        branchId = forkBranch(doc, phase, needBranch(body.branchId, action), { origin: { kind: 'human', id: user.id, name: user.name } }, origin).branch.id;
        break;
      case 'delete':
        deleteBranch(doc, phase, needBranch(body.branchId, action), origin);
        break;
      case 'skip':
        skipPhase(doc, phase, `skipped by ${user.name}`, origin);
        break;
      case 'reopen':
        reopenPhase(doc, phase, origin);
        break;
      case 'approve':
        approvePhase(doc, phase, { by: { id: user.id, name: user.name }, branchId: body.branchId }, origin);
        break;
    }
    return { ...phaseView(doc, phase), ...(branchId ? { branchId } : {}) };
  });
}

/** The first phase not yet settled (approved/skipped/review with an active branch), for the fast path. */
export function firstUnsettledPhase(doc: Y.Doc): Phase | null {
  for (const phase of PHASES) {
    const state = getPhaseState(doc, phase);
    if (state.status === 'skipped') continue;
    if (state.activeBranchId && (state.status === 'review' || state.status === 'approved')) continue;
    return phase;
  }
  return null;
}
