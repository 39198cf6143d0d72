/**
 * Human in the loop through the real stack: PostgreSQL, Redis, collab-server, worker, API.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { PANEL_QUEUE, PHASE_QUEUE } from '../../queue/jobs';
import { bullConnection } from '../../queue/connection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetConfigForTests } from '../../lib/config';
import { freePort } from '../../lib/net';
import { closeQueues } from '../../queue/enqueue';
import { startTestRedis } from '../support/services';
import { call } from './api-support';
import { connect, waitFor, acked, type Client } from './collab-support';
import { act, newProject, phaseState, routes, runPhase, signUp, startStack, waitForJob, type Person, type Stack } from './pipeline-support';
import { getPhaseState, listBranches, proseFragment, appendTextToFragment, fragmentToText, readBranchContent } from '../../lib/doc/project-doc';

const fixtures = path.resolve(import.meta.dirname, '../../../shared/fixtures/stories');
let stack: Stack;
let owner: Person;
let projectId: string;
let client: Client;

beforeAll(async () => {
  stack = await startStack('postgres');
  owner = await signUp('Hinata');
  projectId = await newProject(owner, await readFile(path.join(fixtures, 'ja-mini.txt'), 'utf8'), 'ja', 'rtl');
  const tokenRes = await call(routes.collabTokenRoute.POST, { token: owner.token, params: { id: projectId } });
  expect(tokenRes.status).toBe(200);
  client = connect(stack.collab.url, tokenRes.body.docName, tokenRes.body.token);
  await waitFor(() => client.provider.isSynced, 10_000, 'person synced');
});

async function fetchExport(id: string, format: string): Promise<{ bytes: Buffer; type: string }> {
  const req = new Request(`http://localhost:3000/api/projects/${id}/export?format=${format}`, {
    headers: { authorization: `Bearer ${owner.token}`, 'x-forwarded-for': '10.9.9.9' },
  });
  const res = await routes.exportRoute.GET(req, { params: Promise.resolve({ id }) });
  if (res.status !== 200) throw new Error(`export ${format}: ${res.status} ${await res.text()}`);
  return { bytes: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type') ?? '' };
}

afterAll(async () => {
  client?.destroy();
  await stack?.stop();
});

describe('phase runs as collaborators', () => {
  it('runs phase 1: a new agent branch appears live for a connected person, with provenance', async () => {
    const { jobId, branchId } = await runPhase(owner, projectId, 'concept');
    expect(branchId).toBe(`b-${jobId}`);
    const job = await waitForJob(owner, jobId);
    expect(job.state, job.error).toBe('completed');
    await waitFor(() => listBranches(client.doc, 'concept').some((b) => b.id === branchId && b.state === 'ready'), 10_000, 'branch visible');
    const branch = listBranches(client.doc, 'concept').find((b) => b.id === branchId)!;
    expect(branch.origin.kind).toBe('agent');
    expect(branch.jobId).toBe(jobId);
    expect(branch.model).toBeTruthy();
    expect(getPhaseState(client.doc, 'concept').status).toBe('review');
    const concept = readBranchContent(client.doc, 'concept', branchId);
    expect(concept.synopsis.length).toBeGreaterThan(10);
  });

  it('a feedback re-run makes a second branch while a person edits the active one; the edit survives', async () => {
    const first = listBranches(client.doc, 'concept')[0].id;
    expect((await act(owner, projectId, 'concept', 'adopt', { branchId: first })).status).toBe(200);
    await waitFor(() => getPhaseState(client.doc, 'concept').activeBranchId === first);

    const { jobId, branchId } = await runPhase(owner, projectId, 'concept', { feedback: 'Make it darker and set it at night', fromBranchId: first });
    // The person types into the active branch's synopsis while the agent works.
    appendTextToFragment(proseFragment(client.doc, 'concept', first, 'synopsis'), '\n人の手で書き足した一文。');
    await acked(client);
    const job = await waitForJob(owner, jobId);
    expect(job.state, job.error).toBe('completed');
    await waitFor(() => listBranches(client.doc, 'concept').some((b) => b.id === branchId && b.state === 'ready'));

    const view = await phaseState(owner, projectId, 'concept');
    expect(view.branches).toHaveLength(2);
    const second = view.branches.find((b: { id: string }) => b.id === branchId);
    expect(second.feedback).toBe('Make it darker and set it at night');
    expect(view.activeBranchId).toBe(first);
    expect(fragmentToText(proseFragment(client.doc, 'concept', first, 'synopsis'))).toContain('人の手で書き足した一文。');
  });

  it('adopting another upstream branch marks the downstream phase stale; skip and reopen work', async () => {
    const { jobId } = await runPhase(owner, projectId, 'characters');
    const charactersJob = await waitForJob(owner, jobId);
    expect(charactersJob.state, charactersJob.error).toBe('completed');
    const characters = (await phaseState(owner, projectId, 'characters')).branches[0].id;
    expect((await act(owner, projectId, 'characters', 'adopt', { branchId: characters })).status).toBe(200);
    expect((await phaseState(owner, projectId, 'characters')).status).toBe('review');

    const other = listBranches(client.doc, 'concept').find((b) => !b.active)!.id;
    expect((await act(owner, projectId, 'concept', 'adopt', { branchId: other })).status).toBe(200);
    const stale = await phaseState(owner, projectId, 'characters');
    expect(stale.status).toBe('stale');
    expect(stale.stale.length).toBeGreaterThan(0);

    expect((await act(owner, projectId, 'plot', 'skip')).status).toBe(200);
    expect((await phaseState(owner, projectId, 'plot')).status).toBe('skipped');
    expect((await act(owner, projectId, 'concept', 'reopen')).status).toBe(200);
    expect((await phaseState(owner, projectId, 'concept')).status).toBe('review');
  });

  it('refuses what the role or the input does not allow, and changes nothing', async () => {
    const stranger = await signUp('Stranger');
    expect((await call(routes.runsRoute.POST, { token: stranger.token, params: { id: projectId, phase: 'concept' }, body: {} })).status).toBe(404);
    expect((await call(routes.runsRoute.POST, { token: owner.token, params: { id: projectId, phase: 'nonsense' }, body: {} })).status).toBe(400);
    expect((await call(routes.runsRoute.POST, { token: owner.token, params: { id: projectId, phase: 'concept' }, body: { feedback: 42 } })).status).toBe(400);
    const before = listBranches(client.doc, 'concept').length;
    expect((await act(owner, projectId, 'concept', 'adopt', { branchId: 'no-such-branch' })).status).toBe(404);
    expect((await act(owner, projectId, 'concept', 'adopt')).status).toBe(400);
    expect(listBranches(client.doc, 'concept').length).toBe(before);
  });

  it('answers 503 with Retry-After, and changes nothing, when the collab-server does not answer', async () => {
    // Its own person: generation requests are rate-limited per person.
    const someone = await signUp('Offline');
    const target = await newProject(someone, await readFile(path.join(fixtures, 'ja-mini.txt'), 'utf8'), 'ja', 'rtl');
    const before = await phaseState(someone, target, 'concept');
    const saved = { url: process.env.COLLAB_INTERNAL_URL, timeout: process.env.COLLAB_API_SYNC_TIMEOUT_MS };
    process.env.COLLAB_INTERNAL_URL = `ws://127.0.0.1:${await freePort()}`; // nothing listens there
    process.env.COLLAB_API_SYNC_TIMEOUT_MS = '1500';
    resetConfigForTests();
    try {
      const res = await call(routes.runsRoute.POST, { token: someone.token, params: { id: target, phase: 'concept' }, body: {} });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('unavailable');
      expect(res.body.error.message).toMatch(/nothing was changed/);
      expect(res.headers.get('retry-after')).toBe('5');
      const view = await call(routes.phaseRoute.GET, { token: someone.token, params: { id: target, phase: 'concept' } });
      expect(view.status).toBe(503);
    } finally {
      process.env.COLLAB_INTERNAL_URL = saved.url;
      if (saved.timeout === undefined) delete process.env.COLLAB_API_SYNC_TIMEOUT_MS;
      else process.env.COLLAB_API_SYNC_TIMEOUT_MS = saved.timeout;
      resetConfigForTests();
    }
    const after = await phaseState(someone, target, 'concept');
    expect({ status: after.status, branches: after.branches.length }).toEqual({ status: before.status, branches: before.branches.length });
  });

  it('answers 503 at once when Redis is down, and leaves the phase as it was (not stuck in queued)', async () => {
    const saved = process.env.REDIS_URL;
    const lost = await startTestRedis();
    process.env.REDIS_URL = lost.url;
    resetConfigForTests();
    await closeQueues();
    const owner = await signUp('Queue-down'); // its own person: generation requests are rate-limited per person
    try {
      const story = await readFile(path.join(fixtures, 'ja-mini.txt'), 'utf8');
      // The API's queue connects while this Redis is up (its job never runs: no worker here).
      const warm = await newProject(owner, story, 'ja', 'rtl');
      expect((await call(routes.runsRoute.POST, { token: owner.token, params: { id: warm, phase: 'concept' }, body: {} })).status).toBe(202);
      await lost.stop();
      const target = await newProject(owner, story, 'ja', 'rtl');
      const res = await call(routes.runsRoute.POST, { token: owner.token, params: { id: target, phase: 'concept' }, body: {} });
      expect(res.status).toBe(503);
      // Refused by the producer at once: the 10 s deadline's answer says "did not answer in time".
      expect(res.body.error.message).toMatch(/nothing was started/);
      expect((await phaseState(owner, target, 'concept')).status).toBe('idle');
      const pipeline = await call(routes.pipelineRoute.POST, { token: owner.token, params: { id: target }, body: {} });
      expect(pipeline.status).toBe(503);
      expect((await phaseState(owner, target, 'concept')).status).toBe('idle');
    } finally {
      await lost.stop();
      process.env.REDIS_URL = saved;
      resetConfigForTests();
      await closeQueues();
    }
  });

  it('the fast path runs every remaining phase, adopting each result, into a finished book', async () => {
    const fresh = await newProject(owner, await readFile(path.join(fixtures, 'ja-mini.txt'), 'utf8'), 'ja', 'rtl');
    const res = await call(routes.pipelineRoute.POST, { token: owner.token, params: { id: fresh }, body: {} });
    expect(res.status).toBe(202);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const final = await phaseState(owner, fresh, 'final');
      if (final.activeBranchId) break;
      if (final.status === 'failed' || Date.now() > deadline) throw new Error(`final phase: ${JSON.stringify(final)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    for (const phase of ['concept', 'characters', 'plot', 'name', 'scenes', 'dialogue', 'final']) {
      const view = await phaseState(owner, fresh, phase);
      expect(view.activeBranchId, phase).toBeTruthy();
      expect(view.branches, phase).toHaveLength(1);
    }
    // The dashboard learns the progress and a cover without opening the document.
    const listed = await call(routes.projectsRoute.GET, { token: owner.token });
    const card = listed.body.projects.find((p: { id: string }) => p.id === fresh);
    expect(card.currentPhase).toBe('final');
    expect(card.coverAssetId).toMatch(/^a[0-9a-f]{40}$/);

    // Phase 5 fanned out: one child job per panel of the name, in a BullMQ flow. A completed
    // panel job is removed at once (queue/jobs.ts RETENTION); its picture stays with the parent.
    const phaseQueue = new Queue(PHASE_QUEUE, { connection: bullConnection(process.env.REDIS_URL) });
    const panelQueue = new Queue(PANEL_QUEUE, { connection: bullConnection(process.env.REDIS_URL) });
    try {
      const completed = await phaseQueue.getJobs(['completed']);
      const scenes = completed.find((job) => job.name === 'scenes' && job.data.projectId === fresh);
      expect(scenes, 'the scenes parent job').toBeDefined();
      const drawn = Object.values(await scenes!.getChildrenValues());
      expect(drawn.length).toBeGreaterThanOrEqual(1);
      expect((await scenes!.getDependenciesCount()).processed).toBe(drawn.length);
      expect((await panelQueue.getJobCounts('completed')).completed).toBe(0);
    } finally {
      await phaseQueue.close();
      await panelQueue.close();
    }

    // The book exports, and independent tools read it back.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'koma-export-'));
    try {
      const cbz = await fetchExport(fresh, 'cbz');
      expect(cbz.type).toBe('application/vnd.comicbook+zip');
      await writeFile(path.join(dir, 'book.cbz'), cbz.bytes);
      const listing = execFileSync('unzip', ['-l', path.join(dir, 'book.cbz')], { encoding: 'utf8' });
      expect(listing).toContain('ComicInfo.xml');
      const info = execFileSync('unzip', ['-p', path.join(dir, 'book.cbz'), 'ComicInfo.xml'], { encoding: 'utf8' });
      expect(info).toContain('<Manga>YesAndRightToLeft</Manga>');
      const pageCount = Number(/<PageCount>(\d+)<\/PageCount>/.exec(info)?.[1]);
      expect(pageCount).toBeGreaterThan(0);

      const pdf = await fetchExport(fresh, 'pdf');
      await writeFile(path.join(dir, 'book.pdf'), pdf.bytes);
      const pdfinfo = execFileSync('pdfinfo', [path.join(dir, 'book.pdf')], { encoding: 'utf8' });
      expect(Number(/Pages:\s+(\d+)/.exec(pdfinfo)?.[1])).toBe(pageCount);

      const finalView = await phaseState(owner, fresh, 'final');
      expect(finalView.status).toBe('review');
      const bad = await call(routes.exportRoute.GET, { token: owner.token, params: { id: fresh }, path: `/api/projects/${fresh}/export?format=docx` });
      expect(bad.status).toBe(400);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('scenes', () => {
  it('regenerates one panel alone into a new branch that keeps every other picture', async () => {
    const fresh = await newProject(owner, await readFile(path.join(fixtures, 'ja-mini.txt'), 'utf8'), 'ja', 'rtl');
    expect((await call(routes.pipelineRoute.POST, { token: owner.token, params: { id: fresh }, body: {} })).status).toBe(202);
    const deadline = Date.now() + 120_000;
    while (!(await phaseState(owner, fresh, 'final')).activeBranchId) {
      if (Date.now() > deadline) throw new Error('pipeline did not finish');
      await new Promise((r) => setTimeout(r, 500));
    }
    const tokenRes = await call(routes.collabTokenRoute.POST, { token: owner.token, params: { id: fresh } });
    const watcher = connect(stack.collab.url, tokenRes.body.docName, tokenRes.body.token);
    try {
      await waitFor(() => watcher.provider.isSynced, 10_000, 'synced');
      const activeId = getPhaseState(watcher.doc, 'scenes').activeBranchId!;
      const before = readBranchContent(watcher.doc, 'scenes', activeId);
      const target = before.panels[0].panelId;
      expect((await call(routes.runsRoute.POST, { token: owner.token, params: { id: fresh, phase: 'plot' }, body: { panelId: target } })).status).toBe(400);
      const { jobId, branchId } = await runPhase(owner, fresh, 'scenes', { panelId: target, feedback: 'from behind, in the rain' });
      const job = await waitForJob(owner, jobId);
      expect(job.state, job.error).toBe('completed');
      await waitFor(() => listBranches(watcher.doc, 'scenes').some((b) => b.id === branchId && b.state === 'ready'), 10_000, 'branch');
      const after = readBranchContent(watcher.doc, 'scenes', branchId);
      expect(after.panels.map((p) => p.panelId)).toEqual(before.panels.map((p) => p.panelId));
      for (const [i, panel] of after.panels.entries()) {
        if (panel.panelId === target) expect(panel.assetId).not.toBe(before.panels[i].assetId);
        else expect(panel.assetId).toBe(before.panels[i].assetId);
      }
      const branch = listBranches(watcher.doc, 'scenes').find((b) => b.id === branchId)!;
      expect(branch.parentBranchId).toBe(activeId);
      expect(branch.feedback).toBe('from behind, in the rain');
      // The new picture is served, immutable, at a preview quality too.
      const asset = after.panels.find((p) => p.panelId === target)!.assetId!;
      const res = await call(routes.assetRoute.GET, { params: { assetId: asset }, path: `/api/assets/${asset}?quality=preview` });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toContain('immutable');
      expect(res.headers.get('content-type')).toBe('image/webp');
    } finally {
      watcher.destroy();
    }
  });

  it('two runs of one phase requested at the same moment both start and each makes its own branch', async () => {
    const other = await newProject(owner, await readFile(path.join(fixtures, 'ja-mini.txt'), 'utf8'), 'ja', 'rtl');
    const [a, b] = await Promise.all([runPhase(owner, other, 'concept'), runPhase(owner, other, 'concept', { feedback: 'もっと明るく' })]);
    expect(a.jobId).not.toBe(b.jobId);
    for (const run of [a, b]) {
      const job = await waitForJob(owner, run.jobId);
      expect(job.state, job.error).toBe('completed');
    }
    const view = await phaseState(owner, other, 'concept');
    const ids = (view.branches as { id: string }[]).map((branch) => branch.id);
    expect(ids).toEqual(expect.arrayContaining([a.branchId, b.branchId]));
  });
});
