/**
 * Convergence fuzz in the style of Yjs' own tests: three replicas of one project doc apply
 * random operations through the public API, exchange updates at random moments, and must end
 * identical, with every invariant of the schema still holding.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as Y from 'yjs';
import { PHASES, type Phase } from '../../schema/phases';
import {
  DocError,
  MAX_BRANCHES_PER_PHASE,
  activeBasedOn,
  adoptBranch,
  appendBranchProse,
  createBranch,
  deleteBranch,
  forkBranch,
  getPhaseState,
  listBranches,
  nameCanvas,
  pinBranch,
  readBranchContent,
  refreshStaleness,
  reopenPhase,
  safeReadBranchContent,
  seedProjectDoc,
  setCanvasRecord,
  skipPhase,
  staleReasons,
  type CanvasPanelRecord,
} from './project-doc';
import { SAMPLE_OUTPUTS } from './samples';

const INIT = {
  projectId: '3f0c6a52-8d1e-4b7a-9c2d-1e2f3a4b5c6d',
  title: 'fuzz',
  language: 'en' as const,
  readingDirection: 'ltr' as const,
  pageFormat: 'A5' as const,
  sourceText: 'story',
};
const HUMAN = { kind: 'human' as const, id: 'u', name: 'U' };
const FUZZ_PHASES: Phase[] = ['concept', 'characters', 'plot', 'name'];

type Op =
  | { t: 'create'; r: number; phase: Phase; id: number; withContent: boolean }
  | { t: 'adopt'; r: number; phase: Phase; pick: number }
  | { t: 'pin'; r: number; phase: Phase; pick: number; on: boolean }
  | { t: 'delete'; r: number; phase: Phase; pick: number }
  | { t: 'fork'; r: number; phase: Phase; pick: number }
  | { t: 'skip'; r: number; phase: Phase }
  | { t: 'reopen'; r: number; phase: Phase }
  | { t: 'stream'; r: number; pick: number; text: string }
  | { t: 'move'; r: number; pick: number; panel: number; x: number }
  | { t: 'sync'; a: number; b: number };

const replica = fc.integer({ min: 0, max: 2 });
const phase = fc.constantFrom(...FUZZ_PHASES);
const pick = fc.nat(20);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('create' as const), r: replica, phase, id: fc.nat(14), withContent: fc.boolean() }),
  fc.record({ t: fc.constant('adopt' as const), r: replica, phase, pick }),
  fc.record({ t: fc.constant('pin' as const), r: replica, phase, pick, on: fc.boolean() }),
  fc.record({ t: fc.constant('delete' as const), r: replica, phase, pick }),
  fc.record({ t: fc.constant('fork' as const), r: replica, phase, pick }),
  fc.record({ t: fc.constant('skip' as const), r: replica, phase }),
  fc.record({ t: fc.constant('reopen' as const), r: replica, phase }),
  fc.record({ t: fc.constant('stream' as const), r: replica, pick, text: fc.string({ unit: fc.constantFrom('a', '\n', ' '), maxLength: 6 }) }),
  fc.record({ t: fc.constant('move' as const), r: replica, pick, panel: fc.nat(3), x: fc.integer({ min: 0, max: 100 }) }),
  fc.record({ t: fc.constant('sync' as const), a: replica, b: replica }),
);

function syncPair(a: Y.Doc, b: Y.Doc): void {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

function nth<T>(xs: T[], i: number): T | undefined {
  return xs.length === 0 ? undefined : xs[i % xs.length];
}

function apply(docs: Y.Doc[], op: Op): void {
  if (op.t === 'sync') return syncPair(docs[op.a], docs[op.b]);
  const doc = docs[op.r];
  try {
    switch (op.t) {
      case 'create': {
        const ready = op.withContent;
        createBranch(doc, op.phase, {
          id: `${op.phase}-${op.id}`,
          origin: HUMAN,
          basedOn: activeBasedOn(doc, op.phase),
          content: ready ? SAMPLE_OUTPUTS[op.phase] : undefined,
          state: ready ? 'ready' : 'failed',
        });
        break;
      }
      case 'adopt': {
        const b = nth(listBranches(doc, op.phase), op.pick);
        if (b) adoptBranch(doc, op.phase, b.id);
        break;
      }
      case 'pin': {
        const b = nth(listBranches(doc, op.phase), op.pick);
        if (b) pinBranch(doc, op.phase, b.id, op.on);
        break;
      }
      case 'delete': {
        const b = nth(listBranches(doc, op.phase), op.pick);
        if (b) deleteBranch(doc, op.phase, b.id);
        break;
      }
      case 'fork': {
        const b = nth(listBranches(doc, op.phase), op.pick);
        if (b) forkBranch(doc, op.phase, b.id, { origin: HUMAN });
        break;
      }
      case 'skip':
        skipPhase(doc, op.phase);
        break;
      case 'reopen':
        reopenPhase(doc, op.phase);
        break;
      case 'stream': {
        const b = nth(listBranches(doc, 'concept'), op.pick);
        if (b) appendBranchProse(doc, 'concept', b.id, 'synopsis', op.text);
        break;
      }
      case 'move': {
        const b = nth(
          listBranches(doc, 'name').filter((x) => x.state === 'ready'),
          op.pick,
        );
        if (!b) break;
        const kv = nameCanvas(doc, b.id);
        const key = `panel:${['p0-0', 'p0-1', 'p0-2', 'p1-0'][op.panel]}`;
        const rec = kv.get(key) as CanvasPanelRecord | undefined;
        if (rec) setCanvasRecord(doc, b.id, key, { ...rec, bboxMm: [op.x, rec.bboxMm[1], rec.bboxMm[2], rec.bboxMm[3]] });
        break;
      }
    }
  } catch (e) {
    // Refusals (a pinned/active delete, adopting a branch a merge removed …) are expected.
    if (!(e instanceof DocError)) throw e;
  }
}

describe('convergence fuzz', () => {
  it('three replicas converge and keep the schema invariants', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 5, maxLength: 60 }), (ops) => {
        const seed = new Y.Doc();
        seedProjectDoc(seed, INIT);
        const docs = [0, 1, 2].map(() => {
          const d = new Y.Doc();
          Y.applyUpdate(d, Y.encodeStateAsUpdate(seed));
          return d;
        });
        for (const op of ops) apply(docs, op);
        // full exchange, twice (YKeyValue clean-ups made while applying are themselves updates)
        for (let round = 0; round < 2; round++) for (const a of docs) for (const b of docs) if (a !== b) syncPair(a, b);

        const snapshot = (d: Y.Doc): unknown => ({ meta: d.getMap('meta').toJSON(), phases: d.getMap('phases').toJSON(), source: d.getText('source').toString() });
        expect(snapshot(docs[1])).toEqual(snapshot(docs[0]));
        expect(snapshot(docs[2])).toEqual(snapshot(docs[0]));

        const d = docs[0];
        for (const p of PHASES) {
          const branches = listBranches(d, p);
          // the limit holds per writer; concurrent creations may each keep 10, so at most 10 per replica's creations
          expect(branches.length).toBeLessThanOrEqual(MAX_BRANCHES_PER_PHASE * 3);
          for (const b of branches) {
            if (b.state !== 'ready') continue;
            const r = safeReadBranchContent(d, p, b.id);
            expect(r.success, `${p}/${b.id}: ${r.success ? '' : r.error}`).toBe(true);
          }
        }
        for (const b of listBranches(d, 'name').filter((x) => x.state === 'ready')) {
          const out = readBranchContent(d, 'name', b.id);
          const ids = out.pages.flatMap((pg) => pg.panels.map((x) => x.id));
          expect(new Set(ids).size).toBe(ids.length); // no panel duplicated by a merge
          expect(ids.sort()).toEqual(['p0-0', 'p0-1', 'p0-2', 'p1-0']);
        }
        // after a refresh the cached 'stale' status agrees with the derived reasons
        refreshStaleness(d);
        for (const p of PHASES) {
          const s = getPhaseState(d, p);
          if (p === 'concept' || s.status === 'skipped' || s.status === 'idle') continue;
          expect(s.status === 'stale', `${p}: ${s.status} vs ${JSON.stringify(staleReasons(d, p))}`).toBe(staleReasons(d, p).length > 0);
        }
      }),
      { numRuns: Number(process.env.DOC_FUZZ_RUNS ?? 80) },
    );
  });
});
