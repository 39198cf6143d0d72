/**
 * Scenario 1: SIGKILL collab-server A under load. Its clients must fail over to B, and after
 * the run every acknowledged edit of every client is in PostgreSQL, no client lost a local
 * edit, and every client holds exactly the stored document.
 */
import { checker, ms, sleep, type Scenario } from './scenario';
import { createProjects, histogram, Workload } from './workload';

export const collabKill: Scenario = async ({ topology, api, log }) => {
  const { check, failures } = checker();
  const projects = await createProjects(api, 3, 'kill');
  const work = new Workload(projects, api, [topology.collabUrls.a, topology.collabUrls.b]);
  try {
    await work.connect(20);
    const onA = work.clients.filter((c) => c.socket.configuration.url === topology.collabUrls.a);
    log(`${work.clients.length} clients connected (${onA.length} on A); editing once a second each`);
    work.startEditing(1_000);
    await sleep(5_000);
    const killedAt = Date.now();
    await topology.collab.a.kill('SIGKILL');
    log('collab A killed (SIGKILL); editing on');
    await sleep(8_000);
    work.stopEditing();
    const unsettled = await work.settle(60_000);
    await work.converge(topology.sql);
    const v = await work.verify(topology.sql, unsettled);
    const moved = onA.filter((c) => c.synced && c.socket.configuration.url === topology.collabUrls.b).length;
    const reconnects = histogram(work.outagesMs(killedAt));
    const ackedAfterKill = work.clients.flatMap((c) => c.edits).filter((e) => e.at >= killedAt && e.ackedAt !== null).length;
    check(v.lostAcked.length === 0, `${v.lostAcked.length} acknowledged edits missing from PostgreSQL (${v.lostAcked.slice(0, 5).join(', ')})`);
    check(v.lostLocal.length === 0, `${v.lostLocal.length} local edits never stored (${v.lostLocal.slice(0, 5).join(', ')})`);
    check(v.diverged.length === 0, `${v.diverged.length} clients differ from PostgreSQL: ${v.diverged.slice(0, 3).join('; ')}`);
    check(v.unsettled.length === 0, `${v.unsettled.length} clients never settled: ${v.unsettled.slice(0, 3).join('; ')}`);
    check(moved === onA.length, `${onA.length - moved} of A's ${onA.length} clients did not move to B`);
    check(ackedAfterKill > 0, 'no edit made after the kill was acknowledged');
    // Bring the topology back whole for the next scenario.
    await topology.collab.a.start();
    return {
      name: 'collab-kill',
      title: 'SIGKILL one collab-server under load',
      pass: failures.length === 0,
      failures,
      figures: [
        ['clients (projects)', `${work.clients.length} (${projects.length})`],
        ['edits made / acknowledged', `${v.edits} / ${v.acked}`],
        ['acknowledged edits lost (must be 0)', v.lostAcked.length],
        ['local edits lost (must be 0)', v.lostLocal.length],
        ['clients differing from PostgreSQL (must be 0)', v.diverged.length],
        ["A's clients moved to B", `${moved} / ${onA.length}`],
        ['reconnect after the kill, p50 / p95 / max', `${ms(reconnects.percentile(50))} / ${ms(reconnects.percentile(95))} / ${ms(reconnects.count ? reconnects.max : Number.NaN)}`],
        ['edits made after the kill and acknowledged', ackedAfterKill],
      ],
    };
  } finally {
    work.destroy();
    if (!topology.collab.a.running) await topology.collab.a.start().catch(() => {});
  }
};
