/**
 * Workers as separate processes: one killed with SIGKILL mid-job (the job is picked up again and
 * yields exactly one branch), and a run cancelled mid-way (the phase is left as it was).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPhaseState, listBranches } from '../../lib/doc/project-doc';
import { call, TEST_SECRET } from './api-support';
import { connect, waitFor, type Client } from './collab-support';
import { act, newProject, phaseState, routes, runPhase, signUp, startStack, waitForJob, type Person, type Stack } from './pipeline-support';

const root = path.resolve(import.meta.dirname, '../..');
const fixtures = path.resolve(root, '../shared/fixtures/stories');
let stack: Stack;
let owner: Person;
let projectId: string;
let client: Client;
const workers: ChildProcess[] = [];

function startWorkerProcess(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'queue/worker-main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: process.env.DATABASE_URL,
      REDIS_URL: process.env.REDIS_URL,
      JWT_SECRET: TEST_SECRET,
      COLLAB_INTERNAL_URL: stack.collab.url,
      AI_PROVIDER: 'offline',
      WORKER_LOCK_MS: '2000',
      WORKER_HEALTH_PORT: '0',
      WORKER_CONCURRENCY: '1',
      LOG_LEVEL: 'warn',
      KOMA_SERVICE: 'worker',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  workers.push(child);
  return child;
}

async function runAndAdopt(phase: string): Promise<void> {
  const { jobId, branchId } = await runPhase(owner, projectId, phase);
  const job = await waitForJob(owner, jobId, 120_000);
  expect(job.state, job.error).toBe('completed');
  expect((await act(owner, projectId, phase, 'adopt', { branchId })).status).toBe(200);
}

beforeAll(async () => {
  stack = await startStack('postgres', { worker: false });
  owner = await signUp('Minato');
  projectId = await newProject(owner, await readFile(path.join(fixtures, 'ja-kasa.txt'), 'utf8'), 'ja', 'rtl');
  const tokenRes = await call(routes.collabTokenRoute.POST, { token: owner.token, params: { id: projectId } });
  client = connect(stack.collab.url, tokenRes.body.docName, tokenRes.body.token);
  await waitFor(() => client.provider.isSynced, 10_000, 'person synced');
  startWorkerProcess();
  for (const phase of ['concept', 'characters', 'plot', 'name']) await runAndAdopt(phase);
}, 300_000);

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  client?.destroy();
  await stack?.stop();
});

describe('worker faults', () => {
  it('a worker killed with SIGKILL mid-job: the job is picked up again and finishes with exactly one branch', async () => {
    const victim = workers[0];
    const { jobId, branchId } = await runPhase(owner, projectId, 'scenes');
    // Kill as soon as the agent is visibly at work in the document.
    await waitFor(() => getPhaseState(client.doc, 'scenes').run?.jobId === jobId, 60_000, 'scenes run started');
    victim.kill('SIGKILL');
    await new Promise((r) => victim.once('exit', r));
    expect(getPhaseState(client.doc, 'scenes').status).toBe('running');

    startWorkerProcess();
    const job = await waitForJob(owner, jobId, 120_000);
    expect(job.state, job.error).toBe('completed');
    await waitFor(() => listBranches(client.doc, 'scenes').some((b) => b.id === branchId && b.state === 'ready'), 20_000, 'branch ready');
    const branches = listBranches(client.doc, 'scenes');
    expect(branches.map((b) => b.id)).toEqual([branchId]);
    expect(getPhaseState(client.doc, 'scenes').status).toBe('review');
  });

  it('cancelling a running job leaves the phase as it was and says why', async () => {
    const before = await phaseState(owner, projectId, 'scenes');
    const { jobId, branchId } = await runPhase(owner, projectId, 'scenes', { feedback: 'more rain' });
    await waitFor(() => getPhaseState(client.doc, 'scenes').run?.jobId === jobId, 60_000, 'second run started');
    const cancel = await call(routes.jobRoute.DELETE, { token: owner.token, params: { jobId } });
    expect(cancel.status).toBe(202);
    const job = await waitForJob(owner, jobId, 60_000);
    expect(['cancelled', 'failed']).toContain(job.state);
    expect(job.error).toMatch(/cancel/);
    await waitFor(() => getPhaseState(client.doc, 'scenes').run === null, 20_000, 'run state cleared');
    const after = await phaseState(owner, projectId, 'scenes');
    expect(after.branches.map((b: { id: string }) => b.id)).toEqual(before.branches.map((b: { id: string }) => b.id));
    expect(after.branches.some((b: { id: string }) => b.id === branchId)).toBe(false);
    expect(after.activeBranchId).toBe(before.activeBranchId);
    expect(after.status).toBe(before.status);
    expect(after.statusReason).toMatch(/cancel/);
  });
});
