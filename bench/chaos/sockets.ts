/**
 * Which of our child processes holds an established TCP connection to a given port, read from
 * /proc (Linux): the socket inodes among a process's file descriptors, matched against the
 * kernel's TCP table. The chaos run uses it to find the worker that is running a job — an agent
 * is connected to the collab-server only while its job runs.
 */
import { readFile, readdir, readlink } from 'node:fs/promises';

async function socketInodes(pid: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  for (const fd of fds) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match) inodes.add(match[1]);
  }
  return inodes;
}

/** Inodes of ESTABLISHED connections whose remote port is one of `ports`. */
async function connectionsTo(ports: number[]): Promise<Set<string>> {
  const wanted = new Set(ports.map((p) => p.toString(16).toUpperCase().padStart(4, '0')));
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const remotePort = cols[2].split(':').pop();
      if (cols[3] === '01' && remotePort && wanted.has(remotePort)) inodes.add(cols[9]);
    }
  }
  return inodes;
}

/** The pids (of those given) holding a live connection to one of `ports`. */
export async function pidsConnectedTo(pids: number[], ports: number[]): Promise<number[]> {
  const remote = await connectionsTo(ports);
  const out: number[] = [];
  for (const pid of pids) {
    for (const inode of await socketInodes(pid)) {
      if (remote.has(inode)) {
        out.push(pid);
        break;
      }
    }
  }
  return out;
}
