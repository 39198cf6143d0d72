/**
 * The companion review document `project:<uuid>:review`: comment threads and approvals.
 *
 * It is a separate Yjs document so the collab-server can let reviewers write here while the
 * work document is read-only for them (Yjs has no per-key permissions inside one doc).
 *
 *   meta       Y.Map  schemaVersion, projectId
 *   threads    Y.Map  threadId → Y.Map { id, anchor, createdAt, createdBy, resolved, resolvedBy,
 *                                        resolvedAt, comments: Y.Array<Comment> }
 *   approvals  Y.Map  '<phase>:<userId>' → { phase, by, branchId, at }
 *
 * Comments are immutable plain values appended to their thread's array: concurrent replies
 * both land, in a stable order. Approvals are flat keys per (phase, approver) so two reviewers
 * approving at the same moment both count, and nothing nested is created lazily.
 */
import * as Y from 'yjs';
import { z } from 'zod';
import { PHASES, phaseSchema, type Phase } from '../../schema/phases';
import { DocError, newId, num, str, write, type WriteOptions, DOC_ORIGIN } from './model';
import { isProjectId } from './names';
import { deterministicUpdate } from './seed';
import { plainCopy } from './text';

export const REVIEW_SCHEMA_VERSION = 1;

export interface Person {
  id: string;
  name: string;
}
export interface ThreadAnchor {
  phase: Phase;
  branchId: string | null;
  panelId: string | null;
}
export interface ReviewComment {
  id: string;
  author: Person;
  text: string;
  createdAt: number;
  /** The comment this one answers (null for the thread's opening comment). */
  replyTo: string | null;
}
export interface ReviewThread {
  id: string;
  anchor: ThreadAnchor;
  createdAt: number;
  createdBy: Person;
  resolved: boolean;
  resolvedBy: Person | null;
  resolvedAt: number | null;
  comments: ReviewComment[];
}
export interface PhaseApproval {
  phase: Phase;
  by: Person;
  branchId: string;
  at: number;
}

const idSchema = z.string().min(1).max(100);
const personSchema = z.object({ id: z.string().min(1).max(200), name: z.string().max(200) });
const textSchema = z
  .string()
  .max(10_000)
  .refine((s) => s.trim().length > 0, 'a comment cannot be empty');
const anchorSchema = z.object({
  phase: phaseSchema,
  branchId: idSchema.nullable().optional(),
  panelId: idSchema.nullable().optional(),
});

