/**
 * Scenario 3: restart Redis (SHUTDOWN NOSAVE, then a new redis-server on the same port) while
 * clients edit across both collab-servers and phase jobs are queued. Afterwards an edit made
 * on A must still reach a client on B (the scale-out channel came back), every queued job must
 * finish exactly once, and nothing acknowledged is lost.
 */
import { Queue } from 'bullmq';
import { listBranches } from '../../lib/doc/project-doc';
import { bullConnection } from '../../queue/connection';
import { PHASE_QUEUE } from '../../queue/jobs';
import { ChaosClient } from './clients';
import { checker, ms, sleep, type Scenario } from './scenario';
import { createProjects, Workload } from './workload';

const JOB_PROJECTS = 4;

/** Time for an edit made by a client on collab A to reach a client of the same document on B (NaN: never, 15 s). */
async function crossInstance(work: Workload, docName: string, urls: { a: string; b: string }): Promise<number> {
  const on = (url: string) => work.clients.find((c) => c.options.docName === docName && c.synced && c.socket.configuration.url === url);
  const onA = on(urls.a);
  const onB = on(urls.b);
  if (!onA || !onB) return Number.NaN;
  const sent = performance.now();
  const edit = onA.edit();
  const deadline = Date.now() + 15_000;
  while (!onB.has(edit.key) && Date.now() < deadline) await sleep(2);
  return onB.has(edit.key) ? performance.now() - sent : Number.NaN;
}

export const redisRestart: Scenario = async ({ topology, api, log }) => {
  const { check, failures } = checker();
  const urls = [topology.collabUrls.a, topology.collabUrls.b];
  const editing = await createProjects(api, 2, 'redis');
  const jobProjects = await createProjects(api, JOB_PROJECTS, 'redisjob');
  const work = new Workload(editing, api, urls);
  const watchers: ChaosClient[] = [];
  try {
    await work.connect(10);
    work.startEditing(1_000);
    await sleep(3_000);
    const before = await crossInstance(work, editing[0].docName, topology.collabUrls);
    // Asked one after the other (all at once overloads this shared machine's web app), then
    // Redis goes at once: whatever is still waiting or running rides through the restart.
    const jobs: Array<{ project: (typeof jobProjects)[number]; jobId: string; branchId: string }> = [];
    for (const p of jobProjects) jobs.push({ project: p, ...(await api.runPhase(p.owner, p.projectId, 'concept')) });
    // Where the jobs stand the moment Redis goes: proof they were really in flight.
    const queue = new Queue(PHASE_QUEUE, { connection: bullConnection(topology.redisUrl) });
    const inFlight = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed').finally(() => queue.close());
    const { downMs } = await topology.restartRedis();
    log(`redis restarted (down ${Math.round(downMs)} ms) with ${jobs.length} jobs queued; editing on`);
    await sleep(6_000);

    // Cross-instance delivery after the restart: a fresh edit on A seen by a client on B.
    const propagation = await crossInstance(work, editing[0].docName, topology.collabUrls);
    check(Number.isFinite(propagation), 'an edit made on collab A after the restart never reached a client on collab B (15 s)');

    work.stopEditing();
    const unsettled = await work.settle(60_000);
    await work.converge(topology.sql);
    const v = await work.verify(topology.sql, unsettled);

    // Every queued job: completed, exactly one branch (its own) in its project.
    const finished = await Promise.all(jobs.map((j) => api.waitForJob(j.project.owner, j.jobId, 180_000).catch((e: Error) => ({ state: `unfinished: ${e.message}`, branchId: j.branchId }))));
    let duplicates = 0;
    let completed = 0;
    for (const [i, p] of jobProjects.entries()) {
      const watcher = new ChaosClient({ tag: `w${i}`, projectId: p.projectId, docName: p.docName, urls, first: 1, token: async () => (await api.collabToken(p.owner, p.projectId)).token });
      watchers.push(watcher);
      await work.waitUntil(() => watcher.synced, 30_000, 'job watcher synced');
      const branches = listBranches(watcher.doc, 'concept').map((b) => b.id).sort();
      const expected = jobs.filter((j) => j.project === p).map((j) => j.branchId).sort();
      duplicates += Math.max(0, branches.length - expected.length);
      check(JSON.stringify(branches) === JSON.stringify(expected), `project ${i}: concept branches ${branches.join(', ') || 'none'}, expected exactly ${expected.join(', ')}`);
    }
    for (const [i, j] of jobs.entries()) {
      if (finished[i].state === 'completed') completed += 1;
      check(finished[i].state === 'completed', `job ${j.jobId} ended ${finished[i].state}`);
    }
    check(v.lostAcked.length === 0, `${v.lostAcked.length} acknowledged edits missing from PostgreSQL`);
    check(v.lostLocal.length === 0, `${v.lostLocal.length} local edits never stored`);
    check(v.diverged.length === 0, `${v.diverged.length} clients differ from PostgreSQL: ${v.diverged.slice(0, 3).join('; ')}`);
    check(v.unsettled.length === 0, `${v.unsettled.length} clients never settled: ${v.unsettled.slice(0, 3).join('; ')}`);
    const restarts = [topology.collab.a, topology.collab.b, ...topology.workers].filter((s) => !s.running).length;
    check(restarts === 0, `${restarts} services died with Redis`);
    return {
      name: 'redis-restart',
      title: 'restart Redis under load with jobs queued',
      pass: failures.length === 0,
      failures,
      figures: [
        ['Redis down (SHUTDOWN NOSAVE → new server accepting)', ms(downMs)],
        ['clients (projects)', `${work.clients.length} (${editing.length})`],
        ['edits made / acknowledged', `${v.edits} / ${v.acked}`],
        ['acknowledged edits lost (must be 0)', v.lostAcked.length],
        ['local edits lost (must be 0)', v.lostLocal.length],
        ['edit on A → seen on B, before / 6 s after the restart', `${ms(before)} / ${ms(propagation)}`],
        ['jobs at the restart: waiting / active / completed', `${inFlight.waiting + inFlight.delayed} / ${inFlight.active} / ${inFlight.completed}`],
        ['jobs queued / completed / duplicate branches (must be 0)', `${jobs.length} / ${completed} / ${duplicates}`],
      ],
    };
  } finally {
    work.destroy();
    for (const w of watchers) w.destroy();
  }
};
