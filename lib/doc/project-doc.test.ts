import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as Y from 'yjs';
import { PHASES, type Phase } from '../../schema/phases';
import {
  DOC_SCHEMA_VERSION,
  DocError,
  MAX_BRANCHES_PER_PHASE,
  activeBasedOn,
  adoptBranch,
  appendBranchListItem,
  upsertBranchListItem,
  appendBranchProse,
  approvePhase,
  branchesMap,
  clearRunState,
  createBranch,
  createSeedUpdate,
  deleteBranch,
  deleteCanvasRecord,
  dismissStale,
  docSchemaVersion,
  forkBranch,
  getBranch,
  getPhaseState,
  getProjectMeta,
  getSourceText,
  listBranches,
  nameCanvas,
  pinBranch,
  proseFragment,
  readBranchContent,
  resetBranchContent,
  reopenPhase,
  safeReadBranchContent,
  seedProjectDoc,
  setBranchField,
  setCanvasRecord,
  setPhaseStatus,
  setProjectMeta,
  setRunState,
  skipPhase,
  staleReasons,
  upgradeProjectDoc,
  writeBranchContent,
  type CanvasPanelRecord,
  type ProjectInit,
} from './project-doc';
import { SAMPLE_OUTPUTS } from './samples';

const PROJECT = '3f0c6a52-8d1e-4b7a-9c2d-1e2f3a4b5c6d';
const INIT: ProjectInit = {
  projectId: PROJECT,
  title: '傘の日',
  language: 'ja',
  readingDirection: 'rtl',
  pageFormat: 'B5',
  sourceText: '雨の日、ひなたは駅で傘を貸していた。「どうぞ」と彼女は言った。',
};
const AGENT = { kind: 'agent' as const, id: 'agent:job-1', name: 'Concept agent' };
const HUMAN = { kind: 'human' as const, id: 'u-1', name: 'Hinata' };

function seeded(): Y.Doc {
  const doc = new Y.Doc();
  seedProjectDoc(doc, INIT);
  return doc;
}

/** Exchange all state between docs (like a server relaying both ways). */
function sync(...docs: Y.Doc[]): void {
  for (const a of docs) for (const b of docs) if (a !== b) Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
}

function clone(doc: Y.Doc): Y.Doc {
  const c = new Y.Doc();
  Y.applyUpdate(c, Y.encodeStateAsUpdate(doc));
  return c;
}

/** A ready branch with sample content, returning its id. */
function branch(doc: Y.Doc, phase: Phase, extra: Partial<Parameters<typeof createBranch>[2]> = {}, now?: number): string {
  return createBranch(doc, phase, { origin: AGENT, basedOn: activeBasedOn(doc, phase), content: SAMPLE_OUTPUTS[phase], ...extra }, { now }).branch.id;
}

describe('seeding', () => {
  it('creates meta, source and the seven phases', () => {
    const doc = seeded();
    expect(getProjectMeta(doc)).toEqual({ schemaVersion: DOC_SCHEMA_VERSION, projectId: PROJECT, title: '傘の日', language: 'ja', readingDirection: 'rtl', pageFormat: 'B5' });
    expect(getSourceText(doc)).toBe(INIT.sourceText);
    for (const p of PHASES) {
      expect(getPhaseState(doc, p)).toMatchObject({ phase: p, status: 'idle', activeBranchId: null, run: null, branchCount: 0 });
    }
  });

  it('is idempotent on one doc', () => {
    const doc = seeded();
    const before = Y.encodeStateAsUpdate(doc);
    expect(seedProjectDoc(doc, INIT)).toBe(false);
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
  });

  it('is deterministic: two docs seeded concurrently merge into one seed, not two', () => {
    const a = seeded();
    const b = seeded();
    createBranch(a, 'concept', { id: 'x', origin: HUMAN, content: SAMPLE_OUTPUTS.concept });
    sync(a, b);
    expect(getSourceText(b)).toBe(INIT.sourceText);
    expect(getSourceText(a)).toBe(INIT.sourceText);
    expect(listBranches(b, 'concept').map((x) => x.id)).toEqual(['x']);
    expect(createSeedUpdate(INIT)).toEqual(createSeedUpdate({ ...INIT }));
  });

  it('a seed update stored by the server and loaded by clients equals seeding', () => {
    const stored = createSeedUpdate(INIT);
    const c1 = new Y.Doc();
    const c2 = new Y.Doc();
    Y.applyUpdate(c1, stored);
    Y.applyUpdate(c2, stored);
    seedProjectDoc(c2, INIT); // a client that seeds anyway changes nothing
    sync(c1, c2);
    expect(getSourceText(c1)).toBe(INIT.sourceText);
  });

  it('different seeds never collide (they converge, they do not diverge)', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    seedProjectDoc(a, INIT);
    seedProjectDoc(b, { ...INIT, title: 'other' });
    sync(a, b);
    expect(getProjectMeta(a)).toEqual(getProjectMeta(b));
    expect(a.getMap('phases').toJSON()).toEqual(b.getMap('phases').toJSON());
  });

  it('rejects bad init and a different project, changing nothing', () => {
    const doc = new Y.Doc();
    expect(() => seedProjectDoc(doc, { ...INIT, projectId: 'x' })).toThrow(DocError);
    expect(() => seedProjectDoc(doc, { ...INIT, title: '' })).toThrow(/title/);
    expect(docSchemaVersion(doc)).toBeNull();
    seedProjectDoc(doc, INIT);
    expect(() => seedProjectDoc(doc, { ...INIT, projectId: '3f0c6a52-8d1e-4b7a-9c2d-000000000000' })).toThrow(/already belongs/);
  });

  it('writes are refused on an unseeded doc', () => {
    expect(() => createBranch(new Y.Doc(), 'concept', { origin: HUMAN })).toThrow(/not seeded/);
  });

  it('meta can be changed, with validation', () => {
    const doc = seeded();
    setProjectMeta(doc, { title: 'New', readingDirection: 'ltr' });
    expect(getProjectMeta(doc)).toMatchObject({ title: 'New', readingDirection: 'ltr' });
    expect(() => setProjectMeta(doc, { pageFormat: 'A0' as 'B5' })).toThrow(DocError);
    expect(() => setProjectMeta(doc, { projectId: 'x' } as never)).toThrow(DocError);
  });
});

