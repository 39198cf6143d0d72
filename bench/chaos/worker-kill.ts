/**
 * Scenario 2: SIGKILL the worker that is running a phase job. A pipeline (all seven phases,
 * offline provider) is started through the API; when the target phase's agent is visibly at
 * work in the document, the worker holding its collab connection is killed. The other worker
 * must pick the job up once its lock expires and finish it exactly once: one branch for that
 * job, one completion seen in the document, the pipeline carried on to the end with one branch
 * per phase (no phase enqueued twice).
 */
import { Queue } from 'bullmq';
import { getPhaseState, listBranches } from '../../lib/doc/project-doc';
import { PHASE_QUEUE, branchIdForJob } from '../../queue/jobs';
import { bullConnection } from '../../queue/connection';
import { PHASES } from '../../schema/phases';
import { ChaosClient } from './clients';
import { chaosSettings, checker, ms, sleep, type Scenario } from './scenario';
import { pidsConnectedTo } from './sockets';
import { createProjects } from './workload';

const TRIES = 3;

interface Attempt {
  projectId: string;
  jobId: string | null;
  killedPid: number | null;
  killedAt: number;
  completions: number;
  watcher: ChaosClient;
}

export const workerKill: Scenario = async ({ topology, api, log }) => {
  const TARGET = chaosSettings().CHAOS_KILL_PHASE;
  const { check, failures } = checker();
  const queue = new Queue(PHASE_QUEUE, { connection: bullConnection(topology.redisUrl) });
  const workerPids = () => topology.workers.map((w) => w.pid).filter((p): p is number => typeof p === 'number');
  const collabPorts = [topology.collabUrls.a, topology.collabUrls.b].map((u) => Number(new URL(u).port));
  let attempt: Attempt | null = null;
  let stalled = 0;
  try {
    for (let tryNo = 1; tryNo <= TRIES; tryNo += 1) {
      const [project] = await createProjects(api, 1, `worker${tryNo}-`);
      const watcher = new ChaosClient({ tag: 'watch', projectId: project.projectId, docName: project.docName, urls: [topology.collabUrls.b, topology.collabUrls.a], first: 0, token: async () => (await api.collabToken(project.owner, project.projectId)).token });
      const current: Attempt = { projectId: project.projectId, jobId: null, killedPid: null, killedAt: 0, completions: 0, watcher };
      attempt = current;
      let killing: Promise<void> | null = null;
      let lastReady = false;
      watcher.doc.on('update', () => {
        const state = getPhaseState(watcher.doc, TARGET);
        if (!current.jobId && state.run?.jobId) current.jobId = state.run.jobId;
        if (current.jobId) {
          const ready = listBranches(watcher.doc, TARGET).some((b) => b.id === branchIdForJob(current.jobId!) && b.state === 'ready');
          if (ready && !lastReady) current.completions += 1;
          lastReady = ready;
        }
        if (current.jobId && !killing) {
          killing = (async () => {
            // The worker that ran the previous phase may still be closing its connection when
            // this run starts on the other one: wait until exactly one worker is connected.
            const until = Date.now() + 10_000;
            while (Date.now() < until && getPhaseState(watcher.doc, TARGET).run?.jobId === current.jobId) {
              const pids = await pidsConnectedTo(workerPids(), collabPorts);
              const victim = pids.length === 1 ? topology.workers.find((w) => w.pid === pids[0]) : undefined;
              if (victim) {
                current.killedPid = pids[0];
                current.killedAt = Date.now();
                await victim.kill('SIGKILL');
                return;
              }
              await sleep(5);
            }
          })();
        }
      });
      while (!watcher.synced) await sleep(20);
      await api.pipeline(project.owner, project.projectId);
      log(`pipeline started (try ${tryNo}); waiting for the ${TARGET} agent to start`);
      const deadline = Date.now() + 180_000;
      while (!killing && Date.now() < deadline) await sleep(20);
      if (killing) await killing;
      if (!current.jobId) throw new Error(`the ${TARGET} run never started within 180 s`);
      const job = await queue.getJob(current.jobId);
      const stateAtKill = job ? await job.getState() : 'missing';
      if (current.killedPid !== null && stateAtKill === 'active') {
        log(`worker pid ${current.killedPid} killed while running ${current.jobId}`);
        break;
      }
      log(`try ${tryNo}: the job was ${stateAtKill} when the kill landed (pid ${current.killedPid ?? 'none'}); again with a new project`);
      for (const w of topology.workers) if (!w.running) await w.start();
      watcher.destroy();
      attempt = null;
    }
    if (!attempt) {
      check(false, `could not kill a worker mid-job in ${TRIES} tries`);
      return { name: 'worker-kill', title: 'SIGKILL a worker mid-job', pass: false, failures, figures: [] };
    }
    const a = attempt;
    const jobId = a.jobId!;
    // The other worker picks it up once the lock expires; the pipeline goes on to the last phase.
    const doc = a.watcher.doc;
    const deadline = Date.now() + 240_000;
    while (Date.now() < deadline) {
      const final = getPhaseState(doc, 'final');
      if (final.activeBranchId && !final.run) break;
      if (PHASES.some((p) => getPhaseState(doc, p).status === 'failed')) break;
      await sleep(200);
    }
    const job = await queue.getJob(jobId);
    const jobState = job ? await job.getState() : 'missing';
    stalled = job?.stalledCounter ?? 0;
    const finishedAt = job?.finishedOn ?? Number.NaN;
    const branches = Object.fromEntries(PHASES.map((p) => [p, listBranches(doc, p)]));
    const target = branches[TARGET];
    check(jobState === 'completed', `the killed job ended ${jobState}${job?.failedReason ? ` (${job.failedReason})` : ''}`);
    // BullMQ counts a job whose lock expired (its worker died) in stalledCounter: proof the kill hit it.
    check(stalled >= 1, 'the job was never detected as stalled: the kill did not interrupt it');
    check(target.length === 1 && target[0].id === branchIdForJob(jobId), `${TARGET} has ${target.length} branches (${target.map((b) => b.id).join(', ')}), expected exactly ${branchIdForJob(jobId)}`);
    check(target[0]?.state === 'ready', `the ${TARGET} branch is ${target[0]?.state}`);
    check(a.completions === 1, `the ${TARGET} branch became ready ${a.completions} times in the document`);
    const extra = PHASES.filter((p) => branches[p].length !== 1);
    check(extra.length === 0, `phases without exactly one branch: ${extra.map((p) => `${p}=${branches[p].length}`).join(', ')}`);
    const finalState = getPhaseState(doc, 'final');
    check(finalState.activeBranchId !== null && finalState.run === null, 'the pipeline did not reach the final phase');
    check(getPhaseState(doc, TARGET).run === null, `the ${TARGET} run state was not cleared`);
    for (const w of topology.workers) if (!w.running) await w.start();
    return {
      name: 'worker-kill',
      title: 'SIGKILL a worker mid-job',
      pass: failures.length === 0,
      failures,
      figures: [
        ['job killed mid-run', `${TARGET} (${jobId}), worker pid ${a.killedPid}`],
        ['job state after', `${jobState} (stalled ${stalled}×, started ${job?.attemptsStarted ?? 0}×)`],
        ['kill → job completed by the other worker', ms(finishedAt - a.killedAt)],
        [`branches for the ${TARGET} run (must be 1)`, target.length],
        ['completions seen in the document (must be 1)', a.completions],
        ['phases with exactly one branch after the pipeline', `${PHASES.length - extra.length} / ${PHASES.length}`],
      ],
    };
  } finally {
    attempt?.watcher.destroy();
    await queue.close();
    for (const w of topology.workers) if (!w.running) await w.start().catch(() => {});
  }
};
