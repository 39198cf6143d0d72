import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DocError } from './model';
import {
  createReviewSeedUpdate,
  createThread,
  deleteThread,
  getThread,
  listApprovals,
  listThreads,
  recordApproval,
  reopenThread,
  replyToThread,
  resolveThread,
  reviewDocProjectId,
  seedReviewDoc,
  withdrawApproval,
} from './review-doc';

const PROJECT = '3f0c6a52-8d1e-4b7a-9c2d-1e2f3a4b5c6d';
const ED = { id: 'u-ed', name: 'Editor' };
const RV = { id: 'u-rv', name: 'Reviewer' };

function sync(a: Y.Doc, b: Y.Doc): void {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

describe('review doc', () => {
  it('seeds deterministically and idempotently', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    expect(seedReviewDoc(a, PROJECT)).toBe(true);
    expect(seedReviewDoc(a, PROJECT)).toBe(false);
    seedReviewDoc(b, PROJECT);
    sync(a, b);
    expect(reviewDocProjectId(b)).toBe(PROJECT);
    expect(createReviewSeedUpdate(PROJECT)).toEqual(createReviewSeedUpdate(PROJECT));
    expect(() => seedReviewDoc(a, '3f0c6a52-8d1e-4b7a-9c2d-000000000000')).toThrow(/belongs/);
  });

  it('threads: anchor, comment, replies, resolve, reopen, delete', () => {
    const doc = new Y.Doc();
    const t = createThread(doc, { anchor: { phase: 'name', branchId: 'b1', panelId: 'p0-1' }, author: RV, text: 'Face is covered here' }, { now: 10 });
    expect(t).toMatchObject({ anchor: { phase: 'name', branchId: 'b1', panelId: 'p0-1' }, createdAt: 10, createdBy: RV, resolved: false });
    expect(t.comments).toHaveLength(1);
    const r1 = replyToThread(doc, t.id, { author: ED, text: 'Moved the balloon' }, { now: 11 });
    expect(r1.replyTo).toBe(t.comments[0].id);
    const r2 = replyToThread(doc, t.id, { author: RV, text: 'Thanks', replyTo: r1.id }, { now: 12 });
    expect(getThread(doc, t.id).comments.map((c) => c.text)).toEqual(['Face is covered here', 'Moved the balloon', 'Thanks']);
    expect(r2.replyTo).toBe(r1.id);
    resolveThread(doc, t.id, ED, { now: 13 });
    expect(getThread(doc, t.id)).toMatchObject({ resolved: true, resolvedBy: ED, resolvedAt: 13 });
    expect(listThreads(doc, { resolved: false })).toEqual([]);
    reopenThread(doc, t.id);
    expect(getThread(doc, t.id)).toMatchObject({ resolved: false, resolvedBy: null, resolvedAt: null });
    createThread(doc, { anchor: { phase: 'plot' }, author: ED, text: 'Act 2 drags' }, { now: 20 });
    expect(listThreads(doc).map((x) => x.anchor.phase)).toEqual(['name', 'plot']);
    expect(listThreads(doc, { phase: 'name', panelId: 'p0-1' })).toHaveLength(1);
    expect(listThreads(doc, { branchId: 'b1' })).toHaveLength(1);
    deleteThread(doc, t.id);
    expect(() => getThread(doc, t.id)).toThrow(DocError);
  });

  it('refuses bad input and changes nothing', () => {
    const doc = new Y.Doc();
    const sv = Y.encodeStateVector(doc);
    expect(() => createThread(doc, { anchor: { phase: 'nope' as 'plot' }, author: ED, text: 'x' })).toThrow(/anchor/);
    expect(() => createThread(doc, { anchor: { phase: 'plot' }, author: ED, text: '   ' })).toThrow(/empty/);
    expect(() => createThread(doc, { anchor: { phase: 'plot' }, author: { id: '', name: 'x' }, text: 'x' })).toThrow(/author/);
    expect(() => replyToThread(doc, 'missing', { author: ED, text: 'x' })).toThrow(/no thread/);
    expect(Y.encodeStateVector(doc)).toEqual(sv);
    const t = createThread(doc, { anchor: { phase: 'plot' }, author: ED, text: 'x' });
    expect(() => replyToThread(doc, t.id, { author: ED, text: 'y', replyTo: 'nope' })).toThrow(/no comment/);
  });

  it('retried create/reply with the same id is a no-op', () => {
    const doc = new Y.Doc();
    const a = createThread(doc, { id: 't1', anchor: { phase: 'plot' }, author: ED, text: 'x' });
    const b = createThread(doc, { id: 't1', anchor: { phase: 'plot' }, author: ED, text: 'x' });
    expect(b).toEqual(a);
    replyToThread(doc, 't1', { id: 'c2', author: ED, text: 'y' });
    replyToThread(doc, 't1', { id: 'c2', author: ED, text: 'y' });
    expect(getThread(doc, 't1').comments).toHaveLength(2);
  });

  it('concurrent replies from two people both land, in the same order everywhere', () => {
    const a = new Y.Doc();
    createThread(a, { id: 't', anchor: { phase: 'concept' }, author: ED, text: 'start' });
    const b = new Y.Doc();
    sync(a, b);
    replyToThread(a, 't', { author: ED, text: 'from a' });
    replyToThread(b, 't', { author: RV, text: 'from b' });
    resolveThread(b, 't', RV);
    sync(a, b);
    expect(getThread(a, 't').comments.map((c) => c.text).sort()).toEqual(['from a', 'from b', 'start']);
    expect(getThread(a, 't')).toEqual(getThread(b, 't'));
    expect(getThread(a, 't').resolved).toBe(true);
  });

  it('approvals per phase and reviewer, concurrent ones both count', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    recordApproval(a, { phase: 'name', branchId: 'n1', by: ED }, { now: 1 });
    recordApproval(b, { phase: 'name', branchId: 'n1', by: RV }, { now: 2 });
    sync(a, b);
    expect(listApprovals(a, { phase: 'name' }).map((x) => x.by.id)).toEqual(['u-ed', 'u-rv']);
    recordApproval(a, { phase: 'name', branchId: 'n2', by: ED }, { now: 3 });
    expect(listApprovals(a, { phase: 'name', branchId: 'n2' })).toEqual([{ phase: 'name', branchId: 'n2', by: ED, at: 3 }]);
    withdrawApproval(a, 'name', 'u-rv');
    expect(listApprovals(a)).toHaveLength(1);
    expect(() => recordApproval(a, { phase: 'x' as 'name', branchId: 'n', by: ED })).toThrow(DocError);
  });
});