describe('JSON ↔ Y round trip', () => {
  for (const phase of PHASES) {
    it(`${phase}: an output written as a branch reads back identical`, () => {
      const doc = seeded();
      const id = branch(doc, phase);
      expect(readBranchContent(doc, phase, id)).toEqual(SAMPLE_OUTPUTS[phase]);
      // and through an encoded update (what another client sees)
      expect(readBranchContent(clone(doc), phase, id)).toEqual(SAMPLE_OUTPUTS[phase]);
      // writeBranchContent (replace) round-trips too
      writeBranchContent(doc, phase, id, SAMPLE_OUTPUTS[phase]);
      expect(readBranchContent(doc, phase, id)).toEqual(SAMPLE_OUTPUTS[phase]);
    });
  }

  it('stores structure as shared types: maps, arrays, prose fragments, canvas records, atomic tuples', () => {
    const doc = seeded();
    const c = branch(doc, 'concept');
    const content = branchesMap(doc, 'concept').get(c)!.get('content') as Y.Map<unknown>;
    expect(content.get('synopsis')).toBeInstanceOf(Y.XmlFragment);
    expect(content.get('keywords')).toBeInstanceOf(Y.Array);
    expect(content.get('logline')).toBe(SAMPLE_OUTPUTS.concept.logline);
    const d = branch(doc, 'dialogue');
    const dc = branchesMap(doc, 'dialogue').get(d)!.get('content') as Y.Map<unknown>;
    const balloon = (dc.get('balloons') as Y.Array<Y.Map<unknown>>).get(0);
    expect(balloon).toBeInstanceOf(Y.Map);
    expect(Array.isArray(balloon.get('bboxMm'))).toBe(true); // atomic, not a Y.Array
    const n = branch(doc, 'name');
    const kv = nameCanvas(doc, n);
    expect(kv.get('page:0')).toEqual({ kind: 'page', index: 0 });
    expect(kv.get('panel:p0-1')).toMatchObject({ kind: 'panel', page: 'page:0', id: 'p0-1', order: 1 });
    expect(kv.yarray.length).toBe(6); // 2 pages + 4 panels
  });

  it('refuses invalid outputs and changes nothing', () => {
    const doc = seeded();
    const before = Y.encodeStateVector(doc);
    expect(() => createBranch(doc, 'concept', { origin: AGENT, content: { ...SAMPLE_OUTPUTS.concept, keywords: 'x' } })).toThrow(/concept output rejected/);
    const dup = structuredClone(SAMPLE_OUTPUTS.name);
    dup.pages[1].panels[0].id = 'p0-0';
    expect(() => createBranch(doc, 'name', { origin: AGENT, content: dup })).toThrow(/duplicate panel/);
    expect(Y.encodeStateVector(doc)).toEqual(before);
    const id = branch(doc, 'plot');
    const sv = Y.encodeStateVector(doc);
    expect(() => writeBranchContent(doc, 'plot', id, { ...SAMPLE_OUTPUTS.plot, beats: [] })).toThrow(DocError);
    expect(Y.encodeStateVector(doc)).toEqual(sv);
  });

  it('a human edit that breaks the schema is reported on read, not hidden', () => {
    const doc = seeded();
    const id = branch(doc, 'characters');
    const content = branchesMap(doc, 'characters').get(id)!.get('content') as Y.Map<unknown>;
    doc.transact(() => (content.get('cast') as Y.Array<unknown>).delete(0, 2));
    const r = safeReadBranchContent(doc, 'characters', id);
    expect(r.success).toBe(false);
    expect(() => readBranchContent(doc, 'characters', id)).toThrow(/cast/);
  });

  it('setBranchField replaces one validated field', () => {
    const doc = seeded();
    const id = branch(doc, 'concept');
    setBranchField(doc, 'concept', id, 'tone', 'bittersweet');
    setBranchField(doc, 'concept', id, 'synopsis', 'one\n\ntwo');
    expect(readBranchContent(doc, 'concept', id)).toMatchObject({ tone: 'bittersweet', synopsis: 'one\n\ntwo' });
    expect(() => setBranchField(doc, 'concept', id, 'keywords', 3)).toThrow(DocError);
    expect(() => setBranchField(doc, 'concept', id, 'nope', 3)).toThrow(/no field/);
    const n = branch(doc, 'name');
    const pages = structuredClone(SAMPLE_OUTPUTS.name.pages).slice(0, 1);
    setBranchField(doc, 'name', n, 'pages', pages);
    expect(readBranchContent(doc, 'name', n).pages).toEqual(pages);
  });
});

