/**
 * Resident memory of the product's services, read from /proc (Linux only). A service's figure
 * is the sum over its process subtree: `web` is scripts/start-web.ts plus the Next.js server it
 * spawns, and so on. Processes are found by the `KOMA_SERVICE` variable scripts/start.ts puts in
 * each service's environment, so nothing depends on command-line spelling.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  comm: string;
}

export function listProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // comm is in parentheses and may itself contain spaces or parentheses: split at the last ')'.
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      out.push({ pid: Number(entry), ppid, comm });
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

export function rssKb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

export function subtree(root: number, processes = listProcesses()): number[] {
  const children = new Map<number, number[]>();
  for (const p of processes) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop() as number;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

function serviceOf(pid: number): string | undefined {
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
    return /(?:^|\0)KOMA_SERVICE=([^\0]+)/.exec(environ)?.[1];
  } catch {
    return undefined;
  }
}

/**
 * The services under a running `scripts/start.ts` (pid `root`): web, collab, worker, redis
 * (the private redis-server) and `start` (the orchestrator itself, which also hosts the embedded
 * PGlite when there is no DATABASE_URL). Returns name → root pid of that service.
 */
export function findServices(root: number): Map<string, number> {
  const processes = listProcesses();
  const found = new Map<string, number>([['start', root]]);
  for (const p of processes.filter((q) => q.ppid === root)) {
    const name = serviceOf(p.pid) ?? (p.comm.startsWith('redis-server') ? 'redis' : undefined);
    if (name) found.set(name, p.pid);
  }
  return found;
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat (11 and 12 after the comm), in clock ticks.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;

export interface ServiceSample {
  /** RSS in MB of each service's subtree (the orchestrator: its own process only). */
  rssMb: Record<string, number>;
  /** CPU seconds used so far by each service's subtree. */
  cpuS: Record<string, number>;
}

export function sampleServices(services: Map<string, number>): ServiceSample {
  const processes = listProcesses();
  const sample: ServiceSample = { rssMb: {}, cpuS: {} };
  for (const [name, pid] of services) {
    const pids = name === 'start' ? [pid] : subtree(pid, processes);
    sample.rssMb[name] = pids.reduce((sum, p) => sum + rssKb(p), 0) / 1024;
    sample.cpuS[name] = pids.reduce((sum, p) => sum + cpuSeconds(p), 0);
  }
  return sample;
}
