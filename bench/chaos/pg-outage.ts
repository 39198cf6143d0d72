/**
 * Scenario 4: PostgreSQL stopped for 10 s (`pg_ctl stop -m fast`, a real stop) while clients
 * edit. While it is down no edit may be acknowledged (an ack means "stored"); once it is back,
 * what clients kept locally is delivered and stored, every acknowledged edit is in the
 * database, and the collab-servers and workers work again without being restarted (a phase
 * job run after the outage completes).
 */
import { chaosSettings, checker, ms, sleep, type Scenario } from './scenario';
import { createProjects, histogram, Workload } from './workload';


export const pgOutage: Scenario = async ({ topology, api, log }) => {
  const OUTAGE_MS = chaosSettings().CHAOS_PG_OUTAGE_MS;
  const { check, failures } = checker();
  const projects = await createProjects(api, 2, 'pg');
  const work = new Workload(projects, api, [topology.collabUrls.a, topology.collabUrls.b]);
  const services = [topology.collab.a, topology.collab.b, ...topology.workers];
  const startsBefore = services.map((s) => s.starts);
  try {
    await work.connect(15);
    work.startEditing(1_000);
    await sleep(3_000);
    const stopAt = Date.now();
    await topology.pg.stop();
    const downAt = Date.now();
    log(`PostgreSQL stopped (took ${downAt - stopAt} ms); down for ${OUTAGE_MS / 1000} s`);
    await sleep(OUTAGE_MS);
    const upStartAt = Date.now();
    await topology.pg.start();
    const upAt = Date.now();
    log('PostgreSQL started again; editing on');
    await sleep(5_000);
    work.stopEditing();
    const unsettled = await work.settle(90_000);
    await work.converge(topology.sql);
    const v = await work.verify(topology.sql, unsettled);

    const all = work.clients.flatMap((c) => c.edits);
    const ackedWhileDown = all.filter((e) => e.ackedAt !== null && e.ackedAt > downAt && e.ackedAt < upStartAt);
    const madeWhileDown = all.filter((e) => e.at >= stopAt && e.at < upAt);
    const madeWhileDownAckedLater = madeWhileDown.filter((e) => e.ackedAt !== null);
    const recover = histogram(madeWhileDownAckedLater.map((e) => e.ackedAt! - upAt));
    check(ackedWhileDown.length === 0, `${ackedWhileDown.length} edits acknowledged while PostgreSQL was down`);
    check(v.lostAcked.length === 0, `${v.lostAcked.length} acknowledged edits missing from PostgreSQL (${v.lostAcked.slice(0, 5).join(', ')})`);
    check(v.lostLocal.length === 0, `${v.lostLocal.length} local edits never stored (${v.lostLocal.slice(0, 5).join(', ')})`);
    check(madeWhileDownAckedLater.length === madeWhileDown.length, `${madeWhileDown.length - madeWhileDownAckedLater.length} edits made during the outage never acknowledged`);
    check(v.diverged.length === 0, `${v.diverged.length} clients differ from PostgreSQL: ${v.diverged.slice(0, 3).join('; ')}`);
    check(v.unsettled.length === 0, `${v.unsettled.length} clients never settled: ${v.unsettled.slice(0, 3).join('; ')}`);

    // The services rode it out in place: same processes, and a job runs end to end.
    const restarted = services.filter((s, i) => !s.running || s.starts !== startsBefore[i]).map((s) => s.spec.name);
    check(restarted.length === 0, `services restarted or dead: ${restarted.join(', ')}`);
    const probe = projects[1];
    const run = await api.runPhase(probe.owner, probe.projectId, 'concept');
    const job = await api.waitForJob(probe.owner, run.jobId, 120_000).catch((e: Error) => ({ state: `unfinished: ${e.message}` }));
    check(job.state === 'completed', `a phase job after the outage ended ${job.state}`);
    return {
      name: 'pg-outage',
      title: `PostgreSQL stopped for ${OUTAGE_MS / 1000} s under load`,
      pass: failures.length === 0,
      failures,
      figures: [
        ['clients (projects)', `${work.clients.length} (${projects.length})`],
        ['edits made / acknowledged', `${v.edits} / ${v.acked}`],
        ['edits acknowledged while PostgreSQL was down (must be 0)', ackedWhileDown.length],
        ['edits made during the outage / stored afterwards', `${madeWhileDown.length} / ${madeWhileDown.length - madeWhileDown.filter((e) => v.lostLocal.includes(e.key) || v.lostAcked.includes(e.key)).length}`],
        ['acknowledged edits lost (must be 0)', v.lostAcked.length],
        ['local edits lost (must be 0)', v.lostLocal.length],
        ['PostgreSQL back → outage edits acknowledged, p50 / max', `${ms(recover.percentile(50))} / ${ms(recover.count ? recover.max : Number.NaN)}`],
        ['job after the outage', job.state],
        ['services restarted (must be none)', restarted.length === 0 ? 'none' : restarted.join(', ')],
      ],
    };
  } finally {
    work.destroy();
  }
};