describe('branches', () => {
  it('records provenance', () => {
    const doc = seeded();
    const c = branch(doc, 'concept');
    adoptBranch(doc, 'concept', c);
    const r = createBranch(doc, 'characters', {
      id: 'job-7',
      origin: { kind: 'agent', id: 'agent:job-7', name: 'Characters agent' },
      parentBranchId: null,
      feedback: 'more villains',
      jobId: 'job-7',
      basedOn: activeBasedOn(doc, 'characters'),
      model: 'gemini-2.5-flash',
      seed: 7,
      costJpy: 1.25,
    }, { now: 1000 });
    expect(r.created).toBe(true);
    expect(r.branch).toEqual({
      id: 'job-7',
      phase: 'characters',
      origin: { kind: 'agent', id: 'agent:job-7', name: 'Characters agent' },
      createdAt: 1000,
      parentBranchId: null,
      feedback: 'more villains',
      jobId: 'job-7',
      pinned: false,
      basedOn: { concept: c },
      model: 'gemini-2.5-flash',
      seed: 7,
      costJpy: 1.25,
      state: 'generating',
      active: false,
    });
  });

  it('a retried createBranch with the same id yields exactly one branch', () => {
    const doc = seeded();
    const first = createBranch(doc, 'concept', { id: 'job-1', origin: AGENT, jobId: 'job-1' });
    const sv = Y.encodeStateVector(doc);
    const again = createBranch(doc, 'concept', { id: 'job-1', origin: AGENT, jobId: 'job-1', content: SAMPLE_OUTPUTS.concept });
    expect(again.created).toBe(false);
    expect(again.branch).toEqual(first.branch);
    expect(Y.encodeStateVector(doc)).toEqual(sv); // a true no-op
    // two workers racing on two replicas: still one branch after the merge
    const a = clone(doc);
    const b = clone(doc);
    createBranch(a, 'plot', { id: 'job-2', origin: AGENT, content: SAMPLE_OUTPUTS.plot });
    createBranch(b, 'plot', { id: 'job-2', origin: AGENT, content: SAMPLE_OUTPUTS.plot });
    sync(a, b);
    expect(listBranches(a, 'plot').map((x) => x.id)).toEqual(['job-2']);
    expect(readBranchContent(b, 'plot', 'job-2')).toEqual(SAMPLE_OUTPUTS.plot);
  });

  it('validates input', () => {
    const doc = seeded();
    expect(() => createBranch(doc, 'concept', { origin: { kind: 'robot' as 'agent', id: '', name: '' } })).toThrow(DocError);
    expect(() => createBranch(doc, 'concept', { origin: AGENT, basedOn: { plot: 'x' } })).toThrow(/not built from/);
    expect(() => createBranch(doc, 'concept', { origin: AGENT, id: '' })).toThrow(DocError);
    expect(() => createBranch(doc, 'nope' as Phase, { origin: AGENT })).toThrow(/unknown phase/);
    expect(listBranches(doc, 'concept')).toEqual([]);
  });

  it('keeps at most 10 per phase, pruning the oldest that is neither pinned nor active', () => {
    const doc = seeded();
    const ids: string[] = [];
    for (let i = 0; i < MAX_BRANCHES_PER_PHASE; i++) ids.push(branch(doc, 'plot', { id: `b${i}` }, 1000 + i));
    pinBranch(doc, 'plot', 'b0');
    adoptBranch(doc, 'plot', 'b1');
    expect(listBranches(doc, 'plot')).toHaveLength(10);
    const r = createBranch(doc, 'plot', { id: 'b10', origin: HUMAN }, { now: 2000 });
    expect(r.pruned).toEqual(['b2']);
    const r2 = createBranch(doc, 'plot', { id: 'b11', origin: HUMAN }, { now: 2001 });
    expect(r2.pruned).toEqual(['b3']);
    const left = listBranches(doc, 'plot').map((b) => b.id);
    expect(left).toHaveLength(10);
    expect(left).toEqual(['b0', 'b1', 'b4', 'b5', 'b6', 'b7', 'b8', 'b9', 'b10', 'b11']);
    expect(getPhaseState(doc, 'plot').activeBranchId).toBe('b1');
  });

  it('when every branch is pinned or active, the limit yields rather than delete them', () => {
    const doc = seeded();
    for (let i = 0; i < 10; i++) {
      branch(doc, 'concept', { id: `k${i}` }, i);
      pinBranch(doc, 'concept', `k${i}`);
    }
    const r = createBranch(doc, 'concept', { id: 'k10', origin: HUMAN }, { now: 99 });
    expect(r.pruned).toEqual([]);
    expect(listBranches(doc, 'concept')).toHaveLength(11);
  });

  it('delete refuses active and pinned branches', () => {
    const doc = seeded();
    const a = branch(doc, 'concept');
    const b = branch(doc, 'concept');
    const c = branch(doc, 'concept');
    adoptBranch(doc, 'concept', a);
    pinBranch(doc, 'concept', b);
    expect(() => deleteBranch(doc, 'concept', a)).toThrow(/active/);
    expect(() => deleteBranch(doc, 'concept', b)).toThrow(/pinned/);
    deleteBranch(doc, 'concept', c);
    expect(() => deleteBranch(doc, 'concept', c)).toThrow(/no branch/);
    pinBranch(doc, 'concept', b, false);
    deleteBranch(doc, 'concept', b);
    expect(listBranches(doc, 'concept').map((x) => x.id)).toEqual([a]);
  });

  it('fork deep-copies content as a human branch (formatting kept, independent afterwards)', () => {
    const doc = seeded();
    const src = branch(doc, 'concept');
    adoptBranch(doc, 'concept', src);
    const frag = proseFragment(doc, 'concept', src, 'synopsis');
    doc.transact(() => (frag.get(0) as Y.XmlElement).get(0) instanceof Y.XmlText && ((frag.get(0) as Y.XmlElement).get(0) as Y.XmlText).format(0, 6, { bold: {} }));
    const r = forkBranch(doc, 'concept', src, { id: 'fork-1', origin: HUMAN, feedback: 'my take' }, { now: 5 });
    expect(r.branch).toMatchObject({ id: 'fork-1', origin: HUMAN, parentBranchId: src, feedback: 'my take', jobId: null, basedOn: {}, state: 'ready', active: false });
    expect(readBranchContent(doc, 'concept', 'fork-1')).toEqual(readBranchContent(doc, 'concept', src));
    const forkFrag = proseFragment(doc, 'concept', 'fork-1', 'synopsis');
    expect(((forkFrag.get(0) as Y.XmlElement).get(0) as Y.XmlText).toDelta()[0]).toEqual({ insert: 'Hinata', attributes: { bold: {} } });
    setBranchField(doc, 'concept', 'fork-1', 'tone', 'dark');
    expect(readBranchContent(doc, 'concept', src).tone).toBe(SAMPLE_OUTPUTS.concept.tone);
    expect(() => forkBranch(doc, 'concept', src, { origin: { ...AGENT } as never })).toThrow(/person/);
    const gen = createBranch(doc, 'concept', { origin: AGENT }).branch.id;
    expect(() => forkBranch(doc, 'concept', gen, { origin: HUMAN })).toThrow(/being generated/);
    // a name fork copies the canvas records
    const n = branch(doc, 'name');
    forkBranch(doc, 'name', n, { id: 'nf', origin: HUMAN });
    expect(readBranchContent(doc, 'name', 'nf')).toEqual(SAMPLE_OUTPUTS.name);
  });

  it('run state and status', () => {
    const doc = seeded();
    setPhaseStatus(doc, 'plot', 'running');
    setRunState(doc, 'plot', { jobId: 'j', agentName: 'Plot agent', progress: 0.25, message: 'reading the story' }, { now: 10 });
    setRunState(doc, 'plot', { progress: 0.5 }, { now: 11 });
    expect(getPhaseState(doc, 'plot')).toMatchObject({ status: 'running', run: { jobId: 'j', agentName: 'Plot agent', progress: 0.5, message: 'reading the story', branchId: null, updatedAt: 11 } });
    expect(() => setRunState(doc, 'plot', { progress: 2 })).toThrow(/0..1/);
    expect(() => setPhaseStatus(doc, 'plot', 'bogus' as 'idle')).toThrow(DocError);
    clearRunState(doc, 'plot');
    expect(getPhaseState(doc, 'plot').run).toBeNull();
  });
});