/** Validate, then return a well-formed deep copy (see text.ts) safe to store in the doc. */
function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new DocError('invalid', `bad ${what}: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return plainCopy(r.data) as T;
}

const metaOf = (doc: Y.Doc): Y.Map<unknown> => doc.getMap<unknown>('meta');
const threadsOf = (doc: Y.Doc): Y.Map<Y.Map<unknown>> => doc.getMap<Y.Map<unknown>>('threads');
const approvalsOf = (doc: Y.Doc): Y.Map<unknown> => doc.getMap<unknown>('approvals');

/** The review doc's initial state as one deterministic update (stored by the web API with the project). */
export function createReviewSeedUpdate(projectId: string): Uint8Array {
  if (!isProjectId(projectId)) throw new DocError('invalid', 'projectId must be a lower-case uuid');
  return deterministicUpdate(null, `koma-review-seed:${projectId}`, (d) => {
    const m = d.getMap<unknown>('meta');
    m.set('schemaVersion', REVIEW_SCHEMA_VERSION);
    m.set('projectId', projectId);
  });
}

export function seedReviewDoc(doc: Y.Doc, projectId: string, opts?: WriteOptions): boolean {
  const update = createReviewSeedUpdate(projectId);
  const existing = metaOf(doc).get('projectId');
  if (typeof existing === 'string') {
    if (existing !== projectId) throw new DocError('conflict', `review doc belongs to project ${existing}`);
    return false;
  }
  Y.applyUpdate(doc, update, opts?.origin ?? DOC_ORIGIN);
  return true;
}

function readPerson(v: unknown): Person | null {
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  return { id: str(o.id) ?? '', name: str(o.name) ?? '' };
}

function readComment(v: unknown): ReviewComment | null {
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  const id = str(o.id);
  const text = str(o.text);
  if (id === null || text === null) return null;
  return { id, author: readPerson(o.author) ?? { id: '', name: '' }, text, createdAt: num(o.createdAt) ?? 0, replyTo: str(o.replyTo) };
}

function readAnchor(v: unknown): ThreadAnchor {
  const o = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
  const phase = (PHASES as readonly unknown[]).includes(o.phase) ? (o.phase as Phase) : 'concept';
  return { phase, branchId: str(o.branchId), panelId: str(o.panelId) };
}

function readThread(id: string, t: Y.Map<unknown>): ReviewThread {
  const comments = t.get('comments');
  return {
    id,
    anchor: readAnchor(t.get('anchor')),
    createdAt: num(t.get('createdAt')) ?? 0,
    createdBy: readPerson(t.get('createdBy')) ?? { id: '', name: '' },
    resolved: t.get('resolved') === true,
    resolvedBy: readPerson(t.get('resolvedBy')),
    resolvedAt: num(t.get('resolvedAt')),
    comments: comments instanceof Y.Array ? comments.toArray().map(readComment).filter((c): c is ReviewComment => c !== null) : [],
  };
}

function threadMap(doc: Y.Doc, threadId: string): Y.Map<unknown> {
  const t = threadsOf(doc).get(threadId);
  if (!(t instanceof Y.Map)) throw new DocError('not-found', `no thread ${JSON.stringify(threadId)}`);
  return t;
}

export function getThread(doc: Y.Doc, threadId: string): ReviewThread {
  return readThread(threadId, threadMap(doc, threadId));
}

export interface ThreadFilter {
  phase?: Phase;
  branchId?: string;
  panelId?: string;
  resolved?: boolean;
}

/** Threads, oldest first, optionally narrowed to an anchor and/or resolved state. */
export function listThreads(doc: Y.Doc, filter: ThreadFilter = {}): ReviewThread[] {
  const out: ReviewThread[] = [];
  for (const [id, t] of threadsOf(doc).entries()) {
    if (!(t instanceof Y.Map)) continue;
    const th = readThread(id, t);
    if (filter.phase !== undefined && th.anchor.phase !== filter.phase) continue;
    if (filter.branchId !== undefined && th.anchor.branchId !== filter.branchId) continue;
    if (filter.panelId !== undefined && th.anchor.panelId !== filter.panelId) continue;
    if (filter.resolved !== undefined && th.resolved !== filter.resolved) continue;
    out.push(th);
  }
  return out.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
}

export interface CreateThreadInput {
  id?: string;
  anchor: { phase: Phase; branchId?: string | null; panelId?: string | null };
  author: Person;
  text: string;
}

/** Open a thread anchored to a phase, a branch of it, or a panel, with its first comment. */
export function createThread(doc: Y.Doc, input: CreateThreadInput, opts?: WriteOptions): ReviewThread {
  const anchor = parse(anchorSchema, input.anchor, 'anchor');
  const author = parse(personSchema, input.author, 'author');
  const text = parse(textSchema, input.text, 'comment');
  const id = parse(idSchema, input.id ?? newId(), 'thread id');
  const threads = threadsOf(doc);
  if (threads.has(id)) return getThread(doc, id); // retried request: one thread
  return write(doc, opts, (now) => {
    const t = new Y.Map<unknown>();
    t.set('id', id);
    t.set('anchor', { phase: anchor.phase, branchId: anchor.branchId ?? null, panelId: anchor.panelId ?? null });
    t.set('createdAt', now);
    t.set('createdBy', author);
    t.set('resolved', false);
    t.set('resolvedBy', null);
    t.set('resolvedAt', null);
    const comments = new Y.Array<ReviewComment>();
    comments.push([{ id: newId(), author, text, createdAt: now, replyTo: null }]);
    t.set('comments', comments);
    threads.set(id, t);
    return readThread(id, t);
  });
}

/** Add a reply to a thread (replying re-opens nothing: resolve state is explicit). */
export function replyToThread(doc: Y.Doc, threadId: string, input: { id?: string; author: Person; text: string; replyTo?: string | null }, opts?: WriteOptions): ReviewComment {
  const author = parse(personSchema, input.author, 'author');
  const text = parse(textSchema, input.text, 'comment');
  const id = parse(idSchema, input.id ?? newId(), 'comment id');
  const t = threadMap(doc, threadId);
  const comments = t.get('comments');
  if (!(comments instanceof Y.Array)) throw new DocError('not-found', `thread ${threadId} has no comments`);
  const existing = readThread(threadId, t).comments;
  const same = existing.find((c) => c.id === id);
  if (same) return same;
  const replyTo = input.replyTo ?? existing[0]?.id ?? null;
  if (replyTo !== null && !existing.some((c) => c.id === replyTo)) throw new DocError('not-found', `no comment ${JSON.stringify(replyTo)} in thread ${threadId}`);
  return write(doc, opts, (now) => {
    const c: ReviewComment = { id, author, text, createdAt: now, replyTo };
    comments.push([c]);
    return c;
  });
}

export function resolveThread(doc: Y.Doc, threadId: string, by: Person, opts?: WriteOptions): void {
  const who = parse(personSchema, by, 'person');
  const t = threadMap(doc, threadId);
  if (t.get('resolved') === true) return;
  write(doc, opts, (now) => {
    t.set('resolved', true);
    t.set('resolvedBy', who);
    t.set('resolvedAt', now);
  });
}

export function reopenThread(doc: Y.Doc, threadId: string, opts?: WriteOptions): void {
  const t = threadMap(doc, threadId);
  if (t.get('resolved') !== true) return;
  write(doc, opts, () => {
    t.set('resolved', false);
    t.set('resolvedBy', null);
    t.set('resolvedAt', null);
  });
}

export function deleteThread(doc: Y.Doc, threadId: string, opts?: WriteOptions): void {
  threadMap(doc, threadId);
  write(doc, opts, () => threadsOf(doc).delete(threadId));
}

const approvalKey = (phase: Phase, userId: string): string => `${phase}:${userId}`;

/**
 * Record a reviewer's approval of a phase on a branch (one per reviewer and phase; approving
 * again replaces their earlier one). The work doc's phase status is set by approvePhase.
 */
export function recordApproval(doc: Y.Doc, input: { phase: Phase; branchId: string; by: Person }, opts?: WriteOptions): PhaseApproval {
  const phase = parse(phaseSchema, input.phase, 'phase');
  const branchId = parse(idSchema, input.branchId, 'branch id');
  const by = parse(personSchema, input.by, 'approver');
  return write(doc, opts, (now) => {
    const a: PhaseApproval = { phase, by, branchId, at: now };
    approvalsOf(doc).set(approvalKey(phase, by.id), a);
    return a;
  });
}

export function withdrawApproval(doc: Y.Doc, phase: Phase, userId: string, opts?: WriteOptions): void {
  const key = approvalKey(parse(phaseSchema, phase, 'phase'), userId);
  if (!approvalsOf(doc).has(key)) return;
  write(doc, opts, () => approvalsOf(doc).delete(key));
}

/** Approvals, oldest first; of one phase, and/or only those on one branch. */
export function listApprovals(doc: Y.Doc, filter: { phase?: Phase; branchId?: string } = {}): PhaseApproval[] {
  const out: PhaseApproval[] = [];
  for (const v of approvalsOf(doc).values()) {
    if (!v || typeof v !== 'object') continue;
    const o = v as Record<string, unknown>;
    if (!(PHASES as readonly unknown[]).includes(o.phase)) continue;
    const by = readPerson(o.by);
    const branchId = str(o.branchId);
    if (!by || branchId === null) continue;
    const a: PhaseApproval = { phase: o.phase as Phase, by, branchId, at: num(o.at) ?? 0 };
    if (filter.phase !== undefined && a.phase !== filter.phase) continue;
    if (filter.branchId !== undefined && a.branchId !== filter.branchId) continue;
    out.push(a);
  }
  return out.sort((a, b) => a.at - b.at || (a.by.id < b.by.id ? -1 : 1));
}

export function reviewDocProjectId(doc: Y.Doc): string | null {
  return str(metaOf(doc).get('projectId'));
}