describe('adopt, staleness, skip, reopen, approve', () => {
  /** concept → characters → plot → name, each adopted and built on the previous actives. */
  function pipeline(doc: Y.Doc): Record<string, string> {
    const ids: Record<string, string> = {};
    for (const p of ['concept', 'characters', 'plot', 'name', 'scenes', 'dialogue', 'final'] as const) {
      ids[p] = branch(doc, p);
      adoptBranch(doc, p, ids[p]);
    }
    return ids;
  }

  it('adopting records the choice and activeBasedOn follows it', () => {
    const doc = seeded();
    const ids = pipeline(doc);
    for (const p of PHASES) expect(getPhaseState(doc, p)).toMatchObject({ status: 'review', activeBranchId: ids[p] });
    expect(activeBasedOn(doc, 'dialogue')).toEqual({ characters: ids.characters, plot: ids.plot, name: ids.name });
    expect(getBranch(doc, 'final', ids.final).basedOn).toEqual({ name: ids.name, scenes: ids.scenes, dialogue: ids.dialogue });
  });

  it('adopting another upstream branch marks downstream phases stale, transitively, with reasons', () => {
    const doc = seeded();
    const ids = pipeline(doc);
    const plot2 = branch(doc, 'plot');
    adoptBranch(doc, 'plot', plot2);
    expect(getPhaseState(doc, 'plot').status).toBe('review');
    for (const p of ['concept', 'characters'] as const) expect(getPhaseState(doc, p).status).toBe('review');
    for (const p of ['name', 'dialogue', 'scenes', 'final'] as const) expect(getPhaseState(doc, p).status, p).toBe('stale');
    expect(staleReasons(doc, 'name')).toEqual([{ kind: 'changed', upstream: 'plot', builtOn: ids.plot, activeNow: plot2 }]);
    expect(staleReasons(doc, 'scenes')).toEqual([{ kind: 'upstream-stale', upstream: 'name' }]);
    expect(staleReasons(doc, 'dialogue')).toEqual([
      { kind: 'changed', upstream: 'plot', builtOn: ids.plot, activeNow: plot2 },
      { kind: 'upstream-stale', upstream: 'name' },
    ]);
    expect(getPhaseState(doc, 'name').statusReason).toContain('plot changed');
    // approving a stale phase is refused
    expect(() => approvePhase(doc, 'name', { by: HUMAN })).toThrow(/stale/);
    // going back to the original plot branch makes them current again
    adoptBranch(doc, 'plot', ids.plot);
    for (const p of ['name', 'dialogue', 'scenes', 'final'] as const) expect(getPhaseState(doc, p).status, p).toBe('review');
    // a new name branch built on plot2 adopted while plot is ids.plot is itself stale
    adoptBranch(doc, 'plot', plot2);
    const name2 = branch(doc, 'name');
    adoptBranch(doc, 'name', name2);
    expect(getPhaseState(doc, 'name').status).toBe('review');
    expect(getPhaseState(doc, 'scenes').status).toBe('stale');
    adoptBranch(doc, 'plot', ids.plot);
    expect(getPhaseState(doc, 'name').status).toBe('stale');
  });

  it('a running phase keeps its status; staleness is still derivable', () => {
    const doc = seeded();
    pipeline(doc);
    setPhaseStatus(doc, 'name', 'running');
    adoptBranch(doc, 'plot', branch(doc, 'plot'));
    expect(getPhaseState(doc, 'name').status).toBe('running');
    expect(staleReasons(doc, 'name')).toHaveLength(1);
  });

  it('adopt refuses unknown and still-generating branches', () => {
    const doc = seeded();
    expect(() => adoptBranch(doc, 'concept', 'nope')).toThrow(/no branch/);
    const g = createBranch(doc, 'concept', { origin: AGENT }).branch.id;
    expect(() => adoptBranch(doc, 'concept', g)).toThrow(/generated/);
  });

  it('skip: downstream built on the skipped phase becomes stale; new runs build on nothing from it', () => {
    const doc = seeded();
    const ids = pipeline(doc);
    skipPhase(doc, 'characters', 'not needed');
    expect(getPhaseState(doc, 'characters')).toMatchObject({ status: 'skipped', statusReason: 'not needed', activeBranchId: ids.characters });
    expect(activeBasedOn(doc, 'plot')).toEqual({ concept: ids.concept });
    expect(staleReasons(doc, 'plot')).toEqual([{ kind: 'changed', upstream: 'characters', builtOn: ids.characters, activeNow: null }]);
    // reopening a skipped phase un-skips it and downstream is current again except the stored reopen
    reopenPhase(doc, 'characters');
    expect(getPhaseState(doc, 'characters').status).toBe('review');
    expect(staleReasons(doc, 'plot')).toEqual([{ kind: 'reopened', upstream: 'characters' }]);
  });

  it('reopen: the phase goes back to review, downstream phases become stale, nothing is deleted', () => {
    const doc = seeded();
    const ids = pipeline(doc);
    approvePhase(doc, 'concept', { by: HUMAN, branchId: ids.concept });
    expect(getPhaseState(doc, 'concept').status).toBe('approved');
    const counts = PHASES.map((p) => listBranches(doc, p).length);
    reopenPhase(doc, 'concept');
    expect(getPhaseState(doc, 'concept')).toMatchObject({ status: 'review', approval: null, activeBranchId: ids.concept });
    for (const p of PHASES.slice(1)) {
      expect(getPhaseState(doc, p).status, p).toBe('stale');
      expect(getPhaseState(doc, p).activeBranchId).toBe(ids[p]);
    }
    expect(staleReasons(doc, 'characters')).toEqual([{ kind: 'reopened', upstream: 'concept' }]);
    expect(PHASES.map((p) => listBranches(doc, p).length)).toEqual(counts);
    // re-adopting a downstream branch clears its reopen reason; dismissing clears another's
    adoptBranch(doc, 'characters', ids.characters);
    expect(getPhaseState(doc, 'characters').status).toBe('review');
    expect(staleReasons(doc, 'plot')).toEqual([{ kind: 'reopened', upstream: 'concept' }]);
    dismissStale(doc, 'plot');
    expect(getPhaseState(doc, 'plot').status).toBe('review');
  });

  it('approve: needs the active branch, records who', () => {
    const doc = seeded();
    expect(() => approvePhase(doc, 'concept', { by: HUMAN })).toThrow(/no active branch/);
    const a = branch(doc, 'concept');
    const b = branch(doc, 'concept');
    adoptBranch(doc, 'concept', a);
    expect(() => approvePhase(doc, 'concept', { by: HUMAN, branchId: b })).toThrow(/not the active/);
    const appr = approvePhase(doc, 'concept', { by: HUMAN, branchId: a }, { now: 77 });
    expect(appr).toEqual({ by: { id: 'u-1', name: 'Hinata' }, branchId: a, at: 77 });
    expect(getPhaseState(doc, 'concept')).toMatchObject({ status: 'approved', approval: appr });
    adoptBranch(doc, 'concept', b);
    expect(getPhaseState(doc, 'concept')).toMatchObject({ status: 'review', approval: null });
  });
});

describe('concurrent editing', () => {
  it('different fields and list items edited on two replicas merge without clobbering', () => {
    const base = seeded();
    const id = branch(base, 'characters');
    const a = clone(base);
    const b = clone(base);
    const castA = (branchesMap(a, 'characters').get(id)!.get('content') as Y.Map<unknown>).get('cast') as Y.Array<Y.Map<unknown>>;
    const castB = (branchesMap(b, 'characters').get(id)!.get('content') as Y.Map<unknown>).get('cast') as Y.Array<Y.Map<unknown>>;
    a.transact(() => castA.get(0).set('look', 'long hair'));
    b.transact(() => castB.get(0).set('personality', 'stubborn'));
    b.transact(() => castB.get(1).set('name', '湊'));
    setBranchField(a, 'characters', id, 'cast', readBranchContent(a, 'characters', id).cast); // a whole-field rewrite is still one op
    sync(a, b);
    const ra = readBranchContent(a, 'characters', id);
    expect(ra).toEqual(readBranchContent(b, 'characters', id));
  });

  it('two people moving different panels never clobber each other', () => {
    const base = seeded();
    const id = branch(base, 'name');
    const a = clone(base);
    const b = clone(base);
    const move = (doc: Y.Doc, panelId: string, x: number): void => {
      const kv = nameCanvas(doc, id);
      const rec = kv.get(`panel:${panelId}`) as CanvasPanelRecord;
      setCanvasRecord(doc, id, `panel:${panelId}`, { ...rec, bboxMm: [x, rec.bboxMm[1], rec.bboxMm[2], rec.bboxMm[3]] });
    };
    move(a, 'p0-1', 11);
    move(a, 'p0-1', 12); // repeated writes of one record stay one entry
    move(b, 'p0-2', 22);
    deleteCanvasRecord(b, id, 'panel:p1-0');
    sync(a, b);
    for (const doc of [a, b]) {
      const out = readBranchContent(doc, 'name', id);
      expect(out.pages[0].panels.map((p) => p.bboxMm[0])).toEqual([10, 12, 22]);
      expect(out.pages).toHaveLength(1); // page 1 lost its only panel: not a page of the book any more
    }
    expect(nameCanvas(a, id).yarray.length).toBe(nameCanvas(b, id).yarray.length);
  });

  it('the same panel moved on both sides: one whole record wins, no duplicate panel', () => {
    const base = seeded();
    const id = branch(base, 'name');
    const a = clone(base);
    const b = clone(base);
    const rec = nameCanvas(a, id).get('panel:p0-0') as CanvasPanelRecord;
    setCanvasRecord(a, id, 'panel:p0-0', { ...rec, bboxMm: [1, 1, 1, 1] });
    setCanvasRecord(b, id, 'panel:p0-0', { ...rec, bboxMm: [2, 2, 2, 2] });
    sync(a, b);
    const pa = readBranchContent(a, 'name', id).pages[0].panels;
    const pb = readBranchContent(b, 'name', id).pages[0].panels;
    expect(pa).toEqual(pb);
    expect(pa.filter((p) => p.id === 'p0-0')).toHaveLength(1);
  });

  it('prose co-editing: a person edits while an agent streams into the same fragment', () => {
    const base = seeded();
    const id = createBranch(base, 'plot', { origin: AGENT, content: SAMPLE_OUTPUTS.plot }).branch.id;
    writeBranchContent(base, 'plot', id, { ...SAMPLE_OUTPUTS.plot, outline: 'First paragraph.' }, { state: 'generating' });
    const person = clone(base);
    const agent = clone(base);
    const frag = proseFragment(person, 'plot', id, 'outline');
    person.transact(() => ((frag.get(0) as Y.XmlElement).get(0) as Y.XmlText).insert(0, 'My '));
    appendBranchProse(agent, 'plot', id, 'outline', ' More');
    appendBranchProse(agent, 'plot', id, 'outline', '.\n');
    appendBranchProse(agent, 'plot', id, 'outline', '\nSecond.');
    sync(person, agent);
    expect(readBranchContent(person, 'plot', id).outline).toBe('My First paragraph. More.\n\nSecond.');
    expect(readBranchContent(agent, 'plot', id).outline).toBe('My First paragraph. More.\n\nSecond.');
  });
});

describe('schema upgrades', () => {
  /** A doc as the v0 prototype wrote it. */
  function v0Doc(): Y.Doc {
    const doc = new Y.Doc();
    doc.transact(() => {
      const meta = doc.getMap('meta');
      meta.set('projectId', PROJECT);
      meta.set('title', 'old');
      meta.set('language', 'ja');
      meta.set('readingDirection', 'rtl');
      meta.set('pageFormat', 'B5');
      doc.getText('source').insert(0, 'story');
      const phases = doc.getMap('phases');
      const concept = new Y.Map<unknown>();
      phases.set('concept', concept);
      concept.set('status', 'review');
      concept.set('activeBranchId', 'old-1');
      const branches = new Y.Map<unknown>();
      concept.set('branches', branches);
      const b = new Y.Map<unknown>();
      branches.set('old-1', b);
      b.set('origin', 'Hinata');
      b.set('createdAt', 5);
      const content = new Y.Map<unknown>();
      b.set('content', content);
      content.set('logline', 'x');
    });
    return doc;
  }

  it('upgrades a v0 doc to the current version, keeping its data', () => {
    const doc = v0Doc();
    expect(docSchemaVersion(doc)).toBe(0);
    expect(() => createBranch(doc, 'concept', { origin: HUMAN })).toThrow(/schema v0/);
    expect(upgradeProjectDoc(doc)).toEqual({ from: 0, to: DOC_SCHEMA_VERSION, changed: true });
    expect(docSchemaVersion(doc)).toBe(DOC_SCHEMA_VERSION);
    expect(getBranch(doc, 'concept', 'old-1')).toMatchObject({ origin: { kind: 'human', id: '', name: 'Hinata' }, basedOn: {}, pinned: false, createdAt: 5, active: true });
    expect(getPhaseState(doc, 'concept')).toMatchObject({ status: 'review', activeBranchId: 'old-1', run: null });
    for (const p of PHASES) expect(getPhaseState(doc, p).phase).toBe(p);
    expect(upgradeProjectDoc(doc)).toEqual({ from: DOC_SCHEMA_VERSION, to: DOC_SCHEMA_VERSION, changed: false });
    createBranch(doc, 'characters', { origin: HUMAN });
  });

  it('two replicas upgrading the same v0 doc at once converge without losing nested maps', () => {
    const base = v0Doc();
    const a = clone(base);
    const b = clone(base);
    upgradeProjectDoc(a);
    upgradeProjectDoc(b);
    createBranch(a, 'plot', { id: 'pa', origin: HUMAN }); // written into a's freshly created plot map
    createBranch(b, 'plot', { id: 'pb', origin: HUMAN });
    sync(a, b);
    expect(listBranches(a, 'plot').map((x) => x.id).sort()).toEqual(['pa', 'pb']);
    expect(listBranches(b, 'plot').map((x) => x.id).sort()).toEqual(['pa', 'pb']);
  });

  it('refuses a doc newer than this code', () => {
    const doc = seeded();
    doc.getMap('meta').set('schemaVersion', DOC_SCHEMA_VERSION + 1);
    expect(() => upgradeProjectDoc(doc)).toThrow(/newer/);
    expect(() => createBranch(doc, 'concept', { origin: HUMAN })).toThrow(DocError);
  });

  it('an empty doc is left alone', () => {
    expect(upgradeProjectDoc(new Y.Doc())).toEqual({ from: null, to: null, changed: false });
  });
});

describe('hardening', () => {
  it('adopt refuses content that does not validate', () => {
    const doc = seeded();
    const id = createBranch(doc, 'characters', { origin: AGENT, state: 'failed' }).branch.id;
    expect(() => adoptBranch(doc, 'characters', id)).toThrow(/cannot adopt/);
    expect(getPhaseState(doc, 'characters').activeBranchId).toBeNull();
  });

  it('appendBranchListItem streams validated items into a list', () => {
    const doc = seeded();
    const id = createBranch(doc, 'characters', { origin: AGENT }).branch.id;
    for (const c of SAMPLE_OUTPUTS.characters.cast) appendBranchListItem(doc, 'characters', id, 'cast', c);
    expect(readBranchContent(doc, 'characters', id)).toEqual(SAMPLE_OUTPUTS.characters);
    expect(() => appendBranchListItem(doc, 'characters', id, 'cast', { id: 'x' })).toThrow(/item rejected/);
    expect(() => appendBranchListItem(doc, 'characters', id, 'nope', {})).toThrow(/not a list/);
    const c = branch(doc, 'concept');
    for (let i = SAMPLE_OUTPUTS.concept.keywords.length; i < 30; i++) appendBranchListItem(doc, 'concept', c, 'keywords', `k${i}`);
    expect(() => appendBranchListItem(doc, 'concept', c, 'keywords', 'one too many')).toThrow(/full/);
  });

  it('setCanvasRecord validates records and keys', () => {
    const doc = seeded();
    const id = branch(doc, 'name');
    const rec = nameCanvas(doc, id).get('panel:p0-0') as CanvasPanelRecord;
    expect(() => setCanvasRecord(doc, id, 'panel:p0-0', { ...rec, shot: 'selfie' as 'wide' })).toThrow(/bad canvas record/);
    expect(() => setCanvasRecord(doc, id, 'panel:other', rec)).toThrow(/key must be/);
    expect(() => setCanvasRecord(doc, id, 'panel:p0-0', { ...rec, extra: 1 } as CanvasPanelRecord)).toThrow(DocError);
    // a new page and a panel moved onto it
    setCanvasRecord(doc, id, 'page:new', { kind: 'page', index: 2 });
    setCanvasRecord(doc, id, 'panel:p0-2', { ...(nameCanvas(doc, id).get('panel:p0-2') as CanvasPanelRecord), page: 'page:new', order: 0 });
    expect(readBranchContent(doc, 'name', id).pages.map((p) => [p.index, p.panels.map((x) => x.id)])).toEqual([
      [0, ['p0-0', 'p0-1']],
      [1, ['p1-0']],
      [2, ['p0-2']],
    ]);
  });
});

describe('per-item writes', () => {
  it('upsertBranchListItem regenerates one scene panel in place, concurrently with another', () => {
    const base = seeded();
    const id = branch(base, 'scenes');
    const a = clone(base);
    const b = clone(base);
    upsertBranchListItem(a, 'scenes', id, 'panels', 'panelId', { panelId: 'p0-0', assetId: 'asset-new', prompt: 'station in rain, high angle', seed: 43, model: 'offline-1' });
    upsertBranchListItem(b, 'scenes', id, 'panels', 'panelId', { panelId: 'p1-0', assetId: 'asset-b', prompt: 'the boy', seed: 1, model: 'offline-1' });
    sync(a, b);
    const out = readBranchContent(a, 'scenes', id);
    expect(out).toEqual(readBranchContent(b, 'scenes', id));
    expect(out.panels.map((p) => [p.panelId, p.assetId, p.seed])).toEqual([
      ['p0-0', 'asset-new', 43],
      ['p0-1', null, -7],
      ['p1-0', 'asset-b', 1],
    ]);
    expect(() => upsertBranchListItem(a, 'scenes', id, 'panels', 'nope', out.panels[0])).toThrow(/no key/);
  });
});

describe('round trip (property)', () => {
  const text = (max: number) => fc.string({ unit: 'grapheme', maxLength: max });
  const id = fc.string({ unit: fc.constantFrom('a', 'b', '1', '-', '雨'), minLength: 1, maxLength: 8 });
  const concept = fc.record({
    logline: text(40),
    theme: text(20),
    genre: text(10),
    tone: text(10),
    world: text(20),
    setting: text(20),
    keywords: fc.array(text(10), { maxLength: 5 }),
    synopsis: fc.string({ unit: fc.oneof(fc.constantFrom('\n', '\n\n', ' '), fc.string({ unit: 'grapheme', maxLength: 3 })), maxLength: 30 }),
  });
  const beat = fc.record({
    id,
    act: fc.constantFrom('setup', 'confrontation', 'resolution', 'ki', 'sho', 'ten', 'ketsu'),
    title: text(20),
    summary: text(40),
    pageBudget: fc.integer({ min: 1, max: 60 }),
    sourceSpan: fc.option(fc.tuple(fc.nat(1000), fc.nat(1000)), { nil: null }),
  });
  const plot = fc.record({
    structure: fc.constantFrom('three-act', 'kishotenketsu'),
    beats: fc.array(beat, { minLength: 1, maxLength: 6 }),
    outline: text(60),
  });
  const finalOut = fc.record({
    pages: fc.array(fc.record({ index: fc.nat(50), assetId: fc.option(id, { nil: null }), width: fc.integer({ min: 1, max: 5000 }), height: fc.integer({ min: 1, max: 5000 }) }), { maxLength: 4 }),
    report: fc.dictionary(id, fc.jsonValue({ maxDepth: 3 }).filter((v) => !JSON.stringify(v).includes('__proto__')), { maxKeys: 4 }),
  });

  for (const [phase, arb] of [
    ['concept', concept],
    ['plot', plot],
    ['final', finalOut],
  ] as const) {
    it(`${phase}: any valid output reads back equal`, () => {
      const doc = seeded();
      fc.assert(
        fc.property(arb, (out) => {
          // JSON values as they would arrive over the wire (-0 becomes 0)
          const output = JSON.parse(JSON.stringify(out)) as unknown;
          const b = createBranch(doc, phase, { origin: AGENT, content: output }).branch.id;
          expect(readBranchContent(clone(doc), phase, b)).toEqual(output);
          deleteBranch(doc, phase, b);
        }),
        { numRuns: 100 },
      );
    });
  }
});

describe('retried runs', () => {
  it('resetBranchContent lets a retried job stream again without doubling text', () => {
    const doc = seeded();
    const first = createBranch(doc, 'concept', { id: 'job-9', origin: AGENT });
    appendBranchProse(doc, 'concept', 'job-9', 'synopsis', 'Half of the fir');
    const again = createBranch(doc, 'concept', { id: 'job-9', origin: AGENT });
    expect(again.created).toBe(false);
    const frag = proseFragment(doc, 'concept', 'job-9', 'synopsis');
    resetBranchContent(doc, 'concept', 'job-9');
    expect(proseFragment(doc, 'concept', 'job-9', 'synopsis')).toBe(frag); // editors stay bound
    appendBranchProse(doc, 'concept', 'job-9', 'synopsis', 'Whole text.\n\nTwo.');
    writeBranchContent(doc, 'concept', 'job-9', { ...SAMPLE_OUTPUTS.concept, synopsis: 'Whole text.\n\nTwo.' });
    expect(readBranchContent(doc, 'concept', 'job-9').synopsis).toBe('Whole text.\n\nTwo.');
    expect(first.branch.id).toBe('job-9');
    const n = branch(doc, 'name');
    resetBranchContent(doc, 'name', n);
    expect(nameCanvas(doc, n).yarray.length).toBe(0);
    expect(getBranch(doc, 'name', n).state).toBe('generating');
  });
});
